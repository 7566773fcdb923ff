/**
 * `parseRequest`: one call that validates a whole HTTP request (body, query, params, headers)
 * against zod schemas and answers typed values or one `ValidationError` listing every failing
 * field by JSON Pointer. What makes it HTTP-aware: objects are strict unless a schema says
 * otherwise (mass assignment), repeated query keys become arrays only where the schema wants an
 * array (parameter pollution), query strings and bodies are bounded, and values are never
 * echoed back in messages.
 */
import { ValidationError, toJsonPointer } from '@arm/errors';
import type { ValidationIssue } from '@arm/errors';
import * as z from 'zod';
import { oneOf, optionError, positiveInteger } from './_option-error';
import { scanForInjection } from './injection';
import type { InjectionKind, InjectionFinding } from './injection';
import { DEFAULT_JSON_LIMITS, inspect } from './parse-json';

/** Any zod 4 schema, classic or mini. */
export type Schema = z.core.$ZodType;

/** The schemas of one route's request; each part is optional. */
export interface RequestSchemas {
  /** The parsed body (JSON or form), usually an object schema. */
  readonly body?: Schema;
  /** The query string as one object: keys to strings, or arrays for array-typed keys. */
  readonly query?: Schema;
  /** The path parameters (`/users/:id` gives `{ id }`). */
  readonly params?: Schema;
  /** The headers, keys in lower case; unknown headers are always allowed through. */
  readonly headers?: Schema;
}

/** The raw request parts an adapter passes, as the framework has them. */
export interface RequestInput {
  /** The body: parsed JSON (see `parseJson`), form fields, or `undefined`. */
  readonly body?: unknown;
  /**
   * The query: the raw string (with or without `?`), `URLSearchParams`, or an object of
   * strings and string arrays as a framework parsed it.
   */
  readonly query?: string | URLSearchParams | Readonly<Record<string, unknown>> | undefined;
  /** The path parameters from the router. */
  readonly params?: Readonly<Record<string, unknown>> | undefined;
  /** Web `Headers`, or Node's header object (arrays are joined with `, `). */
  readonly headers?:
    Headers | Readonly<Record<string, string | readonly string[] | number | undefined>> | undefined;
}

/** The typed output of {@link parseRequest}: each part the schemas name, parsed. */
export type ParsedRequest<S extends RequestSchemas> = {
  readonly [K in keyof RequestSchemas]-?: S[K] extends Schema ? z.output<S[K]> : undefined;
};

/** Where an injection signal was found, for logs and metrics. */
export interface InjectionSignalEvent extends InjectionFinding {
  /** The route, when the parser was made for one (`POST /users`). */
  readonly route?: string | undefined;
}

/** What {@link parseRequest} reports. Hooks run synchronously; one that throws is ignored. */
export interface ParseRequestHooks {
  /** A value looked like an injection attempt. Called once per finding. */
  onInjectionSignal(event: InjectionSignalEvent): void;
  /** The request failed validation; `issues` is what the client will see. */
  onValidationFailed(event: {
    readonly issues: readonly ValidationIssue[];
    readonly route?: string | undefined;
  }): void;
}

/** Options of {@link parseRequest} and {@link createRequestParser}. */
export interface ParseRequestOptions {
  /**
   * What object schemas of the body, query and params do with keys they do not declare:
   * `'reject'` turns `z.object` into `z.strictObject` (a 400 naming each unknown field);
   * `'strip'` keeps zod's behaviour of dropping them. A schema made with `z.looseObject` keeps
   * its keys either way; header schemas never reject unknown headers.
   * @defaultValue `'reject'`
   */
  readonly unknownKeys?: 'reject' | 'strip';
  /**
   * A query key sent more than once, where the schema does not want an array: `'reject'`
   * fails the field, `'first'` or `'last'` keeps one value.
   * @defaultValue `'reject'`
   */
  readonly repeatedQueryKeys?: 'reject' | 'first' | 'last';
  /**
   * The most distinct query keys.
   * @defaultValue `100`
   */
  readonly maxQueryKeys?: number;
  /**
   * The longest raw query string, in characters.
   * @defaultValue `8192`
   */
  readonly maxQueryLength?: number;
  /**
   * The deepest nesting of an object or array body; see `parseJson`.
   * @defaultValue `32`
   */
  readonly maxBodyDepth?: number;
  /**
   * The most object keys in a body, counted over every object in it.
   * @defaultValue `10_000`
   */
  readonly maxBodyKeys?: number;
  /**
   * The status of the `ValidationError`: 400 or 422.
   * @defaultValue `400`
   */
  readonly status?: 400 | 422;
  /**
   * The most issues one error lists (the message still counts them all).
   * @defaultValue `50`
   */
  readonly maxIssues?: number;
  /**
   * Injection detection over the body, query and params: `'signal'` reports findings through
   * `hooks.onInjectionSignal` and lets the request through (it runs only when that hook is
   * set); `'block'` also fails the field; `'off'` skips it. Detection is a signal: the
   * controls are parameterised queries, allowlist schemas and output encoding.
   * @defaultValue `'signal'`
   */
  readonly injection?: 'off' | 'signal' | 'block';
  /**
   * The kinds of injection to look for.
   * @defaultValue all: `['sql', 'nosql', 'shell', 'path-traversal']`
   */
  readonly injectionKinds?: readonly InjectionKind[];
  /**
   * A label for hook events, such as `POST /users`.
   * @defaultValue `undefined`
   */
  readonly route?: string;
  /**
   * Observers of findings and failures.
   * @defaultValue `{}`
   */
  readonly hooks?: Partial<ParseRequestHooks>;
}

