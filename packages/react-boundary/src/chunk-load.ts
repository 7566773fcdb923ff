/**
 * Chunk-load failures: a lazily imported module (a route, a `React.lazy` component) that the
 * browser could not fetch, typically because a deployment replaced the old chunks. Reloading
 * the page once fetches the new ones.
 */

/** What webpack, Vite/Rollup (Chromium, Firefox, Safari) and CSS preloading say. */
const CHUNK_FAILURE =
  /ChunkLoadError|Loading (CSS )?chunk|dynamically imported|module script failed|preload CSS/i;

/** What an error may carry; anything thrown may lack any of it. */
interface ErrorLike {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly cause?: unknown;
}

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
  for (
    let current = error as ErrorLike | undefined, depth = 0;
    depth < 5 && current instanceof Object;
    current = current.cause as ErrorLike | undefined, depth++
  ) {
    if (CHUNK_FAILURE.test(`${String(current.name)}: ${String(current.message)}`)) return true;
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
  try {
    if (now - Number(sessionStorage.getItem(RELOAD_KEY)) < 10_000) return false;
    sessionStorage.setItem(RELOAD_KEY, String(now));
  } catch {
    // No storage (server, privacy mode): never reload, since a loop could not be stopped.
    return false;
  }
  reload();
  return true;
}
