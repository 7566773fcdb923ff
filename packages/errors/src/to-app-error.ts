/**
 * `toAppError` turns anything a service may catch into an AppError: schema validation errors,
 * aborts and timeouts, errors from HTTP error libraries, network and PostgreSQL failures,
 * strings and other thrown values. The original always stays reachable as `cause`.
 */
import { isAppError } from './app-error';
import type { AppError, ErrorHeaders } from './app-error';
import { isErrorStatus } from './codes';
import {
  AbortedError,
  ConflictError,
  DatabaseError,
  ExternalServiceError,
  InternalError,
  TimeoutError,
  ValidationError,
  codeForStatus,
  rebuildError,
} from './errors';
import type { ValidationIssue } from './errors';

/** Node and undici codes of network failures; a timeout among them is a TimeoutError. */
const NETWORK_CODE = /^(E(CONN|PIPE|HOSTUNREACH|NETUNREACH|AI_AGAIN|NOTFOUND)|UND_ERR_)/;

type Loose = Record<string, unknown>;

/**
 * Turns any thrown value into an AppError, keeping the original as `cause`.
 *
 * @remarks
 * - An AppError (from any copy of this package) is returned as is.
 * - Errors with schema `issues` (zod, valibot, any Standard Schema library) become a
 *   {@link ValidationError} with one issue per field and JSON Pointer paths.
 * - `AbortError` becomes an {@link AbortedError}; `TimeoutError` a {@link TimeoutError}.
 * - Errors carrying an HTTP `status`/`statusCode` (http-errors) or Boom's
 *   `output.statusCode` keep that status, their headers and their `expose` flag.
 * - Network failures (`ECONNREFUSED`, undici socket errors, also as the `cause` of a failed
 *   `fetch`) become a retryable {@link ExternalServiceError} or {@link TimeoutError}.
 * - PostgreSQL errors become a {@link DatabaseError} (retryable for deadlocks and
 *   serialization failures), a {@link ConflictError} for unique violations, and a
 *   {@link TimeoutError} for cancelled statements.
 * - Anything else becomes an {@link InternalError}: never exposed, the original in `cause`.
 *
 * @param value - Anything caught.
 * @returns An AppError; never throws.
 * @example
 * ```ts
 * try { await handler(); } catch (caught) {
 *   const error = toAppError(caught);
 *   logger.error({ err: serializeError(error) }, error.message);
 * }
 * ```
 */
export function toAppError(value: unknown): AppError {
  if (isAppError(value)) return value;
  if (typeof value !== 'object' || value === null) {
    const message = typeof value === 'string' ? value : `Non-error value thrown: ${String(value)}`;
    return new InternalError(message, { cause: value });
  }
  const error = value as Loose;
  const message = typeof error.message === 'string' ? error.message : undefined;
  const cause = { cause: value };

  const issues = schemaIssues(error.issues);
  if (issues) return new ValidationError(undefined, { ...cause, issues });
  if (error.name === 'AbortError') return new AbortedError(message, cause);
  if (error.name === 'TimeoutError') return new TimeoutError(message, cause);

  // http-errors carries `status`/`statusCode`, `headers` and `expose`; Boom an `output`.
  const output = (error.isBoom === true ? error.output : error) as Loose;
  const status = output.statusCode ?? error.status;
  if (isErrorStatus(status)) {
    const { headers } = output;
    return rebuildError(codeForStatus(status), status, message, {
      ...cause,
      headers:
        typeof headers === 'object' && headers !== null ? (headers as ErrorHeaders) : undefined,
      expose: typeof error.expose === 'boolean' ? error.expose : status < 500,
    });
  }

  const code = String(error.code ?? (error.cause as Loose | undefined)?.code);
  if (/TIMEDOUT|TIMEOUT/.test(code)) return new TimeoutError(message, cause);
  if (NETWORK_CODE.test(code)) {
    return new ExternalServiceError(message, { ...cause, retryable: code !== 'ENOTFOUND' });
  }
  // PostgreSQL (pg, postgres.js): a SQLSTATE code beside a severity.
  if (typeof error.severity === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
    if (code === '23505') return new ConflictError('The resource already exists', cause);
    if (code === '57014') return new TimeoutError(message, cause);
    return new DatabaseError(message, { ...cause, retryable: /^40(001|P01)$/.test(code) });
  }
  return new InternalError(message, cause);
}

/**
 * A JSON Pointer (RFC 6901) in URI fragment form for a path of keys.
 *
 * @param path - Keys from the root, for example `['body', 'items', 0, 'sku']`.
 * @returns The pointer, for example `#/body/items/0/sku`.
 * @example
 * ```ts
 * toJsonPointer(['a/b', 'c~d']); // '#/a~1b/c~0d'
 * ```
 */
export function toJsonPointer(path: readonly PropertyKey[]): string {
  const tokens = path.map((key) =>
    encodeURIComponent(String(key).replace(/~/g, '~0').replace(/\//g, '~1')),
  );
  return `#${tokens.map((token) => `/${token}`).join('')}`;
}

/** Issues in the shape zod, valibot and Standard Schema share: `{ message, path? }`. */
function schemaIssues(value: unknown): ValidationIssue[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const issues: ValidationIssue[] = [];
  for (const issue of value as unknown[]) {
    const { message, path = [] } = (issue ?? {}) as Loose;
    if (typeof message !== 'string' || !Array.isArray(path)) return undefined;
    const keys = path.map((segment: unknown) =>
      typeof segment === 'object' && segment !== null ? (segment as Loose).key : segment,
    );
    issues.push({ detail: message, pointer: toJsonPointer(keys as PropertyKey[]) });
  }
  return issues;
}
