/**
 * One route registry for runtime parsing and documentation: each route's zod schemas parse its
 * requests (`route.parse`) and describe it in an OpenAPI 3.1 document
 * (`createOpenApiDocument`), so the two cannot drift apart. Schemas become JSON Schema
 * through zod 4's own `z.toJSONSchema` (draft 2020-12, the dialect of OpenAPI 3.1): request
 * parts as zod reads them (`io: 'input'`), responses as they are sent (`io: 'output'`).
 */
import * as z from 'zod';
import { optionError } from './_option-error';
import { createRequestParser, strictify } from './parse-request';
import type {
  ParseRequestOptions,
  ParsedRequest,
  RequestInput,
  RequestSchemas,
  Schema,
} from './parse-request';

/** HTTP methods a route may have, as OpenAPI spells them. */
export type HttpMethod = 'get' | 'put' | 'post' | 'delete' | 'options' | 'head' | 'patch';

/** A JSON Schema object, as the document carries it. */
export type JsonSchema = Record<string, unknown>;

/** One response of a route. */
export interface ResponseSpec {
  /** What the response means; OpenAPI requires it. */
  readonly description: string;
  /**
   * The body schema, rendered as it is sent (`io: 'output'`).
   * @defaultValue no body
   */
  readonly body?: Schema;
  /**
   * The body's media type.
   * @defaultValue `'application/json'`
   */
  readonly contentType?: string;
}

/** A route's declaration: how to parse its requests and how to document it. */
export interface RouteSpec<S extends RequestSchemas = RequestSchemas> {
  /** The method, in either case. */
  readonly method: HttpMethod | Uppercase<HttpMethod>;
  /** The path, Express/Fastify style (`/users/:id`) or OpenAPI style (`/users/{id}`). */
  readonly path: string;
  /**
   * The request schemas: body, query, params, headers.
   * @defaultValue `{}` (nothing parsed)
   */
  readonly request?: S;
  /** The responses by status (`200`, `'4XX'`, `'default'`). */
  readonly responses: Readonly<Record<string | number, ResponseSpec>>;
  /**
   * The unique operation id.
   * @defaultValue none
   */
  readonly operationId?: string;
  /**
   * A one-line summary.
   * @defaultValue none
   */
  readonly summary?: string;
  /**
   * A longer description (CommonMark).
   * @defaultValue none
   */
  readonly description?: string;
  /**
   * Tags for grouping.
   * @defaultValue none
   */
  readonly tags?: readonly string[];
  /**
   * Whether the operation is deprecated.
   * @defaultValue `false`
   */
  readonly deprecated?: boolean;
  /**
   * Security requirements, for example `[{ apiKey: [] }]`.
   * @defaultValue the document's
   */
  readonly security?: readonly Readonly<Record<string, readonly string[]>>[];
  /**
   * The request body's media type.
   * @defaultValue `'application/json'`
   */
  readonly bodyContentType?: string;
}

/** A registered route: its declaration plus a compiled request parser. */
export interface Route<S extends RequestSchemas = RequestSchemas> {
  /** The method, lower case. */
  readonly method: HttpMethod;
  /** The path as declared; adapters mount it as is (after `toRouterPath` if needed). */
  readonly path: string;
  /** The path in OpenAPI form, `/users/{id}`. */
  readonly openApiPath: string;
  /** The path parameter names, in order. */
  readonly pathParams: readonly string[];
  /** The declaration. */
  readonly spec: RouteSpec<S>;
  /** The request schemas as they parse: objects made strict unless `unknownKeys: 'strip'`. */
  readonly schemas: RequestSchemas;
  /**
   * Parses a request to this route with the registry's options.
   * @param input - The raw request parts.
   * @returns The typed parts.
   * @throws `ValidationError` listing every failing field.
   */
  parse(input: RequestInput): ParsedRequest<S>;
}

/** The routes of a service, for adapters to mount and for {@link createOpenApiDocument}. */
export interface RouteRegistry {
  /**
   * Declares a route.
   * @param spec - The route; see {@link RouteSpec}.
   * @returns The route, with its parser.
   * @throws `ConfigurationError` for a duplicate method and path, a bad method, or path
   * parameters that the params schema does not match.
   */
  route<const S extends RequestSchemas>(spec: RouteSpec<S>): Route<S>;
  /** Every route, in declaration order. */
  readonly routes: readonly Route[];
}

/** Options of {@link createRouteRegistry}. */
export interface RouteRegistryOptions {
  /**
   * Options every route's parser gets; see {@link ParseRequestOptions}. The route label
   * (`POST /users`) is filled in.
   * @defaultValue `{}`
   */
  readonly parse?: ParseRequestOptions;
}