/** A request parser with its schemas compiled once. */
export type RequestParser<S extends RequestSchemas> = (input: RequestInput) => ParsedRequest<S>;

const PARTS = ['body', 'query', 'params', 'headers'] as const;

interface Compiled {
  readonly body?: Schema | undefined;
  readonly query?: Schema | undefined;
  readonly params?: Schema | undefined;
  readonly headers?: Schema | undefined;
  /** Query keys whose schema is an array. */
  readonly arrayKeys: ReadonlySet<string>;
}

/**
 * Compiles request schemas and options once into a parser, the form adapters keep per route.
 *
 * @param schemas - The schemas of the request parts; see {@link RequestSchemas}.
 * @param options - Strictness, query handling, limits, injection detection and hooks.
 * @returns A function from the raw request parts to typed values.
 * @throws `ConfigurationError` for a bad option or a part that is not a zod schema.
 * @example
 * ```ts
 * const parseCreateUser = createRequestParser({
 *   body: z.object({ email: z.email() }),
 *   query: z.object({ dryRun: queryBoolean().default(false) }),
 * });
 * const { body, query } = parseCreateUser({ body: { email: 'ada@example.com' }, query: 'dryRun=false' });
 * ```
 */
export function createRequestParser<const S extends RequestSchemas>(
  schemas: S,
  options: ParseRequestOptions = {},
): RequestParser<S> {
  const strict = oneOf('unknownKeys', options.unknownKeys, ['reject', 'strip'], 'reject');
  const repeated = oneOf(
    'repeatedQueryKeys',
    options.repeatedQueryKeys,
    ['reject', 'first', 'last'],
    'reject',
  );
  const maxQueryKeys = positiveInteger('maxQueryKeys', options.maxQueryKeys, 100);
  const maxQueryLength = positiveInteger('maxQueryLength', options.maxQueryLength, 8192);
  const maxBodyDepth = positiveInteger(
    'maxBodyDepth',
    options.maxBodyDepth,
    DEFAULT_JSON_LIMITS.maxDepth,
  );
  const maxBodyKeys = positiveInteger(
    'maxBodyKeys',
    options.maxBodyKeys,
    DEFAULT_JSON_LIMITS.maxKeys,
  );
  const maxIssues = positiveInteger('maxIssues', options.maxIssues, 50);
  const givenStatus: unknown = options.status;
  if (givenStatus !== undefined && givenStatus !== 400 && givenStatus !== 422) {
    optionError('status', '400 or 422', givenStatus);
  }
  const status = options.status ?? 400;
  const injection = oneOf('injection', options.injection, ['off', 'signal', 'block'], 'signal');
  const kinds = options.injectionKinds;
  const hooks = options.hooks ?? {};
  const { route } = options;
  const detect = injection === 'block' || (injection === 'signal' && !!hooks.onInjectionSignal);

  const compiled = compile(schemas, strict === 'reject');

  return (input) => {
    const issues: ValidationIssue[] = [];
    const output: Record<string, unknown> = {};
    const values: Record<(typeof PARTS)[number], unknown> = {
      body: input.body,
      query: undefined,
      params: input.params,
      headers: undefined,
    };

    if (compiled.query || detect) {
      // Without a query schema the query is only read for detection: it cannot fail.
      values.query = normaliseQuery(input.query, compiled.arrayKeys, {
        repeated: compiled.query ? repeated : 'keep',
        maxQueryKeys,
        maxQueryLength,
        issues: compiled.query ? issues : [],
      });
    }
    if (compiled.headers) values.headers = normaliseHeaders(input.headers);
    if (compiled.body && typeof input.body === 'object' && input.body !== null) {
      try {
        inspect(input.body, maxBodyDepth, maxBodyKeys, true, false);
      } catch (error) {
        issues.push({ detail: (error as Error).message, pointer: '#/body' });
      }
    }

    if (detect) {
      for (const part of ['body', 'query', 'params'] as const) {
        for (const finding of scanForInjection(values[part], { kinds, path: [part] })) {
          safely(() => hooks.onInjectionSignal?.({ ...finding, route }));
          if (injection === 'block') {
            issues.push({
              detail: `Rejected: looks like ${finding.kind} injection`,
              pointer: finding.pointer,
            });
          }
        }
      }
    }

    // Fields already failed above are not reported twice; a part that failed whole is skipped.
    const failed = new Set(issues.map((issue) => issue.pointer));
    for (const part of PARTS) {
      const schema = compiled[part];
      if (!schema || failed.has(`#/${part}`)) continue;
      const result = z.safeParse(schema, values[part]);
      if (result.success) output[part] = result.data;
      else collectIssues(result.error.issues, part, issues, failed);
    }

    if (issues.length > 0) {
      const shown = issues.slice(0, maxIssues);
      safely(() => hooks.onValidationFailed?.({ issues: shown, route }));
      throw new ValidationError(`${issues.length} field(s) failed validation`, {
        issues: shown,
        status,
      });
    }
    return output as ParsedRequest<S>;
  };
}

