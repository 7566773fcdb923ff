/**
 * Small helpers every policy shares: option checks that throw ConfigurationError with the
 * option's name, hook calls that never break the call, and an abortable sleep that removes
 * its listener whatever happens (the listener-leak bug class of cockatiel #69/#81).
 */
import { ConfigurationError } from '@arm/errors';
import type { ExecuteOptions, PolicyContext } from './policy';

/** A clock in milliseconds; injected so tests can use fake time. */
export type Clock = () => number;

/** The default clock: `Date.now`, which vitest fake timers also control. */
export const systemClock: Clock = () => Date.now();

/** Throws ConfigurationError naming the option, the rule and the value it got. */
export function invalid(option: string, rule: string, value: unknown): never {
  const shown = typeof value === 'string' ? `"${value}"` : String(value);
  throw new ConfigurationError(`[@arm/retry] option "${option}" must be ${rule}, got ${shown}`);
}

interface NumberRule {
  /** Smallest accepted value. */
  readonly min?: number;
  /** Whether `min` itself is refused. */
  readonly exclusive?: boolean;
  /** Whether only integers are accepted. */
  readonly integer?: boolean;
  /** Largest accepted value. */
  readonly max?: number;
  /** How the rule reads in the error message. */
  readonly rule: string;
}

/**
 * Checks a number option and returns it, or the fallback when it is undefined; without a
 * fallback the option is required.
 */
export function numberOption(
  option: string,
  value: number | undefined,
  fallback: number | undefined,
  { min = 0, exclusive = false, integer = false, max = Number.POSITIVE_INFINITY, rule }: NumberRule,
): number {
  if (value === undefined) {
    if (fallback === undefined) invalid(option, rule, value);
    return fallback;
  }
  const ok =
    typeof value === 'number' &&
    !Number.isNaN(value) &&
    (exclusive ? value > min : value >= min) &&
    value <= max &&
    (!integer || Number.isInteger(value) || value === Number.POSITIVE_INFINITY);
  if (!ok) invalid(option, rule, value);
  return value;
}

/** Checks that an optional option is a function. */
export function functionOption<F>(option: string, value: F | undefined): F | undefined {
  if (value !== undefined && typeof value !== 'function') invalid(option, 'a function', value);
  return value;
}

/**
 * Calls a hook, if set, and swallows what it throws: hooks observe, they never change the
 * outcome of the call they report on.
 */
export function callHook<E>(hook: ((event: E) => void) | undefined, event: E): void {
  if (hook === undefined) return;
  try {
    hook(event);
  } catch {
    // A failing metrics hook must not fail the call it reports on.
  }
}

/**
 * Waits `ms` milliseconds, or rejects with the signal's reason as soon as it aborts. The abort
 * listener is removed on both paths, so a long-lived signal collects no listeners.
 */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (!canAbort(signal)) return new Promise((resolve) => setTimeout(resolve, ms));
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** A child of an optional parent signal, and the function that detaches it from the parent. */
export interface LinkedSignal {
  readonly controller: AbortController;
  readonly unlink: () => void;
}

/**
 * Makes an AbortController that aborts when `parent` does, with the same reason. `unlink` must
 * be called when the work ends: it removes the listener from the parent. Unlike
 * `AbortSignal.any`, the cleanup is explicit and immediate, not left to garbage collection.
 */
export function linkSignal(parent: AbortSignal | undefined): LinkedSignal {
  const controller = new AbortController();
  if (!canAbort(parent)) return { controller, unlink: noop };
  if (parent.aborted) {
    controller.abort(parent.reason);
    return { controller, unlink: noop };
  }
  const onAbort = (): void => {
    controller.abort(parent.reason);
  };
  parent.addEventListener('abort', onAbort, { once: true });
  return {
    controller,
    unlink: () => {
      parent.removeEventListener('abort', onAbort);
    },
  };
}

function noop(): void {
  // Nothing to detach.
}

/**
 * The signal handed to work when the caller gave none: it never aborts. Policies pass it on to
 * the policies inside them, which must never listen to it: it is shared by every call, and
 * concurrent listeners would pile up on it (and trip Node's MaxListenersExceededWarning).
 */
export const NEVER_ABORTED: AbortSignal = new AbortController().signal;

/** Whether a signal is worth listening to: a caller's signal, not {@link NEVER_ABORTED}. */
export function canAbort(signal: AbortSignal | undefined): signal is AbortSignal {
  return signal !== undefined && signal !== NEVER_ABORTED;
}

/**
 * The context a policy hands to the work (or to the policy inside it): the caller's signal, or
 * one that never aborts, and the attempt and deadline passed down from outer policies.
 */
export function contextOf(options: ExecuteOptions, signal?: AbortSignal): PolicyContext {
  return {
    signal: signal ?? options.signal ?? NEVER_ABORTED,
    attempt: options.attempt ?? 1,
    deadline: options.deadline ?? Number.POSITIVE_INFINITY,
  };
}
