/**
 * IP address masking for logs and analytics: keep a network prefix, zero the rest. IPv4 keeps
 * /24 and IPv6 /48 by default (Google Analytics' old IP anonymisation); IPv4-mapped IPv6
 * addresses (`::ffff:203.0.113.7`, common from Node sockets) are masked as the IPv4 address
 * they are. Parsing is by hand, strict and linear; anything that is not an address gives
 * `undefined`.
 */
import { optionError } from './_option-error';

/** Prefix lengths kept by a masking preset. */
export interface IpMaskBits {
  /** Leading bits of an IPv4 address kept. */
  readonly ipv4Bits: number;
  /** Leading bits of an IPv6 address kept. */
  readonly ipv6Bits: number;
}

/** Named masking strengths. */
export const IP_MASK_PRESETS: Readonly<Record<'ga' | 'strict' | 'subnet', IpMaskBits>> =
  Object.freeze({
    /** IPv4 /24, IPv6 /48: Google Analytics' IP anonymisation. */
    ga: Object.freeze({ ipv4Bits: 24, ipv6Bits: 48 }),
    /** IPv4 /16, IPv6 /32: coarser, closer to German guidance (rsyslog mmanon keeps /32 of IPv6). */
    strict: Object.freeze({ ipv4Bits: 16, ipv6Bits: 32 }),
    /** IPv4 /24, IPv6 /64: one subnet each (ip-anonymizer's default). */
    subnet: Object.freeze({ ipv4Bits: 24, ipv6Bits: 64 }),
  });

/** The name of a masking preset. */
export type IpMaskPreset = keyof typeof IP_MASK_PRESETS;

/** Options of {@link maskIp}. */
export interface MaskIpOptions {
  /**
   * A preset to start from.
   * @defaultValue `'ga'`
   */
  readonly preset?: IpMaskPreset;
  /**
   * Leading bits of an IPv4 address kept, 0 to 32.
   * @defaultValue the preset's (24)
   */
  readonly ipv4Bits?: number;
  /**
   * Leading bits of an IPv6 address kept, 0 to 128.
   * @defaultValue the preset's (48)
   */
  readonly ipv6Bits?: number;
}

/**
 * Masks an IP address: keeps the leading bits, zeroes the rest.
 *
 * @param address - An IPv4 or IPv6 address, untrusted (a zone id `%eth0` is dropped).
 * @param options - A preset or explicit prefix lengths.
 * @returns The masked address (IPv6 in RFC 5952 form; IPv4-mapped IPv6 as plain IPv4), or
 *   undefined when `address` is not an IP address.
 * @throws `ConfigurationError` for an unknown preset or prefix length out of range.
 * @example
 * ```ts
 * maskIp('203.0.113.77'); // '203.0.113.0'
 * maskIp('2001:db8:85a3:8d3:1319:8a2e:370:7348'); // '2001:db8:85a3::'
 * maskIp('::ffff:203.0.113.77'); // '203.0.113.0'
 * ```
 */
export function maskIp(address: unknown, options: MaskIpOptions = {}): string | undefined {
  const name = options.preset ?? 'ga';
  const preset: IpMaskBits | undefined = Object.hasOwn(IP_MASK_PRESETS, name)
    ? IP_MASK_PRESETS[name]
    : undefined;
  if (preset === undefined) {
    optionError('preset', `one of ${Object.keys(IP_MASK_PRESETS).join(', ')}`, options.preset);
  }
  const v4 = bits('ipv4Bits', options.ipv4Bits ?? preset.ipv4Bits, 32);
  const v6 = bits('ipv6Bits', options.ipv6Bits ?? preset.ipv6Bits, 128);
  if (typeof address !== 'string' || address.length > 64) return undefined;
  const zone = address.indexOf('%');
  const text = zone === -1 ? address : address.slice(0, zone);

  const ipv4 = parseIpv4(text);
  if (ipv4 !== undefined) return formatIpv4(maskWords(ipv4, v4, 8));
  const ipv6 = parseIpv6(text);
  if (ipv6 === undefined) return undefined;
  if (isMappedIpv4(ipv6)) {
    const tail = [ipv6[6] >> 8, ipv6[6] & 0xff, ipv6[7] >> 8, ipv6[7] & 0xff];
    return formatIpv4(maskWords(tail, v4, 8));
  }
  return formatIpv6(maskWords(ipv6, v6, 16));
}

function bits(option: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    optionError(option, `a whole number from 0 to ${max}`, value);
  }
  return value;
}

/** Keeps the leading `keep` bits of a list of `width`-bit words. */
function maskWords(words: readonly number[], keep: number, width: number): number[] {
  return words.map((word, index) => {
    const start = index * width;
    if (keep >= start + width) return word;
    if (keep <= start) return 0;
    const kept = keep - start;
    return word & (((1 << kept) - 1) << (width - kept));
  });
}

function parseIpv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const octets: number[] = [];
  for (const part of parts) {
    // Decimal only, no leading zeros (they read as octal in some parsers).
    if (!/^(?:0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const value = Number(part);
    if (value > 255) return undefined;
    octets.push(value);
  }
  return octets;
}

function parseIpv6(
  text: string,
): [number, number, number, number, number, number, number, number] | undefined {
  if (text.length < 2 || !/^[0-9A-Fa-f:.]+$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (half: string): number[] | undefined => {
    if (half === '') return [];
    const groups = half.split(':');
    const words: number[] = [];
    for (const [index, group] of groups.entries()) {
      if (group.includes('.')) {
        if (index !== groups.length - 1) return undefined;
        const v4 = parseIpv4(group);
        if (v4 === undefined) return undefined;
        words.push(
          ((v4[0] as number) << 8) | (v4[1] as number),
          ((v4[2] as number) << 8) | (v4[3] as number),
        );
      } else {
        if (!/^[0-9A-Fa-f]{1,4}$/.test(group)) return undefined;
        words.push(parseInt(group, 16));
      }
    }
    return words;
  };
  const head = parse(halves[0] as string);
  const tail = halves.length === 2 ? parse(halves[1] as string) : [];
  if (head === undefined || tail === undefined) return undefined;
  // An embedded IPv4 may only end the address.
  if (halves.length === 2 && (halves[0] as string).includes('.')) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  return [
    ...head,
    ...new Array<number>(halves.length === 2 ? missing : 0).fill(0),
    ...tail,
  ] as never;
}

function isMappedIpv4(
  words: readonly number[],
): words is [number, number, number, number, number, number, number, number] {
  return words.slice(0, 5).every((word) => word === 0) && words[5] === 0xffff;
}

function formatIpv4(octets: readonly number[]): string {
  return octets.join('.');
}

/** RFC 5952: lower case, no leading zeros, the longest run of two or more zero words as `::`. */
function formatIpv6(words: readonly number[]): string {
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = words.map((word) => word.toString(16));
  if (bestLength < 2) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}
