import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  API_KEY_PATTERN,
  apiKeyStart,
  checkApiKeyFormat,
  crc32,
  formatApiKey,
  isValidApiKeyPrefix,
  randomBase62,
} from './api-key-format';
import { randomBytes } from 'node:crypto';

const base62 = fc.string({
  unit: fc.constantFrom(
    ...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'.split(''),
  ),
  minLength: 30,
  maxLength: 30,
});
const prefix = fc.constantFrom('arm_live', 'arm_test', 'acme', 'svc_prod_eu', 'x1');

describe('the key format', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32('123456789')).toBe(0xcbf43926);
    expect(crc32('')).toBe(0);
  });

  it('round-trips: every formatted key checks out, with its prefix and without', () => {
    fc.assert(
      fc.property(prefix, base62, (p, random) => {
        const key = formatApiKey(p, random);
        expect(key).toHaveLength(p.length + 37);
        expect(checkApiKeyFormat(key, p)).toBe('ok');
        expect(checkApiKeyFormat(key)).toBe('ok');
        expect(apiKeyStart(key)).toBe(`${p}_${random.slice(0, 4)}`);
        expect(key.match(API_KEY_PATTERN)).toEqual([key]);
      }),
    );
  });

  it('detects every single-character change in the random part or checksum', () => {
    fc.assert(
      fc.property(prefix, base62, fc.nat(35), fc.nat(61), (p, random, position, shift) => {
        const key = formatApiKey(p, random);
        const index = p.length + 1 + position;
        const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
        const replaced = alphabet[
          (alphabet.indexOf(key[index] as string) + 1 + (shift % 61)) % 62
        ] as string;
        const changed = key.slice(0, index) + replaced + key.slice(index + 1);
        expect(checkApiKeyFormat(changed, p)).toBe('bad_checksum');
      }),
    );
  });

  it('names malformed keys', () => {
    const key = formatApiKey('arm_live', 'a'.repeat(30));
    expect(checkApiKeyFormat(key, 'arm_test')).toBe('malformed');
    expect(checkApiKeyFormat(key.slice(0, -1), 'arm_live')).toBe('malformed');
    expect(checkApiKeyFormat(`${key}x`, 'arm_live')).toBe('malformed');
    expect(checkApiKeyFormat(key.replace('_a', '-a'))).toBe('malformed');
    expect(checkApiKeyFormat(`Arm_live_${key.slice(9)}`)).toBe('malformed');
    expect(checkApiKeyFormat(`${key.slice(0, 20)}!${key.slice(21)}`)).toBe('malformed');
    expect(checkApiKeyFormat(42)).toBe('malformed');
    expect(checkApiKeyFormat('x'.repeat(10_000))).toBe('malformed');
  });

  it('validates prefixes', () => {
    expect(isValidApiKeyPrefix('arm_live')).toBe(true);
    expect(isValidApiKeyPrefix('a_b_c')).toBe(true);
    for (const bad of [
      '',
      'ARM',
      'a_b_c_d',
      '1abc',
      'arm-live',
      'a_',
      'averyveryverylongprefix',
      7,
    ]) {
      expect(isValidApiKeyPrefix(bad)).toBe(false);
    }
  });

  it('draws random base62 characters without bias from the byte source', () => {
    const chars = randomBase62(62_000, randomBytes);
    const counts = new Map<string, number>();
    for (const char of chars) counts.set(char, (counts.get(char) ?? 0) + 1);
    expect(counts.size).toBe(62);
    for (const count of counts.values()) expect(count).toBeGreaterThan(800);
    // Bytes at or above 248 are skipped.
    let calls = 0;
    const skewed = (n: number) => {
      calls++;
      return calls === 1 ? new Uint8Array(n).fill(255) : new Uint8Array(n).fill(1);
    };
    expect(randomBase62(4, skewed)).toBe('1111');
  });

  it('finds keys in text for secret scanning', () => {
    const key = formatApiKey('arm_live', 'Q'.repeat(30));
    const text = `config: token=${key}\nother arm_live_short and ${key}.`;
    expect([...text.matchAll(API_KEY_PATTERN)].map((m) => m[0])).toEqual([key, key]);
  });
});
