/** The Usage example of the README runs as written and prints what the README says. */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterEach, expect, it, vi } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const generated = new URL('./readme-usage.generated.ts', import.meta.url);

afterEach(() => {
  rmSync(generated, { force: true });
});

it('runs the Usage example against a real server on loopback', async () => {
  const usage = readme.split('## Usage')[1]?.split('## Policies')[0] ?? '';
  const code = /```ts\n([\s\S]*?)```/.exec(usage)?.[1];
  expect(code).toBeDefined();
  writeFileSync(generated, code!.replace("from '@arm/retry'", "from '../src/index'"));
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  await import(generated.href);
  expect(log.mock.calls).toEqual([
    ['payments', 'retry-after', 1000],
    [{ paid: true }, 2],
  ]);
  expect(code).toContain('// payments retry-after 1000\n// { paid: true } 2');
}, 20_000);
