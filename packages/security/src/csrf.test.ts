import { ConfigurationError, CsrfError } from '@arm/errors';
import { describe, expect, it, vi } from 'vitest';
import type { SecurityAuditEvent } from './audit';
import { createCsrf } from './csrf';
import type { CsrfRequest } from './csrf';

const SECRET = 'a-csrf-secret-of-at-least-32-bytes!!';
const HOST = 'app.example';
const SESSION = 'session-1';

/** Guard A: Go's decision table, with the token as a fallback for clients without browser headers. */
const guard = createCsrf({
  trustedOrigins: ['https://partner.example'],
  token: { secret: SECRET, require: 'without-browser-headers' },
});
const issued = guard.issueToken(SESSION).token;
const otherSession = guard.issueToken('session-2').token;

type Token = 'none' | 'valid' | 'forged' | 'mismatch' | 'malformed' | 'other-session';

function request(
  method: string,
  site: string | undefined,
  origin: string | undefined,
  token: Token,
): CsrfRequest {
  const headers: Record<string, string> = { host: HOST };
  if (site !== undefined) headers['sec-fetch-site'] = site;
  if (origin !== undefined) headers.origin = origin;
  const cookies: Record<string, string> = {};
  const forged = `v1.${'A'.repeat(43)}.${'B'.repeat(43)}`;
  const value = {
    none: undefined,
    valid: issued,
    forged,
    mismatch: issued,
    malformed: 'v1.abc',
    'other-session': otherSession,
  }[token];
  if (value !== undefined) {
    cookies['__Host-arm.csrf'] = token === 'mismatch' ? guard.issueToken(SESSION).token : value;
    headers['x-csrf-token'] = value;
  }
  return { method, url: '/orders', headers, cookies, sessionId: SESSION };
}

// method, Sec-Fetch-Site, Origin, token → outcome and reason
const TABLE: readonly (readonly [
  string,
  string | undefined,
  string | undefined,
  Token,
  'allow' | 'deny',
  string,
])[] = [
  ['GET', 'cross-site', 'https://evil.example', 'none', 'allow', 'safe-method'],
  ['HEAD', 'cross-site', 'https://evil.example', 'none', 'allow', 'safe-method'],
  ['OPTIONS', 'cross-site', 'https://evil.example', 'none', 'allow', 'safe-method'],
  ['POST', 'same-origin', 'https://app.example', 'none', 'allow', 'same-origin'],
  ['POST', 'same-origin', undefined, 'none', 'allow', 'same-origin'],
  ['POST', 'none', undefined, 'none', 'allow', 'user-initiated'],
  ['POST', 'same-site', 'https://sub.app.example', 'none', 'deny', 'same-site'],
  ['POST', 'cross-site', 'https://evil.example', 'none', 'deny', 'cross-site'],
  ['POST', 'cross-site', 'https://evil.example', 'valid', 'deny', 'cross-site'],
  ['POST', 'cross-site', undefined, 'none', 'deny', 'cross-site'],
  ['POST', 'cross-site', 'https://partner.example', 'none', 'allow', 'trusted-origin'],
  ['POST', 'same-site', 'https://partner.example', 'none', 'allow', 'trusted-origin'],
  ['POST', 'cross-site', 'https://partner.example:443', 'none', 'deny', 'cross-site'],
  ['POST', 'cross-site', 'https://partner.example/', 'none', 'deny', 'cross-site'],
  ['POST', 'Same-Origin', undefined, 'none', 'deny', 'invalid-fetch-site'],
  ['POST', 'cross-origin', undefined, 'none', 'deny', 'invalid-fetch-site'],
  ['POST', undefined, 'https://app.example', 'none', 'allow', 'origin-matches-host'],
  ['POST', undefined, 'http://app.example', 'none', 'allow', 'origin-matches-host'],
  ['POST', undefined, 'https://app.example:8443', 'none', 'deny', 'origin-mismatch'],
  ['POST', undefined, 'https://evil.example', 'none', 'deny', 'origin-mismatch'],
  ['POST', undefined, 'https://evil.example', 'valid', 'deny', 'origin-mismatch'],
  ['POST', undefined, 'https://app.example.evil.example', 'none', 'deny', 'origin-mismatch'],
  ['POST', undefined, 'null', 'none', 'deny', 'origin-mismatch'],
  ['POST', undefined, 'https://user@app.example', 'none', 'deny', 'origin-mismatch'],
  ['POST', undefined, 'https://partner.example', 'none', 'allow', 'trusted-origin'],
  ['POST', undefined, undefined, 'none', 'deny', 'token-missing'],
  ['POST', undefined, undefined, 'valid', 'allow', 'token-valid'],
  ['POST', undefined, undefined, 'forged', 'deny', 'token-invalid'],
  ['POST', undefined, undefined, 'other-session', 'deny', 'token-invalid'],
  ['POST', undefined, undefined, 'mismatch', 'deny', 'token-mismatch'],
  ['POST', undefined, undefined, 'malformed', 'deny', 'token-malformed'],
  ['PUT', 'cross-site', 'https://evil.example', 'none', 'deny', 'cross-site'],
  ['PATCH', 'same-site', 'https://sub.app.example', 'none', 'deny', 'same-site'],
  ['DELETE', undefined, 'https://evil.example', 'none', 'deny', 'origin-mismatch'],
  ['DELETE', 'same-origin', 'https://app.example', 'none', 'allow', 'same-origin'],
  ['post', 'cross-site', 'https://evil.example', 'none', 'deny', 'cross-site'],
  ['get', 'cross-site', 'https://evil.example', 'none', 'allow', 'safe-method'],
  ['PROPFIND', 'cross-site', 'https://evil.example', 'none', 'deny', 'cross-site'],
];

