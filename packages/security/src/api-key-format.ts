/**
 * The API key format, after GitHub's token design: `<prefix>_<30 random base62 chars><6-char
 * base62 CRC32>`, for example `arm_live_…`. The `_` separators select the whole key on a
 * double click, the prefix says what the key is, and the checksum lets secret scanners and
 * the verifier reject typos and forgeries offline, before any database lookup.
 */

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** Random characters in a key: 30 base62 characters, about 178 bits. */
export const API_KEY_RANDOM_LENGTH = 30;
/** Checksum characters at the end of a key. */
export const API_KEY_CHECKSUM_LENGTH = 6;
const BODY_LENGTH = API_KEY_RANDOM_LENGTH + API_KEY_CHECKSUM_LENGTH;
const PREFIX = /^[a-z][a-z0-9]{0,15}(?:_[a-z0-9]{1,16}){0,2}$/;

/**
 * Finds candidate API keys in text, for secret scanning (pre-commit hooks, log scrubbing): a
 * lower-case prefix of up to three `_`-separated parts, then 36 base62 characters. Confirm a
 * match with {@link checkApiKeyFormat}, which verifies the checksum. It has the `g` flag: use
 * it with `matchAll` or `replace` (which reset it), not with `test` or `exec` across strings.
 *
 * @example
 * ```ts
 * for (const match of text.matchAll(API_KEY_PATTERN)) {
 *   if (checkApiKeyFormat(match[0]) === 'ok') console.warn('leaked key', match.index);
 * }
 * ```
 */
export const API_KEY_PATTERN = /\b[a-z][a-z0-9]{0,15}(?:_[a-z0-9]{1,16}){0,2}_[0-9A-Za-z]{36}\b/g;

const CRC_TABLE = /* @__PURE__ */ (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE) of an ASCII string. */
export function crc32(text: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) {
    crc = (CRC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff] as number) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** A 32-bit number as exactly six base62 characters. */
function checksum(text: string): string {
  let value = crc32(text);
  let out = '';
  for (let i = 0; i < API_KEY_CHECKSUM_LENGTH; i++) {
    out = (BASE62[value % 62] as string) + out;
    value = Math.floor(value / 62);
  }
  return out;
}

/** Whether a prefix may start a key: lower case, up to three `_`-separated parts. */
export function isValidApiKeyPrefix(prefix: unknown): prefix is string {
  return typeof prefix === 'string' && PREFIX.test(prefix);
}

/**
 * Builds a key from its prefix and random part, adding the checksum.
 * @internal
 */
export function formatApiKey(prefix: string, random: string): string {
  const head = `${prefix}_${random}`;
  return head + checksum(head);
}

/** Random base62 characters from a byte source, without modulo bias. */
export function randomBase62(length: number, bytes: (n: number) => Uint8Array): string {
  let out = '';
  while (out.length < length) {
    for (const byte of bytes(length * 2)) {
      // 248 = 4 * 62: bytes at or above it would bias the first characters.
      if (byte < 248 && out.length < length) out += BASE62[byte % 62] as string;
    }
  }
  return out;
}

/** What {@link checkApiKeyFormat} finds. */
export type ApiKeyFormat = 'ok' | 'malformed' | 'bad_checksum';

/**
 * Checks a presented key offline: shape, prefix and checksum. No secret or store is needed,
 * so it runs in scanners and before every lookup.
 *
 * @param key - The presented key, untrusted.
 * @param prefix - The prefix it must carry; any valid prefix when omitted.
 * @returns `'ok'`, `'malformed'` (shape or prefix) or `'bad_checksum'`.
 * @example
 * ```ts
 * checkApiKeyFormat('arm_live_…', 'arm_live'); // 'ok' | 'malformed' | 'bad_checksum'
 * ```
 */
export function checkApiKeyFormat(key: unknown, prefix?: string): ApiKeyFormat {
  if (typeof key !== 'string' || key.length > 96 || key.length < BODY_LENGTH + 2) {
    return 'malformed';
  }
  const split = key.length - BODY_LENGTH - 1;
  if (key[split] !== '_') return 'malformed';
  const keyPrefix = key.slice(0, split);
  if (prefix === undefined ? !PREFIX.test(keyPrefix) : keyPrefix !== prefix) return 'malformed';
  const body = key.slice(split + 1);
  if (!/^[0-9A-Za-z]+$/.test(body)) return 'malformed';
  const head = key.slice(0, key.length - API_KEY_CHECKSUM_LENGTH);
  return checksum(head) === key.slice(-API_KEY_CHECKSUM_LENGTH) ? 'ok' : 'bad_checksum';
}

/**
 * The display snippet of a key: its prefix and the first four random characters, safe to show
 * in lists and logs.
 *
 * @param key - A well-formed key.
 * @returns For example `arm_live_AbC1`.
 * @example
 * ```ts
 * apiKeyStart(key); // 'arm_live_AbC1'
 * ```
 */
export function apiKeyStart(key: string): string {
  return key.slice(0, key.length - BODY_LENGTH + 4);
}
