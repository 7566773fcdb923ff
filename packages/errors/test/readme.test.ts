/** The Usage example of the README runs as written and prints what the README says. */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterEach, expect, it, vi } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const generated = new URL('./readme-usage.generated.ts', import.meta.url);

afterEach(() => {
  rmSync(generated, { force: true });
});

it('runs the Usage example', async () => {
  const usage = readme.split('## Usage')[1]?.split('## API')[0] ?? '';
  const code = /```ts\n([\s\S]*?)```/.exec(usage)?.[1];
  expect(code).toBeDefined();
  const expected = /^\/\/ (true .*)$/m.exec(code!)?.[1];
  writeFileSync(generated, code!.replace("from '@arm/errors'", "from '../src/index'"));
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  await import(generated.href);
  expect(log).toHaveBeenCalledWith(true, 'PAYMENT_DECLINED', 'The card ending 4242 was declined');
  expect(expected).toBe('true PAYMENT_DECLINED The card ending 4242 was declined');
});