describe('the CSRF decision table (method x Sec-Fetch-Site x Origin x token)', () => {
  it.each(TABLE)(
    '%s, Sec-Fetch-Site %s, Origin %s, token %s: %s (%s)',
    (method, site, origin, token, outcome, reason) => {
      const decision = guard.check(request(method, site, origin, token));
      expect({ outcome: decision.outcome, reason: decision.reason }).toEqual({ outcome, reason });
      expect(decision.allowed).toBe(outcome === 'allow');
    },
  );
});

describe('regressions', () => {
  it('an empty Host never matches an Origin without a host (found by the attack corpus)', () => {
    const plain = createCsrf();
    expect(plain.check({ method: 'POST', headers: { host: '', origin: 'https://' } }).reason).toBe(
      'origin-mismatch',
    );
  });

  it('an Origin of another scheme never matches Host (found by the attack corpus)', () => {
    const plain = createCsrf();
    expect(
      plain.check({ method: 'POST', headers: { host: HOST, origin: `javascript://${HOST}` } })
        .reason,
    ).toBe('origin-mismatch');
  });
});

describe('token layers', () => {
  it('without the token layer, a request with neither header passes as a non-browser client', () => {
    const plain = createCsrf();
    expect(plain.check({ method: 'POST', headers: { host: HOST } }).reason).toBe(
      'no-browser-headers',
    );
  });

  it('with require "always", even same-origin requests need the token', () => {
    const strict = createCsrf({ token: { secret: SECRET } });
    const token = strict.issueToken(SESSION).token;
    const base = {
      method: 'POST',
      headers: { host: HOST, 'sec-fetch-site': 'same-origin' },
      sessionId: SESSION,
    };
    expect(strict.check(base).reason).toBe('token-missing');
    const cookies = { '__Host-arm.csrf': token };
    expect(strict.check({ ...base, cookies, token }).reason).toBe('token-valid');
    expect(
      strict.check({ ...base, cookies, headers: { ...base.headers, 'x-csrf-token': token } })
        .reason,
    ).toBe('token-valid');
    expect(strict.check({ ...base, cookies, token, sessionId: undefined }).reason).toBe(
      'session-missing',
    );
    expect(
      strict.check({ ...base, cookies: { '__Host-arm.csrf': token }, token: undefined }).reason,
    ).toBe('token-missing');
  });

  it('reads the token cookie from the Cookie header when no parsed cookies are given', () => {
    const strict = createCsrf({ token: { secret: SECRET } });
    const token = strict.issueToken(SESSION).token;
    const request = (cookie: string) => ({
      method: 'POST',
      headers: { host: HOST, 'sec-fetch-site': 'same-origin', cookie, 'x-csrf-token': token },
      sessionId: SESSION,
    });
    expect(strict.check(request(`theme=dark; __Host-arm.csrf=${token}; b=1`)).reason).toBe(
      'token-valid',
    );
    expect(strict.check(request('theme=dark; other=1')).reason).toBe('token-missing');
    expect(strict.check(request('noequals; __Host-arm.csrf=v1.x.y')).reason).toBe(
      'token-malformed',
    );
  });

  it('verifies tokens signed with an older secret during rotation, and signs with the first', () => {
    const old = createCsrf({ token: { secret: SECRET } });
    const rotated = createCsrf({
      token: { secret: ['a-brand-new-secret-of-32-bytes-or-more', SECRET] },
    });
    const token = old.issueToken(SESSION).token;
    const req = {
      method: 'POST',
      headers: { host: HOST },
      cookies: { '__Host-arm.csrf': token },
      token,
      sessionId: SESSION,
    };
    expect(rotated.check(req).reason).toBe('token-valid');
    const fresh = rotated.issueToken(SESSION).token;
    expect(old.check({ ...req, cookies: { '__Host-arm.csrf': fresh }, token: fresh }).reason).toBe(
      'token-invalid',
    );
  });

  it('issues a __Host- cookie that is Secure, SameSite=Lax and scoped to /', () => {
    const issue = guard.issueToken(SESSION);
    expect(issue.token).toMatch(/^v1\.[\w-]{43}\.[\w-]{43}$/);
    expect(issue.setCookie).toBe(`__Host-arm.csrf=${issue.token}; Path=/; SameSite=Lax; Secure`);
    const named = createCsrf({
      token: { secret: SECRET, cookieName: 'csrf', headerName: 'X-XSRF-Token' },
    });
    const token = named.issueToken(SESSION);
    expect(token.setCookie).toBe(`csrf=${token.token}; Path=/; SameSite=Lax`);
    expect(
      named.check({
        method: 'POST',
        headers: { 'x-xsrf-token': token.token },
        cookies: { csrf: token.token },
        sessionId: SESSION,
      }).reason,
    ).toBe('token-valid');
  });
});