const cache = new WeakMap<RequestSchemas, RequestParser<RequestSchemas>>();

/**
 * Validates a whole request against zod schemas: typed values, or one `ValidationError`
 * listing every failing field.
 *
 * @remarks
 * Each issue is `{ detail, pointer }`, the pointer a JSON Pointer into the request
 * (`#/body/email`, `#/query/page`, `#/headers/x-api-version`); `toHttpResponse` from
 * `@arm/errors` renders them as RFC 9457 `errors`. Details never include the value sent. Object
 * schemas are strict by default, so `{ "isAdmin": true }` sent to a schema without `isAdmin`
 * fails rather than slipping through. Without `options`, the compiled parser is cached per
 * `schemas` object; with options, prefer {@link createRequestParser} once per route.
 * @param schemas - The schemas of the request parts; see {@link RequestSchemas}.
 * @param input - The raw parts; see {@link RequestInput}.
 * @param options - See {@link ParseRequestOptions}.
 * @returns The parsed parts, typed from the schemas.
 * @throws `ValidationError` (400, or 422 with `status: 422`) listing every failing field;
 * `ConfigurationError` for bad options.
 * @example
 * ```ts
 * const schemas = {
 *   params: z.object({ id: z.uuid() }),
 *   body: z.object({ email: z.email(), name: z.string().max(100) }),
 * };
 * const { params, body } = parseRequest(schemas, { params: req.params, body: req.body });
 * ```
 */
export function parseRequest<const S extends RequestSchemas>(
  schemas: S,
  input: RequestInput,
  options?: ParseRequestOptions,
): ParsedRequest<S> {
  if (options !== undefined) return createRequestParser(schemas, options)(input);
  let parser = cache.get(schemas);
  if (!parser) {
    parser = createRequestParser(schemas);
    cache.set(schemas, parser);
  }
  return parser(input);
}

function safely(call: () => void): void {
  try {
    call();
  } catch {
    // A failing hook never breaks the request.
  }
}

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && '_zod' in value;
}

function compile(schemas: RequestSchemas, strict: boolean): Compiled {
  const given: unknown = schemas;
  if (typeof given !== 'object' || given === null) {
    optionError('schemas', 'an object of zod schemas', schemas);
  }
  const parts: Partial<Record<(typeof PARTS)[number], Schema>> = {};
  for (const part of PARTS) {
    const schema = schemas[part];
    if (schema === undefined) continue;
    if (!isSchema(schema)) optionError(`schemas.${part}`, 'a zod 4 schema', typeof schema);
    parts[part] = strict && part !== 'headers' ? strictify(schema) : schema;
  }
  return { ...parts, arrayKeys: arrayKeysOf(parts.query) };
}

/** `z.object` (zod's default, strip) becomes strict; loose and strict objects stay as they are. */
export function strictify(schema: Schema): Schema {
  const def = schema._zod.def as { type: string; catchall?: unknown };
  if (def.type !== 'object' || def.catchall !== undefined) return schema;
  const strict = (schema as { strict?: () => Schema }).strict;
  return typeof strict === 'function' ? strict.call(schema) : schema;
}

