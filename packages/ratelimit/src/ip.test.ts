import { describe, expect, it } from 'vitest';
import { formatIp, inRange, parseCidr, parseIp } from './ip';

const canonical = (text: string) => {
  const ip = parseIp(text);
  return ip && formatIp(ip);
};

describe('parseIp and formatIp', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    ['0.0.0.0', '0.0.0.0'],
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['2001:DB8::1', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['64:ff9b::192.0.2.1', '64:ff9b::c000:201'],
    ['1:2:3:4:5:6:192.0.2.1', '1:2:3:4:5:6:c000:201'],
  ])('reads %s as %s', (text, expected) => {
    expect(canonical(text)).toBe(expected);
  });

  it.each([
    '',
    '1.2.3',
    '1.2.3.4.5',
    '256.1.1.1',
    '01.2.3.4',
    '1.2.3.4 ',
    ':::',
    '1::2::3',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8:9',
    'g::1',
    '12345::',
    '::1.2.3',
    'x'.repeat(65),
    'example.com',
  ])('rejects %j', (text) => {
    expect(parseIp(text)).toBeUndefined();
  });
});

describe('parseCidr and inRange', () => {
  it('matches addresses inside a range only', () => {
    const v4 = parseCidr('10.0.0.0/8')!;
    expect(inRange(parseIp('10.200.3.4')!, v4)).toBe(true);
    expect(inRange(parseIp('11.0.0.1')!, v4)).toBe(false);
    expect(inRange(parseIp('::ffff:10.1.1.1')!, v4)).toBe(true);
    const v6 = parseCidr('2001:db8::/32')!;
    expect(inRange(parseIp('2001:db8:ffff::1')!, v6)).toBe(true);
    expect(inRange(parseIp('2001:db9::1')!, v6)).toBe(false);
    expect(inRange(parseIp('10.0.0.1')!, v6)).toBe(false);
    const host = parseCidr('192.0.2.7')!;
    expect(host.bits).toBe(128);
    expect(inRange(parseIp('192.0.2.7')!, host)).toBe(true);
    expect(inRange(parseIp('192.0.2.8')!, host)).toBe(false);
  });

  it('rejects malformed ranges', () => {
    for (const text of ['10.0.0.0/', '10.0.0.0/x', '10.0.0.0/33', '::/129', 'nope/8'])
      expect(parseCidr(text)).toBeUndefined();
  });
});
