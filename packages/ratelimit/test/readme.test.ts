/**
 * Every TypeScript example of the README runs as written (against the real Redis where it
 * uses one), and prints what its `// =>` comments say.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { afterEach, expect, it, vi } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] as string);
const generated = (index: number) => new URL(`./readme-${index}.generated.ts`, import.meta.url);

afterEach(() => {
  blocks.forEach((_, index) => {
    rmSync(generated(index), { force: true });
  });
});

it('has examples', () => {
  expect(blocks.length).toBeGreaterThanOrEqual(5);
});

it.each(blocks.map((code, index) => [index, code] as const))(
  'example %i runs and prints what it says',
  async (index, code) => {
    // Output comments read `// => what console.log printed`.
    const expected = [...code.matchAll(/^\s*\/\/ => (.*)$/gm)].map((match) => match[1]);
    const printed: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      printed.push(
        args
          .map((arg) => (typeof arg === 'string' ? arg : inspect(arg, { breakLength: Infinity })))
          .join(' '),
      );
    });
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    vi.spyOn(console, 'info').mockImplementation(() => undefined);
    const source = code
      .replaceAll("'@arm/ratelimit/redis'", "'../src/stores/redis'")
      .replaceAll("'@arm/ratelimit'", "'../src/index'");
    writeFileSync(generated(index), source);
    await import(`${generated(index).href}?${Date.now()}`);
    expect(printed).toEqual(expected);
  },
);
