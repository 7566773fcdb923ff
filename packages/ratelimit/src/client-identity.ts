/**
 * Who is the client? The rate-limit key of a request, from a plain description of it (the
 * socket's address and the headers), honouring only the proxies the service trusts: the
 * right-most address a trusted proxy did not add is the client. IPv4-mapped IPv6 addresses
 * are unwrapped, and IPv6 clients are grouped by prefix, since one customer usually holds a
 * whole /56 or /64. Settings that would let one client spoof or share another's bucket fail
 * at start-up.
 */
import { optionError } from './_option-error';
import { formatIp, inRange, masked, parseCidr, parseIp } from './ip';
import type { CidrRange, IpAddress } from './ip';

/** A request as the helper needs it; adapters build it from the framework's request. */
export interface ClientRequest {
  /** The address of the peer of the TCP connection (`req.socket.remoteAddress`). */
  readonly remoteAddress?: string | undefined;
  /** The request headers: a `Headers` object or a record with lower-case names. */
  readonly headers?: Headers | Readonly<Record<string, string | readonly string[] | undefined>>;
}

/** Named ranges accepted in `trustProxy`. */
export const TRUSTED_RANGE_PRESETS: Readonly<Record<string, readonly string[]>> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  private: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
};

/** Options of {@link createClientIdentity}. */
export interface ClientIdentityOptions {
  /**
   * Which proxies in front of the service to believe:
   * - `false`: none; the client is the socket's peer.
   * - a number: that many proxies always stand in front (a load balancer is 1).
   * - a list of CIDR ranges (or the presets `loopback`, `private`, `linklocal`): any address
   *   in them is a proxy; the right-most address outside them is the client.
   * @defaultValue `false`
   */
  readonly trustProxy?: false | number | readonly string[];
  /**
   * The header the trusted proxies write.
   * @defaultValue `'x-forwarded-for'`
   */
  readonly header?: 'x-forwarded-for' | 'forwarded';
  /**
   * IPv6 clients share a key per prefix of this many bits.
   * @defaultValue `56`
   */
  readonly ipv6Prefix?: number;
  /**
   * IPv4 clients share a key per prefix of this many bits (24 groups a /24 together).
   * @defaultValue `32`
   */
  readonly ipv4Prefix?: number;
}

/** The client-identity helper. */
export interface ClientIdentity {
  /** The client's address, canonical (IPv4 dotted, IPv6 compressed), or `undefined` when unknown. */
  ip(request: ClientRequest): string | undefined;
  /**
   * The rate-limit key: the address, IPv6 as its prefix (`2001:db8:1:200::/56`); `unknown`
   * when there is no address (all such requests share one bucket).
   */
  key(request: ClientRequest): string;
}

/**
 * Creates the client-identity helper, checking its settings once.
 *
 * @param options - Trusted proxies, the header they write and the prefix lengths.
 * @returns `ip(request)` and `key(request)`.
 * @throws `ConfigurationError` for settings that would let clients spoof or share
 * buckets: trusting every address, ranges as wide as the internet, prefixes that lump
 * customers together, or a header without trusted proxies.
 * @example
 * ```ts
 * // Behind one load balancer that appends to X-Forwarded-For:
 * const identity = createClientIdentity({ trustProxy: 1 });
 * identity.key({ remoteAddress: '10.0.0.5', headers: { 'x-forwarded-for': '203.0.113.7' } });
 * // '203.0.113.7'
 * ```
 */
export function createClientIdentity(options: ClientIdentityOptions = {}): ClientIdentity {
  const { trustProxy = false, header, ipv6Prefix = 56, ipv4Prefix = 32 } = options;
  const trusted = checkTrust(trustProxy);
  // Checked at run time too: options may come from untyped configuration.
  if (header !== undefined && !['x-forwarded-for', 'forwarded'].includes(header)) {
    optionError('header', '"x-forwarded-for" or "forwarded"', header);
  }
  if (header !== undefined && trustProxy === false) {
    optionError(
      'header',
      'left out when trustProxy is false (a header no trusted proxy writes is anyone’s to forge)',
      header,
    );
  }
  if (!Number.isInteger(ipv6Prefix) || ipv6Prefix < 32 || ipv6Prefix > 128) {
    optionError(
      'ipv6Prefix',
      'an integer from 32 to 128 (shorter prefixes put many customers in one bucket)',
      ipv6Prefix,
    );
  }
  if (!Number.isInteger(ipv4Prefix) || ipv4Prefix < 16 || ipv4Prefix > 32) {
    optionError('ipv4Prefix', 'an integer from 16 to 32', ipv4Prefix);
  }
  const name = header ?? 'x-forwarded-for';

  function client(request: ClientRequest): IpAddress | undefined {
    const peer = request.remoteAddress === undefined ? undefined : parseIp(request.remoteAddress);
    if (trustProxy === false || !peer) return peer;
    const chain = forwardedChain(readHeader(request.headers, name), name);
    // Walk from the socket's peer towards the client, through trusted proxies only.
    let current: IpAddress = peer;
    for (let hop = 0; ; hop++) {
      const isProxy =
        typeof trustProxy === 'number'
          ? hop < trustProxy
          : trusted.some((range) => inRange(current, range));
      if (!isProxy) return current;
      const previous = chain.pop();
      if (previous === undefined) return current;
      const parsed = parseIp(previous);
      // A trusted proxy wrote something that is not an address: believe the proxy itself.
      if (!parsed) return current;
      current = parsed;
    }
  }

  return {
    ip(request) {
      const ip = client(request);
      return ip && formatIp(ip);
    },
    key(request) {
      const ip = client(request);
      if (!ip) return 'unknown';
      const bits = ip.v4 ? ipv4Prefix : ipv6Prefix;
      const max = ip.v4 ? 32 : 128;
      if (bits === max) return formatIp(ip);
      return `${formatIp({ bytes: masked(ip.bytes, bits + (ip.v4 ? 96 : 0)), v4: ip.v4 })}/${bits}`;
    },
  };
}

