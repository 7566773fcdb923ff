/**
 * IP addresses and CIDR ranges, parsed strictly and without Node's `net` module so the
 * client-identity helper runs in every runtime. Addresses are 16 bytes; IPv4 is kept as its
 * IPv4-mapped IPv6 form (`::ffff:a.b.c.d`), which also unwraps mapped clients for free.
 */

/** A parsed address: 16 bytes, and whether it is IPv4 (stored IPv4-mapped). */
export interface IpAddress {
  readonly bytes: Uint8Array;
  readonly v4: boolean;
}

/** A parsed CIDR range. */
export interface CidrRange {
  readonly bytes: Uint8Array;
  /** Prefix length in bits of the 128-bit form (IPv4 /24 is 120). */
  readonly bits: number;
  readonly v4: boolean;
}

const V4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const HEX_GROUP = /^[0-9a-f]{1,4}$/;

/**
 * Parses an IPv4 or IPv6 address (zone ids are dropped, IPv4-mapped addresses become IPv4).
 * @returns The address, or `undefined` when the text is not one.
 */
export function parseIp(text: string): IpAddress | undefined {
  if (text.length > 64) return undefined;
  if (V4.test(text)) return { bytes: mapped(text), v4: true };
  const address = text.toLowerCase().replace(/%.*$/, '');
  if (!address.includes(':')) return undefined;
  const bytes = parseV6(address);
  if (!bytes) return undefined;
  const isMapped =
    bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return { bytes, v4: isMapped };
}

function mapped(v4: string): Uint8Array {
  const bytes = new Uint8Array(16);
  bytes[10] = 0xff;
  bytes[11] = 0xff;
  v4.split('.').forEach((octet, i) => (bytes[12 + i] = Number(octet)));
  return bytes;
}

function parseV6(address: string): Uint8Array | undefined {
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string): string[] => (part === '' ? [] : part.split(':'));
  const head = groups(halves[0] as string);
  const tail = halves.length === 2 ? groups(halves[1] as string) : [];
  // An embedded IPv4 address takes the last two groups.
  const last = (halves.length === 2 ? tail : head).at(-1);
  const words: number[] = [];
  let embedded: Uint8Array | undefined;
  if (last?.includes('.')) {
    if (!V4.test(last)) return undefined;
    embedded = mapped(last).subarray(12);
    (halves.length === 2 ? tail : head).pop();
  }
  const total = head.length + tail.length + (embedded ? 2 : 0);
  if (halves.length === 1 ? total !== 8 : total > 7) return undefined;
  for (const group of [...head, ...Array<string>(8 - total).fill('0'), ...tail]) {
    if (!HEX_GROUP.test(group)) return undefined;
    words.push(parseInt(group, 16));
  }
  const bytes = new Uint8Array(16);
  words.forEach((word, i) => {
    bytes[i * 2] = word >> 8;
    bytes[i * 2 + 1] = word & 0xff;
  });
  if (embedded) bytes.set(embedded, 12);
  return bytes;
}

/**
 * Parses `address/bits` (or a bare address, a single host).
 * @returns The range, or `undefined` when the text is not one.
 */
export function parseCidr(text: string): CidrRange | undefined {
  const [address = '', bitsText, extra] = text.trim().split('/');
  if (extra !== undefined) return undefined;
  const ip = parseIp(address);
  if (!ip) return undefined;
  const max = ip.v4 ? 32 : 128;
  const bits = bitsText === undefined ? max : /^\d{1,3}$/.test(bitsText) ? Number(bitsText) : -1;
  if (bits < 0 || bits > max) return undefined;
  return {
    bytes: masked(ip.bytes, bits + (ip.v4 ? 96 : 0)),
    bits: bits + (ip.v4 ? 96 : 0),
    v4: ip.v4,
  };
}

/** Whether `ip` lies in `range`. */
export function inRange(ip: IpAddress, range: CidrRange): boolean {
  const prefix = masked(ip.bytes, range.bits);
  return prefix.every((byte, i) => byte === range.bytes[i]);
}

/** The address with every bit after the first `bits` cleared. */
export function masked(bytes: Uint8Array, bits: number): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    out[i] = (bytes[i] as number) & ((0xff << (8 - keep)) & 0xff);
  }
  return out;
}

/** The canonical text of an address: dotted IPv4, or RFC 5952 compressed IPv6. */
export function formatIp(ip: IpAddress): string {
  const { bytes } = ip;
  if (ip.v4) return Array.from(bytes.subarray(12)).join('.');
  const words = Array.from(
    { length: 8 },
    (_, i) => ((bytes[i * 2] as number) << 8) | (bytes[i * 2 + 1] as number),
  );
  // The longest run of two or more zero words becomes "::".
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) {
      best = i;
      bestLength = j - i;
    }
    i = j === i ? i + 1 : j;
  }
  const hex = words.map((word) => word.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLength).join(':')}`;
}
