import { isIP } from 'node:net';
import { ConfigurationError } from '@arm/errors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskIp } from './ip';

/** A reference mask over BigInt, independent of the implementation's word arithmetic. */
function referenceMask(words: readonly number[], width: number, keep: number): bigint {
  let value = 0n;
  for (const word of words) value = (value << BigInt(width)) | BigInt(word);
  const total = BigInt(words.length * width);
  const mask = keep === 0 ? 0n : ((1n << BigInt(keep)) - 1n) << (total - BigInt(keep));
  return value & mask;
}

function ipv6ToBigInt(address: string): bigint {
  // The WHATWG URL parser is an independent IPv6 parser.
  const host = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  const [head = '', tail] = host.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const words = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t].map((w) =>
    parseInt(w, 16),
  );
  return words.reduce((acc, word) => (acc << 16n) | BigInt(word), 0n);
}

describe('maskIp', () => {
  it('masks IPv4 to /24 and IPv6 to /48 by default', () => {
    expect(maskIp('203.0.113.77')).toBe('203.0.113.0');
    expect(maskIp('2001:db8:85a3:8d3:1319:8a2e:370:7348')).toBe('2001:db8:85a3::');
    expect(maskIp('::1')).toBe('::');
    expect(maskIp('fe80::1%eth0')).toBe('fe80::');
  });

  it('masks IPv4-mapped IPv6 as the IPv4 address it is', () => {
    expect(maskIp('::ffff:203.0.113.77')).toBe('203.0.113.0');
    expect(maskIp('::FFFF:cb00:714d')).toBe('203.0.113.0');
    expect(maskIp('::ffff:203.0.113.77', { preset: 'strict' })).toBe('203.0.0.0');
  });

  it('applies presets and explicit prefix lengths', () => {
    expect(maskIp('203.0.113.77', { preset: 'strict' })).toBe('203.0.0.0');
    expect(maskIp('2001:db8:85a3:8d3:1319::1', { preset: 'strict' })).toBe('2001:db8::');
    expect(maskIp('2001:db8:85a3:8d3:1319::1', { preset: 'subnet' })).toBe('2001:db8:85a3:8d3::');
    expect(maskIp('203.0.113.77', { ipv4Bits: 20 })).toBe('203.0.112.0');
    expect(maskIp('203.0.113.77', { ipv4Bits: 32 })).toBe('203.0.113.77');
    expect(maskIp('203.0.113.77', { ipv4Bits: 0 })).toBe('0.0.0.0');
    expect(maskIp('2001:db8:ffff::', { ipv6Bits: 36 })).toBe('2001:db8:f000::');
  });

  it.each([
    '',
    '1.2.3',
    '1.2.3.4.5',
    '256.1.1.1',
    '01.2.3.4',
    '1.2.3.-4',
    '1:2:3:4:5:6:7:8:9',
    '1::2::3',
    ':1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:',
    '12345::',
    '1.2.3.4::',
    '::1.2.3.4:5',
    '1:2:3:4:5:6:7:1.2.3.4',
    'g::1',
    'localhost',
    ' 1.2.3.4',
    '1::2:3:4:5:6:7:8',
    'x'.repeat(100),
  ])('returns undefined for %j', (value) => {
    expect(maskIp(value)).toBeUndefined();
  });

  it('returns undefined for values that are not strings', () => {
    expect(maskIp(undefined)).toBeUndefined();
    expect(maskIp(1234)).toBeUndefined();
  });

  it('rejects bad options', () => {
    expect(() => maskIp('1.2.3.4', { preset: 'nope' as never })).toThrow(ConfigurationError);
    expect(() => maskIp('1.2.3.4', { preset: 'toString' as never })).toThrow(ConfigurationError);
    expect(() => maskIp('1.2.3.4', { ipv4Bits: 33 })).toThrow(ConfigurationError);
    expect(() => maskIp('1.2.3.4', { ipv6Bits: 1.5 })).toThrow(ConfigurationError);
  });

  it('IPv4: keeps exactly the leading bits, and masking twice changes nothing (property)', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), (address, bits) => {
        const masked = maskIp(address, { ipv4Bits: bits }) as string;
        expect(isIP(masked)).toBe(4);
        const octets = (value: string) => value.split('.').map(Number);
        expect(referenceMask(octets(address), 8, bits)).toBe(referenceMask(octets(masked), 8, 32));
        expect(maskIp(masked, { ipv4Bits: bits })).toBe(masked);
      }),
    );
  });

  it('IPv6: agrees with a BigInt reference over the WHATWG parser, in RFC 5952 form (property)', () => {
    fc.assert(
      fc.property(fc.ipV6(), fc.integer({ min: 0, max: 128 }), (address, bits) => {
        const masked = maskIp(address, { ipv6Bits: bits, ipv4Bits: 32 }) as string;
        expect(masked).toBeDefined();
        if (isIP(masked) === 4) {
          // An IPv4-mapped address came back as IPv4: its low 32 bits are the address.
          expect(ipv6ToBigInt(address) >> 32n).toBe(0xffffn);
          return;
        }
        expect(isIP(masked)).toBe(6);
        const original = ipv6ToBigInt(address);
        const keep = bits === 0 ? 0n : ((1n << BigInt(bits)) - 1n) << BigInt(128 - bits);
        expect(ipv6ToBigInt(masked)).toBe(original & keep);
        // RFC 5952 and WHATWG agree on the canonical text form.
        expect(masked).toBe(new URL(`http://[${masked}]/`).hostname.slice(1, -1));
        expect(maskIp(masked, { ipv6Bits: bits })).toBe(masked);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on arbitrary strings, and only answers for real addresses (property)', () => {
    fc.assert(
      fc.property(
        fc.string({
          maxLength: 70,
          unit: fc.constantFrom(...'0123456789abcdefABCDEF:.%x '.split('')),
        }),
        (value) => {
          const masked = maskIp(value);
          if (masked !== undefined) expect(isIP(masked)).not.toBe(0);
          if (isIP(value) === 0 && !value.includes('%')) expect(masked).toBeUndefined();
        },
      ),
      { numRuns: 2000 },
    );
  });
});
