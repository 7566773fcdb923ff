/** The Usage example of the README runs as written and prints what the README says. */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterEach, expect, it, vi } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const generated = new URL('./readme-usage.generated.ts', import.meta.url);

afterEach(() => {
  rmSync(generated, { force: true });
});

it('runs the Usage example against a real server on loopback', async () => {
  const usage = readme.split('## Usage')[1]?.split('## API')[0] ?? '';
  const code = /```ts\n([\s\S]*?)```/.exec(usage)?.[1];
  expect(code).toBeDefined();
  writeFileSync(generated, code!.replace("from '@arm/metrics'", "from '../src/index'"));
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  await import(generated.href);
  const printed = log.mock.calls.map((args) =>
    args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' '),
  );
  const expected = /\/\/ text\/plain[\s\S]*?(?=\nmetrics\.close)/.exec(code!)?.[0] ?? '';
  const lines = expected.split('\n').map((line) => line.replace(/^\/\/ ?/, ''));
  expect(printed[0]).toBe(lines[0]);
  const series = lines.slice(2, 5).map((line) => line.trim().replace(/^'/, '').replace(/',?$/, ''));
  expect(JSON.parse(printed[1] ?? '')).toEqual(series);
  expect(printed.slice(2)).toEqual(lines.slice(6));
}, 20_000);
