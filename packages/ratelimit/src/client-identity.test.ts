import { ConfigurationError } from '@arm/errors';
import { describe, expect, it } from 'vitest';
import { clientIp, clientKey, createClientIdentity } from './client-identity';

describe('client identity', () => {
  it('uses the socket peer when no proxy is trusted, ignoring forwarding headers', () => {
    const request = { remoteAddress: '198.51.100.4', headers: { 'x-forwarded-for': '1.2.3.4' } };
    expect(clientIp(request)).toBe('198.51.100.4');
    expect(clientKey(request)).toBe('198.51.100.4');
  });

  it('unwraps IPv4-mapped IPv6 peers, in both notations', () => {
    expect(clientKey({ remoteAddress: '::ffff:198.51.100.4' })).toBe('198.51.100.4');
    expect(clientKey({ remoteAddress: '::ffff:c633:6404' })).toBe('198.51.100.4');
  });

  it('groups IPv6 clients by a /56 prefix by default, or as configured', () => {
    expect(clientKey({ remoteAddress: '2001:db8:0:1ff:1:2:3:4' })).toBe('2001:db8:0:100::/56');
    expect(clientKey({ remoteAddress: '2001:db8:0:1ff::9' })).toBe('2001:db8:0:100::/56');
    expect(clientKey({ remoteAddress: '2001:db8:0:1ff::9' }, { ipv6Prefix: 64 })).toBe(
      '2001:db8:0:1ff::/64',
    );
    expect(clientKey({ remoteAddress: '2001:db8::9' }, { ipv6Prefix: 128 })).toBe('2001:db8::9');
    expect(clientIp({ remoteAddress: '2001:DB8:0:0:0:0:0:9' })).toBe('2001:db8::9');
  });

  it('can group IPv4 clients by prefix', () => {
    expect(clientKey({ remoteAddress: '203.0.113.77' }, { ipv4Prefix: 24 })).toBe('203.0.113.0/24');
  });

  it('with a hop count, takes the address that many proxies back', () => {
    const identity = createClientIdentity({ trustProxy: 2 });
    const request = {
      remoteAddress: '10.0.0.2',
      headers: { 'x-forwarded-for': '6.6.6.6, 203.0.113.7, 10.0.0.1' },
    };
    // 10.0.0.2 (peer) and 10.0.0.1 are the two proxies; the client is 203.0.113.7, and the
    // left-most entry, which the client could have forged, is ignored.
    expect(identity.ip(request)).toBe('203.0.113.7');
    expect(identity.ip({ remoteAddress: '10.0.0.2', headers: {} })).toBe('10.0.0.2');
  });

  it('with trusted ranges, takes the right-most address outside them', () => {
    const identity = createClientIdentity({ trustProxy: ['loopback', 'private'] });
    const spoofed = {
      remoteAddress: '127.0.0.1',
      headers: { 'x-forwarded-for': '1.1.1.1, 203.0.113.9, 192.168.1.10' },
    };
    expect(identity.ip(spoofed)).toBe('203.0.113.9');
    const direct = { remoteAddress: '198.51.100.1', headers: { 'x-forwarded-for': '1.1.1.1' } };
    expect(identity.ip(direct)).toBe('198.51.100.1');
    const allTrusted = { remoteAddress: '10.0.0.1', headers: { 'x-forwarded-for': '10.0.0.9' } };
    expect(identity.ip(allTrusted)).toBe('10.0.0.9');
  });

  it('reads repeated header lines, ports and brackets, and a Headers object', () => {
    const identity = createClientIdentity({ trustProxy: 1 });
    expect(
      identity.ip({
        remoteAddress: '10.0.0.1',
        headers: { 'x-forwarded-for': ['9.9.9.9', '203.0.113.5:4711'] },
      }),
    ).toBe('203.0.113.5');
    expect(
      identity.ip({
        remoteAddress: '10.0.0.1',
        headers: new Headers({ 'X-Forwarded-For': '[2001:db8::1]:443' }),
      }),
    ).toBe('2001:db8::1');
  });

  it('reads the Forwarded header (RFC 7239) when told to', () => {
    const identity = createClientIdentity({ trustProxy: 1, header: 'forwarded' });
    const request = {
      remoteAddress: '10.0.0.1',
      headers: {
        forwarded: 'for=192.0.2.60;proto=http, for="[2001:db8:cafe::17]:4711";by=10.0.0.1',
      },
    };
    expect(identity.ip(request)).toBe('2001:db8:cafe::17');
    expect(identity.key(request)).toBe('2001:db8:cafe::/56');
    expect(identity.ip({ remoteAddress: '10.0.0.1', headers: { forwarded: 'for=unknown' } })).toBe(
      '10.0.0.1',
    );
    expect(identity.ip({ remoteAddress: '10.0.0.1', headers: { forwarded: 'proto=https' } })).toBe(
      '10.0.0.1',
    );
  });

  it('believes the trusted proxy itself when it forwarded something that is no address', () => {
    const identity = createClientIdentity({ trustProxy: 1 });
    expect(
      identity.ip({ remoteAddress: '10.0.0.1', headers: { 'x-forwarded-for': 'not-an-ip' } }),
    ).toBe('10.0.0.1');
  });

  it('gives requests without an address one shared key', () => {
    expect(clientKey({})).toBe('unknown');
    expect(clientIp({ remoteAddress: 'garbage' })).toBeUndefined();
    expect(clientKey({ remoteAddress: 'garbage' })).toBe('unknown');
  });

  it.each([
    [{ trustProxy: true }, /trusting every address lets any client choose its key/],
    [{ trustProxy: -1 }, /a hop count from 0 to 16/],
    [{ trustProxy: 1.5 }, /a hop count/],
    [{ trustProxy: [] }, /non-empty list of CIDR ranges/],
    [{ trustProxy: 'private' }, /non-empty list of CIDR ranges/],
    [{ trustProxy: ['0.0.0.0/0'] }, /no wider than \/8/],
    [{ trustProxy: ['::/0'] }, /no wider than/],
    [{ trustProxy: ['10.0.0.0/33'] }, /CIDR ranges like/],
    [{ trustProxy: ['10.0.0.0/8/1'] }, /CIDR ranges like/],
    [{ trustProxy: ['banana'] }, /CIDR ranges like/],
    [{ trustProxy: false, header: 'x-forwarded-for' }, /left out when trustProxy is false/],
    [{ trustProxy: 1, header: 'x-real-ip' }, /option "header"/],
    [{ ipv6Prefix: 16 }, /shorter prefixes put many customers in one bucket/],
    [{ ipv4Prefix: 8 }, /option "ipv4Prefix"/],
  ])('fails at start-up on %j', (options, message) => {
    expect(() => createClientIdentity(options as never)).toThrow(ConfigurationError);
    expect(() => createClientIdentity(options as never)).toThrow(message);
  });
});
