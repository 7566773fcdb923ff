/**
 * CSRF protection in two layers. The first follows Go 1.25's `net/http.CrossOriginProtection`:
 * safe methods pass; `Sec-Fetch-Site` decides when present (`same-origin` and `none` pass);
 * without it, `Origin` must match `Host` or a trusted origin; a request with neither header is
 * taken for a non-browser client. The optional second layer is a signed double-submit token
 * bound to the session (HMAC-SHA256, strict format check, constant-time compare), for clients
 * that send no Fetch Metadata. Exemptions are exact paths only.
 */
import { randomBytes } from 'node:crypto';
import { CsrfError } from '@arm/errors';
import type { SecurityAuditEvent } from './audit';
import { callHook } from './_hooks';
import { readHeader } from './_headers';
import type { HeaderInput } from './_headers';
import { optionError } from './_option-error';
import { constantTimeEqual, hmac, toSecret } from './_secret';
import type { SecretInput } from './_secret';

/** Why a request was refused. */
export type CsrfDenyReason =
  /** `Sec-Fetch-Site: cross-site` from an origin that is not trusted. */
  | 'cross-site'
  /** `Sec-Fetch-Site: same-site` (a sibling subdomain) while `allowSameSite` is off. */
  | 'same-site'
  /** A `Sec-Fetch-Site` value browsers do not send, or a repeated or oversized one. */
  | 'invalid-fetch-site'
  /** No Fetch Metadata, and `Origin` matches neither `Host` nor a trusted origin. */
  | 'origin-mismatch'
  /** The token layer is on and the cookie or the submitted token is missing. */
  | 'token-missing'
  /** The cookie or the submitted token does not have the token format. */
  | 'token-malformed'
  /** The cookie and the submitted token differ. */
  | 'token-mismatch'
  /** The token's signature does not hold for this session and secret. */
  | 'token-invalid'
  /** The token layer is on and the request carries no session id to bind it to. */
  | 'session-missing';

/** Why a request was let through. */
export type CsrfAllowReason =
  | 'safe-method'
  | 'exempt-path'
  | 'same-origin'
  | 'user-initiated'
  | 'same-site-allowed'
  | 'trusted-origin'
  | 'origin-matches-host'
  | 'no-browser-headers'
  | 'token-valid';

/** The result of {@link Csrf.check}. */
export type CsrfDecision =
  | {
      /** The request may proceed. */
      readonly allowed: true;
      /** Always `'allow'`. */
      readonly outcome: 'allow';
      /** Why it passed. */
      readonly reason: CsrfAllowReason;
      /** Headers to add to the response (`Vary`). */
      readonly headers: Readonly<Record<string, string>>;
    }
  | {
      /** The request may proceed only in report-only mode. */
      readonly allowed: boolean;
      /** `'deny'` when enforced, `'report'` when report-only mode let it through. */
      readonly outcome: 'deny' | 'report';
      /** Why it was refused. */
      readonly reason: CsrfDenyReason;
      /** Headers to add to the response (`Vary`). */
      readonly headers: Readonly<Record<string, string>>;
    };

/** The parts of a request the CSRF check reads, as an adapter maps them. */
export interface CsrfRequest {
  /** The HTTP method. */
  readonly method: string;
  /** The request target (`/path?query`), for exempt paths. */
  readonly url?: string | undefined;
  /** The request headers: `host`, `origin`, `sec-fetch-site`, the token header. */
  readonly headers: HeaderInput;
  /** Parsed cookies, for the token layer; without them the `Cookie` header is read. */
  readonly cookies?: Readonly<Record<string, string | undefined>> | undefined;
  /** The token from a form field, when not sent in the header. */
  readonly token?: string | undefined;
  /** The session the token is bound to; required by the token layer. */
  readonly sessionId?: string | undefined;
}

/** Options of the signed double-submit token layer. */
export interface CsrfTokenOptions {
  /**
   * The HMAC secret (32+ bytes), or several for rotation: the first signs, every one verifies.
   */
  readonly secret: SecretInput | readonly SecretInput[];
  /**
   * When the token is required: on every unsafe request, or only when the request has no
   * `Sec-Fetch-Site` and no `Origin` (a client Fetch Metadata cannot judge).
   * @defaultValue `'always'`
   */
  readonly require?: 'always' | 'without-browser-headers';
  /**
   * The cookie that holds the token. The `__Host-` prefix pins it to this host, path `/`, Secure.
   * @defaultValue `'__Host-arm.csrf'`
   */
  readonly cookieName?: string;
  /**
   * The request header that echoes the token.
   * @defaultValue `'x-csrf-token'`
   */
  readonly headerName?: string;
}

