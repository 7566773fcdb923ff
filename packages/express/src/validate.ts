/**
 * `@arm/express/validate`: every request body goes through `@arm/validate`'s JSON reader
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
import { Router } from 'express';
import type { Request, RequestHandler, Response } from 'express';

/** Options of {@link jsonBody}: the limits of JSON bodies. */
export type JsonBodyOptions = JsonLimits;

/**
 * Reads JSON bodies into `req.body` under limits; any other media type with a body is a 415.
 *
 * @param options - Size, depth and key limits, as `createJsonParser` takes them.
 * @returns Middleware; mount it after rate limiting, so refused requests are not read.
 * @throws `ConfigurationError` for bad limits, when called.
 * @example
 * ```ts
 * app.use(jsonBody({ maxBytes: 64 * 1024 }));
 * ```
 */
export function jsonBody(options: JsonBodyOptions = {}): RequestHandler {
  const read = createJsonBodyReader(options);
  return (req, _res, next) => {
    if (req.body !== undefined) {
      next();
      return;
    }
    read({
      body: req,
      contentType: req.headers['content-type'],
      contentLength: req.headers['content-length'],
      transferEncoding: req.headers['transfer-encoding'],
    }).then((body) => {
      req.body = body;
      next();
    }, next);
  };
}

/** A handler of a registry route: the typed request parts, then Express's own arguments. */
export type ValidatedHandler<S extends RequestSchemas> = (
  parsed: ParsedRequest<S>,
  req: Request,
  res: Response,
) => unknown;

/**
 * Mounts a registry route on an app or router: its method and path, and a handler that gets
 * the request parsed by the route's schemas (a 400 `ValidationError` listing every failing
 * field otherwise). A handler's return value, when not `undefined`, is sent as JSON.
 *
 * @param app - The app or router.
 * @param route - A route from `registry.route(...)`.
 * @param handler - The handler of the parsed request.
 * @param before - Middleware to run first, such as a route's own `rateLimit(...)`.
 * @example
 * ```ts
 * const createUser = api.route({
 *   method: 'post',
 *   path: '/users',
 *   request: { body: z.object({ email: z.email() }) },
 *   responses: { 201: { description: 'Created' } },
 * });
 * mountRoute(app, createUser, ({ body }) => ({ email: body.email }));
 * ```
 */
export function mountRoute<S extends RequestSchemas>(
  app: Router,
  route: Route<S>,
  handler: ValidatedHandler<S>,
  before: readonly RequestHandler[] = [],
): void {
  app[route.method](toRouterPath(route.path), ...before, async (req: Request, res: Response) => {
    const parsed = route.parse({
      body: req.body as unknown,
      query: req.query,
      params: req.params,
      headers: req.headers,
    });
    const result = await handler(parsed, req, res);
    if (result !== undefined && !res.headersSent) res.json(result);
  });
}

/** Options of {@link openApiRoutes}. */
export type OpenApiRoutesOptions = OpenApiOptions & {
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

/**
 * A router serving a registry's OpenAPI 3.1 document and its docs page.
 *
 * @param registry - The service's routes.
 * @param options - Title, version and the rest of the document; the paths.
 * @returns An Express router.
 * @example
 * ```ts
 * app.use(openApiRoutes(api, { info: { title: 'Users', version: '1.0.0' } }));
 * ```
 */
export function openApiRoutes(registry: RouteRegistry, options: OpenApiRoutesOptions): Router {
  const { path = '/openapi.json', docsPath = '/docs', ...documentOptions } = options;
  let document: OpenApiDocument | undefined;
  const current = () => (document ??= createOpenApiDocument(registry, documentOptions));
  const router = Router();
  router.get(path, (_req, res) => {
    res.json(current());
  });
  if (docsPath !== false) {
    router.get(docsPath, (_req, res) => {
      const nonce = res.locals.cspNonce as string | undefined;
      res
        .type('text/html; charset=utf-8')
        .send(renderDocsPage(current(), { specUrl: path, ...(nonce ? { nonce } : {}) }));
    });
  }
  return router;
}
