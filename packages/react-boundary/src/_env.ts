/**
 * The one place this package guesses whether it runs in production. It reads
 * `globalThis.process?.env?.NODE_ENV` (present in Node, SSR, test runners and bundlers that
 * define `process`), never the bare `process` global, so a browser without `process` does not
 * crash. Anything but `development` or `test` counts as production: an unknown environment
 * shows less, never more. Components and factories take an explicit `production` option that
 * wins over this guess.
 */
export function isProductionDefault(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
    ?.env?.NODE_ENV;
  return env !== 'development' && env !== 'test';
}
