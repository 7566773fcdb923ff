/**
 * `@arm/fastify/ratelimit`: the `@arm/ratelimit` HTTP step on every route (or only on routes
 * that ask), with per-route limits in the route's `config.rateLimit`. The client is
 * `request.ip`, so Fastify's own `trustProxy` setting decides which proxies are believed;
 * pass `identity` to decide from the socket and headers instead.
 */
import { createHttpRateLimit } from '@arm/ratelimit';
import type { HttpRateLimit, HttpRateLimitOptions, HttpRateLimitRequest } from '@arm/ratelimit';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

/** Limits of one route: options for its own limiter, or `false` to exempt it. */
export type RouteRateLimit = false | HttpRateLimitOptions;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** This route's limit: its own limiter options, or `false` to exempt it. */
    rateLimit?: RouteRateLimit;
  }
}

/** Options of {@link armRateLimit}: the global limit, as `createHttpRateLimit` takes it. */
export interface ArmRateLimitOptions extends HttpRateLimitOptions {
  /**
   * Limit every route with these options; with `false`, only routes whose `config.rateLimit`
   * sets a limit are limited.
   * @defaultValue `true`
   */
  readonly global?: boolean;
}

/** The request as the core step sees it. */
function describe(request: FastifyRequest, fromSocket: boolean): HttpRateLimitRequest {
  const { method, url } = request;
  const route = request.routeOptions.url;
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  return fromSocket
    ? { method, route, path, remoteAddress: request.socket.remoteAddress, headers: request.headers }
    : { method, route, path, remoteAddress: request.ip };
}

/** The step of a route, kept in its config: a route's own, or `null` when exempt. */
const STEP = Symbol('arm.rateLimitStep');
interface Chosen {
  readonly step: HttpRateLimit;
  readonly fromSocket: boolean;
}
interface RouteConfig {
  rateLimit?: RouteRateLimit;
  [STEP]?: Chosen | null;
}

/** A limiter name for a route (`GET:/users/:id` -> `GET:_users_:id`), within the names the store accepts. */
function routeLimiterName(method: string, url: string): string {
  return `${method}:${url}`.replace(/[^\w:-]/g, '_').slice(0, 64);
}

/** The route's own step, made once: when the route is added, or at its first request for routes added before this plugin. */
function ownStep(config: RouteConfig, method: string, url: string): Chosen | null | undefined {
  const own = config.rateLimit;
  if (own === undefined) return undefined;
  config[STEP] ??=
    own === false
      ? null
      : {
          step: createHttpRateLimit({ name: routeLimiterName(method, url), ...own }),
          fromSocket: own.identity !== undefined,
        };
  return config[STEP];
}

const plugin: FastifyPluginAsync<ArmRateLimitOptions> = (app, options) => {
  const { global = true, ...limits } = options;
  const globalStep: Chosen | null = global
    ? { step: createHttpRateLimit(limits), fromSocket: limits.identity !== undefined }
    : null;
  app.addHook('onRoute', (route) => {
    // Made now, so bad route options fail at start-up.
    if (route.config?.rateLimit !== undefined) {
      ownStep(route.config, String(route.method), route.url);
    }
  });
  // One hook for every request, unknown routes included, as a global Express middleware does.
  app.addHook('onRequest', async (request, reply) => {
    const config = request.routeOptions.config as RouteConfig;
    const own = config[STEP] ?? ownStep(config, request.method, request.routeOptions.url ?? '');
    const chosen = own === undefined ? globalStep : own;
    if (chosen === null) return;
    const { headers, error } = await chosen.step.check(describe(request, chosen.fromSocket));
    void reply.headers(headers);
    if (error) throw error;
  });
  return Promise.resolve();
};

/**
 * The rate-limit plugin. Register it before the routes it limits.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { armErrors } from '@arm/fastify/errors';
 * import { armRateLimit } from '@arm/fastify/ratelimit';
 *
 * const app = Fastify({ trustProxy: 1 });
 * await app.register(armErrors);
 * await app.register(armRateLimit, { tier: 'standard' });
 * app.post('/login', { config: { rateLimit: { tier: 'strict' } } }, () => ({ ok: true }));
 * app.get('/healthz', { config: { rateLimit: false } }, () => 'ok');
 * ```
 */
export const armRateLimit = fp(plugin, { name: '@arm/fastify/ratelimit', fastify: '5.x' });
