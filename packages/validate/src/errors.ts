/**
 * The error codes `@arm/validate` adds to `@arm/errors`' built-ins. Oversized bodies are the
 * built-in `PayloadTooLargeError` (413) and failing fields the built-in `ValidationError`
 * (400); these three name what a JSON document did wrong, so clients and metrics can tell a
 * syntax error from an attack.
 */
import { defineError } from '@arm/errors';
import type { AppError } from '@arm/errors';

/**
 * The body is not JSON: a syntax error, or bytes that are not UTF-8. HTTP 400, code
 * `INVALID_JSON`. The message never quotes the body.
 *
 * @example
 * ```ts
 * try {
 *   parseJson('{"a":');
 * } catch (error) {
 *   InvalidJsonError.is(error); // true
 * }
 * ```
 */
export const InvalidJsonError = /* @__PURE__ */ defineError({
  code: 'INVALID_JSON',
  status: 400,
  title: 'Invalid JSON',
  message: (details: {
    /** `syntax`: not JSON; `encoding`: not UTF-8. */
    reason: 'syntax' | 'encoding';
  }) =>
    details.reason === 'encoding' ? 'The body is not valid UTF-8' : 'The body is not valid JSON',
});

/** An error of {@link InvalidJsonError}, as a type. */
export type InvalidJsonError = AppError<
  'INVALID_JSON',
  {
    /** `syntax`: not JSON; `encoding`: not UTF-8. */
    reason: 'syntax' | 'encoding';
  }
>;

/**
 * The JSON document is nested too deeply, or has too many keys or too long a string. HTTP 400,
 * code `JSON_LIMIT_EXCEEDED`; `details` names the limit and its value.
 *
 * @example
 * ```ts
 * parseJson('[[[[1]]]]', { maxDepth: 2 }); // throws JsonLimitError { limit: 'depth', max: 2 }
 * ```
 */
export const JsonLimitError = /* @__PURE__ */ defineError({
  code: 'JSON_LIMIT_EXCEEDED',
  status: 400,
  title: 'JSON document over a limit',
  message: (details: {
    /** Which limit: nesting depth or key count. */
    limit: 'depth' | 'keys';
    /** The limit's value. */
    max: number;
  }) => `The JSON document is over its ${details.limit} limit of ${details.max}`,
});

/** An error of {@link JsonLimitError}, as a type. */
export type JsonLimitError = AppError<
  'JSON_LIMIT_EXCEEDED',
  {
    /** Which limit: nesting depth or key count. */
    limit: 'depth' | 'keys';
    /** The limit's value. */
    max: number;
  }
>;

/**
 * The JSON document has a key that could change an object's prototype (`__proto__`, or
 * `constructor` holding a `prototype`). HTTP 400, code `FORBIDDEN_JSON_KEY`; `details.pointer`
 * says where.
 *
 * @example
 * ```ts
 * parseJson('{"__proto__":{"isAdmin":true}}'); // throws ForbiddenJsonKeyError
 * ```
 */
export const ForbiddenJsonKeyError = /* @__PURE__ */ defineError({
  code: 'FORBIDDEN_JSON_KEY',
  status: 400,
  title: 'Forbidden JSON key',
  message: (details: {
    /** The kind of key. */
    key: '__proto__' | 'constructor.prototype';
    /** Where it is, as a JSON Pointer. */
    pointer: string;
  }) => `The key "${details.key}" is not allowed (at ${details.pointer})`,
});

/** An error of {@link ForbiddenJsonKeyError}, as a type. */
export type ForbiddenJsonKeyError = AppError<
  'FORBIDDEN_JSON_KEY',
  {
    /** The kind of key. */
    key: '__proto__' | 'constructor.prototype';
    /** Where it is, as a JSON Pointer. */
    pointer: string;
  }
>;

/**
 * The codes this package adds, with their statuses. Request validation failures are
 * `VALIDATION_FAILED` (400) and oversized bodies `PAYLOAD_TOO_LARGE` (413), from `@arm/errors`.
 *
 * @example
 * ```ts
 * VALIDATE_ERROR_CODES.INVALID_JSON; // 400
 * ```
 */
export const VALIDATE_ERROR_CODES = {
  /** {@link InvalidJsonError}. */
  INVALID_JSON: 400,
  /** {@link JsonLimitError}. */
  JSON_LIMIT_EXCEEDED: 400,
  /** {@link ForbiddenJsonKeyError}. */
  FORBIDDEN_JSON_KEY: 400,
} as const;
