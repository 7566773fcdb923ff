/**
 * Runs every `ts` example of an adapter README as written (imports of the adapter pointed at
 * its sources) and checks that what it logs is what the example's trailing `// ` lines say.
 */
import { rmSync, readFileSync, writeFileSync } from 'node:fs';
import { formatWithOptions } from 'node:util';
import { afterEach, expect, it, vi } from 'vitest';

/** One example: its heading and code. */
interface Example {
  readonly title: string;
  readonly code: string;
}

function examples(readme: string): Example[] {
  const found: Example[] = [];
  let title = '';
  const pattern = /^#+ (.*)$|^```ts\n([\s\S]*?)^```$/gm;
  for (let match = pattern.exec(readme); match !== null; match = pattern.exec(readme)) {
    if (match[1] !== undefined) title = match[1];
    else found.push({ title, code: match[2] ?? '' });
  }
  return found;
}

/** The `// ` lines that end an example: what it prints. */
function expectedOutput(code: string): string[] {
  const lines = code.trimEnd().split('\n');
  const expected: string[] = [];
  while (lines.length > 0 && (lines.at(-1) ?? '').startsWith('// ')) {
    expected.unshift((lines.pop() ?? '').slice(3));
  }
  return expected;
}

/**
 * Declares one test per README example.
 *
 * @param readmeUrl - The README.
 * @param packageName - The adapter's package name, whose imports go to `sourceDir`.
 * @param sourceDir - The adapter's `src` folder.
 */
export function describeReadmeExamples(readmeUrl: URL, packageName: string, sourceDir: URL): void {
  const readme = readFileSync(readmeUrl, 'utf8');
  const generated: URL[] = [];
  afterEach(() => {
    for (const file of generated.splice(0)) rmSync(file, { force: true });
  });
  examples(readme).forEach(({ title, code }, index) => {
    it(`README example ${index + 1} (${title}) runs and prints what it says`, async () => {
      const expected = expectedOutput(code);
      expect(expected.length).toBeGreaterThan(0);
      const file = new URL(`readme-${index + 1}.generated.ts`, sourceDir);
      generated.push(file);
      const source = code.replace(
        new RegExp(`from '${packageName}(/[a-z]+)?'`, 'g'),
        (_, subpath: string | undefined) => `from './${subpath ? subpath.slice(1) : 'index'}'`,
      );
      writeFileSync(file, source);
      const printed: string[] = [];
      vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
        printed.push(formatWithOptions({ breakLength: Infinity }, ...args));
      });
      await import(file.href);
      expect(printed).toEqual(expected);
    }, 30_000);
  });
}
