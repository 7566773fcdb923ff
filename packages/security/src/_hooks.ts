/**
 * Calls a user hook so that it can never break the call it observes: hooks are synchronous
 * and cheap by contract, and whatever one throws is swallowed.
 */
export function callHook<A extends unknown[]>(
  hook: ((...args: A) => void) | undefined,
  ...args: A
): void {
  if (hook === undefined) return;
  try {
    hook(...args);
  } catch {
    // A failing hook never breaks the call it observes.
  }
}
