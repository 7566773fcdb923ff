// publint (strict) and Are the Types Wrong for every published package: what npm users get
// must resolve in ESM, CJS and bundlers, with types that match each. The node16 profile leaves
// out TypeScript's legacy `node10` resolution, which cannot see subpath exports; every
// resolver on ARM's Node floor (20.19) reads `exports`.
import { execFileSync } from 'node:child_process';
import { esmOnlySubpaths, publishedPackages } from './workspace.mjs';

let failed = 0;
for (const { name, dir, manifest } of publishedPackages()) {
  const esmOnly = [...esmOnlySubpaths(manifest)];
  /** @type {Array<[string, string[]]>} */
  const tools = [
    ['publint', ['--strict']],
    [
      'attw',
      [
        '--pack',
        '.',
        '--profile',
        'node16',
        ...(esmOnly.length ? ['--exclude-entrypoints', ...esmOnly] : []),
      ],
    ],
  ];
  // ESM-only entries (conformance suites on ESM-only vitest) are checked as such.
  if (esmOnly.length)
    tools.push(['attw', ['--pack', '.', '--profile', 'esm-only', '--entrypoints', ...esmOnly]]);
  for (const [tool, args] of tools) {
    console.log(`\n> ${name}: ${tool} ${args.join(' ')}`);
    try {
      execFileSync('pnpm', ['exec', tool, ...args], { cwd: dir, stdio: 'inherit' });
    } catch {
      failed++;
      console.error(`${name}: ${tool} failed`);
    }
  }
}
process.exit(failed === 0 ? 0 : 1);
