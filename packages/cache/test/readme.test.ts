/** The Usage example of the README runs as written, against the real Redis, and prints what the README says. */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, afterEach, expect, it, vi } from 'vitest';
import { cleanup, connect, uniquePrefix } from './_redis';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const generated = new URL('./readme-usage.generated.ts', import.meta.url);
const prefix = uniquePrefix('cache-readme');

afterEach(() => {
  rmSync(generated, { force: true });
});

afterAll(async () => {
  const redis = await connect('ioredis');
  await cleanup(redis.raw, prefix);
  await redis.close();
});

it('runs the Usage example', { timeout: 30_000 }, async () => {
  const usage = readme.split('## Usage')[1]?.split('## API')[0] ?? '';
  const code = /```ts\n([\s\S]*?)```/.exec(usage)?.[1];
  expect(code).toBeDefined();
  const expected = /^\/\/ (Ada .*)$/m.exec(code!)?.[1];
  expect(expected).toBe('Ada Alan null 2 Ada undefined');
  writeFileSync(
    generated,
    code!
      .replace("from '@arm/cache/redis'", "from '../src/redis/index'")
      .replace("from '@arm/cache'", "from '../src/index'")
      .replace("prefix: 'myapp:cache:'", `prefix: '${prefix}'`),
  );
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  await import(generated.href);
  expect(log).toHaveBeenCalledWith('Ada', 'Alan', null, 2, 'Ada', undefined);
});

it('runs the getLocal example of the FAQ', async () => {
  const faq = readme.split('**How fast is a hit?**')[1] ?? '';
  const code = /```ts\n([\s\S]*?)```/.exec(faq)?.[1];
  expect(code).toContain('getLocal');
  writeFileSync(generated, code!.replace("from '@arm/cache'", "from '../src/index'"));
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  await import(`${generated.href}?faq`);
  expect(log).toHaveBeenCalledWith({ name: 'Ada' });
});
