/**
 * `@arm/express/health`: liveness, readiness and startup routes in health+json, load
 * shedding (a 503 problem while `health.shouldShed()`), and graceful shutdown wired to the
 * HTTP server: on SIGTERM readiness fails, in-flight requests finish, cleanup runs.
 */
import { createShutdown, DEFAULT_PROBE_PATHS, shedError } from '@arm/health';
import type { Health, Shutdown, ShutdownOptions, ShutdownServer } from '@arm/health';
import { Router } from 'express';
import type { Request, RequestHandler } from 'express';

/** Options of {@link healthRoutes}. */
export interface HealthRoutesOptions {
  /**
   * Where the probes answer; `false` leaves a probe out.
   * @defaultValue `{ live: '/health/live', ready: '/health/ready', startup: '/health/startup' }`
   */
  readonly paths?: {
    /** The liveness probe's path. */
    readonly live?: string | false;
    /** The readiness probe's path. */
    readonly ready?: string | false;
    /** The startup probe's path. */
    readonly startup?: string | false;
  };
  /**
   * Whether a caller may see check output (with the health object's `showOutput:
   * 'when-authorized'`).
   * @defaultValue every caller is unauthorised
   */
  readonly authorize?: (req: Request) => boolean;
}

/**
 * A router answering the probes in health+json. Mount it before rate limiting and load
 * shedding, so probes are never refused.
 *
 * @param health - The service's health object, from `createHealth`.
 * @param options - Paths and who may see check output.
 * @returns An Express router.
 * @example
 * ```ts
 * app.use(healthRoutes(health));
 * ```
 */
export function healthRoutes(health: Health, options: HealthRoutesOptions = {}): Router {
  const router = Router();
  const paths = { ...DEFAULT_PROBE_PATHS, ...options.paths };
  for (const probe of ['live', 'ready', 'startup'] as const) {
    const path = paths[probe];
    if (path === false) continue;
    router.get(path, (req, res, next) => {
      health[probe]({ authorized: options.authorize?.(req) ?? false }).then((answer) => {
        res.status(answer.httpStatus).set(answer.headers).send(JSON.stringify(answer.body));
      }, next);
    });
  }
  return router;
}

/**
 * Refuses requests with a 503 problem (and `Retry-After`) while the process is overloaded.
 *
 * @param health - The health object whose pressure monitor decides.
 * @returns Middleware; mount it after the probe routes.
 * @example
 * ```ts
 * app.use(healthRoutes(health));
 * app.use(loadShedding(health));
 * ```
 */
export function loadShedding(health: Pick<Health, 'shouldShed' | 'shedResponse'>): RequestHandler {
  return (_req, _res, next) => {
    next(health.shouldShed() ? shedError(health) : undefined);
  };
}

/**
 * Arms graceful shutdown of the server on SIGTERM/SIGINT: readiness fails at once, in-flight
 * requests finish, idle keep-alive sockets close, cleanup hooks run, the process exits.
 *
 * @param server - The HTTP server `app.listen()` returned.
 * @param health - The health object whose readiness should fail.
 * @param options - Delays, cleanup hooks and budget, as `createShutdown` takes them.
 * @returns The armed shutdown.
 * @throws `ConfigurationError` for invalid options.
 * @example
 * ```ts
 * const server = app.listen(3000);
 * gracefulShutdown(server, health, { cleanup: [{ name: 'redis', run: () => redis.quit() }] });
 * ```
 */
export function gracefulShutdown(
  server: ShutdownServer,
  health: Health,
  options: Omit<ShutdownOptions, 'server' | 'health'> = {},
): Shutdown {
  return createShutdown({ ...options, server, health });
}
