// `pnpm test`: every gate a change must pass, in order, stopping at the first failure.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './workspace.mjs';

const results = join(root, 'coverage', 'vitest-results.json');
/** @type {Array<[string, string, string[]]>} */
const gates = [
  ['lint', 'pnpm', ['lint']],
  ['typecheck', 'pnpm', ['typecheck']],
  [
    'unit, type and integration tests with the coverage floor',
    'pnpm',
    [
      'exec',
      'vitest',
      'run',
      '--coverage',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${results}`,
    ],
  ],
  ['build', 'pnpm', ['build']],
  ['publint and attw', 'pnpm', ['check:packages']],
  ['size-limit', 'pnpm', ['size']],
  ['packaging smoke test', 'pnpm', ['smoke']],
  ['API docs', 'pnpm', ['run', 'docs']],
];

let passed = 0;
for (const [name, command, args] of gates) {
  console.log(`\n=== ${name}: ${command} ${args.join(' ')}`);
  const started = Date.now();
  const { status } = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (status !== 0) {
    console.error(`\n=== FAILED: ${name} (${seconds} s)`);
    summary();
    console.log(`gates: ${passed} passed, 1 failed`);
    process.exit(1);
  }
  passed++;
  console.log(`=== passed: ${name} (${seconds} s)`);
}
summary();
console.log(`gates: ${passed} passed, 0 failed`);

function summary() {
  if (!existsSync(results)) return;
  const { numPassedTests, numFailedTests } = JSON.parse(readFileSync(results, 'utf8'));
  console.log(`\ntests: ${numPassedTests} passed, ${numFailedTests} failed`);
}
