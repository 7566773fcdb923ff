/** The README's examples run as written and print what the README says they print. */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { format } from 'node:util';
import { afterEach, expect, it, vi } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const generated = new URL('./readme-example.generated.ts', import.meta.url);

afterEach(() => {
  rmSync(generated, { force: true });
});

/** Every `ts` block of a README section that calls console.log. */
function examples(section: string): string[] {
  const text = readme.split(`## ${section}`)[1]?.split('\n## ')[0] ?? '';
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)]
    .map((match) => match[1] as string)
    .filter((code) => code.includes('console.log'));
}

/** The `// ` comment blocks right under a line of code (not under a blank line): the outputs. */
function expectedOutput(code: string): string[] {
  const lines = code.split('\n');
  const outputs: string[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '' || line.trimStart().startsWith('//')) return;
    const comments: string[] = [];
    for (let next = index + 1; lines[next]?.startsWith('// '); next++) {
      comments.push((lines[next] as string).slice(3));
    }
    if (comments.length > 0) outputs.push(comments.join('\n'));
  });
  return outputs;
}

async function run(code: string): Promise<string[]> {
  writeFileSync(
    generated,
    code
      .replace("from '@arm/validate/sanitize'", "from '../src/sanitize/index'")
      .replace("from '@arm/validate'", "from '../src/index'"),
  );
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  await import(`${generated.href}?${Math.random()}`);
  const printed = log.mock.calls.map((args) => format(...(args as [unknown])));
  log.mockRestore();
  return printed;
}

/** Compares ignoring line breaks and runs of spaces, which util.format chooses by width. */
const squash = (text: string) =>
  text.replace(/\s+/g, ' ').replace(/\[ /g, '[').replace(/ \]/g, ']');

it('runs the Usage example and prints what the README says', async () => {
  const [code] = examples('Usage');
  expect(code).toBeDefined();
  const printed = await run(code!);
  expect(printed.map(squash)).toEqual(expectedOutput(code!).map(squash));
  expect(printed).toHaveLength(4);
}, 20_000);

it('runs the sanitising example', async () => {
  const [code] = examples('API');
  expect(code).toContain('sanitizeHtml');
  expect(await run(code!)).toEqual(expectedOutput(code!));
}, 20_000);
