import { ConfigurationError } from '@arm/errors';

/** The start-up error for a bad option, naming it, what it accepts and what it got. */
export function optionError(option: string, accepted: string, got: unknown): never {
  throw new ConfigurationError(
    `[@arm/security] option "${option}" must be ${accepted}, got ${describe(got)}`,
  );
}

function describe(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (value instanceof Uint8Array) return `${value.byteLength} bytes`;
  try {
    const json = JSON.stringify(value) as unknown;
    return typeof json === 'string' ? json : String(value);
  } catch {
    return String(value);
  }
}
