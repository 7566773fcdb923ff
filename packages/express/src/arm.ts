/**
 * `arm`: the recommended stack in one call, in the order the pieces must run: request ids,
 * metrics and request logging, security headers, health probes and the metrics routes (never
 * limited), load shedding, CSRF, rate limiting and JSON bodies. `finish()` mounts what runs
 * after the routes: the 404 and the problem+json error handler.
 */
import type { HttpRateLimitOptions } from '@arm/ratelimit';
import type { Health, Shutdown, ShutdownOptions, ShutdownServer } from '@arm/health';
import type { ArmLogger, Metrics } from '@arm/metrics';
import type { SecurityHeadersOptions } from '@arm/security';
import { ConfigurationError } from '@arm/errors';
import type { Express } from 'express';
import { errorHandler, notFound, requestIds } from './errors';
import type { ErrorHandlerOptions, RequestIdOptions } from './errors';
import { gracefulShutdown, healthRoutes, loadShedding } from './health';
import type { HealthRoutesOptions } from './health';
import { httpMetrics, metricsRoutes, requestLogging, trackErrors } from './metrics';
import type { MetricsRoutesOptions } from './metrics';
import { rateLimit } from './ratelimit';
import { csrf, securityHeaders } from './security';
import type { CsrfMiddlewareOptions } from './security';
import { jsonBody, openApiRoutes } from './validate';
import type { JsonBodyOptions, OpenApiRoutesOptions } from './validate';
import type { RouteRegistry } from '@arm/validate';

/** Options of {@link arm}: one entry per feature; `false` leaves a feature out. */
export interface ArmOptions {
  /**
   * Problem+json errors and request ids; always on.
   * @defaultValue `{}` (masked)
   */
  readonly errors?: ErrorHandlerOptions & RequestIdOptions;
  /**
   * RED metrics, error tracking (5xx), `/metrics` and the snapshot route.
   * @defaultValue off
   */
  readonly metrics?: MetricsRoutesOptions & {
    /** The process's metrics, from `createMetrics`. */
    readonly metrics: Metrics;
  };
  /**
   * Request logging with request ids.
   * @defaultValue off
   */
  readonly logger?: ArmLogger;
  /**
   * Security headers and CSRF protection.
   * @defaultValue `{}` (every header, CSRF from Fetch Metadata and Origin)
   */
  readonly security?:
    | false
    | {
        /** Security headers; `false` sends none. */
        readonly headers?: false | SecurityHeadersOptions;
        /** CSRF protection; `false` turns it off. */
        readonly csrf?: false | CsrfMiddlewareOptions;
      };
  /**
   * Probe routes and load shedding; graceful shutdown through the returned `shutdown`.
   * @defaultValue off
   */
  readonly health?: HealthRoutesOptions & {
    /** The service's health object, from `createHealth`. */
    readonly health: Health;
    /** Refuse requests with a 503 while overloaded; `false` turns it off. */
    readonly shed?: boolean;
  };
  /**
   * Rate limiting of every request.
   * @defaultValue `{ tier: 'standard' }` on the memory store
   */
  readonly rateLimit?: false | HttpRateLimitOptions;
  /**
   * Safe JSON bodies.
   * @defaultValue `{}` (`@arm/validate`'s limits)
   */
  readonly json?: false | JsonBodyOptions;
  /**
   * Serve this registry's OpenAPI document and docs page (never rate limited).
   * @defaultValue off
   */
  readonly openapi?: OpenApiRoutesOptions & {
    /** The service's routes. */
    readonly registry: RouteRegistry;
  };
}

/** What {@link arm} returns. */
export interface ArmStack {
  /** Mounts the 404 and error handlers; call it after the last route. */
  finish(): void;
  /**
   * Arms graceful shutdown of the server `app.listen()` returned (needs `health`).
   *
   * @param server - The HTTP server.
   * @param options - Delays, cleanup hooks and budget.
   * @returns The armed shutdown.
   */
  shutdown(server: ShutdownServer, options?: Omit<ShutdownOptions, 'server' | 'health'>): Shutdown;
}

/**
 * Mounts the recommended ARM stack on an Express app. Call it before the routes.
 *
 * @param app - The Express application.
 * @param options - Per-feature options.
 * @returns `finish()`, to call after the routes, and `shutdown(server)`.
 * @throws `ConfigurationError` for invalid options.
 * @example
 * ```ts
 * import express from 'express';
 * import { arm } from '@arm/express';
 * import { createHealth } from '@arm/health';
 * import { createLogger, createMetrics } from '@arm/metrics';
 *
 * const app = express();
 * const health = createHealth();
 * const stack = arm(app, {
 *   metrics: { metrics: createMetrics() },
 *   logger: createLogger(),
 *   health: { health },
 *   rateLimit: { tier: 'api' },
 * });
 * app.get('/hello', (_req, res) => res.json({ hello: 'world' }));
 * stack.finish();
 * stack.shutdown(app.listen(3000));
 * ```
 */
export function arm(app: Express, options: ArmOptions = {}): ArmStack {
  const errors = options.errors ?? {};
  const { metrics, logger, health } = options;
  const security = options.security === false ? undefined : (options.security ?? {});
  app.disable('x-powered-by');
  app.use(requestIds(errors));
  if (metrics) app.use(httpMetrics(metrics.metrics));
  if (logger) app.use(requestLogging(logger));
  if (security && security.headers !== false) app.use(securityHeaders(security.headers));
  if (health) app.use(healthRoutes(health.health, health));
  if (metrics) app.use(metricsRoutes(metrics.metrics, metrics));
  if (options.openapi) app.use(openApiRoutes(options.openapi.registry, options.openapi));
  if (health && health.shed !== false) app.use(loadShedding(health.health));
  if (security && security.csrf !== false) app.use(csrf(security.csrf));
  if (options.rateLimit !== false) app.use(rateLimit(options.rateLimit ?? {}));
  if (options.json !== false) app.use(jsonBody(options.json ?? {}));
  return {
    finish() {
      app.use(notFound());
      app.use(
        errorHandler({
          ...errors,
          ...(metrics
            ? {
                onError: (error, req) => {
                  trackErrors(metrics.metrics)(error, req);
                  errors.onError?.(error, req);
                },
              }
            : {}),
        }),
      );
    },
    shutdown(server, shutdownOptions) {
      if (!health) {
        throw new ConfigurationError(
          '[@arm/express] shutdown() needs the "health" option of arm(), so readiness can fail first',
        );
      }
      return gracefulShutdown(server, health.health, shutdownOptions);
    },
  };
}