/** The `info` object of an OpenAPI document. */
export interface OpenApiInfo {
  /** The API's name. */
  readonly title: string;
  /** The API's version (not OpenAPI's). */
  readonly version: string;
  /** A description (CommonMark). */
  readonly description?: string;
}

/** One entry of an OpenAPI document's `servers`. */
export interface OpenApiServer {
  /** The base URL. */
  readonly url: string;
  /** What the server is. */
  readonly description?: string;
}

/** The `components` of an OpenAPI document this package writes. */
export interface OpenApiComponents {
  /** Named schemas: every `.meta({ id })` schema, and `Problem`. */
  readonly schemas: Record<string, JsonSchema>;
  /** Security schemes, when given. */
  readonly securitySchemes?: Readonly<Record<string, JsonSchema>>;
}

/** Document-level fields of {@link createOpenApiDocument}. */
export interface OpenApiOptions {
  /** The API's title, version and description. */
  readonly info: OpenApiInfo;
  /**
   * Server URLs.
   * @defaultValue none
   */
  readonly servers?: readonly OpenApiServer[];
  /**
   * Security schemes, by name, as OpenAPI writes them.
   * @defaultValue none
   */
  readonly securitySchemes?: Readonly<Record<string, JsonSchema>>;
  /**
   * The default security requirements.
   * @defaultValue none
   */
  readonly security?: readonly Readonly<Record<string, readonly string[]>>[];
  /**
   * Add a `400` problem+json response (RFC 9457, with `errors: [{ detail, pointer }]`) to
   * every route that parses anything and does not declare a 400 of its own.
   * @defaultValue `true`
   */
  readonly problemResponses?: boolean;
}

/** An OpenAPI 3.1 document. */
export interface OpenApiDocument {
  /** Always `3.1.1`. */
  readonly openapi: '3.1.1';
  /** Title, version, description. */
  readonly info: OpenApiOptions['info'];
  /** Servers, when given. */
  readonly servers?: OpenApiOptions['servers'];
  /** Operations by path and method. */
  readonly paths: Record<string, Record<string, JsonSchema>>;
  /** Shared schemas (from `.meta({ id })`) and security schemes. */
  readonly components: OpenApiComponents;
  /** The default security requirements, when given. */
  readonly security?: OpenApiOptions['security'];
}

const METHODS: readonly HttpMethod[] = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'];
const COLON_PARAM = /:([A-Za-z_][A-Za-z0-9_]*)/g;
const BRACE_PARAM = /\{([^{}/]+)\}/g;

/**
 * Converts a router path to its OpenAPI form: `/users/:id` becomes `/users/{id}`.
 *
 * @param path - An Express/Fastify or OpenAPI path.
 * @returns The OpenAPI path.
 * @example
 * ```ts
 * toOpenApiPath('/users/:id/posts/:postId'); // '/users/{id}/posts/{postId}'
 * ```
 */
export function toOpenApiPath(path: string): string {
  return path.replace(COLON_PARAM, '{$1}');
}

/**
 * Converts an OpenAPI path to the form Express and Fastify route: `/users/{id}` becomes
 * `/users/:id`.
 *
 * @param path - An OpenAPI or router path.
 * @returns The router path.
 * @example
 * ```ts
 * toRouterPath('/users/{id}'); // '/users/:id'
 * ```
 */
export function toRouterPath(path: string): string {
  return path.replace(BRACE_PARAM, ':$1');
}

/**
 * Makes a route registry: declare each route once, parse its requests with `route.parse`, and
 * document all of them with {@link createOpenApiDocument}.
 *
 * @param options - Parser options for every route.
 * @returns The registry.
 * @throws `ConfigurationError` for bad parser options (when the first route is declared).
 * @example
 * ```ts
 * const api = createRouteRegistry();
 * const getUser = api.route({
 *   method: 'get',
 *   path: '/users/:id',
 *   request: { params: z.object({ id: z.uuid() }) },
 *   responses: { 200: { description: 'The user', body: User } },
 * });
 * const { params } = getUser.parse({ params: { id: '0b7d0b5e-1d8e-4c43-9d3a-8f6f3c1e2a10' } });
 * ```
 */
