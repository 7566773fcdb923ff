import { ConfigurationError } from '@arm/errors';

/** The start-up error for a bad option, naming it, what it accepts and what it got. */
export function optionError(option: string, accepted: string, got: unknown): never {
  throw new ConfigurationError(
    `[@arm/metrics] option "${option}" must be ${accepted}, got ${describe(got)}`,
  );
}

function describe(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  try {
    const text = JSON.stringify(value) as unknown;
    return typeof text === 'string' ? text : String(value);
  } catch {
    return String(value);
  }
}

/** Throws unless `value` is undefined or a positive finite number. */
export function checkPositive(option: string, value: number | undefined): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    optionError(option, 'a positive number', value);
  }
}

/** Throws unless `value` is undefined or a positive integer. */
export function checkCount(option: string, value: number | undefined): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    optionError(option, 'a positive integer', value);
  }
}
