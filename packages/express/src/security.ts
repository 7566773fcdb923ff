/**
 * `@arm/express/security`: security headers on every response (computed once; a fresh CSP
 * nonce per request when the policy asks for one, in `res.locals.cspNonce`) and CSRF
 * protection on unsafe methods, refusing with a 403 `CsrfError` problem.
 */
import { createCsrf, createSecurityHeaders } from '@arm/security';
import type { CsrfOptions, SecurityHeadersOptions } from '@arm/security';
import type { Request, RequestHandler } from 'express';

/**
 * Sets the security headers on every response and removes `X-Powered-By`.
 *
 * @param options - As `createSecurityHeaders` takes them.
 * @returns Middleware; mount it first, so error responses get the headers too.
 * @throws `ConfigurationError` for invalid options, when called.
 * @example
 * ```ts
 * app.use(securityHeaders({ contentSecurityPolicy: { nonce: true } }));
 * app.get('/', (_req, res) => {
 *   res.send(`<script nonce="${String(res.locals.cspNonce)}">…</script>`);
 * });
 * ```
 */
export function securityHeaders(options: SecurityHeadersOptions = {}): RequestHandler {
  const security = createSecurityHeaders(options);
  return (_req, res, next) => {
    for (const name of security.removeHeaders) res.removeHeader(name);
    if (security.usesNonce) {
      const { nonce, headers } = security.forRequest();
      res.locals.cspNonce = nonce;
      res.set(headers);
    } else {
      res.set(security.staticHeaders);
    }
    next();
  };
}

/** Options of {@link csrf}. */
export interface CsrfMiddlewareOptions extends CsrfOptions {
  /**
   * The session a CSRF token is bound to, for the token layer.
   * @defaultValue none
   */
  readonly sessionId?: (req: Request) => string | undefined;
}

/**
 * Refuses cross-origin unsafe requests (and, with the token layer, requests without a valid
 * token) with a 403 `CsrfError`; sets `Vary` on every checked response.
 *
 * @param options - As `createCsrf` takes them, plus the session id of a request.
 * @returns Middleware; mount it before the routes it protects.
 * @throws `ConfigurationError` for invalid options, when called.
 * @example
 * ```ts
 * app.use(csrf({ trustedOrigins: ['https://admin.example.com'] }));
 * ```
 */
export function csrf(options: CsrfMiddlewareOptions = {}): RequestHandler {
  const guard = createCsrf(options);
  const { sessionId } = options;
  return (req, res, next) => {
    try {
      const decision = guard.verify({
        method: req.method,
        url: req.originalUrl,
        headers: req.headers,
        cookies: (req as { cookies?: Record<string, string | undefined> }).cookies,
        sessionId: sessionId?.(req),
      });
      res.set(decision.headers);
      next();
    } catch (error) {
      next(error);
    }
  };
}
