/**
 * Which errors were already reported, and under which event id. The map lives on `globalThis`
 * under a `Symbol.for` key so the root entry, the `/reporter` entry and duplicated copies of
 * the package (ESM and CJS loaded together) all see the same marks: an error caught by a
 * boundary and by React's root `onCaughtError` is reported once, and both know its event id.
 * Errors are keys of a WeakMap, so nothing is kept alive and nothing is written on them.
 */
const KEY = Symbol.for('@arm/react-boundary.eventIds');

/** `globalThis` as holding the map, which whichever copy of the package needs it first creates. */
type Shared = Record<symbol, WeakMap<object, string> | undefined>;

/** The event id an error was reported under, if it was. */
export function eventIdOf(error: unknown): string | undefined {
  // WeakMap#get answers undefined for primitives rather than throwing.
  return ((globalThis as unknown as Shared)[KEY] ??= new WeakMap()).get(error as object);
}

/** Records that an error was reported under an event id (thrown primitives cannot be marked). */
export function markReported(error: unknown, eventId: string): void {
  if (typeof error === 'object' && error !== null) {
    ((globalThis as unknown as Shared)[KEY] ??= new WeakMap()).set(error, eventId);
  }
}
