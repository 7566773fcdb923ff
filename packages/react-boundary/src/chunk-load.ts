/**
 * Chunk-load failures: a lazily imported module (a route, a `React.lazy` component) that the
 * browser could not fetch, typically because a deployment replaced the old chunks. Reloading
 * the page once fetches the new ones.
 */

/** What webpack, Vite/Rollup (Chromium, Firefox, Safari) and CSS preloading say. */
const CHUNK_FAILURE =
  /ChunkLoadError|Loading (CSS )?chunk|dynamically imported|module script failed|preload CSS/i;

/**
 * Tells whether an error is a failed chunk load, looking through its `cause` chain.
 *
 * @param error - Anything caught.
 * @returns `true` when the error (or one of its causes) is a chunk-load failure.
 * @example
 * ```ts
 * isChunkLoadError(new TypeError('Failed to fetch dynamically imported module: /a.js')); // true
 * ```
 */
export function isChunkLoadError(error: unknown): boolean {
  // Five causes deep at most: a cause chain may be cyclic.
  for (let depth = 0; depth < 5 && error instanceof Object; depth++) {
    const { name, message, cause } = error as {
      name?: unknown;
      message?: unknown;
      cause?: unknown;
    };
    if (CHUNK_FAILURE.test(`${String(name)}: ${String(message)}`)) return true;
    error = cause;
  }
  return false;
}

/** The sessionStorage key holding the time of the last chunk-load reload. */
export const RELOAD_KEY = '@arm/react-boundary.chunkReload';

/**
 * Reloads once: not again within 10 seconds of the last reload, so a chunk that is really
 * gone shows the fallback instead of reloading in a loop.
 *
 * @returns Whether it reloaded.
 */
export function reloadOnce(reload: () => void, now = Date.now()): boolean {
  let storage: Storage;
  try {
    storage = sessionStorage;
    if (now - Number(storage.getItem(RELOAD_KEY)) < 10_000) return false;
    storage.setItem(RELOAD_KEY, String(now));
  } catch {
    // No storage (server, privacy mode): never reload, since a loop could not be stopped.
    return false;
  }
  reload();
  return true;
}
