/**
 * Keyed pseudonymisation, as EDPB Guidelines 01/2025 describe it: an HMAC under a secret kept
 * outside the data, with a domain label so the same person gets unrelated pseudonyms in
 * unrelated datasets. A plain hash would not do: every IPv4 address hashes in about an hour.
 */
import { hmac, toSecret } from './_secret';
import type { SecretInput } from './_secret';
import { optionError } from './_option-error';

/** Options of {@link createPseudonymizer}. */
export interface PseudonymizerOptions {
  /** The HMAC secret, 32+ bytes, kept away from the pseudonymised data. */
  readonly secret: SecretInput;
  /**
   * The pseudonymisation domain (`analytics`, `support-logs`): pseudonyms from different
   * domains cannot be joined.
   */
  readonly domain: string;
  /**
   * Length of the pseudonym in base64url characters (22 = 132 bits).
   * @defaultValue `22`
   */
  readonly length?: number;
}

/**
 * Creates a keyed pseudonymiser: the same value in the same domain always gives the same
 * pseudonym, and without the secret the pseudonym reveals nothing.
 *
 * @param options - The secret, the domain label and the pseudonym length.
 * @returns A function from a value to its pseudonym.
 * @throws `ConfigurationError` for a secret under 32 bytes, an empty domain or a length
 *   outside 16 to 43.
 * @example
 * ```ts
 * const pseudonym = createPseudonymizer({ secret: process.env.PSEUDONYM_KEY!, domain: 'analytics' });
 * pseudonym('user@example.com'); // 'Qk3…' (22 characters), stable for this secret and domain
 * ```
 */
export function createPseudonymizer(options: PseudonymizerOptions): (value: string) => string {
  const secret = toSecret('secret', options.secret);
  const { domain, length = 22 } = options;
  if (typeof domain !== 'string' || !/^[\w.:-]{1,64}$/.test(domain)) {
    optionError('domain', 'a label of 1 to 64 letters, digits, "_", ".", ":" or "-"', domain);
  }
  if (!Number.isInteger(length) || length < 16 || length > 43) {
    optionError('length', 'a whole number from 16 to 43', length);
  }
  const label = `arm-pseudonym-v1\u0000${domain}\u0000`;
  return (value) =>
    hmac(secret, label + value)
      .toString('base64url')
      .slice(0, length);
}