export function createRouteRegistry(options: RouteRegistryOptions = {}): RouteRegistry {
  const routes: Route[] = [];
  const seen = new Set<string>();
  return {
    routes,
    route<const S extends RequestSchemas>(spec: RouteSpec<S>): Route<S> {
      const method = spec.method.toLowerCase() as HttpMethod;
      if (!METHODS.includes(method))
        optionError('method', `one of ${METHODS.join(', ')}`, spec.method);
      if (typeof spec.path !== 'string' || !spec.path.startsWith('/')) {
        optionError('path', 'a string starting with "/"', spec.path);
      }
      const openApiPath = toOpenApiPath(spec.path);
      const key = `${method} ${openApiPath.replace(BRACE_PARAM, '{}')}`;
      if (seen.has(key)) optionError('path', 'unique per method', `${method} ${spec.path}`);
      seen.add(key);
      const pathParams = [...openApiPath.matchAll(BRACE_PARAM)].map((match) => match[1] as string);
      const request = spec.request ?? ({} as S);
      checkParams(request.params, pathParams, spec.path);
      const label = `${method.toUpperCase()} ${spec.path}`;
      const parser = createRequestParser(request, { ...options.parse, route: label });
      const strict = options.parse?.unknownKeys !== 'strip';
      const schemas: { -readonly [K in keyof RequestSchemas]: Schema } = {};
      for (const part of ['body', 'query', 'params', 'headers'] as const) {
        const schema = request[part];
        if (schema) schemas[part] = strict && part !== 'headers' ? strictify(schema) : schema;
      }
      const route: Route<S> = {
        method,
        path: spec.path,
        openApiPath,
        pathParams,
        spec,
        schemas,
        parse: parser,
      };
      routes.push(route);
      return route;
    },
  };
}

function checkParams(params: Schema | undefined, names: readonly string[], path: string): void {
  if (!params) return;
  const shape = shapeOf(params);
  if (!shape)
    optionError('request.params', 'an object schema', (params._zod.def as { type: string }).type);
  const declared = Object.keys(shape).sort().join(',');
  if (declared !== [...names].sort().join(',')) {
    optionError(
      `request.params of ${path}`,
      `an object with exactly the keys [${names.join(', ')}]`,
      Object.keys(shape),
    );
  }
}

/** The shape of an object schema, under optional and similar wrappers. */
function shapeOf(schema: Schema): Record<string, Schema> | undefined {
  let current = schema;
  for (let i = 0; i < 16; i++) {
    const def = current._zod.def as {
      type: string;
      innerType?: Schema;
      in?: Schema;
      shape?: Record<string, Schema>;
    };
    if (def.type === 'object') return def.shape;
    const next = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
    if (!next) return undefined;
    current = next;
  }
  return undefined;
}

/** Converts schemas to JSON Schema, moving named sub-schemas into `components.schemas`. */
class SchemaConverter {
  readonly components: Record<string, JsonSchema> = {};

  convert(schema: Schema, io: 'input' | 'output'): JsonSchema {
    const json = z.toJSONSchema(schema, {
      io,
      unrepresentable: 'any',
      target: 'draft-2020-12',
    }) as JsonSchema;
    delete json.$schema;
    const defs = (json.$defs ?? {}) as Record<string, JsonSchema>;
    delete json.$defs;
    const names = new Map<string, string>();
    for (const [id, def] of Object.entries(defs)) {
      let name = id.replace(/[^A-Za-z0-9._-]/g, '_');
      const text = JSON.stringify(def);
      if (this.components[name] !== undefined && JSON.stringify(this.components[name]) !== text) {
        const base = `${name}${io === 'input' ? 'Input' : 'Output'}`;
        name = base;
        for (
          let n = 2;
          this.components[name] !== undefined && JSON.stringify(this.components[name]) !== text;
          n++
        ) {
          name = `${base}${n}`;
        }
      }
      names.set(id, name);
      this.components[name] = def;
    }
    // A schema that refers to itself gets `$ref: '#'`, which in OpenAPI would mean the whole
    // document: such a root moves into components under a name of its own.
    let root: string | undefined;
    const rewrite = (node: unknown): void => {
      if (typeof node !== 'object' || node === null) return;
      if (Array.isArray(node)) {
        node.forEach(rewrite);
        return;
      }
      const record = node as JsonSchema;
      const ref = record.$ref;
      if (ref === '#') {
        root ??= this.freshName();
        record.$ref = `#/components/schemas/${root}`;
      } else if (typeof ref === 'string' && ref.startsWith('#/$defs/')) {
        const id = ref.slice('#/$defs/'.length);
        record.$ref = `#/components/schemas/${names.get(id) ?? id}`;
      }
      Object.values(record).forEach(rewrite);
    };
    rewrite(json);
    for (const id of names.values()) rewrite(this.components[id]);
    if (root === undefined) return json;
    this.components[root] = json;
    return { $ref: `#/components/schemas/${root}` };
  }

  private freshName(): string {
    let n = 1;
    while (this.components[`Schema${n}`] !== undefined) n++;
    this.components[`Schema${n}`] = {};
    return `Schema${n}`;
  }
}

const PROBLEM_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'RFC 9457 problem details, as @arm/errors renders them.',
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    code: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: { detail: { type: 'string' }, pointer: { type: 'string' } },
        required: ['detail', 'pointer'],
      },
    },
  },
  required: ['type', 'title', 'status'],
};

