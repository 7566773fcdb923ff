import { describe, expect, it } from 'vitest';
import { formatApiKey } from './api-key-format';
import { REDACT_PATHS, redactSecrets, redactValue } from './redact';

const armKey = formatApiKey('arm_live', 'Abcdefghij0123456789KLMNOPQRST');
const jwt =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';

describe('redactValue', () => {
  it.each([
    ['our own checksummed key', `key=${armKey}`, 'key=[REDACTED:api_key]'],
    ['a GitHub classic token', `ghp_${'a'.repeat(36)}`, '[REDACTED:github_token]'],
    ['a GitHub fine-grained token', `github_pat_${'A1_'.repeat(30)}`, '[REDACTED:github_token]'],
    ['a Stripe secret key', 'sk_live_' + '4eC39HqLyjWDarjtT1zdp7dc', '[REDACTED:stripe_key]'],
    ['a Stripe restricted key', 'rk_' + 'test_51H8abcdefghij', '[REDACTED:stripe_key]'],
    [
      'a Slack bot token',
      'xox' + 'b-123456789012-1234567890123-abcdefghij',
      '[REDACTED:slack_token]',
    ],
    ['a Slack user token', 'xox' + 'p-123456789012-abcdef', '[REDACTED:slack_token]'],
    ['an AWS access key id', 'AKIA' + 'IOSFODNN7EXAMPLE', '[REDACTED:aws_access_key]'],
    ['a JWT', `token ${jwt} end`, 'token [REDACTED:jwt] end'],
    [
      'a bearer credential',
      'Authorization: Bearer abc.def-ghi_jkl',
      'Authorization: Bearer [REDACTED:bearer]',
    ],
    [
      'a URL credential',
      '/callback?code=1&access_token=abc123&x=2',
      '/callback?code=1&access_token=[REDACTED:url_credential]&x=2',
    ],
    ['an email', 'mail ann.lee+tag@mail.example.co.uk now', 'mail [REDACTED:email] now'],
    ['a Luhn-valid card number', 'card 4111 1111 1111 1111 ok', 'card [REDACTED:card_number] ok'],
    ['a dashed card number', '5500-0000-0000-0004', '[REDACTED:card_number]'],
  ])('redacts %s', (_name, text, expected) => {
    expect(redactValue(text)).toBe(expected);
  });

  it.each([
    ['ordinary prose', "O'Brien selected a plan; please drop me a line"],
    ['a number that fails Luhn', 'order 4111 1111 1111 1112'],
    ['a short number', 'call 555 1234'],
    ['a key with a bad checksum', `${armKey.slice(0, -1)}${armKey.endsWith('A') ? 'B' : 'A'}`],
    ['an @ mention', '@ann said hi'],
    ['a bearer word without a token', 'the Bearer of news'],
  ])('leaves %s alone', (_name, text) => {
    expect(redactValue(text)).toBe(text);
  });

  it('runs only the chosen detectors, with a custom censor', () => {
    const text = `ann@example.com ${jwt}`;
    expect(redactValue(text, { kinds: ['email'], censor: () => '***' })).toBe(`*** ${jwt}`);
  });

  it('replaces text over 1 MB whole', () => {
    expect(redactValue('a'.repeat(1_000_001))).toBe('[REDACTED:oversized]');
  });

  it('runs in linear time on 100 KB adversarial inputs', () => {
    const inputs = [
      'a'.repeat(100_000),
      'a.'.repeat(50_000),
      `${'a'.repeat(64)}@`.repeat(1_500),
      '1 '.repeat(50_000),
      '1-'.repeat(50_000),
      'eyJ'.repeat(33_000),
      'eyJa.eyJa.'.repeat(10_000),
      `Bearer ${'a'.repeat(100_000)}`,
      '?token='.repeat(14_000),
      'ghp_'.repeat(25_000),
      'xoxb-'.repeat(20_000),
      'arm_live_'.repeat(11_000),
      'a_'.repeat(50_000),
      '\t'.repeat(100_000),
    ];
    for (const input of inputs) {
      const start = performance.now();
      redactValue(input);
      expect(performance.now() - start, input.slice(0, 12)).toBeLessThan(250);
    }
  });
});

describe('redactSecrets', () => {
  it('censors sensitive keys whole and detects secrets in every string', () => {
    const input = {
      user: 'ann',
      password: 'hunter2',
      nested: {
        apiKey: armKey,
        note: 'mail ann@example.com',
        list: [`Bearer ${'x'.repeat(20)}`, 5, null],
      },
      headers: {
        authorization: 'Basic abc',
        'X-Api-Key': 'k',
        cookie: 'sid=1',
        'set-cookie': ['a=1'],
      },
      when: new Date(0),
      empty: { token: undefined, secret: null },
    };
    expect(redactSecrets(input)).toEqual({
      user: 'ann',
      password: '[REDACTED]',
      nested: {
        apiKey: '[REDACTED]',
        note: 'mail [REDACTED:email]',
        list: ['Bearer [REDACTED:bearer]', 5, null],
      },
      headers: {
        authorization: '[REDACTED]',
        'X-Api-Key': '[REDACTED]',
        cookie: '[REDACTED]',
        'set-cookie': '[REDACTED]',
      },
      when: new Date(0),
      empty: { token: undefined, secret: null },
    });
  });

  it('copies errors with their message and stack redacted', () => {
    const error = Object.assign(new Error(`failed for ann@example.com`), {
      code: 'E1',
      token: 'abc',
    });
    const copy = redactSecrets(error) as Record<string, unknown>;
    expect(copy.name).toBe('Error');
    expect(copy.message).toBe('failed for [REDACTED:email]');
    expect(copy.stack).not.toContain('ann@example.com');
    expect(copy.code).toBe('E1');
    expect(copy.token).toBe('[REDACTED]');
  });

  it('cuts cycles and deep nesting, and never copies __proto__', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(redactSecrets(cyclic)).toEqual({ a: 1, self: '[Circular]' });
    let deep: unknown = 'bottom';
    for (let i = 0; i < 20; i++) deep = { next: deep };
    expect(JSON.stringify(redactSecrets(deep))).toContain('[Truncated]');
    const polluted = JSON.parse('{"__proto__": {"admin": true}, "ok": 1}') as unknown;
    const copy = redactSecrets(polluted) as Record<string, unknown>;
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(copy).toEqual({ ok: 1 });
  });

  it('passes primitives through', () => {
    expect(redactSecrets(5)).toBe(5);
    expect(redactSecrets(undefined)).toBeUndefined();
    expect(redactSecrets('ann@example.com')).toBe('[REDACTED:email]');
  });
});

describe('REDACT_PATHS', () => {
  it('covers credentials in headers and the usual secret fields, in pino path syntax', () => {
    expect(REDACT_PATHS).toContain('req.headers.authorization');
    expect(REDACT_PATHS).toContain('req.headers.cookie');
    expect(REDACT_PATHS).toContain('res.headers["set-cookie"]');
    expect(REDACT_PATHS).toContain('*.password');
    for (const path of REDACT_PATHS)
      expect(path).toMatch(/^(\*|[A-Za-z_]\w*)(\.\w+|\["[\w-]+"\])*$/);
  });
});
