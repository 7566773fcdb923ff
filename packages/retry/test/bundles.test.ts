/**
 * Both builds as the package ships them: p-retry is ESM-only and opossum CommonJS-only, so the
 * ESM build must import a CommonJS package and the CJS build must `require()` an ES module
 * (Node >= 20.19). The builds are made with the package's own tsup settings (esbuild's default
 * CJS interop would not do: it takes `require('p-retry')` itself as the default export), the
 * dependencies stay external, and each build runs in a plain `node` child process, outside
 * vitest's module resolution.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'tsup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseConfig } from '../../../tsup.config.base';

const entry = new URL('../src/index.ts', import.meta.url).pathname;
// Inside the package, so the bundles resolve p-retry and opossum as installed.
const outdir = mkdtempSync(join(new URL('.', import.meta.url).pathname, '.bundles-'));

/** Retries through p-retry, opens a breaker through opossum, checks the error class. */
const scenario = `
  let calls = 0;
  const result = await retry(() => {
    calls++;
    if (calls < 3) throw new ServiceUnavailableError();
    return 'ok';
  }, { initialDelayMs: 1 });
  const breaker = createCircuitBreaker({ volumeThreshold: 1 });
  await breaker.execute(() => Promise.reject(new Error('boom'))).catch(() => undefined);
  const open = await breaker.execute(() => 'never').catch((error) => error);
  breaker.shutdown();
  console.log(JSON.stringify({ result, calls, open: open instanceof CircuitOpenError, state: breaker.state }));
`;

beforeAll(async () => {
  await build({
    ...baseConfig,
    entry: { index: entry },
    outDir: outdir,
    // As in the published package, p-retry and opossum stay external. @arm/errors is bundled
    // from its source, since its build may not exist yet when the tests run.
    external: ['p-retry', 'opossum'],
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
  // The scenario's own copy of @arm/errors: errors cross copies by brand, as they do in apps.
  await build({
    ...baseConfig,
    entry: { errors: new URL('../../errors/src/index.ts', import.meta.url).pathname },
    outDir: outdir,
    clean: false,
    dts: false,
    sourcemap: false,
    silent: true,
    config: false,
    outExtension: ({ format }) => ({ js: format === 'cjs' ? '.cjs' : '.mjs' }),
  });
  writeFileSync(
    join(outdir, 'esm.mjs'),
    `import { retry, createCircuitBreaker } from './index.mjs';
     import { ServiceUnavailableError, CircuitOpenError } from './errors.mjs';
     ${scenario}`,
  );
  writeFileSync(
    join(outdir, 'cjs.cjs'),
    `const { retry, createCircuitBreaker } = require('./index.cjs');
     const { ServiceUnavailableError, CircuitOpenError } = require('./errors.cjs');
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
  it('retries through p-retry and breaks through opossum', () => {
    const output = execFileSync(process.execPath, ['--no-warnings', join(outdir, file)], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(JSON.parse(output)).toEqual({ result: 'ok', calls: 3, open: true, state: 'open' });
  });
});
