/** Construction-time checks that name the option and what it accepts. */
import { ConfigurationError } from '@arm/errors';

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** Throws unless `value` is undefined or a number of milliseconds that passes `min`. */
export function checkMs(name: string, value: unknown, allowZero: boolean): void {
  if (value === undefined) return;
  if (
    typeof value !== 'number' ||
    Number.isNaN(value) ||
    value < 0 ||
    (!allowZero && value === 0) ||
    (value !== Infinity && !Number.isFinite(value))
  ) {
    const kind = allowZero ? 'a non-negative' : 'a positive';
    throw new ConfigurationError(
      `[@arm/cache] option "${name}" must be ${kind} number of milliseconds, got ${describe(value)}`,
    );
  }
}

/** Throws unless `value` is undefined or a positive integer. */
export function checkCount(name: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new ConfigurationError(
      `[@arm/cache] option "${name}" must be a positive integer, got ${describe(value)}`,
    );
  }
}

/** Throws unless `value` is undefined or a number in [0, max]. */
export function checkFraction(name: string, value: unknown, max: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !(value >= 0 && value <= max)) {
    throw new ConfigurationError(
      `[@arm/cache] option "${name}" must be a number from 0 to ${max}, got ${describe(value)}`,
    );
  }
}

/** Throws unless `value` is undefined or a function. */
export function checkFunction(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function') {
    throw new ConfigurationError(
      `[@arm/cache] option "${name}" must be a function, got ${describe(value)}`,
    );
  }
}
