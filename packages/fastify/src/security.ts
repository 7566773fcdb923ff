/**
 * `@arm/fastify/security`: security headers on every response (computed once; a fresh CSP
 * nonce per request when the policy asks for one, in `request.cspNonce`) and CSRF protection
 * on unsafe methods, refusing with a 403 `CsrfError` problem.
 */
import { createCsrf, createSecurityHeaders } from '@arm/security';
import type { CsrfOptions, SecurityHeadersOptions } from '@arm/security';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyRequest {
    /** This response's CSP nonce, when the policy uses nonces; `''` otherwise. */
    cspNonce: string;
  }
}

/** Options of {@link armSecurity}. */
export interface ArmSecurityOptions {
  /**
   * Security headers; `false` sends none.
   * @defaultValue `{}` (every header with `@arm/security`'s defaults)
   */
  readonly headers?: false | SecurityHeadersOptions;
  /**
   * CSRF protection of POST, PUT, PATCH and DELETE; `false` turns it off.
   * @defaultValue `{}` (Fetch Metadata and Origin checks, no token layer)
   */
  readonly csrf?: false | CsrfOptions;
  /**
   * The session a CSRF token is bound to, for the token layer.
   * @defaultValue none
   */
  readonly sessionId?: (request: FastifyRequest) => string | undefined;
}

const plugin: FastifyPluginAsync<ArmSecurityOptions> = (app, options) => {
  app.decorateRequest('cspNonce', '');
  if (options.headers !== false) {
    const security = createSecurityHeaders(options.headers);
    app.addHook(
      'onRequest',
      security.usesNonce
        ? (request, reply, done) => {
            const { nonce, headers } = security.forRequest();
            request.cspNonce = nonce;
            void reply.headers(headers);
            done();
          }
        : (_request, reply, done) => {
            void reply.headers(security.staticHeaders);
            done();
          },
    );
  }
  if (options.csrf !== false) {
    const csrf = createCsrf(options.csrf);
    const { sessionId } = options;
    app.addHook('onRequest', (request, reply, done) => {
      try {
        const decision = csrf.verify({
          method: request.method,
          url: request.url,
          headers: request.headers,
          cookies: (request as { cookies?: Record<string, string | undefined> }).cookies,
          sessionId: sessionId?.(request),
        });
        void reply.headers(decision.headers);
        done();
      } catch (error) {
        done(error as Error);
      }
    });
  }
  return Promise.resolve();
};

/**
 * The security plugin: headers on every response and CSRF protection.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { armSecurity } from '@arm/fastify/security';
 *
 * const app = Fastify();
 * await app.register(armSecurity, {
 *   headers: { contentSecurityPolicy: { nonce: true } },
 *   csrf: { trustedOrigins: ['https://admin.example.com'] },
 * });
 * app.get('/', (request, reply) =>
 *   reply.type('text/html').send(`<script nonce="${request.cspNonce}">…</script>`),
 * );
 * ```
 */
export const armSecurity = fp(plugin, { name: '@arm/fastify/security', fastify: '5.x' });
