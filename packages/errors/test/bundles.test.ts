/**
 * The package as bundlers and runtimes see it: the ESM and CJS builds loaded side by side in
 * one process are two copies of the package, and the code must run in a realm that has only
 * web-standard globals (browsers, edge runtimes, Convex).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Errors from '../src/index';

type ErrorsModule = typeof Errors;

const entry = new URL('../src/index.ts', import.meta.url).pathname;
const outdir = mkdtempSync(join(tmpdir(), 'arm-errors-bundles-'));
let esm: ErrorsModule;
let cjs: ErrorsModule;

beforeAll(async () => {
  await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    outfile: join(outdir, 'index.mjs'),
  });
  await build({
    entryPoints: [entry],
    bundle: true,
    format: 'cjs',
    outfile: join(outdir, 'index.cjs'),
  });
  esm = (await import(pathToFileURL(join(outdir, 'index.mjs')).href)) as ErrorsModule;
  cjs = createRequire(import.meta.url)(join(outdir, 'index.cjs')) as ErrorsModule;
});
afterAll(() => {
  rmSync(outdir, { recursive: true, force: true });
});

describe('two copies in one process (ESM and CJS builds)', () => {
  it('are really two copies', () => {
    expect(esm.AppError).not.toBe(cjs.AppError);
    expect(Function.prototype[Symbol.hasInstance].call(esm.AppError, new cjs.NotFoundError())).toBe(
      false,
    );
  });

  it('agree on isAppError', () => {
    expect(esm.isAppError(new cjs.NotFoundError('x'))).toBe(true);
    expect(cjs.isAppError(new esm.RateLimitError('x'))).toBe(true);
    expect(esm.isAppError(new cjs.AppError('x'))).toBe(true);
  });

  it('agree on instanceof, by code for subclasses', () => {
    const error = new cjs.NotFoundError('x');
    expect(error instanceof esm.AppError).toBe(true);
    expect(error instanceof esm.NotFoundError).toBe(true);
    expect(error instanceof esm.RateLimitError).toBe(false);
    const Defined = esm.defineError({ code: 'PAYMENT_DECLINED', status: 402 });
    const Twin = cjs.defineError({ code: 'PAYMENT_DECLINED', status: 402 });
    expect(new Twin() instanceof Defined).toBe(true);
    expect(Defined.is(new Twin())).toBe(true);
  });

  it('render and rebuild each other errors', () => {
    const original = new cjs.RateLimitError('slow down', { retryAfterMs: 3_000 });
    expect(esm.toAppError(original)).toBe(original);
    const response = esm.toHttpResponse(original);
    expect(response.status).toBe(429);
    expect(response.headers['retry-after']).toBe('3');
    const rebuilt = cjs.fromProblem(JSON.parse(JSON.stringify(response.body)), {
      headers: response.headers,
    });
    expect(rebuilt instanceof esm.RateLimitError).toBe(true);
    expect(esm.serializeError(rebuilt)).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
  });
});

describe('a realm with only web-standard globals', () => {
  it('runs the whole entry: no node:* imports, no process, no Buffer', async () => {
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      format: 'iife',
      globalName: 'armErrors',
      platform: 'neutral',
      write: false,
    });
    const code = result.outputFiles[0]!.text;
    expect(code).not.toMatch(/\brequire\(|node:|\bprocess\b|\bBuffer\b/);
    const realm = { Headers, result: undefined as unknown };
    runInNewContext(
      `${code}
      const { NotFoundError, toHttpResponse, fromProblem, toAppError, isAppError } = armErrors;
      const response = toHttpResponse(new NotFoundError('No project 42'));
      const rebuilt = fromProblem(JSON.parse(JSON.stringify(response.body)));
      result = {
        status: response.status,
        contentType: response.headers['content-type'],
        rebuilt: rebuilt instanceof NotFoundError,
        masked: toHttpResponse(new Error('secret')).body.detail,
        brand: isAppError(toAppError('x')),
        hasProcess: typeof process !== 'undefined',
      };`,
      realm,
    );
    expect(realm.result).toEqual({
      status: 404,
      contentType: 'application/problem+json',
      rebuilt: true,
      masked: 'The server could not complete the request.',
      brand: true,
      hasProcess: false,
    });
  });
});
