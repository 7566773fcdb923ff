import { afterEach, expect, it, vi } from 'vitest';
import { isProductionDefault } from './_env';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
});

it('is production unless NODE_ENV says development or test', () => {
  vi.stubEnv('NODE_ENV', 'test');
  expect(isProductionDefault()).toBe(false);
  vi.stubEnv('NODE_ENV', 'development');
  expect(isProductionDefault()).toBe(false);
  vi.stubEnv('NODE_ENV', 'production');
  expect(isProductionDefault()).toBe(true);
  vi.stubEnv('NODE_ENV', 'staging');
  expect(isProductionDefault()).toBe(true);
});

it('is production where there is no process (a browser without a bundler define)', () => {
  vi.stubGlobal('process', undefined);
  expect(isProductionDefault()).toBe(true);
});
