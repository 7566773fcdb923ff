import { afterEach, expect, it, vi } from 'vitest';
import { toAppError } from '@arm/errors';
import { RELOAD_KEY, isChunkLoadError, reloadOnce } from './chunk-load';

afterEach(() => {
  sessionStorage.clear();
});

it.each([
  Object.assign(new Error('Loading chunk 7 failed.'), { name: 'ChunkLoadError' }),
  new Error('Loading CSS chunk vendors-main failed.'),
  new TypeError('Failed to fetch dynamically imported module: https://app.test/assets/a.js'),
  new TypeError('error loading dynamically imported module'),
  new TypeError('Importing a module script failed.'),
  new Error('Unable to preload CSS for /assets/a.css'),
  toAppError(new TypeError('Failed to fetch dynamically imported module: /a.js')),
])('recognises %s', (error) => {
  expect(isChunkLoadError(error)).toBe(true);
});

it.each([new Error('boom'), 'Loading chunk 7 failed.', null, undefined, { message: 42 }])(
  'does not take %s for a chunk-load failure',
  (error) => {
    expect(isChunkLoadError(error)).toBe(false);
  },
);

it('reloads once within ten seconds', () => {
  const reload = vi.fn();
  expect(reloadOnce(reload, 100_000)).toBe(true);
  expect(reloadOnce(reload, 109_999)).toBe(false);
  expect(reloadOnce(reload, 110_000)).toBe(true);
  expect(reload).toHaveBeenCalledTimes(2);
  expect(sessionStorage.getItem(RELOAD_KEY)).toBe('110000');
});

it('never reloads without session storage', () => {
  const reload = vi.fn();
  vi.spyOn(Storage.prototype, 'getItem').mockImplementation(() => {
    throw new Error('SecurityError');
  });
  expect(reloadOnce(reload)).toBe(false);
  expect(reload).not.toHaveBeenCalled();
});
