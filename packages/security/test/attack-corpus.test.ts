/**
 * The attack corpus: forged, truncated and hostile API keys, hostile CSRF requests and hostile
 * CSP report bodies. Each gets a typed outcome or a typed 4xx error; nothing crashes and
 * nothing is let through.
 */
import { isAppError, toHttpResponse } from '@arm/errors';
import { describe, expect, it } from 'vitest';
import {
  createApiKeys,
  createCsrf,
  createMemoryApiKeyStore,
  maskIp,
  parseCspReport,
  redactSecrets,
  reduceUserAgent,
} from '../src/index';

const keys = createApiKeys({ prefix: 'arm_live', store: createMemoryApiKeyStore() });
const { key: real } = await keys.create({ scopes: ['read'] });
const flip = (text: string, index: number) =>
  text.slice(0, index) + (text[index] === 'a' ? 'b' : 'a') + text.slice(index + 1);

const KEY_CORPUS: readonly (readonly [string, unknown, string])[] = [
  ['truncated by one', real.slice(0, -1), 'malformed'],
  ['truncated to the prefix', 'arm_live_', 'malformed'],
  ['truncated to the display start', real.slice(0, 13), 'malformed'],
  ['one extra character', `${real}a`, 'malformed'],
  ['a flipped random character', flip(real, 15), 'bad_checksum'],
  ['a flipped checksum character', flip(real, real.length - 1), 'bad_checksum'],
  ['another environment', real.replace('arm_live', 'arm_test'), 'malformed'],
  ['upper-cased prefix', real.replace('arm_live', 'ARM_LIVE'), 'malformed'],
  ['a well-formed forgery', 'arm_live_000000000000000000000000000000' + '000000', 'bad_checksum'],
  ['a Stripe key', 'sk_' + 'live_4eC39HqLyjWDarjtT1zdp7dc', 'malformed'],
  ['an empty string', '', 'malformed'],
  ['whitespace around the key', ` ${real} `, 'malformed'],
  ['a trailing newline', `${real}\n`, 'malformed'],
  ['a NUL in the key', `${real.slice(0, 20)}\u0000${real.slice(21)}`, 'malformed'],
  ['Unicode look-alikes', real.replace('a', 'а'), 'malformed'],
  ['SQL in the key', "arm_live_' OR 1=1 --", 'malformed'],
  ['a megabyte', 'a'.repeat(1_000_000), 'malformed'],
  ['a number', 42, 'malformed'],
  ['null', null, 'malformed'],
  ['an object', { toString: () => real }, 'malformed'],
  ['an array', [real], 'malformed'],
];

describe('API keys: forged and truncated keys', () => {
  it.each(KEY_CORPUS)('%s: verify answers %s', async (_name, key, code) => {
    expect(await keys.verify(key)).toMatchObject({ valid: false, code });
  });

  it.each(KEY_CORPUS)('%s: authenticate throws a 401 problem', async (_name, key) => {
    const error = await keys.authenticate(key).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(isAppError(error)).toBe(true);
    const response = toHttpResponse(error);
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer');
    expect(JSON.stringify(response.body)).not.toContain(
      typeof key === 'string' ? key.slice(9, 30) || '\u0001' : '\u0001',
    );
  });

  it('a real key still works', async () => {
    expect((await keys.verify(real)).valid).toBe(true);
  });
});

