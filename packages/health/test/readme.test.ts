/**
 * The Usage example of the README runs as written against the real Redis and PostgreSQL, and
 * prints what the README says. Only the port (3000 -> 0) and the shutdown delay (5 s -> 0) change,
 * and `process.exit` is caught so the runner survives.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterEach, expect, it, vi } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const generated = new URL('./readme-usage.generated.ts', import.meta.url);

afterEach(() => {
  rmSync(generated, { force: true });
});

it('runs the Usage example: probes answer health+json, shutdown exits 0', async () => {
  const usage = readme.split('## Usage')[1]?.split('## API')[0] ?? '';
  const code = /```ts\n([\s\S]*?)```/.exec(usage)?.[1];
  expect(code).toBeDefined();
  const runnable = code!
    .replace("from '@arm/health'", "from '../src/index'")
    .replace('server.listen(3000,', 'server.listen(0,')
    .replace('delayMs: 5_000,', 'delayMs: 0,');
  expect(runnable).not.toBe(code);
  writeFileSync(generated, runnable);
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  const exit = vi.spyOn(process, 'exit').mockImplementation(() => undefined as never);
  await import(generated.href);
  expect(log.mock.calls).toEqual([
    [
      200,
      'application/health+json',
      'pass',
      ['eventLoop:delay', 'memory:heapUsed', 'redis:responseTime', 'postgres:responseTime'],
    ],
    [0, []],
  ]);
  expect(exit).toHaveBeenCalledExactlyOnceWith(0);
  expect(code).toContain(
    "// 200 application/health+json pass [ 'eventLoop:delay', 'memory:heapUsed', 'redis:responseTime', 'postgres:responseTime' ]",
  );
  expect(code).toContain('// 0 []');
}, 20_000);
