/**
 * Small helpers every module of the package shares: option errors that name the option, hook
 * calls that never break the caller, and number checks.
 */
import { ConfigurationError } from '@arm/errors';

/** The start-up error for a bad option, naming it, what it accepts and what it got. */
export function optionError(option: string, accepted: string, got: unknown): never {
  throw new ConfigurationError(
    `[@arm/health] option "${option}" must be ${accepted}, got ${describe(got)}`,
  );
}

function describe(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (value === undefined || typeof value === 'symbol') return String(value);
  return JSON.stringify(value);
}

/** Checks an optional duration in milliseconds; `allowZero` accepts 0. */
export function checkMs(
  option: string,
  value: number | undefined,
  allowZero: boolean,
): number | undefined {
  if (value === undefined) return undefined;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < 0 ||
    (!allowZero && value === 0)
  ) {
    optionError(
      option,
      allowZero
        ? 'a finite number of milliseconds >= 0'
        : 'a positive finite number of milliseconds',
      value,
    );
  }
  return value;
}

/** Whether a value from untyped callers is a non-null object. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object';
}

/** Calls a hook; a hook that throws never breaks the call. */
export function emit<H, K extends keyof H>(
  hooks: Partial<H> | undefined,
  name: K,
  event: H[K] extends (event: infer E) => void ? E : never,
): void {
  const hook = hooks?.[name] as ((event: unknown) => void) | undefined;
  if (hook === undefined) return;
  try {
    hook(event);
  } catch {
    // A broken hook must not break health checks or shutdown.
  }
}

/**
 * The message of anything thrown, with its cause's (fetch says only "fetch failed") and the
 * messages inside an AggregateError (a refused connection to both ::1 and 127.0.0.1 has none).
 */
export function messageOf(error: unknown, depth = 0): string {
  if (!(error instanceof Error)) return typeof error === 'string' ? error : 'check failed';
  let message = error.message;
  if (message === '' && error instanceof AggregateError) {
    message = error.errors.map((inner) => messageOf(inner, depth + 1)).join('; ');
  }
  if (message === '') message = error.name;
  if (error.cause !== undefined && depth < 3) message += `: ${messageOf(error.cause, depth + 1)}`;
  return message;
}
