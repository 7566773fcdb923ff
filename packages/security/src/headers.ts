/**
 * Security response headers, computed once at start-up: a Content Security Policy (with a
 * per-request nonce slot and a report endpoint), HSTS, framing, referrer, permissions,
 * cross-origin isolation and the legacy headers helmet sets. With nonces, the policy string is
 * split around the nonce once, so each request only joins a few strings.
 */
import { randomFillSync } from 'node:crypto';
import { ConfigurationError } from '@arm/errors';
import { optionError } from './_option-error';

/**
 * CSP directives by kebab-case name. A list of sources sets a directive, `true` sets one
 * without a value (`upgrade-insecure-requests`), `false` removes a default one.
 */
export type CspDirectives = Readonly<Record<string, readonly string[] | boolean>>;

/** Where browsers send CSP violation reports. */
export interface CspReportOptions {
  /** The absolute or root-relative URL of the report endpoint (see `parseCspReport`). */
  readonly endpoint: string;
  /**
   * The Reporting API group name, used in `report-to` and `Reporting-Endpoints`.
   * @defaultValue `'csp-endpoint'`
   */
  readonly group?: string;
}

/** Content Security Policy options. */
export interface CspOptions {
  /**
   * Directives merged over the defaults (see {@link DEFAULT_CSP_DIRECTIVES}) unless
   * `useDefaults` is false.
   * @defaultValue `{}`
   */
  readonly directives?: CspDirectives;
  /**
   * Start from {@link DEFAULT_CSP_DIRECTIVES}.
   * @defaultValue `true`
   */
  readonly useDefaults?: boolean;
  /**
   * Give each response a fresh nonce in the `nonceDirectives` (use
   * `createSecurityHeaders(...).forRequest()`); with it, `'strict-dynamic'` joins `script-src`
   * unless `strictDynamic` is false.
   * @defaultValue `false`
   */
  readonly nonce?: boolean;
  /**
   * The directives that receive the nonce.
   * @defaultValue `['script-src']`
   */
  readonly nonceDirectives?: readonly string[];
  /**
   * Add `'strict-dynamic'` to `script-src` when nonces are on (ASVS 5.0 3.4.3, level 3).
   * @defaultValue `true`
   */
  readonly strictDynamic?: boolean;
  /**
   * Send violation reports there: adds `report-uri` and `report-to` to the policy and a
   * `Reporting-Endpoints` header.
   * @defaultValue none
   */
  readonly report?: CspReportOptions;
  /**
   * Send `Content-Security-Policy-Report-Only` instead of enforcing.
   * @defaultValue `false`
   */
  readonly reportOnly?: boolean;
  /**
   * Allow a policy without `default-src`. Everything a directive does not name is then
   * unrestricted.
   * @defaultValue `false`
   */
  readonly dangerouslyDisableDefaultSrc?: boolean;
}

/** Strict-Transport-Security options. */
export interface HstsOptions {
  /**
   * How long browsers remember to use HTTPS only, in seconds (ASVS asks for at least a year).
   * @defaultValue `31536000` (one year)
   */
  readonly maxAgeSeconds?: number;
  /**
   * Apply to every subdomain too.
   * @defaultValue `true`
   */
  readonly includeSubDomains?: boolean;
  /**
   * Ask to be put on the browsers' preload list; needs a year or more and `includeSubDomains`.
   * @defaultValue `false`
   */
  readonly preload?: boolean;
}

/** A Permissions-Policy allowlist: `[]` disables a feature, `['self']`, `['*']` or origins allow it. */
export type PermissionsPolicy = Readonly<Record<string, readonly string[]>>;

