/**
 * `@arm/fastify/validate`: every request body goes through `@arm/validate`'s JSON reader
 * (415 for non-JSON, 413 over the limit, 400 for bad or prototype-poisoning JSON), routes
 * declared in a route registry parse their requests with their zod schemas, and the same
 * registry is served as an OpenAPI 3.1 document and a docs page.
 */
import {
  createJsonBodyReader,
  createOpenApiDocument,
  renderDocsPage,
  toRouterPath,
} from '@arm/validate';
import type {
  JsonLimits,
  OpenApiDocument,
  OpenApiOptions,
  ParsedRequest,
  RequestSchemas,
  Route,
  RouteRegistry,
} from '@arm/validate';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';

/** Options of {@link armValidate}. */
export interface ArmValidateOptions {
  /**
   * Limits of JSON bodies.
   * @defaultValue `@arm/validate`'s (`DEFAULT_JSON_LIMITS`: 1 MiB, depth 32, 10 000 keys)
   */
  readonly json?: JsonLimits;
  /** Serve this registry's OpenAPI document and docs page. */
  readonly openapi?: OpenApiOptions & {
    /** The service's routes. */
    readonly registry: RouteRegistry;
    /**
     * Where the document answers.
     * @defaultValue `'/openapi.json'`
     */
    readonly path?: string;
    /**
     * Where the docs page answers; `false` serves none.
     * @defaultValue `'/docs'`
     */
    readonly docsPath?: string | false;
  };
}

const plugin: FastifyPluginAsync<ArmValidateOptions> = (app, options) => {
  const read = createJsonBodyReader(options.json);
  // One parser for every media type, so every body meets the same checks and the same errors.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (request, payload, done) => {
    read({
      body: payload,
      contentType: request.headers['content-type'],
      contentLength: request.headers['content-length'],
      transferEncoding: request.headers['transfer-encoding'],
    }).then(
      (body) => {
        done(null, body);
      },
      (error: unknown) => {
        done(error as Error, undefined);
      },
    );
  });
  const { openapi } = options;
  if (openapi) {
    const { registry, path = '/openapi.json', docsPath = '/docs', ...documentOptions } = openapi;
    let document: OpenApiDocument | undefined;
    const current = () => (document ??= createOpenApiDocument(registry, documentOptions));
    app.get(path, { config: { rateLimit: false } }, () => current());
    if (docsPath !== false) {
      app.get(docsPath, { config: { rateLimit: false } }, (request, reply) => {
        const nonce = (request as { cspNonce?: string }).cspNonce;
        return reply
          .type('text/html; charset=utf-8')
          .send(renderDocsPage(current(), { specUrl: path, ...(nonce ? { nonce } : {}) }));
      });
    }
  }
  return Promise.resolve();
};

/**
 * The validation plugin: safe JSON bodies and the API docs.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { createRouteRegistry } from '@arm/validate';
 * import { armValidate, routeOf } from '@arm/fastify/validate';
 *
 * const api = createRouteRegistry();
 * const app = Fastify();
 * await app.register(armValidate, {
 *   json: { maxBytes: 64 * 1024 },
 *   openapi: { registry: api, info: { title: 'Users', version: '1.0.0' } },
 * });
 * ```
 */
export const armValidate = fp(plugin, { name: '@arm/fastify/validate', fastify: '5.x' });

/** A handler of a registry route: the typed request parts, then Fastify's own arguments. */
export type ValidatedHandler<S extends RequestSchemas> = (
  parsed: ParsedRequest<S>,
  request: FastifyRequest,
  reply: FastifyReply,
) => unknown;

/**
 * A Fastify route for a registry route: its method and path, and a handler that gets the
 * request parsed by the route's schemas (a 400 `ValidationError` listing every failing field
 * otherwise).
 *
 * @param route - A route from `registry.route(...)`.
 * @param handler - The handler of the parsed request.
 * @returns Route options for `app.route()`.
 * @example
 * ```ts
 * const createUser = api.route({
 *   method: 'post',
 *   path: '/users',
 *   request: { body: z.object({ email: z.email() }) },
 *   responses: { 201: { description: 'Created' } },
 * });
 * app.route(routeOf(createUser, ({ body }) => ({ email: body.email })));
 * ```
 */
export function routeOf<S extends RequestSchemas>(
  route: Route<S>,
  handler: ValidatedHandler<S>,
): RouteOptions {
  return {
    method: route.method.toUpperCase(),
    url: toRouterPath(route.path),
    handler: (request, reply) =>
      handler(
        route.parse({
          body: request.body,
          query: request.query as Record<string, unknown>,
          params: request.params as Record<string, unknown>,
          headers: request.headers,
        }),
        request,
        reply,
      ),
  };
}