/**
 * Builds an OpenAPI 3.1 document from a route registry: the same schemas that parse requests.
 *
 * @remarks
 * Parameters come from the params, query and headers object schemas (one per key; `required`
 * unless optional or defaulted; `.meta({ description })` becomes the parameter's
 * description). The body and responses are JSON Schema from `z.toJSONSchema`; schemas with
 * `.meta({ id })` become `components.schemas` entries. Types JSON Schema cannot express
 * (dates, bigints, transforms' outputs) become `{}` rather than failing.
 * @param registry - The registry, or any list of routes.
 * @param options - Title, version, servers, security.
 * @returns The document, a plain JSON-serialisable object.
 * @throws `ConfigurationError` when two routes share an `operationId`.
 * @example
 * ```ts
 * const document = createOpenApiDocument(api, { info: { title: 'Users', version: '1.0.0' } });
 * JSON.stringify(document);
 * ```
 */
export function createOpenApiDocument(
  registry: RouteRegistry | readonly Route[],
  options: OpenApiOptions,
): OpenApiDocument {
  const routes = 'routes' in registry ? registry.routes : registry;
  const converter = new SchemaConverter();
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const operationIds = new Set<string>();
  let usesProblem = false;

  for (const route of routes) {
    const { spec } = route;
    const request = route.schemas;
    const operation: JsonSchema = {};
    if (spec.operationId !== undefined) {
      if (operationIds.has(spec.operationId))
        optionError('operationId', 'unique', spec.operationId);
      operationIds.add(spec.operationId);
      operation.operationId = spec.operationId;
    }
    if (spec.summary !== undefined) operation.summary = spec.summary;
    if (spec.description !== undefined) operation.description = spec.description;
    if (spec.tags !== undefined) operation.tags = [...spec.tags];
    if (spec.deprecated === true) operation.deprecated = true;
    if (spec.security !== undefined) operation.security = spec.security;

    const parameters: JsonSchema[] = [];
    const pathShape = request.params ? shapeOf(request.params) : undefined;
    for (const name of route.pathParams) {
      const field = pathShape?.[name];
      parameters.push(parameter(name, 'path', field, true, converter));
    }
    for (const [part, where] of [
      ['query', 'query'],
      ['headers', 'header'],
    ] as const) {
      const schema = request[part];
      if (!schema) continue;
      const shape = shapeOf(schema);
      if (!shape)
        optionError(`request.${part} of ${route.path}`, 'an object schema', schema._zod.def.type);
      for (const [name, field] of Object.entries(shape)) {
        parameters.push(parameter(name, where, field, field._zod.optin === undefined, converter));
      }
    }
    if (parameters.length > 0) operation.parameters = parameters;

    if (request.body) {
      operation.requestBody = {
        required: request.body._zod.optin === undefined,
        content: {
          [spec.bodyContentType ?? 'application/json']: {
            schema: converter.convert(request.body, 'input'),
          },
        },
      };
    }

    const responses: JsonSchema = {};
    for (const [status, response] of Object.entries(spec.responses)) {
      const entry: JsonSchema = { description: response.description };
      if (response.body) {
        entry.content = {
          [response.contentType ?? 'application/json']: {
            schema: converter.convert(response.body, 'output'),
          },
        };
      }
      responses[status] = entry;
    }
    const parsesSomething = Object.values(request).some((schema) => schema !== undefined);
    if (options.problemResponses !== false && parsesSomething && responses['400'] === undefined) {
      usesProblem = true;
      responses['400'] = {
        description: 'The request failed validation: every failing field is in `errors`.',
        content: {
          'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
        },
      };
    }
    operation.responses = responses;

    const item = (paths[route.openApiPath] ??= {});
    item[route.method] = operation;
  }

  const components: { -readonly [K in keyof OpenApiComponents]: OpenApiComponents[K] } = {
    schemas: converter.components,
  };
  if (usesProblem && components.schemas.Problem === undefined)
    components.schemas.Problem = PROBLEM_SCHEMA;
  if (options.securitySchemes) components.securitySchemes = options.securitySchemes;

  return {
    openapi: '3.1.1',
    info: options.info,
    ...(options.servers ? { servers: options.servers } : {}),
    paths,
    components,
    ...(options.security ? { security: options.security } : {}),
  };
}

function parameter(
  name: string,
  where: 'path' | 'query' | 'header',
  field: Schema | undefined,
  required: boolean,
  converter: SchemaConverter,
): JsonSchema {
  const schema = field ? converter.convert(field, 'input') : { type: 'string' };
  const result: JsonSchema = { name, in: where, required: where === 'path' || required, schema };
  if (typeof schema.description === 'string') result.description = schema.description;
  return result;
}
