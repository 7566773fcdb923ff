/** Bundles a test fixture for a browser or a plain Node run, from the sources (no build needed). */
import { build } from 'esbuild';
import type { BuildOptions } from 'esbuild';

const packageDir = new URL('..', import.meta.url).pathname;

/**
 * Bundles `entry` (relative to this folder) into one file and returns its text.
 * `@arm/source` resolves sibling packages to their sources, as in the tests.
 */
export async function bundle(entry: string, options: BuildOptions = {}): Promise<string> {
  const result = await build({
    entryPoints: [new URL(entry, import.meta.url).pathname],
    absWorkingDir: packageDir,
    bundle: true,
    write: false,
    format: 'esm',
    jsx: 'automatic',
    conditions: ['@arm/source'],
    logLevel: 'silent',
    ...options,
  });
  return result.outputFiles?.[0]?.text ?? '';
}