/** CSRF hooks. Synchronous; a throwing hook is ignored. */
export interface CsrfHooks {
  /** Every decision on an unsafe method. */
  onDecision(decision: CsrfDecision, request: CsrfRequest): void;
  /** Refusals (also those report-only mode let through), as audit events. */
  onAudit(event: SecurityAuditEvent): void;
}

/** Options of {@link createCsrf}. */
export interface CsrfOptions {
  /**
   * Origins allowed to send unsafe cross-origin requests, as `scheme://host[:port]`, matched
   * exactly against `Origin`.
   * @defaultValue `[]`
   */
  readonly trustedOrigins?: readonly string[];
  /**
   * Paths exempt from every check (webhooks), matched exactly against the request path without
   * its query: no prefixes, no patterns, no normalisation.
   * @defaultValue `[]`
   */
  readonly exemptPaths?: readonly string[];
  /**
   * Let `Sec-Fetch-Site: same-site` (sibling subdomains) through. Only when every subdomain is
   * trusted.
   * @defaultValue `false`
   */
  readonly allowSameSite?: boolean;
  /**
   * The signed double-submit token layer.
   * @defaultValue off
   */
  readonly token?: CsrfTokenOptions | false;
  /**
   * Decide and report, but never refuse: for rolling out.
   * @defaultValue `false`
   */
  readonly reportOnly?: boolean;
  /**
   * The clock for audit events, in epoch milliseconds.
   * @defaultValue `Date.now`
   */
  readonly now?: () => number;
  /** Decision and audit hooks. */
  readonly hooks?: Partial<CsrfHooks>;
}

/** A token and the cookie that carries it, from {@link Csrf.issueToken}. */
export interface CsrfTokenIssue {
  /** The token; send it back in the header or the form field. */
  readonly token: string;
  /** The cookie name. */
  readonly cookieName: string;
  /** A complete `Set-Cookie` value: `__Host-` prefixed, Secure, SameSite=Lax, path `/`. */
  readonly setCookie: string;
}

