/**
 * Secrets given as options (HMAC keys, peppers): checked once at start-up, kept as bytes, and
 * compared in constant time where they meet untrusted input.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { optionError } from './_option-error';

/** A secret as options take it: a string (UTF-8) or raw bytes. */
export type SecretInput = string | Uint8Array;

const MIN_SECRET_BYTES = 32;

/** Turns a secret option into bytes, rejecting one shorter than 32 bytes. */
export function toSecret(option: string, value: unknown): Uint8Array {
  const bytes =
    typeof value === 'string'
      ? new TextEncoder().encode(value)
      : value instanceof Uint8Array
        ? value
        : optionError(option, 'a string or Uint8Array of at least 32 bytes', value);
  if (bytes.byteLength < MIN_SECRET_BYTES) {
    optionError(option, `at least ${MIN_SECRET_BYTES} bytes long`, `${bytes.byteLength} bytes`);
  }
  return bytes;
}

/** HMAC-SHA256 of `message` under `key`, as bytes. */
export function hmac(key: Uint8Array, message: string): Buffer {
  return createHmac('sha256', key).update(message).digest();
}

/** Compares two strings in time that depends only on their lengths. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  if (left.byteLength !== right.byteLength) {
    // Still spend one comparison, so a length mismatch is not measurably faster.
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}
