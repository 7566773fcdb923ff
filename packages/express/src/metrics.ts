/**
 * `@arm/express/metrics`: RED metrics by route template for every response, a request-scoped
 * logger carrying the request id, the `/metrics` exposition (Prometheus or OpenMetrics by
 * `Accept`) and the JSON snapshot route dashboards poll. Error tracking plugs into
 * `errorHandler({ onError: trackErrors(metrics) })`.
 */
import { ForbiddenError } from '@arm/errors';
import type { AppError } from '@arm/errors';
import type { ArmLogger, Metrics } from '@arm/metrics';
import { Router } from 'express';
import type { Request, RequestHandler } from 'express';

declare global {
  // Express's own augmentation point for its Request type.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The request's logger, bound to its id, from `requestLogging`. */
      log?: ArmLogger;
    }
  }
}

/** The route template Express matched (`/users/:id`), or `undefined` when none did. */
function routeOf(req: Request): string | undefined {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? req.baseUrl + path : undefined;
}

/**
 * Observes every response into `http_server_request_duration_seconds`, by route template.
 *
 * @param metrics - The process's metrics, from `createMetrics`.
 * @returns Middleware; mount it first, so every response is counted.
 * @example
 * ```ts
 * app.use(httpMetrics(metrics));
 * ```
 */
export function httpMetrics(metrics: Pick<Metrics, 'http'>): RequestHandler {
  const { http } = metrics;
  return (req, res, next) => {
    const started = performance.now();
    res.once('finish', () => {
      http.observe({
        method: req.method,
        route: routeOf(req),
        status: res.statusCode,
        durationMs: performance.now() - started,
      });
    });
    next();
  };
}

/**
 * An `onError` callback for `errorHandler` that sends answered errors to the error tracker.
 *
 * @param metrics - The process's metrics.
 * @param which - `server` (5xx) or `all`.
 * @returns The callback.
 * @example
 * ```ts
 * app.use(errorHandler({ onError: trackErrors(metrics) }));
 * ```
 */
export function trackErrors(
  metrics: Pick<Metrics, 'errors'>,
  which: 'server' | 'all' = 'server',
): (error: AppError, req: Request) => void {
  return (error, req) => {
    if (which === 'server' && error.status < 500) return;
    const route = routeOf(req);
    metrics.errors.track(error, {
      method: req.method,
      ...(route === undefined ? {} : { route }),
      ...(req.requestId === undefined ? {} : { requestId: req.requestId }),
    });
  };
}

/**
 * Gives each request `req.log`, a child of `logger` bound to its request id, and logs every
 * finished request at `info` (method, route, status, duration).
 *
 * @param logger - The service's logger, from `createLogger`.
 * @returns Middleware; mount it after `requestIds()`.
 * @example
 * ```ts
 * app.use(requestIds());
 * app.use(requestLogging(createLogger()));
 * ```
 */
export function requestLogging(logger: ArmLogger): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    const log = logger.child({ requestId: req.requestId });
    req.log = log;
    res.once('finish', () => {
      log.info(
        {
          method: req.method,
          route: routeOf(req),
          status: res.statusCode,
          durationMs: Math.round((performance.now() - started) * 1000) / 1000,
        },
        'request completed',
      );
    });
    next();
  };
}

/** Options of {@link metricsRoutes}. */
export interface MetricsRoutesOptions {
  /**
   * Where the exposition answers; `false` serves none.
   * @defaultValue `'/metrics'`
   */
  readonly path?: string | false;
  /**
   * Where the JSON snapshot answers; `false` serves none.
   * @defaultValue `'/metrics/snapshot'`
   */
  readonly snapshotPath?: string | false;
  /**
   * May this request read the exposition and the snapshot? Both reveal routes and errors.
   * @defaultValue every request may
   */
  readonly authorize?: (req: Request) => boolean;
}

/**
 * A router serving the exposition and the JSON snapshot.
 *
 * @param metrics - The process's metrics.
 * @param options - Paths and who may read them.
 * @returns An Express router; mount it before rate limiting.
 * @example
 * ```ts
 * app.use(metricsRoutes(metrics, { authorize: (req) => req.ip === '127.0.0.1' }));
 * ```
 */
export function metricsRoutes(metrics: Metrics, options: MetricsRoutesOptions = {}): Router {
  const router = Router();
  const { authorize } = options;
  const path = options.path ?? '/metrics';
  const snapshotPath = options.snapshotPath ?? '/metrics/snapshot';
  const allowed = (req: Request) => authorize === undefined || authorize(req);
  if (path !== false) {
    router.get(path, (req, res, next) => {
      if (!allowed(req)) {
        next(new ForbiddenError('Not allowed to read metrics'));
        return;
      }
      metrics.expose({ accept: req.headers.accept }).then(({ contentType, body }) => {
        res.type(contentType).send(body);
      }, next);
    });
  }
  if (snapshotPath !== false) {
    router.get(snapshotPath, (req, res, next) => {
      if (!allowed(req)) {
        next(new ForbiddenError('Not allowed to read metrics'));
        return;
      }
      metrics.snapshot().then((snapshot) => {
        res.set('cache-control', 'no-store').json(snapshot);
      }, next);
    });
  }
  return router;
}
