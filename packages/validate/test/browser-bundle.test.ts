/**
 * The root entry is browser-safe: it bundles for the browser platform (where a `node:*` import
 * or a Node built-in fails the build), zod and @arm/errors included, and runs in a bare V8
 * context that has no `process`, `Buffer` or `require`.
 */
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';
import { expect, it } from 'vitest';

it('bundles for browsers and runs without Node globals', async () => {
  const result = await build({
    entryPoints: [new URL('../src/index.ts', import.meta.url).pathname],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: 'validate',
    conditions: ['@arm/source'],
    write: false,
    logLevel: 'silent',
  });
  expect(result.errors).toEqual([]);
  const code = result.outputFiles[0]?.text ?? '';
  expect(code).not.toMatch(/require\(["']node:/);
  const context: Record<string, unknown> = { TextDecoder, URLSearchParams, console };
  runInNewContext(
    `${code}
    globalThis.out = {
      parsed: validate.parseJson('{"a":[1,2]}'),
      request: validate.parseRequest({}, { query: 'a=1' }),
      text: validate.normalizeText('Cafe\\u0301'),
      signals: validate.detectInjection("' OR '1'='1").length,
    };`,
    context,
  );
  expect(context.out).toEqual({
    parsed: { a: [1, 2] },
    request: {},
    text: 'Café',
    signals: 1,
  });
}, 30_000);