describe('exempt paths', () => {
  const exempting = createCsrf({ exemptPaths: ['/webhooks/stripe'] });
  const cross = (url: string) =>
    exempting.check({
      method: 'POST',
      url,
      headers: { host: HOST, 'sec-fetch-site': 'cross-site' },
    }).reason;

  it('exempts the exact path, with or without a query', () => {
    expect(cross('/webhooks/stripe')).toBe('exempt-path');
    expect(cross('/webhooks/stripe?attempt=2')).toBe('exempt-path');
    expect(cross('/webhooks/stripe#x')).toBe('exempt-path');
  });

  it.each([
    '/webhooks/stripe/',
    '/webhooks/stripe/../../admin',
    '/webhooks/stripe2',
    '/Webhooks/stripe',
    '//webhooks/stripe',
    '/webhooks/%73tripe',
    '/webhooks',
  ])('does not exempt %s (no prefixes, no normalisation)', (url) => {
    expect(cross(url)).toBe('cross-site');
  });

  it('does not exempt a request without a URL', () => {
    expect(
      exempting.check({ method: 'POST', headers: { 'sec-fetch-site': 'cross-site' } }).reason,
    ).toBe('cross-site');
  });
});

describe('headers in every shape', () => {
  it('reads a Web Headers object', () => {
    const headers = new Headers({
      Host: HOST,
      'Sec-Fetch-Site': 'cross-site',
      Origin: 'https://evil.example',
    });
    expect(guard.check({ method: 'POST', headers }).reason).toBe('cross-site');
  });

  it('reads headers with any case in a plain record', () => {
    expect(
      guard.check({ method: 'POST', headers: { Host: HOST, Origin: 'https://app.example' } })
        .reason,
    ).toBe('origin-matches-host');
  });

  it('treats repeated or oversized headers as untrustworthy, never as absent', () => {
    expect(
      guard.check({ method: 'POST', headers: { 'sec-fetch-site': ['same-origin', 'cross-site'] } })
        .reason,
    ).toBe('invalid-fetch-site');
    expect(
      guard.check({ method: 'POST', headers: { 'sec-fetch-site': ['same-origin'] } }).reason,
    ).toBe('same-origin');
    expect(
      guard.check({
        method: 'POST',
        headers: { host: HOST, origin: ['https://app.example', 'https://evil.example'] },
      }).reason,
    ).toBe('origin-mismatch');
    expect(
      guard.check({ method: 'POST', headers: { host: HOST, origin: 'x'.repeat(10_000) } }).reason,
    ).toBe('origin-mismatch');
    expect(
      guard.check({
        method: 'POST',
        headers: { 'x-csrf-token': ['a', 'b'] },
        cookies: { '__Host-arm.csrf': issued },
        sessionId: SESSION,
      }).reason,
    ).toBe('token-malformed');
  });
});