/** Options of {@link securityHeaders} and {@link createSecurityHeaders}. Pass `false` to omit a header. */
export interface SecurityHeadersOptions {
  /**
   * The Content Security Policy.
   * @defaultValue {@link DEFAULT_CSP_DIRECTIVES}, enforced
   */
  readonly contentSecurityPolicy?: CspOptions | false;
  /**
   * Strict-Transport-Security.
   * @defaultValue `max-age=31536000; includeSubDomains`
   */
  readonly strictTransportSecurity?: HstsOptions | false;
  /**
   * X-Frame-Options, for browsers without CSP `frame-ancestors`.
   * @defaultValue `'DENY'`
   */
  readonly frameOptions?: 'DENY' | 'SAMEORIGIN' | false;
  /**
   * Referrer-Policy, one token or a fallback list.
   * @defaultValue `'no-referrer'`
   */
  readonly referrerPolicy?: string | readonly string[] | false;
  /**
   * Permissions-Policy features.
   * @defaultValue {@link DEFAULT_PERMISSIONS_POLICY}
   */
  readonly permissionsPolicy?: PermissionsPolicy | false;
  /**
   * Cross-Origin-Opener-Policy.
   * @defaultValue `'same-origin'`
   */
  readonly crossOriginOpenerPolicy?:
    'same-origin' | 'same-origin-allow-popups' | 'noopener-allow-popups' | 'unsafe-none' | false;
  /**
   * Cross-Origin-Resource-Policy. Use `'cross-origin'` on routes that serve public assets.
   * @defaultValue `'same-origin'`
   */
  readonly crossOriginResourcePolicy?: 'same-origin' | 'same-site' | 'cross-origin' | false;
  /**
   * Cross-Origin-Embedder-Policy; off by default, as in helmet 7+, because it blocks
   * cross-origin assets that do not opt in.
   * @defaultValue `false`
   */
  readonly crossOriginEmbedderPolicy?: 'require-corp' | 'credentialless' | 'unsafe-none' | false;
  /**
   * Send `Origin-Agent-Cluster: ?1`.
   * @defaultValue `true`
   */
  readonly originAgentCluster?: boolean;
  /**
   * Send `X-Content-Type-Options: nosniff`.
   * @defaultValue `true`
   */
  readonly noSniff?: boolean;
  /**
   * Send the legacy headers helmet sets: `X-DNS-Prefetch-Control: off`,
   * `X-Download-Options: noopen`, `X-Permitted-Cross-Domain-Policies: none` and
   * `X-XSS-Protection: 0`.
   * @defaultValue `true`
   */
  readonly legacyHeaders?: boolean;
}

/** Response headers by lower-case name. */
export type HeaderRecord = Readonly<Record<string, string>>;

/** What {@link createSecurityHeaders} returns. */
export interface SecurityHeaders {
  /**
   * The headers that are the same on every response. Without nonces this is every header;
   * with nonces the CSP header is left out (take it from `forRequest`).
   */
  readonly staticHeaders: HeaderRecord;
  /** Response headers to remove (`x-powered-by`). */
  readonly removeHeaders: readonly string[];
  /** True when the policy carries a per-request nonce. */
  readonly usesNonce: boolean;
  /**
   * The headers for one response, with a fresh nonce in the policy when nonces are on.
   *
   * @param nonce - A nonce of your own (base64 or base64url, at least 16 characters); by
   *   default 16 random bytes in base64.
   * @returns The nonce to put on `<script nonce>` and every header for the response.
   * @throws `ConfigurationError` when a given nonce is not base64 of 16+ characters.
   */
  forRequest(nonce?: string): SecurityHeadersForRequest;
}

/** The headers of one response, from {@link SecurityHeaders.forRequest}. */
export interface SecurityHeadersForRequest {
  /** The nonce to put on `<script nonce>` (and `<style nonce>` when styles get it). */
  readonly nonce: string;
  /** Every header for the response, the CSP with the nonce included. */
  readonly headers: HeaderRecord;
}

/**
 * The default policy: helmet 8's, with `base-uri 'none'` and `frame-ancestors 'none'` as
 * ASVS 5.0 asks (3.4.3, 3.4.6).
 */
export const DEFAULT_CSP_DIRECTIVES: CspDirectives = Object.freeze({
  'default-src': ["'self'"],
  'base-uri': ["'none'"],
  'font-src': ["'self'", 'https:', 'data:'],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'img-src': ["'self'", 'data:'],
  'object-src': ["'none'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'", 'https:', "'unsafe-inline'"],
  'upgrade-insecure-requests': true,
});