/** The schema under optional/default/nullable/readonly/catch/pipe wrappers. */
function unwrap(schema: Schema): Schema {
  let current = schema;
  for (let i = 0; i < 16; i++) {
    const def = current._zod.def as { type: string; innerType?: Schema; in?: Schema };
    const next = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
    if (!next) break;
    current = next;
  }
  return current;
}

function arrayKeysOf(query: Schema | undefined): ReadonlySet<string> {
  const keys = new Set<string>();
  if (!query) return keys;
  const def = unwrap(query)._zod.def as { type: string; shape?: Record<string, Schema> };
  if (def.type !== 'object' || !def.shape) return keys;
  for (const [key, field] of Object.entries(def.shape)) {
    const type = unwrap(field)._zod.def.type;
    if (type === 'array' || type === 'tuple' || type === 'set') keys.add(key);
  }
  return keys;
}

interface QueryContext {
  /** `keep`: every value, for detection when no schema reads the query. */
  readonly repeated: 'reject' | 'first' | 'last' | 'keep';
  readonly maxQueryKeys: number;
  readonly maxQueryLength: number;
  readonly issues: ValidationIssue[];
}

/**
 * The query as a null-prototype object (a `__proto__` key is a plain key here): one value per
 * key, an array for array-typed keys, repeated scalar keys rejected or resolved.
 */
function normaliseQuery(
  query: RequestInput['query'],
  arrayKeys: ReadonlySet<string>,
  context: QueryContext,
): Record<string, unknown> {
  const collected = new Map<string, unknown[]>();
  const add = (key: string, value: unknown): void => {
    const list = collected.get(key);
    if (list) list.push(value);
    else collected.set(key, [value]);
  };
  if (typeof query === 'string' || query instanceof URLSearchParams) {
    const raw = typeof query === 'string' ? query : query.toString();
    if (raw.length > context.maxQueryLength) {
      context.issues.push({
        detail: `The query string is over ${context.maxQueryLength} characters`,
        pointer: '#/query',
      });
      return Object.create(null) as Record<string, unknown>;
    }
    const params = typeof query === 'string' ? new URLSearchParams(query) : query;
    params.forEach((value, key) => {
      add(key, value);
    });
  } else if (query !== undefined) {
    for (const [key, value] of Object.entries(query)) {
      if (Array.isArray(value)) for (const item of value as unknown[]) add(key, item);
      else add(key, value);
    }
  }
  const result = Object.create(null) as Record<string, unknown>;
  if (collected.size > context.maxQueryKeys) {
    context.issues.push({
      detail: `Too many query parameters: at most ${context.maxQueryKeys}`,
      pointer: '#/query',
    });
    return result;
  }
  for (const [key, values] of collected) {
    if (arrayKeys.has(key) || (context.repeated === 'keep' && values.length > 1)) {
      result[key] = values;
    } else if (values.length === 1 || context.repeated === 'first') result[key] = values[0];
    else if (context.repeated === 'last') result[key] = values[values.length - 1];
    else {
      context.issues.push({
        detail: 'Repeated parameter: send it once',
        pointer: toJsonPointer(['query', key]),
      });
    }
  }
  return result;
}

function normaliseHeaders(headers: RequestInput['headers']): Record<string, string> {
  const result = Object.create(null) as Record<string, string>;
  if (headers === undefined) return result;
  if (typeof (headers as Headers).forEach === 'function' && !Array.isArray(headers)) {
    (headers as Headers).forEach((value, key) => {
      result[key] = value;
    });
    return result;
  }
  for (const [key, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    result[key.toLowerCase()] = Array.isArray(value)
      ? (value as readonly string[]).join(', ')
      : String(value as string | number);
  }
  return result;
}

function collectIssues(
  zodIssues: readonly z.core.$ZodIssue[],
  part: string,
  issues: ValidationIssue[],
  failed: ReadonlySet<string>,
): void {
  const add = (issue: ValidationIssue): void => {
    if (!failed.has(issue.pointer)) issues.push(issue);
  };
  for (const issue of zodIssues) {
    const path = [part, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      // zod's message quotes the keys; one issue per key, pointing at it, says the same.
      for (const key of issue.keys) {
        add({ detail: 'Unknown field', pointer: toJsonPointer([...path, key]) });
      }
    } else add({ detail: issue.message, pointer: toJsonPointer(path) });
  }
}
