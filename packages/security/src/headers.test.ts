import { ConfigurationError } from '@arm/errors';
import { describe, expect, it } from 'vitest';
import { createSecurityHeaders, DEFAULT_CSP_DIRECTIVES, securityHeaders } from './headers';

describe('securityHeaders', () => {
  it('computes the default set once, frozen', () => {
    const headers = securityHeaders();
    expect(Object.isFrozen(headers)).toBe(true);
    expect(headers).toEqual({
      'content-security-policy':
        "default-src 'self'; base-uri 'none'; font-src 'self' https: data:; form-action 'self'; frame-ancestors 'none'; img-src 'self' data:; object-src 'none'; script-src 'self'; script-src-attr 'none'; style-src 'self' https: 'unsafe-inline'; upgrade-insecure-requests",
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'permissions-policy':
        'accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=(), browsing-topics=()',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
      'origin-agent-cluster': '?1',
      'x-dns-prefetch-control': 'off',
      'x-download-options': 'noopen',
      'x-permitted-cross-domain-policies': 'none',
      'x-xss-protection': '0',
    });
  });

  it('omits each header set to false', () => {
    const headers = securityHeaders({
      contentSecurityPolicy: false,
      strictTransportSecurity: false,
      frameOptions: false,
      referrerPolicy: false,
      permissionsPolicy: false,
      crossOriginOpenerPolicy: false,
      crossOriginResourcePolicy: false,
      originAgentCluster: false,
      noSniff: false,
      legacyHeaders: false,
    });
    expect(headers).toEqual({});
  });

  it('merges directives over the defaults, removes with false, sets valueless with true', () => {
    const policy = securityHeaders({
      contentSecurityPolicy: {
        directives: {
          'img-src': ["'self'", 'https://images.example.com'],
          'upgrade-insecure-requests': false,
          'block-all-mixed-content': true,
          'connect-src': [],
        },
      },
    })['content-security-policy'];
    expect(policy).toContain("img-src 'self' https://images.example.com");
    expect(policy).not.toContain('upgrade-insecure-requests');
    expect(policy).toContain('block-all-mixed-content');
    expect(policy).toMatch(/connect-src(;|$)/);
  });

  it('sends report-uri, report-to and Reporting-Endpoints for a report endpoint, and report-only', () => {
    const headers = securityHeaders({
      contentSecurityPolicy: {
        report: { endpoint: '/csp-reports', group: 'csp' },
        reportOnly: true,
      },
    });
    expect(headers['content-security-policy']).toBeUndefined();
    expect(headers['content-security-policy-report-only']).toContain(
      'report-uri /csp-reports; report-to csp',
    );
    expect(headers['reporting-endpoints']).toBe('csp="/csp-reports"');
    expect(
      securityHeaders({ contentSecurityPolicy: { report: { endpoint: 'https://r.example/x' } } })[
        'reporting-endpoints'
      ],
    ).toBe('csp-endpoint="https://r.example/x"');
  });

  it('builds HSTS, referrer lists, COEP and Permissions-Policy allowlists', () => {
    const headers = securityHeaders({
      strictTransportSecurity: { preload: true },
      referrerPolicy: ['no-referrer', 'strict-origin-when-cross-origin'],
      crossOriginEmbedderPolicy: 'credentialless',
      crossOriginResourcePolicy: 'cross-origin',
      crossOriginOpenerPolicy: 'same-origin-allow-popups',
      frameOptions: 'SAMEORIGIN',
      permissionsPolicy: {
        fullscreen: ['self', 'https://video.example.com'],
        autoplay: ['*'],
        camera: [],
      },
    });
    expect(headers['strict-transport-security']).toBe(
      'max-age=31536000; includeSubDomains; preload',
    );
    expect(headers['referrer-policy']).toBe('no-referrer, strict-origin-when-cross-origin');
    expect(headers['cross-origin-embedder-policy']).toBe('credentialless');
    expect(headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(headers['cross-origin-opener-policy']).toBe('same-origin-allow-popups');
    expect(headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(headers['permissions-policy']).toBe(
      'fullscreen=(self "https://video.example.com"), autoplay=*, camera=()',
    );
    expect(
      securityHeaders({
        strictTransportSecurity: { maxAgeSeconds: 600, includeSubDomains: false },
      })['strict-transport-security'],
    ).toBe('max-age=600');
    expect(securityHeaders({ permissionsPolicy: {} })['permissions-policy']).toBeUndefined();
  });

  it.each([
    ['an unquoted keyword', { contentSecurityPolicy: { directives: { 'script-src': ['self'] } } }],
    [
      'an unquoted nonce',
      { contentSecurityPolicy: { directives: { 'script-src': ['nonce-abc'] } } },
    ],
    [
      'a ; in a source',
      { contentSecurityPolicy: { directives: { 'img-src': ['a.com;script-src *'] } } },
    ],
    ['a , in a source', { contentSecurityPolicy: { directives: { 'img-src': ['a.com,b'] } } }],
    ['a newline in a source', { contentSecurityPolicy: { directives: { 'img-src': ['a\nb'] } } }],
    ['an empty source', { contentSecurityPolicy: { directives: { 'img-src': [''] } } }],
    [
      "'none' with others",
      { contentSecurityPolicy: { directives: { 'img-src': ["'none'", 'a.com'] } } },
    ],
    [
      'a bad directive name',
      { contentSecurityPolicy: { directives: { 'Script Src': ["'self'"] } } },
    ],
    ['no default-src', { contentSecurityPolicy: { directives: { 'default-src': false } } }],
    ['a bad report endpoint', { contentSecurityPolicy: { report: { endpoint: 'http://x y' } } }],
    ['a bad report group', { contentSecurityPolicy: { report: { endpoint: '/r', group: 'a b' } } }],
    ['preload under a year', { strictTransportSecurity: { preload: true, maxAgeSeconds: 60 } }],
    ['a negative max-age', { strictTransportSecurity: { maxAgeSeconds: -1 } }],
    ['a bad frame option', { frameOptions: 'ALLOW-FROM x' }],
    ['an unknown referrer policy', { referrerPolicy: 'sometimes' }],
    ['an empty referrer policy list', { referrerPolicy: [] }],
    ['a bad COOP', { crossOriginOpenerPolicy: 'open' }],
    ['a bad CORP', { crossOriginResourcePolicy: 'anyone' }],
    ['a bad COEP', { crossOriginEmbedderPolicy: 'yes' }],
    ['a bad feature name', { permissionsPolicy: { 'Camera!': [] } }],
    ['a bad feature origin', { permissionsPolicy: { camera: ['evil" x'] } }],
  ])('rejects %s at start-up', (_name, options) => {
    expect(() => securityHeaders(options as never)).toThrow(ConfigurationError);
  });

  it('allows a policy without default-src only when asked loudly', () => {
    const policy = securityHeaders({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: { 'frame-ancestors': ["'none'"] },
        dangerouslyDisableDefaultSrc: true,
      },
    })['content-security-policy'];
    expect(policy).toBe("frame-ancestors 'none'");
  });

  it('refuses nonces, which need a fresh value per response', () => {
    expect(() => securityHeaders({ contentSecurityPolicy: { nonce: true } })).toThrow(
      /createSecurityHeaders/,
    );
  });
});

describe('createSecurityHeaders', () => {
  it('puts a fresh nonce and strict-dynamic in script-src on every response', () => {
    const security = createSecurityHeaders({ contentSecurityPolicy: { nonce: true } });
    expect(security.usesNonce).toBe(true);
    expect(security.staticHeaders['content-security-policy']).toBeUndefined();
    const first = security.forRequest();
    const second = security.forRequest();
    expect(first.nonce).not.toBe(second.nonce);
    expect(first.nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(first.headers['content-security-policy']).toContain(
      `script-src 'self' 'nonce-${first.nonce}' 'strict-dynamic'`,
    );
    expect(first.headers['x-frame-options']).toBe('DENY');
  });

  it('never hands out a nonce twice, across refills of the random pool', () => {
    const security = createSecurityHeaders({ contentSecurityPolicy: { nonce: true } });
    const nonces = new Set(Array.from({ length: 1000 }, () => security.forRequest().nonce));
    expect(nonces.size).toBe(1000);
  });

  it('puts the nonce in every nonce directive, replacing a lone none', () => {
    const security = createSecurityHeaders({
      contentSecurityPolicy: {
        nonce: true,
        strictDynamic: false,
        nonceDirectives: ['script-src', 'style-src', 'worker-src', 'script-src-attr'],
        directives: { 'script-src': ["'self'", "'strict-dynamic'"] },
      },
    });
    const { headers } = security.forRequest('AAAAAAAAAAAAAAAAAAAAAA==');
    const policy = headers['content-security-policy'] as string;
    expect(policy.split("'nonce-AAAAAAAAAAAAAAAAAAAAAA=='").length).toBe(5);
    expect(policy).toContain("script-src-attr 'nonce-AAAAAAAAAAAAAAAAAAAAAA=='");
    expect(policy).toContain("worker-src 'nonce-");
    expect(policy.match(/'strict-dynamic'/g)?.length).toBe(1);
  });

  it('rejects a nonce that could inject into the header', () => {
    const security = createSecurityHeaders({ contentSecurityPolicy: { nonce: true } });
    expect(() => security.forRequest("abc'; script-src *")).toThrow(ConfigurationError);
    expect(() => security.forRequest('short')).toThrow(ConfigurationError);
  });

  it('returns the static headers when the policy has no nonce', () => {
    const security = createSecurityHeaders();
    expect(security.usesNonce).toBe(false);
    expect(security.forRequest().headers).toBe(security.staticHeaders);
  });

  it('exports frozen defaults', () => {
    expect(Object.isFrozen(DEFAULT_CSP_DIRECTIVES)).toBe(true);
  });
});