describe('CSRF: hostile requests', () => {
  const csrf = createCsrf({
    token: { secret: 'x'.repeat(32), require: 'without-browser-headers' },
  });
  const good = csrf.issueToken('s1').token;
  const CORPUS: readonly (readonly [string, Record<string, unknown>])[] = [
    ['a null origin', { headers: { host: 'a.example', origin: 'null' } }],
    ['an origin with a path', { headers: { host: 'a.example', origin: 'https://a.example/x' } }],
    [
      'a header-injection origin',
      { headers: { host: 'a.example', origin: 'https://a.example\r\nX: y' } },
    ],
    ['a JavaScript origin', { headers: { host: 'a.example', origin: 'javascript://a.example' } }],
    ['a host-less origin', { headers: { host: '', origin: 'https://' } }],
    ['Sec-Fetch-Site as a number', { headers: { 'sec-fetch-site': 5 } }],
    ['an empty Sec-Fetch-Site', { headers: { 'sec-fetch-site': '' } }],
    ['three Sec-Fetch-Site values', { headers: { 'sec-fetch-site': ['none', 'none', 'none'] } }],
    [
      'a token for another session',
      { headers: { 'x-csrf-token': good }, cookies: { '__Host-arm.csrf': good }, sessionId: 's2' },
    ],
    [
      'a truncated token',
      {
        headers: { 'x-csrf-token': good.slice(0, -1) },
        cookies: { '__Host-arm.csrf': good.slice(0, -1) },
        sessionId: 's1',
      },
    ],
    [
      'a token with an extra part',
      {
        headers: { 'x-csrf-token': `${good}.x` },
        cookies: { '__Host-arm.csrf': `${good}.x` },
        sessionId: 's1',
      },
    ],
    [
      'a v2 token',
      {
        headers: { 'x-csrf-token': good.replace('v1', 'v2') },
        cookies: { '__Host-arm.csrf': good.replace('v1', 'v2') },
        sessionId: 's1',
      },
    ],
    [
      'a huge token',
      {
        headers: { 'x-csrf-token': 'a'.repeat(9000) },
        cookies: { '__Host-arm.csrf': 'a'.repeat(9000) },
        sessionId: 's1',
      },
    ],
    ['a header token without the cookie', { headers: { 'x-csrf-token': good }, sessionId: 's1' }],
    [
      'a token field that is an array',
      { headers: {}, cookies: { '__Host-arm.csrf': good }, token: [good], sessionId: 's1' },
    ],
    [
      'a cookie that is an object',
      {
        headers: { 'x-csrf-token': good },
        cookies: { '__Host-arm.csrf': { toString: () => good } },
        sessionId: 's1',
      },
    ],
    [
      'cookies that are not an object',
      { headers: { 'x-csrf-token': good }, cookies: 'x', sessionId: 's1' },
    ],
    ['no headers object at all', { headers: undefined }],
    ['null headers', { headers: null }],
  ];

  it.each(CORPUS)('%s: refused with a typed reason and a 403', (_name, request) => {
    const decision = csrf.check({ method: 'POST', ...request } as never);
    if (request.headers === undefined || request.headers === null) {
      // No browser headers at all: the token layer decides, and there is no token.
      expect(decision.reason).toBe('token-missing');
    }
    expect(decision.allowed).toBe(false);
    let thrown: unknown;
    try {
      csrf.verify({ method: 'POST', ...request } as never);
    } catch (caught) {
      thrown = caught;
    }
    expect(toHttpResponse(thrown).status).toBe(403);
  });
});

describe('CSP reports and anonymisation: hostile input', () => {
  const BODIES: readonly unknown[] = [
    '',
    'null',
    '[]'.repeat(10),
    '{"__proto__":{"polluted":true},"csp-report":{"document-uri":"x","effective-directive":"a"}}',
    JSON.stringify([{ type: 'csp-violation', body: { documentURL: 1 } }]),
    '['.repeat(5000),
    JSON.stringify({
      'csp-report': { 'document-uri': 'x', 'effective-directive': 'a', 'line-number': 1e308 },
    }),
    42,
    'x'.repeat(100_000),
  ];

  it.each(BODIES.map((body, index) => [index, body] as const))(
    'report body %i gets a 4xx or a result',
    (_index, body) => {
      try {
        const result = parseCspReport(body);
        expect(Array.isArray(result)).toBe(true);
      } catch (caught) {
        const status = toHttpResponse(caught).status;
        expect(status).toBeGreaterThanOrEqual(400);
        expect(status).toBeLessThan(500);
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
  );

  it('anonymisers answer every hostile value without throwing', () => {
    for (const value of [
      undefined,
      null,
      5,
      {},
      [],
      'x'.repeat(100_000),
      '::ffff:999.1.1.1',
      '\u0000',
      '%',
      '1.2.3.4%',
    ]) {
      expect(() => maskIp(value)).not.toThrow();
      expect(() => reduceUserAgent(value)).not.toThrow();
      expect(() => redactSecrets(value)).not.toThrow();
    }
  });
});
