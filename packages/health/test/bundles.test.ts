/**
 * Both builds as the package ships them, each run by a plain `node` outside vitest: the ESM and
 * CommonJS bundles load `perf_hooks` and `@arm/errors`, answer a probe, sample pressure and run a
 * shutdown. Built from the sources with the package's own tsup settings, so no prior build is
 * needed; @arm/errors is bundled from its source since its build may not exist yet.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'tsup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseConfig } from '../../../tsup.config.base';

const outdir = mkdtempSync(join(new URL('.', import.meta.url).pathname, '.tmp-bundles-'));

const scenario = `
  const health = createHealth({
    checks: { db: { check: () => ({ observedValue: 1, observedUnit: 'conn' }) } },
    pressure: createPressure({ maxHeapUsedBytes: 64 * 1024 ** 3 }),
  });
  const ready = await health.ready();
  const shutdown = createShutdown({ health, delayMs: 0, exit: false, process: new EventEmitter() });
  const { code } = await shutdown.shutdown('bundle');
  const after = await health.ready();
  let configuration;
  try { createHealth({ showOutput: 'nope' }); } catch (error) { configuration = error.code; }
  console.log(JSON.stringify({ status: ready.status, keys: Object.keys(ready.body.checks), code, after: after.httpStatus, configuration }));
`;

beforeAll(async () => {
  await build({
    ...baseConfig,
    entry: { index: new URL('../src/index.ts', import.meta.url).pathname },
    outDir: outdir,
    noExternal: ['@arm/errors'],
    esbuildOptions(options) {
      options.conditions = ['@arm/source'];
    },
    dts: false,
    sourcemap: false,
    silent: true,
    config: false,
    outExtension: ({ format }) => ({ js: format === 'cjs' ? '.cjs' : '.mjs' }),
  });
  writeFileSync(
    join(outdir, 'esm.mjs'),
    `import { EventEmitter } from 'node:events';
     import { createHealth, createPressure, createShutdown } from './index.mjs';
     ${scenario}`,
  );
  writeFileSync(
    join(outdir, 'cjs.cjs'),
    `const { EventEmitter } = require('node:events');
     const { createHealth, createPressure, createShutdown } = require('./index.cjs');
     (async () => { ${scenario} })().catch((error) => { console.error(error); process.exit(1); });`,
  );
});
afterAll(() => {
  rmSync(outdir, { recursive: true, force: true });
});

describe.each([
  ['ESM', 'esm.mjs'],
  ['CommonJS', 'cjs.cjs'],
])('the %s build', (_, file) => {
  it('answers probes, samples pressure and shuts down', () => {
    const output = execFileSync(process.execPath, ['--no-warnings', join(outdir, file)], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(JSON.parse(output)).toEqual({
      status: 'pass',
      keys: ['memory:heapUsed', 'db:responseTime'],
      code: 0,
      after: 503,
      configuration: 'CONFIGURATION',
    });
  });
});
