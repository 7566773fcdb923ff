/**
 * `@arm/fastify/health`: liveness, readiness and startup routes in health+json, load
 * shedding (a 503 problem while `health.shouldShed()`), and graceful shutdown wired to the
 * Fastify server: on SIGTERM readiness fails, in-flight requests finish, cleanup runs.
 */
import { createShutdown, DEFAULT_PROBE_PATHS, shedError } from '@arm/health';
import type { Health, ProbeOptions, Shutdown, ShutdownOptions } from '@arm/health';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyInstance {
    /** The graceful shutdown `armHealth` armed, when `shutdown` is on. */
    armShutdown?: Shutdown;
  }
}

/** Options of {@link armHealth}. */
export interface ArmHealthOptions {
  /** The service's health object, from `createHealth`. */
  readonly health: Health;
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
  readonly authorize?: (request: FastifyRequest) => boolean;
  /**
   * Refuse requests with a 503 problem while the process is overloaded. Probe routes are
   * never shed.
   * @defaultValue `true`
   */
  readonly shed?: boolean;
  /**
   * Graceful shutdown of this server on SIGTERM/SIGINT (`server` and `health` are filled in);
   * `false` leaves signals alone.
   * @defaultValue `{}` (on, with `@arm/health`'s defaults)
   */
  readonly shutdown?: false | Omit<ShutdownOptions, 'server' | 'health'>;
}

const plugin: FastifyPluginAsync<ArmHealthOptions> = (app, options) => {
  const { health, authorize, shed = true } = options;
  const paths = { ...DEFAULT_PROBE_PATHS, ...options.paths };
  const probePaths = new Set<string>();
  for (const probe of ['live', 'ready', 'startup'] as const) {
    const path = paths[probe];
    if (path === false) continue;
    probePaths.add(path);
    app.get(path, { config: { rateLimit: false } }, async (request, reply) => {
      const asked: ProbeOptions = { authorized: authorize?.(request) ?? false };
      const answer = await health[probe](asked);
      return reply
        .code(answer.httpStatus)
        .headers(answer.headers)
        .send(JSON.stringify(answer.body));
    });
  }
  if (shed) {
    app.addHook('onRequest', (request, _reply, done) => {
      if (health.shouldShed() && !probePaths.has(request.routeOptions.url ?? '')) {
        done(shedError(health));
        return;
      }
      done();
    });
  }
  if (options.shutdown !== false) {
    const shutdown = createShutdown({ ...options.shutdown, server: app.server, health });
    app.decorate('armShutdown', shutdown);
    app.addHook('onClose', (_instance, done) => {
      shutdown.dispose();
      done();
    });
  }
  return Promise.resolve();
};

/**
 * The health plugin: probe routes, load shedding and graceful shutdown.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { createHealth, redisCheck } from '@arm/health';
 * import { armHealth } from '@arm/fastify/health';
 *
 * const health = createHealth({ checks: { redis: redisCheck(redis) } });
 * const app = Fastify();
 * await app.register(armHealth, { health, shutdown: { delayMs: 5_000 } });
 * ```
 */
export const armHealth = fp(plugin, { name: '@arm/fastify/health', fastify: '5.x' });