/** What {@link createCsrf} returns. */
export interface Csrf {
  /**
   * Decides on a request without throwing.
   * @param request - Method, URL, headers, cookies, session id.
   * @returns The decision, its reason and the `Vary` header to add.
   */
  check(request: CsrfRequest): CsrfDecision;
  /**
   * Decides on a request and throws when it is refused (never in report-only mode).
   * @param request - Method, URL, headers, cookies, session id.
   * @returns The decision when the request may proceed.
   * @throws `CsrfError` (403) with `details.reason`, when refused.
   */
  verify(request: CsrfRequest): CsrfDecision;
  /**
   * Makes a token bound to a session. Issue a new one at every login.
   * @param sessionId - The session's id.
   * @returns The token and the cookie that carries it.
   * @throws `ConfigurationError` when the token layer is off.
   */
  issueToken(sessionId: string): CsrfTokenIssue;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const VARY = 'Sec-Fetch-Site, Origin';
const TOKEN = /^v1\.[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/;
const NO_HEADERS = Object.freeze({});

/**
 * Creates a CSRF guard with Go 1.25 `CrossOriginProtection` semantics and an optional signed
 * double-submit token.
 *
 * @param options - Trusted origins, exempt paths, the token layer, report-only mode, hooks.
 * @returns `check` (a decision), `verify` (throws `CsrfError`) and `issueToken`.
 * @throws `ConfigurationError` for an origin that is not `scheme://host[:port]`, an
 *   exempt path that does not start with `/` or holds a wildcard, or a secret under 32 bytes.
 * @example
 * ```ts
 * const csrf = createCsrf({ trustedOrigins: ['https://admin.example.com'] });
 * csrf.verify({
 *   method: 'POST',
 *   headers: { host: 'example.com', 'sec-fetch-site': 'same-origin' },
 * }); // passes; a cross-site POST throws CsrfError
 * ```
 */
export function createCsrf(options: CsrfOptions = {}): Csrf {
  const trusted = new Set(
    (options.trustedOrigins ?? []).map((origin) => {
      if (!isOrigin(origin)) {
        optionError('trustedOrigins', 'origins of the form scheme://host[:port]', origin);
      }
      return origin;
    }),
  );
  const exempt = new Set(
    (options.exemptPaths ?? []).map((path) => {
      if (typeof path !== 'string' || !/^\/[^\s?#*]*$/.test(path)) {
        optionError('exemptPaths', 'exact paths starting with "/" (no "*", "?" or "#")', path);
      }
      return path;
    }),
  );
  const allowSameSite = options.allowSameSite === true;
  const reportOnly = options.reportOnly === true;
  const now = options.now ?? Date.now;
  const hooks = options.hooks ?? {};
  const token = options.token === undefined || options.token === false ? undefined : options.token;
  const secrets = token === undefined ? [] : toSecrets(token.secret);
  const cookieName = token?.cookieName ?? '__Host-arm.csrf';
  const headerName = (token?.headerName ?? 'x-csrf-token').toLowerCase();
  if (token !== undefined) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(cookieName)) {
      optionError('token.cookieName', 'a cookie name token', cookieName);
    }
    if (!/^[a-z0-9-]+$/.test(headerName)) {
      optionError('token.headerName', 'a header name', headerName);
    }
    if (
      token.require !== undefined &&
      !['always', 'without-browser-headers'].includes(token.require)
    ) {
      optionError('token.require', '"always" or "without-browser-headers"', token.require);
    }
  }
  const tokenAlways = token !== undefined && token.require !== 'without-browser-headers';
  const varyHeaders = Object.freeze({ vary: token === undefined ? VARY : `${VARY}, Cookie` });

  const sign = (secret: Uint8Array, sessionId: string, random: string): string =>
    hmac(secret, `arm-csrf-v1\u0000${sessionId.length}\u0000${sessionId}\u0000${random}`).toString(
      'base64url',
    );

  function checkToken(request: CsrfRequest): CsrfDenyReason | undefined {
    // Cookies and form fields come from parsers of untrusted input: accept strings only.
    const rawCookie: unknown =
      request.cookies === undefined
        ? cookieFromHeader(readHeader(request.headers, 'cookie'), cookieName)
        : request.cookies[cookieName];
    const cookie = typeof rawCookie === 'string' ? rawCookie : undefined;
    const header = readHeader(request.headers, headerName);
    const field: unknown = request.token;
    const submitted =
      typeof header === 'string' ? header : typeof field === 'string' ? field : undefined;
    if (cookie === undefined || cookie === '' || submitted === undefined || submitted === '') {
      return header === false ? 'token-malformed' : 'token-missing';
    }
    if (!TOKEN.test(cookie) || !TOKEN.test(submitted)) return 'token-malformed';
    if (!constantTimeEqual(cookie, submitted)) return 'token-mismatch';
    const sessionId = request.sessionId;
    if (sessionId === undefined || sessionId === '') return 'session-missing';
    const [, random, signature] = submitted.split('.') as [string, string, string];
    let valid = false;
    for (const secret of secrets) {
      // Every secret is tried, so the time does not tell which one matched.
      if (constantTimeEqual(sign(secret, sessionId, random), signature)) valid = true;
    }
    return valid ? undefined : 'token-invalid';
  }

  function decide(request: CsrfRequest): CsrfDecision {
    const method = typeof request.method === 'string' ? request.method.toUpperCase() : '';
    if (SAFE_METHODS.has(method)) return allow('safe-method', NO_HEADERS);
    if (exempt.size > 0 && exempt.has(pathOf(request.url))) return allow('exempt-path', NO_HEADERS);

    const origin = readHeader(request.headers, 'origin');
    const isTrusted = () => typeof origin === 'string' && trusted.has(origin);
    const site = readHeader(request.headers, 'sec-fetch-site');
    let passed: CsrfAllowReason;
    if (site !== undefined) {
      if (site === 'same-origin') passed = 'same-origin';
      else if (site === 'none') passed = 'user-initiated';
      else if (site === 'same-site' && allowSameSite) passed = 'same-site-allowed';
      else if (isTrusted()) passed = 'trusted-origin';
      else if (site === 'same-site') return deny('same-site', request);
      else if (site === 'cross-site') return deny('cross-site', request);
      else return deny('invalid-fetch-site', request);
    } else if (origin === undefined) {
      passed = 'no-browser-headers';
    } else if (origin !== false && sameHost(hostOf(origin), readHeader(request.headers, 'host'))) {
      passed = 'origin-matches-host';
    } else if (isTrusted()) {
      passed = 'trusted-origin';
    } else {
      return deny('origin-mismatch', request);
    }

    if (token !== undefined && (tokenAlways || passed === 'no-browser-headers')) {
      const failure = checkToken(request);
      if (failure !== undefined) return deny(failure, request);
      passed = 'token-valid';
    }
    return allow(passed, varyHeaders);
  }

  function allow(reason: CsrfAllowReason, headers: Readonly<Record<string, string>>): CsrfDecision {
    return { allowed: true, outcome: 'allow', reason, headers };
  }

  function deny(reason: CsrfDenyReason, request: CsrfRequest): CsrfDecision {
    const origin = readHeader(request.headers, 'origin');
    const site = readHeader(request.headers, 'sec-fetch-site');
    callHook(hooks.onAudit, {
      type: 'csrf.denied',
      at: now(),
      reason,
      reportOnly,
      method: request.method,
      path: request.url === undefined ? undefined : pathOf(request.url),
      origin: typeof origin === 'string' ? origin.slice(0, 256) : undefined,
      secFetchSite: typeof site === 'string' ? site.slice(0, 64) : undefined,
    });
    return {
      allowed: reportOnly,
      outcome: reportOnly ? 'report' : 'deny',
      reason,
      headers: varyHeaders,
    };
  }

  function check(request: CsrfRequest): CsrfDecision {
    const decision = decide(request);
    if (decision.reason !== 'safe-method') callHook(hooks.onDecision, decision, request);
    return decision;
  }

  return {
    check,
    verify(request) {
      const decision = check(request);
      if (!decision.allowed) {
        throw new CsrfError(denyMessage(decision.reason), {
          details: { reason: decision.reason },
          headers: decision.headers,
        });
      }
      return decision;
    },
    issueToken(sessionId) {
      if (token === undefined) {
        optionError('token', 'set to issue tokens', undefined);
      }
      if (typeof sessionId !== 'string' || sessionId === '') {
        optionError('sessionId', 'a non-empty string', sessionId);
      }
      const random = randomBytes(32).toString('base64url');
      const value = `v1.${random}.${sign(secrets[0] as Uint8Array, sessionId, random)}`;
      const secure = cookieName.startsWith('__Host-') || cookieName.startsWith('__Secure-');
      return {
        token: value,
        cookieName,
        setCookie: `${cookieName}=${value}; Path=/; SameSite=Lax${secure ? '; Secure' : ''}`,
      };
    },
  };
}

/** One cookie's value from a `Cookie` header, for adapters that have no cookie parser. */
function cookieFromHeader(header: string | false | undefined, name: string): string | undefined {
  if (typeof header !== 'string') return undefined;
  for (const pair of header.split(';')) {
    const at = pair.indexOf('=');
    if (at !== -1 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
  }
  return undefined;
}

function denyMessage(reason: CsrfDenyReason): string {
  switch (reason) {
    case 'cross-site':
    case 'same-site':
    case 'invalid-fetch-site':
    case 'origin-mismatch':
      return 'Cross-origin request refused';
    case 'session-missing':
    case 'token-missing':
      return 'The CSRF token is missing';
    default:
      return 'The CSRF token is not valid';
  }
}

function toSecrets(secret: SecretInput | readonly SecretInput[]): Uint8Array[] {
  const list = Array.isArray(secret) ? (secret as readonly SecretInput[]) : [secret as SecretInput];
  if (list.length === 0) optionError('token.secret', 'one or more secrets', list);
  return list.map((value, index) =>
    toSecret(list.length > 1 ? `token.secret[${index}]` : 'token.secret', value),
  );
}

function isOrigin(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (
    url.host !== '' &&
    url.username === '' &&
    url.password === '' &&
    `${url.protocol}//${url.host}` === value
  );
}

/**
 * The host (with port) of an http(s) `Origin` value, as `Host` carries it; '' when it is not
 * one. Browsers send no other schemes for requests that can carry cookies.
 */
function hostOf(origin: string): string {
  const match = /^https?:\/\/([^/?#@\s\\]+)$/i.exec(origin);
  return match?.[1] ?? '';
}

/** Go compares `Origin`'s host with `Host` exactly; an empty one never matches. */
function sameHost(originHost: string, host: string | undefined | false): boolean {
  return originHost !== '' && originHost === host;
}

function pathOf(url: string | undefined): string {
  if (typeof url !== 'string') return '';
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}
