/**
 * A subset of the behaviour, run against React 18 (`react-18` and `react-dom-18` are npm
 * aliases of React 18.3): the fixture is bundled with `react`/`react-dom` aliased to them.
 */
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeEach, expect, it } from 'vitest';
import { silenceExpectedErrors } from '../src/testing';
import { bundleToFile } from './_bundle-child';

const generated = join(dirname(fileURLToPath(import.meta.url)), 'react18-scenarios.generated.mjs');

beforeEach(() => silenceExpectedErrors(/boom/));
afterAll(() => {
  rmSync(generated, { force: true });
});

it('works with React 18: render errors, resetKeys on mount, async errors, reporting, optimistic rollback', async () => {
  await bundleToFile('./fixtures/react18-scenarios.tsx', generated, {
    platform: 'browser',
    alias: { react: 'react-18', 'react-dom': 'react-dom-18' },
  });
  const { runScenarios } = (await import(/* @vite-ignore */ pathToFileURL(generated).href)) as {
    runScenarios: () => Promise<Record<string, unknown>>;
  };
  const results = await runScenarios();
  expect(results.version).toMatch(/^18\./);
  expect(results.renderError).toEqual({
    text: 'INTERNAL render boom - 0',
    onErrorCalls: 1,
    stackNamesBomb: true,
  });
  expect(results.resetKeys).toEqual({
    before: 'fallback',
    after: 'page 2',
    resets: [{ reason: 'keys', prev: [1], next: [2] }],
  });
  expect(results.asyncError).toBe('SERVICE_UNAVAILABLE async boom - 0');
  expect(results.reported).toEqual({
    text: 'INTERNAL reported boom 00000000-0000-4000-8000-000000000018 0',
    batches: 1,
    reports: 1,
  });
  expect(results.optimistic).toEqual({ optimistic: '11', after: '1', error: 'INTERNAL' });
}, 20_000);