describe('Vary', () => {
  it('names the headers the decision read on unsafe methods, and nothing on safe ones', () => {
    expect(guard.check(request('POST', 'same-origin', undefined, 'none')).headers).toEqual({
      vary: 'Sec-Fetch-Site, Origin, Cookie',
    });
    expect(guard.check(request('POST', 'cross-site', undefined, 'none')).headers).toEqual({
      vary: 'Sec-Fetch-Site, Origin, Cookie',
    });
    expect(createCsrf().check({ method: 'POST', headers: {} }).headers).toEqual({
      vary: 'Sec-Fetch-Site, Origin',
    });
    expect(guard.check(request('GET', undefined, undefined, 'none')).headers).toEqual({});
  });
});

describe('verify, report-only mode and hooks', () => {
  it('verify returns the decision, or throws CsrfError (403) with the reason', () => {
    expect(guard.verify(request('POST', 'same-origin', undefined, 'none')).reason).toBe(
      'same-origin',
    );
    const error = (() => {
      try {
        guard.verify(request('POST', 'cross-site', 'https://evil.example', 'none'));
      } catch (caught) {
        return caught as CsrfError;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(CsrfError);
    expect(error?.status).toBe(403);
    expect(error?.details).toEqual({ reason: 'cross-site' });
    expect(error?.message).toBe('Cross-origin request refused');
    expect(error?.headers).toEqual({ vary: 'Sec-Fetch-Site, Origin, Cookie' });
    expect(() => guard.verify(request('POST', undefined, undefined, 'none'))).toThrow(
      'The CSRF token is missing',
    );
    expect(() => guard.verify(request('POST', undefined, undefined, 'forged'))).toThrow(
      'The CSRF token is not valid',
    );
  });

  it('report-only mode lets refused requests through, says so, and audits them', () => {
    const events: SecurityAuditEvent[] = [];
    const reporting = createCsrf({
      reportOnly: true,
      now: () => 42,
      hooks: { onAudit: (event) => events.push(event) },
    });
    const req = {
      method: 'POST',
      url: '/orders?id=1',
      headers: { host: HOST, 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
    };
    const decision = reporting.verify(req);
    expect(decision).toMatchObject({ allowed: true, outcome: 'report', reason: 'cross-site' });
    expect(events).toEqual([
      {
        type: 'csrf.denied',
        at: 42,
        reason: 'cross-site',
        reportOnly: true,
        method: 'POST',
        path: '/orders',
        origin: 'https://evil.example',
        secFetchSite: 'cross-site',
      },
    ]);
  });

  it('calls onDecision for unsafe methods only, and survives throwing hooks', () => {
    const onDecision = vi.fn(() => {
      throw new Error('hook bug');
    });
    const hooked = createCsrf({
      hooks: {
        onDecision,
        onAudit: () => {
          throw new Error('hook bug');
        },
      },
    });
    expect(hooked.check({ method: 'GET', headers: {} }).allowed).toBe(true);
    expect(onDecision).not.toHaveBeenCalled();
    expect(
      hooked.check({ method: 'POST', headers: { 'sec-fetch-site': 'cross-site' } }).allowed,
    ).toBe(false);
    expect(onDecision).toHaveBeenCalledTimes(1);
  });

  it('survives a request whose method is not a string', () => {
    expect(guard.check({ method: undefined as never, headers: {} }).outcome).toBe('deny');
  });
});

describe('options', () => {
  it.each([
    ['a trusted origin with a path', { trustedOrigins: ['https://a.example/'] }],
    ['a trusted origin without a scheme', { trustedOrigins: ['a.example'] }],
    ['a trusted origin with credentials', { trustedOrigins: ['https://u:p@a.example'] }],
    ['a trusted origin that is not a string', { trustedOrigins: [5] }],
    ['an exempt pattern', { exemptPaths: ['/webhooks/*'] }],
    ['an exempt path without a slash', { exemptPaths: ['webhooks'] }],
    ['a short secret', { token: { secret: 'short' } }],
    ['a secret that is not a string', { token: { secret: 5 } }],
    ['no secrets', { token: { secret: [] } }],
    ['a bad cookie name', { token: { secret: SECRET, cookieName: 'a b' } }],
    ['a bad header name', { token: { secret: SECRET, headerName: 'x y' } }],
    ['a bad require', { token: { secret: SECRET, require: 'sometimes' } }],
  ])('rejects %s', (_name, options) => {
    expect(() => createCsrf(options as never)).toThrow(ConfigurationError);
  });

  it('accepts secrets as bytes, and refuses to issue tokens or bind to no session', () => {
    expect(() => createCsrf({ token: { secret: new Uint8Array(32) } })).not.toThrow();
    expect(() => createCsrf().issueToken(SESSION)).toThrow(ConfigurationError);
    expect(() => guard.issueToken('')).toThrow(ConfigurationError);
  });
});
