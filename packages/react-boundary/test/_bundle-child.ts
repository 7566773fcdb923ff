/**
 * Bundles a test fixture in a child Node process: esbuild refuses to load in a jsdom test
 * environment (its `TextEncoder` check fails there), so this file must not import it.
 */
import { execFile } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { BuildOptions } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = resolve(here, '..');

/**
 * Bundles `entry` (relative to this folder) into `outfile`, resolving sibling packages to
 * their sources (`@arm/source`).
 */
export async function bundleToFile(
  entry: string,
  outfile: string,
  options: BuildOptions = {},
): Promise<void> {
  const script = `
    const { build } = await import('esbuild');
    await build(${JSON.stringify({
      entryPoints: [resolve(here, entry)],
      absWorkingDir: packageDir,
      outfile,
      bundle: true,
      format: 'esm',
      jsx: 'automatic',
      conditions: ['@arm/source'],
      logLevel: 'silent',
      ...options,
    })});
  `;
  await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    cwd: packageDir,
  });
}