const cache = new WeakMap<ClientIdentityOptions, ClientIdentity>();
const DEFAULTS: ClientIdentityOptions = {};

/**
 * The client's address; see {@link createClientIdentity}. Options are checked once per
 * options object.
 *
 * @param request - The socket's peer address and the headers.
 * @param options - Trusted proxies and the header.
 * @returns The canonical address, or `undefined` when the request has none.
 * @throws `ConfigurationError` for unsafe settings.
 * @example
 * ```ts
 * clientIp({ remoteAddress: '::ffff:198.51.100.4' }); // '198.51.100.4'
 * ```
 */
export function clientIp(
  request: ClientRequest,
  options: ClientIdentityOptions = DEFAULTS,
): string | undefined {
  return identityFor(options).ip(request);
}

/**
 * The rate-limit key of the client; see {@link createClientIdentity}.
 *
 * @param request - The socket's peer address and the headers.
 * @param options - Trusted proxies, the header and prefix lengths.
 * @returns The key: an IPv4 address, an IPv6 prefix such as `2001:db8:0:100::/56`, or `unknown`.
 * @throws `ConfigurationError` for unsafe settings.
 * @example
 * ```ts
 * clientKey({ remoteAddress: '2001:db8:0:1ff:1:2:3:4' }); // '2001:db8:0:100::/56'
 * ```
 */
export function clientKey(
  request: ClientRequest,
  options: ClientIdentityOptions = DEFAULTS,
): string {
  return identityFor(options).key(request);
}

function identityFor(options: ClientIdentityOptions): ClientIdentity {
  let identity = cache.get(options);
  if (!identity) {
    identity = createClientIdentity(options);
    cache.set(options, identity);
  }
  return identity;
}

function checkTrust(trustProxy: unknown): CidrRange[] {
  if (trustProxy === false) return [];
  if (trustProxy === true) {
    optionError(
      'trustProxy',
      'a hop count or a list of CIDR ranges (trusting every address lets any client choose its key)',
      true,
    );
  }
  if (typeof trustProxy === 'number') {
    if (!Number.isInteger(trustProxy) || trustProxy < 0 || trustProxy > 16)
      optionError('trustProxy', 'a hop count from 0 to 16', trustProxy);
    return [];
  }
  if (!Array.isArray(trustProxy) || trustProxy.length === 0) {
    optionError('trustProxy', 'false, a hop count or a non-empty list of CIDR ranges', trustProxy);
  }
  return (trustProxy as unknown[]).flatMap((entry) => {
    const texts =
      typeof entry === 'string' ? (TRUSTED_RANGE_PRESETS[entry] ?? [entry]) : [String(entry)];
    return texts.map((text) => {
      const range = parseCidr(text);
      if (!range)
        optionError(
          'trustProxy',
          'CIDR ranges like "10.0.0.0/8" or presets (loopback, private, linklocal)',
          entry,
        );
      if (range.bits < (range.v4 ? 96 + 8 : 7)) {
        optionError(
          'trustProxy',
          'ranges no wider than /8 (IPv4) or /7 (IPv6, the width of fc00::/7): wider ones include clients',
          text,
        );
      }
      return range;
    });
  });
}

/** The addresses of a forwarding header, left (first client) to right (nearest proxy). */
function forwardedChain(value: string, header: string): string[] {
  if (value === '') return [];
  const items = value.split(',').map((item) => item.trim());
  if (header === 'x-forwarded-for') return items.map(stripPort);
  return items.map((item) => {
    const forPair = item
      .split(';')
      .map((pair) => pair.trim())
      .find((pair) => pair.toLowerCase().startsWith('for='));
    return forPair ? stripPort(forPair.slice(4).replace(/^"(.*)"$/, '$1')) : '';
  });
}

/** `[v6]:port` to `v6`, `v4:port` to `v4`; anything else as it is. */
function stripPort(text: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  if (bracketed) return bracketed[1] as string;
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(text);
  return v4WithPort ? (v4WithPort[1] as string) : text;
}

function readHeader(headers: ClientRequest['headers'], name: string): string {
  if (!headers) return '';
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? '';
  const value = (headers as Readonly<Record<string, string | readonly string[] | undefined>>)[name];
  return Array.isArray(value) ? value.join(',') : ((value as string | undefined) ?? '');
}