/** The default Permissions-Policy: powerful features a typical service never uses, disabled. */
export const DEFAULT_PERMISSIONS_POLICY: PermissionsPolicy = Object.freeze({
  accelerometer: [],
  camera: [],
  geolocation: [],
  gyroscope: [],
  magnetometer: [],
  microphone: [],
  payment: [],
  usb: [],
  'browsing-topics': [],
});

const KEYWORDS = new Set([
  'self',
  'none',
  'unsafe-inline',
  'unsafe-eval',
  'unsafe-hashes',
  'strict-dynamic',
  'report-sample',
  'wasm-unsafe-eval',
  'inline-speculation-rules',
]);
const REFERRER_POLICIES = new Set([
  'no-referrer',
  'no-referrer-when-downgrade',
  'origin',
  'origin-when-cross-origin',
  'same-origin',
  'strict-origin',
  'strict-origin-when-cross-origin',
  'unsafe-url',
]);
const NAME = /^[a-z][a-z0-9-]*$/;
const NONCE_SLOT = '\u0000nonce\u0000';
const NONCE = /^[A-Za-z0-9+/_-]{16,256}={0,2}$/;

/**
 * Computes the security headers once, for a service without CSP nonces.
 *
 * @remarks
 * Copy the record onto every response and remove `X-Powered-By`. For per-request nonces use
 * {@link createSecurityHeaders}.
 *
 * @param options - Which headers to send and how; every one has a safe default.
 * @returns The headers by lower-case name.
 * @throws `ConfigurationError` for an invalid option, or when `contentSecurityPolicy.nonce`
 *   is on (a nonce cannot be computed once).
 * @example
 * ```ts
 * const headers = securityHeaders({ contentSecurityPolicy: { report: { endpoint: '/csp-reports' } } });
 * // response.writeHead(200, { ...headers });
 * ```
 */
export function securityHeaders(options: SecurityHeadersOptions = {}): HeaderRecord {
  const built = createSecurityHeaders(options);
  if (built.usesNonce) {
    throw new ConfigurationError(
      '[@arm/security] option "contentSecurityPolicy.nonce" needs a fresh nonce per response: use createSecurityHeaders(options).forRequest()',
    );
  }
  return built.staticHeaders;
}

/**
 * Computes the security headers once and returns a cheap per-response builder for policies
 * with nonces.
 *
 * @param options - Which headers to send and how; every one has a safe default.
 * @returns The static headers, the headers to remove, and `forRequest()`.
 * @throws `ConfigurationError` for an invalid option: an unquoted CSP keyword, a `;` or
 *   `,` in a source, a missing `default-src`, an HSTS max-age under a year with `preload`.
 * @example
 * ```ts
 * const security = createSecurityHeaders({ contentSecurityPolicy: { nonce: true } });
 * const { nonce, headers } = security.forRequest();
 * // headers['content-security-policy'] includes `'nonce-${nonce}'`
 * ```
 */
