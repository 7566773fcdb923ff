/**
 * `@arm/fastify/metrics`: RED metrics by route template for every response, error tracking
 * of the errors the app answers, the `/metrics` exposition (Prometheus or OpenMetrics by
 * `Accept`) and the JSON snapshot route dashboards poll. Request logging stays Fastify's own:
 * give Fastify `createLogger()` from `@arm/metrics` and `genReqId` from `@arm/fastify/errors`.
 */
import { ForbiddenError, toAppError } from '@arm/errors';
import type { Metrics } from '@arm/metrics';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

/** Options of {@link armMetrics}. */
export interface ArmMetricsOptions {
  /** The process's metrics, from `createMetrics`. */
  readonly metrics: Metrics;
  /**
   * Where the exposition answers; `false` serves none (scrape another way).
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
  readonly authorize?: (request: FastifyRequest) => boolean;
  /**
   * Which answered errors go to the error tracker: `server` (5xx), `all`, or `none`.
   * @defaultValue `'server'`
   */
  readonly trackErrors?: 'server' | 'all' | 'none';
}

const plugin: FastifyPluginAsync<ArmMetricsOptions> = (app, options) => {
  const { metrics, authorize, trackErrors = 'server' } = options;
  const { http, errors } = metrics;
  app.addHook('onResponse', (request, reply, done) => {
    http.observe({
      method: request.method,
      route: request.routeOptions.url,
      status: reply.statusCode,
      durationMs: reply.elapsedTime,
    });
    done();
  });
  if (trackErrors !== 'none') {
    app.addHook('onError', (request, reply, error, done) => {
      if (trackErrors === 'all' || toAppError(error).status >= 500) {
        errors.track(error, {
          method: request.method,
          ...(request.routeOptions.url === undefined ? {} : { route: request.routeOptions.url }),
          requestId: (request as { requestId?: string }).requestId ?? request.id,
        });
      }
      done();
    });
  }
  const guard = (request: FastifyRequest): void => {
    if (authorize && !authorize(request)) throw new ForbiddenError('Not allowed to read metrics');
  };
  const path = options.path ?? '/metrics';
  if (path !== false) {
    app.get(path, { config: { rateLimit: false } }, async (request, reply) => {
      guard(request);
      const { contentType, body } = await metrics.expose({ accept: request.headers.accept });
      return reply.type(contentType).send(body);
    });
  }
  const snapshotPath = options.snapshotPath ?? '/metrics/snapshot';
  if (snapshotPath !== false) {
    app.get(snapshotPath, { config: { rateLimit: false } }, async (request, reply) => {
      guard(request);
      return reply.header('cache-control', 'no-store').send(await metrics.snapshot());
    });
  }
  return Promise.resolve();
};

/**
 * The metrics plugin: RED metrics, error tracking, `/metrics` and the JSON snapshot.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { createLogger, createMetrics } from '@arm/metrics';
 * import { genReqId } from '@arm/fastify/errors';
 * import { armMetrics } from '@arm/fastify/metrics';
 *
 * const metrics = createMetrics();
 * const app = Fastify({ loggerInstance: createLogger(), genReqId });
 * await app.register(armMetrics, { metrics });
 * ```
 */
export const armMetrics = fp(plugin, { name: '@arm/fastify/metrics', fastify: '5.x' });
