import { ConfigurationError } from '@arm/errors';

/** The start-up error for a bad option, naming it, what it accepts and what it got. */
export function optionError(option: string, accepted: string, got: unknown): never {
  throw new ConfigurationError(
    `[@arm/validate] option "${option}" must be ${accepted}, got ${show(got)}`,
  );
}

/** A value as JSON where JSON can show it (strings quoted), `String` otherwise. */
function show(value: unknown): string {
  return value === undefined ||
    typeof value === 'function' ||
    typeof value === 'bigint' ||
    typeof value === 'symbol'
    ? String(value)
    : JSON.stringify(value);
}

/** Checks an optional positive-integer option and answers it or the default. */
export function positiveInteger(option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    optionError(option, 'a positive integer', value);
  }
  return value;
}

/** Checks an optional string option against the accepted values. */
export function oneOf<const T extends string>(
  option: string,
  value: unknown,
  accepted: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (!accepted.includes(value as T)) {
    optionError(option, `one of ${accepted.map((a) => `"${a}"`).join(', ')}`, value);
  }
  return value as T;
}