export function createSecurityHeaders(options: SecurityHeadersOptions = {}): SecurityHeaders {
  const headers: Record<string, string> = {};
  let cspName: string | undefined;
  let cspParts: readonly string[] = [];

  const csp = options.contentSecurityPolicy ?? {};
  if (csp !== false) {
    const { policy, endpoints } = buildPolicy(csp);
    cspName =
      csp.reportOnly === true ? 'content-security-policy-report-only' : 'content-security-policy';
    cspParts = policy.split(NONCE_SLOT);
    if (cspParts.length === 1) headers[cspName] = policy;
    if (endpoints !== undefined) headers['reporting-endpoints'] = endpoints;
  }

  const hsts = options.strictTransportSecurity ?? {};
  if (hsts !== false) headers['strict-transport-security'] = buildHsts(hsts);

  headers['x-content-type-options'] = 'nosniff';
  if (options.noSniff === false) delete headers['x-content-type-options'];

  const frame = options.frameOptions ?? 'DENY';
  if (frame !== false) {
    if (!['DENY', 'SAMEORIGIN'].includes(frame)) {
      optionError('frameOptions', '"DENY", "SAMEORIGIN" or false', frame);
    }
    headers['x-frame-options'] = frame;
  }

  const referrer = options.referrerPolicy ?? 'no-referrer';
  if (referrer !== false) {
    const tokens: readonly string[] = typeof referrer === 'string' ? [referrer] : referrer;
    if (tokens.length === 0 || tokens.some((token) => !REFERRER_POLICIES.has(token))) {
      optionError(
        'referrerPolicy',
        `one or more of ${[...REFERRER_POLICIES].join(', ')}`,
        referrer,
      );
    }
    headers['referrer-policy'] = tokens.join(', ');
  }

  const permissions = options.permissionsPolicy ?? DEFAULT_PERMISSIONS_POLICY;
  if (permissions !== false) {
    const value = buildPermissions(permissions);
    if (value !== '') headers['permissions-policy'] = value;
  }

  const coop = options.crossOriginOpenerPolicy ?? 'same-origin';
  if (coop !== false) {
    headers['cross-origin-opener-policy'] = oneOf('crossOriginOpenerPolicy', coop, [
      'same-origin',
      'same-origin-allow-popups',
      'noopener-allow-popups',
      'unsafe-none',
    ]);
  }
  const corp = options.crossOriginResourcePolicy ?? 'same-origin';
  if (corp !== false) {
    headers['cross-origin-resource-policy'] = oneOf('crossOriginResourcePolicy', corp, [
      'same-origin',
      'same-site',
      'cross-origin',
    ]);
  }
  const coep = options.crossOriginEmbedderPolicy ?? false;
  if (coep !== false) {
    headers['cross-origin-embedder-policy'] = oneOf('crossOriginEmbedderPolicy', coep, [
      'require-corp',
      'credentialless',
      'unsafe-none',
    ]);
  }
  if (options.originAgentCluster !== false) headers['origin-agent-cluster'] = '?1';
  if (options.legacyHeaders !== false) {
    headers['x-dns-prefetch-control'] = 'off';
    headers['x-download-options'] = 'noopen';
    headers['x-permitted-cross-domain-policies'] = 'none';
    headers['x-xss-protection'] = '0';
  }

  const staticHeaders = Object.freeze({ ...headers });
  const usesNonce = cspParts.length > 1;
  const removeHeaders = Object.freeze(['x-powered-by']);
  return {
    staticHeaders,
    removeHeaders,
    usesNonce,
    forRequest(nonce?: string) {
      const value = nonce ?? freshNonce();
      if (nonce !== undefined && !NONCE.test(nonce)) {
        optionError('nonce', 'base64 or base64url of at least 16 characters', nonce);
      }
      if (!usesNonce) return { nonce: value, headers: staticHeaders };
      return {
        nonce: value,
        headers: { ...staticHeaders, [cspName as string]: cspParts.join(value) },
      };
    },
  };
}

function oneOf<T extends string>(option: string, value: T, accepted: readonly T[]): T {
  if (!accepted.includes(value)) {
    optionError(option, `one of ${accepted.map((a) => `"${a}"`).join(', ')} or false`, value);
  }
  return value;
}

function buildHsts(options: HstsOptions): string {
  const maxAge = options.maxAgeSeconds ?? 31_536_000;
  if (!Number.isSafeInteger(maxAge) || maxAge < 0) {
    optionError('strictTransportSecurity.maxAgeSeconds', 'a whole number of seconds >= 0', maxAge);
  }
  const subdomains = options.includeSubDomains ?? true;
  if (options.preload === true && (maxAge < 31_536_000 || !subdomains)) {
    optionError(
      'strictTransportSecurity.preload',
      'used with maxAgeSeconds >= 31536000 and includeSubDomains',
      { maxAgeSeconds: maxAge, includeSubDomains: subdomains },
    );
  }
  let value = `max-age=${maxAge}`;
  if (subdomains) value += '; includeSubDomains';
  if (options.preload === true) value += '; preload';
  return value;
}

