import { ConfigurationError } from '@arm/errors';

/** The start-up error for a bad option, naming it, what it accepts and what it got. */
export function optionError(option: string, accepted: string, got: unknown): never {
  throw new ConfigurationError(
    `[@arm/ratelimit] option "${option}" must be ${accepted}, got ${JSON.stringify(got)}`,
  );
}
