/**
 * RFC 9457 problem details: how an AppError reaches a client. In production an error that is
 * not exposed shows only its status, a generic title and detail, and its code: never its
 * message, details, stack or cause.
 */
import type { AppError, ErrorHeaders } from './app-error';
import { statusTitle } from './codes';
import type { ValidationIssue } from './errors';
import { toAppError } from './to-app-error';

/** The media type of problem responses. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The detail a masked error shows in production. */
const MASKED_DETAIL = 'The server could not complete the request.';

/** Members RFC 9457 defines, plus ARM's own: details never overwrite them. */
export const RESERVED_MEMBERS = new Set([
  'type',
  'title',
  'status',
  'detail',
  'instance',
  'code',
  'errors',
]);

/**
 * Extension names start with a letter and have at least three characters of letters, digits
 * and `_` (RFC 9457 §3.2), or `-`, which registered problem types use (`violated-policies`).
 */
const EXTENSION_NAME = /^[A-Za-z][A-Za-z0-9_-]{2,}$/;

/** An RFC 9457 problem details object, as ARM sends it. */
export interface ProblemDetails {
  /** A URI identifying the kind of problem; `about:blank` when it is just the HTTP status. */
  readonly type: string;
  /** A short summary of the kind of problem. */
  readonly title: string;
  /** The HTTP status of this response. */
  readonly status: number;
  /** What happened in this occurrence. */
  readonly detail?: string;
  /** A URI reference for this occurrence, typically the request id. */
  readonly instance?: string;
  /** The stable machine code. */
  readonly code: string;
  /** The failing fields of a validation error. */
  readonly errors?: readonly ValidationIssue[];
  /** Extension members: the error's details, when it is exposed. */
  readonly [extension: string]: unknown;
}

/** Options of {@link toProblem} and {@link toHttpResponse}. */
export interface ProblemOptions {
  /**
   * Mask errors that are not exposed. Pass `false` only in development, where seeing the
   * message of a 500 helps and no stranger reads it.
   * @defaultValue `true`
   */
  readonly production?: boolean;
  /** This occurrence, as a URI reference: a request id (`urn:uuid:…`) or a path. */
  readonly instance?: string;
  /**
   * Base URL for problem types: an error without its own `type` gets
   * `typeBaseUrl + code in kebab-case`. Without it such errors use `about:blank`.
   * @example `'https://docs.example.com/errors/'`
   */
  readonly typeBaseUrl?: string;
}

/** A framework-neutral HTTP response: adapters copy it onto the framework's response. */
export interface HttpErrorResponse {
  /** The HTTP status. */
  readonly status: number;
  /** Headers to send, with lower-case names, including `content-type`. */
  readonly headers: ErrorHeaders;
  /** The problem details to send as JSON. */
  readonly body: ProblemDetails;
}

/**
 * Renders an error as RFC 9457 problem details.
 *
 * @param error - Anything caught; it goes through {@link toAppError} first.
 * @param options - Production masking, the occurrence URI and the type base URL.
 * @returns The problem details object.
 * @example
 * ```ts
 * toProblem(new NotFoundError('No project 42', { details: { projectId: 42 } }), {
 *   instance: 'urn:uuid:5f0c…',
 * });
 * // { type: 'about:blank', title: 'Not Found', status: 404, detail: 'No project 42',
 * //   instance: 'urn:uuid:5f0c…', code: 'NOT_FOUND', projectId: 42 }
 * ```
 */
export function toProblem(error: unknown, options: ProblemOptions = {}): ProblemDetails {
  const appError = toAppError(error);
  const { status, code } = appError;
  const masked = !appError.expose && (options.production !== false || code === 'CONFIGURATION');
  const type = masked ? undefined : problemType(appError, options.typeBaseUrl);
  const problem: Record<string, unknown> = {
    type: type ?? 'about:blank',
    title: type ? appError.title : statusTitle(status),
    status,
    detail: masked ? MASKED_DETAIL : appError.message,
  };
  if (options.instance !== undefined) problem.instance = options.instance;
  problem.code = code;
  if (masked) return problem as ProblemDetails;

  for (const [name, value] of Object.entries(appError.details ?? {})) {
    if (EXTENSION_NAME.test(name) && !RESERVED_MEMBERS.has(name)) problem[name] = value;
  }
  const { issues } = appError as { issues?: readonly ValidationIssue[] };
  if (issues) problem.errors = issues.map(({ detail, pointer }) => ({ detail, pointer }));
  return problem as ProblemDetails;
}

/**
 * Renders an error as a complete HTTP response: status, headers and problem body.
 *
 * @param error - Anything caught; it goes through {@link toAppError} first.
 * @param options - As for {@link toProblem}.
 * @returns `{ status, headers, body }`, the headers holding the error's own (`retry-after`,
 * `www-authenticate`, `allow`) and `content-type: application/problem+json`.
 * @example
 * ```ts
 * const { status, headers, body } = toHttpResponse(caught, { production: true });
 * res.writeHead(status, headers).end(JSON.stringify(body));
 * ```
 */
export function toHttpResponse(error: unknown, options: ProblemOptions = {}): HttpErrorResponse {
  const appError = toAppError(error);
  return {
    status: appError.status,
    headers: { ...appError.headers, 'content-type': PROBLEM_CONTENT_TYPE },
    body: toProblem(appError, options),
  };
}

function problemType(error: AppError, typeBaseUrl: string | undefined): string | undefined {
  if (error.type !== undefined) return error.type;
  if (typeBaseUrl === undefined) return undefined;
  return `${typeBaseUrl}${error.code.toLowerCase().replace(/_/g, '-')}`;
}
