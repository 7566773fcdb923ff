/**
 * Every TypeScript example of the README runs as written (against the real PostgreSQL where it
 * uses one) and prints what its `// =>` comments say. The conformance-suite example defines
 * tests of its own, so it is not run here: test/memory.conformance.test.ts is the same code.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { afterEach, expect, it, vi } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)]
  .map((match) => match[1] as string)
  .filter((code) => !code.includes('@arm/security/testing'));
const generated = (index: number) => new URL(`./readme-${index}.generated.ts`, import.meta.url);

afterEach(() => {
  blocks.forEach((_, index) => {
    rmSync(generated(index), { force: true });
  });
});

it('has examples', () => {
  expect(blocks.length).toBeGreaterThanOrEqual(7);
});

it.each(blocks.map((code, index) => [index, code] as const))(
  'example %i runs and prints what it says',
  async (index, code) => {
    const expected = [...code.matchAll(/^\s*\/\/ => (.*)$/gm)].map((match) => match[1]);
    const printed: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      printed.push(
        args
          .map((arg) => (typeof arg === 'string' ? arg : inspect(arg, { breakLength: Infinity })))
          .join(' '),
      );
    });
    const source = code
      .replaceAll("'@arm/security/postgres'", "'../src/stores/postgres'")
      .replaceAll("'@arm/security'", "'../src/index'");
    writeFileSync(generated(index), source);
    await import(`${generated(index).href}?${Date.now()}`);
    expect(printed).toEqual(expected);
  },
);