function buildPermissions(policy: PermissionsPolicy): string {
  return Object.entries(policy)
    .map(([feature, allow]) => {
      if (!NAME.test(feature)) optionError('permissionsPolicy', 'keyed by feature names', feature);
      if (allow.length === 1 && allow[0] === '*') return `${feature}=*`;
      const items = allow.map((item) => {
        if (item === 'self' || item === "'self'") return 'self';
        if (!/^https?:\/\/[^\s"(),;]+$/.test(item)) {
          optionError(`permissionsPolicy.${feature}`, "'self', '*' or origins", item);
        }
        return `"${item}"`;
      });
      return `${feature}=(${items.join(' ')})`;
    })
    .join(', ');
}

function buildPolicy(options: CspOptions): { policy: string; endpoints: string | undefined } {
  const directives = new Map<string, readonly string[] | true>();
  const apply = (source: CspDirectives) => {
    for (const [name, value] of Object.entries(source)) {
      if (!NAME.test(name)) {
        optionError(
          'contentSecurityPolicy.directives',
          'keyed by kebab-case directive names',
          name,
        );
      }
      if (value === false) directives.delete(name);
      else directives.set(name, value);
    }
  };
  if (options.useDefaults !== false) apply(DEFAULT_CSP_DIRECTIVES);
  apply(options.directives ?? {});

  if (options.nonce === true) {
    for (const name of options.nonceDirectives ?? ['script-src']) {
      const current = directives.get(name);
      const sources = current === undefined || current === true ? [] : [...current];
      const withNonce = sources.filter((source) => source !== "'none'");
      withNonce.push(`'nonce-${NONCE_SLOT}'`);
      if (name === 'script-src' && options.strictDynamic !== false) {
        if (!withNonce.includes("'strict-dynamic'")) withNonce.push("'strict-dynamic'");
      }
      directives.set(name, withNonce);
    }
  }

  let endpoints: string | undefined;
  if (options.report !== undefined) {
    const { endpoint, group = 'csp-endpoint' } = options.report;
    if (typeof endpoint !== 'string' || !/^(https:\/\/|\/)[^\s;,"]*$/.test(endpoint)) {
      optionError('contentSecurityPolicy.report.endpoint', 'an https:// URL or a path', endpoint);
    }
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(group)) {
      optionError(
        'contentSecurityPolicy.report.group',
        'a token of letters, digits, _ and -',
        group,
      );
    }
    directives.set('report-uri', [endpoint]);
    directives.set('report-to', [group]);
    endpoints = `${group}="${endpoint}"`;
  }

  if (!directives.has('default-src') && options.dangerouslyDisableDefaultSrc !== true) {
    optionError(
      'contentSecurityPolicy.directives',
      'a policy with default-src (or set dangerouslyDisableDefaultSrc)',
      [...directives.keys()],
    );
  }

  const parts: string[] = [];
  for (const [name, value] of directives) {
    if (value === true) {
      parts.push(name);
      continue;
    }
    for (const source of value) checkSource(name, source);
    if (value.includes("'none'") && value.length > 1) {
      optionError(`contentSecurityPolicy.directives.${name}`, "'none' alone", value);
    }
    parts.push(value.length === 0 ? name : `${name} ${value.join(' ')}`);
  }
  return { policy: parts.join('; '), endpoints };
}

function checkSource(directive: string, source: string): void {
  const option = `contentSecurityPolicy.directives.${directive}`;
  if (
    typeof source !== 'string' ||
    source === '' ||
    hasForbiddenCharacter(source.replaceAll(NONCE_SLOT, ''))
  ) {
    optionError(option, 'sources without whitespace, ";" or ","', source);
  }
  const bare = source.toLowerCase();
  if (KEYWORDS.has(bare) || /^(nonce|sha256|sha384|sha512)-/.test(bare)) {
    optionError(option, `quoted keywords ('${source}')`, source);
  }
}

/** Whitespace, `;`, `,` or a control character: each would split or end a directive. */
function hasForbiddenCharacter(source: string): boolean {
  for (let i = 0; i < source.length; i++) {
    const code = source.charCodeAt(i);
    if (code <= 0x20 || code === 0x7f || code === 0x3b || code === 0x2c) return true;
  }
  return /\s/.test(source);
}

/** Random bytes drawn in batches: one system call per 256 nonces instead of one each. */
const pool = /* @__PURE__ */ Buffer.alloc(16 * 256);
let offset = pool.length;

/** 16 random bytes in base64, never handed out twice. */
function freshNonce(): string {
  if (offset === pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const nonce = pool.toString('base64', offset, offset + 16);
  offset += 16;
  return nonce;
}
