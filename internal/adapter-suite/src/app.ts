/**
 * The one application every adapter serves in the suite, described without a framework: its
 * routes live in a `@arm/validate` route registry, and the adapter's test mounts them with
 * the adapter's own route helper under the adapter's `arm()` stack.
 */
import { NotFoundError } from '@arm/errors';
import { createHealth } from '@arm/health';
import type { Health } from '@arm/health';
import { createMetrics } from '@arm/metrics';
import type { Metrics } from '@arm/metrics';
import type { HttpRateLimitOptions } from '@arm/ratelimit';
import { createRouteRegistry } from '@arm/validate';
import type { ParsedRequest, RequestSchemas, Route, RouteRegistry } from '@arm/validate';
import * as z from 'zod';

/** One route of the suite's application. */
export interface SuiteRoute<S extends RequestSchemas = RequestSchemas> {
  /** The registry route: method, path and schemas. */
  readonly route: Route<S>;
  /** The handler; whatever it returns is sent as JSON, whatever it throws is an error. */
  readonly handler: (parsed: ParsedRequest<S>) => unknown;
  /** This route's own rate limit, or `false` to exempt it from the global one. */
  readonly rateLimit?: false | HttpRateLimitOptions;
}

/** The application: its routes and the objects and options the adapter's `arm()` gets. */
export interface SuiteApp {
  readonly registry: RouteRegistry;
  readonly routes: readonly SuiteRoute[];
  /** The global rate limit. */
  readonly rateLimit: HttpRateLimitOptions;
  /** Largest JSON body accepted, in bytes. */
  readonly maxBodyBytes: number;
  readonly health: Health;
  readonly metrics: Metrics;
  /** The OpenAPI document's fields. */
  readonly info: { readonly title: string; readonly version: string };
}

/** A server of the adapter under test, listening on loopback. */
export interface SuiteServer {
  /** Its base URL, without a trailing slash. */
  readonly url: string;
  /** Stops it. */
  close(): Promise<void>;
}

/** Starts the adapter's server for an application. */
export type StartServer = (app: SuiteApp) => Promise<SuiteServer>;

/** A secret that must never reach a client. */
export const SECRET = 'database password is hunter2';

/** The global policy. */
export const GLOBAL_POLICY = {
  name: 'global',
  algorithm: 'fixed-window',
  limit: 1000,
  windowMs: 60_000,
} as const;

/** The policy of the `/burst` route. */
export const BURST_POLICY = {
  name: 'burst',
  algorithm: 'fixed-window',
  limit: 3,
  windowMs: 60_000,
} as const;

function suiteRoute<S extends RequestSchemas>(
  route: Route<S>,
  handler: (parsed: ParsedRequest<S>) => unknown,
  rateLimit?: false | HttpRateLimitOptions,
): SuiteRoute {
  return { route, handler, ...(rateLimit === undefined ? {} : { rateLimit }) };
}

/** Makes the suite's application; fresh limiters, health and metrics for every server. */
export function suiteApp(): SuiteApp {
  const api = createRouteRegistry();
  const ok = { 200: { description: 'OK' } };
  const routes = [
    suiteRoute(api.route({ method: 'get', path: '/hello', responses: ok }), () => ({
      hello: 'world',
    })),
    suiteRoute(
      api.route({
        method: 'get',
        path: '/items/:id',
        request: { params: z.object({ id: z.string().regex(/^\d{1,9}$/) }) },
        responses: ok,
      }),
      ({ params }) => ({ id: params.id }),
    ),
    suiteRoute(
      api.route({
        method: 'post',
        path: '/echo',
        request: {
          body: z.object({ name: z.string().max(50), tags: z.array(z.string()).optional() }),
        },
        responses: ok,
      }),
      ({ body }) => ({ received: body }),
    ),
    suiteRoute(api.route({ method: 'get', path: '/boom', responses: ok }), () => {
      throw new Error(SECRET);
    }),
    suiteRoute(api.route({ method: 'get', path: '/throw-string', responses: ok }), () => {
      // Thrown non-errors happen in real code; the stack must still answer a problem.
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      throw SECRET;
    }),
    suiteRoute(api.route({ method: 'get', path: '/missing', responses: ok }), () => {
      throw new NotFoundError('No widget 7', { details: { widgetId: 7 } });
    }),
    suiteRoute(api.route({ method: 'get', path: '/burst', responses: ok }), () => ({ ok: true }), {
      name: 'burst',
      policies: BURST_POLICY,
    }),
    suiteRoute(
      api.route({ method: 'get', path: '/free', responses: ok }),
      () => ({ free: true }),
      false,
    ),
  ];
  return {
    registry: api,
    routes,
    rateLimit: { name: 'global', policies: GLOBAL_POLICY },
    maxBodyBytes: 1024,
    health: createHealth(),
    metrics: createMetrics({ defaultMetrics: false }),
    info: { title: 'Adapter suite', version: '1.0.0' },
  };
}
