/**
 * ARM's built-in errors: one class per case a service meets, each with a fixed code and the
 * status `ERROR_CODES` gives it. They are AppError subclasses made by one small factory, so
 * they stay cheap in bundles; `instanceof` and `isAppError` hold across package copies.
 */
import { AppError, nameClass } from './app-error';
import type { ErrorDetails, ErrorHeaders, ErrorOptions } from './app-error';
import { ERROR_CODES } from './codes';
import type { ErrorCode } from './codes';

/**
 * A built-in error class. Its instances are `AppError<C, D>`; construct it like `Error`, with
 * options: `new NotFoundError(message?, options?)`.
 *
 * @typeParam C - The code of every error of the class.
 * @typeParam O - Options of its own, beside {@link ErrorOptions}.
 */
export interface BuiltInErrorClass<C extends ErrorCode, O extends object = object> {
  /**
   * @param message - What went wrong; defaults to the HTTP reason phrase.
   * @param options - Details, cause, headers, `retryAfterMs` and the class's own options.
   */
  new <D extends ErrorDetails = ErrorDetails>(
    message?: string,
    options?: ErrorOptions<D> & O,
  ): AppError<C, D>;
  /** The code every error of this class has. */
  readonly code: C;
}

/** Everything the built-in constructors accept, given to each; each reads what it knows. */
export interface RebuildOptions extends ErrorOptions {
  readonly issues?: readonly ValidationIssue[] | undefined;
  readonly status?: number | undefined;
}

type Rebuildable = new (message?: string, options?: RebuildOptions) => AppError;

/** Every built-in class by its code, filled in as the classes are made. */
const BUILT_INS: Record<string, Rebuildable> = {};

/** How a built-in class differs from a plain AppError with its code and status. */
interface BuiltInSpec<O> {
  /** The class name, when it is not the code in PascalCase plus `Error`. */
  readonly name?: string;
  readonly retryable?: boolean;
  readonly expose?: boolean;
  /** Headers the class's own options produce. */
  readonly headers?: (options: O) => ErrorHeaders | undefined;
}

function builtIn<C extends ErrorCode, O extends object = object>(
  code: C,
  { name, headers, ...defaults }: BuiltInSpec<O> = {},
): BuiltInErrorClass<C, O> {
  class BuiltInError extends AppError {
    static override readonly code = code;
    constructor(message?: string, options: ErrorOptions & O = {} as O) {
      super(message, {
        ...defaults,
        ...options,
        code,
        status: ERROR_CODES[code],
        headers: { ...headers?.(options), ...options.headers },
      });
    }
  }
  BUILT_INS[code] = BuiltInError as Rebuildable;
  return nameClass(BuiltInError, code, name) as never;
}

/**
 * The request is malformed or cannot be processed as sent. HTTP 400, code `BAD_REQUEST`.
 *
 * @example
 * ```ts
 * throw new BadRequestError('The cursor is not valid');
 * ```
 */
export const BadRequestError = builtIn('BAD_REQUEST');
/** An error of {@link BadRequestError}, as a type. */
export type BadRequestError<D extends ErrorDetails = ErrorDetails> = AppError<'BAD_REQUEST', D>;

/**
 * The caller is known but may not do this. HTTP 403, code `FORBIDDEN`.
 *
 * @example
 * ```ts
 * throw new ForbiddenError('Only owners can delete a project');
 * ```
 */
export const ForbiddenError = builtIn('FORBIDDEN');
/** An error of {@link ForbiddenError}, as a type. */
export type ForbiddenError<D extends ErrorDetails = ErrorDetails> = AppError<'FORBIDDEN', D>;

/**
 * The resource does not exist, or the caller may not know that it does. HTTP 404, code `NOT_FOUND`.
 *
 * @example
 * ```ts
 * throw new NotFoundError(`Project ${id} not found`, { details: { projectId: id } });
 * ```
 */
export const NotFoundError = builtIn('NOT_FOUND');
/** An error of {@link NotFoundError}, as a type. */
export type NotFoundError<D extends ErrorDetails = ErrorDetails> = AppError<'NOT_FOUND', D>;

/**
 * The request conflicts with the current state: a duplicate, a stale version. HTTP 409, code `CONFLICT`.
 *
 * @example
 * ```ts
 * throw new ConflictError('The email is already registered');
 * ```
 */
export const ConflictError = builtIn('CONFLICT');
/** An error of {@link ConflictError}, as a type. */
export type ConflictError<D extends ErrorDetails = ErrorDetails> = AppError<'CONFLICT', D>;

/**
 * The request body is larger than the server accepts. HTTP 413, code `PAYLOAD_TOO_LARGE`.
 *
 * @example
 * ```ts
 * throw new PayloadTooLargeError('The body is over 1 MiB', { details: { limitBytes: 1_048_576 } });
 * ```
 */
export const PayloadTooLargeError = builtIn('PAYLOAD_TOO_LARGE');
/** An error of {@link PayloadTooLargeError}, as a type. */
export type PayloadTooLargeError<D extends ErrorDetails = ErrorDetails> = AppError<
  'PAYLOAD_TOO_LARGE',
  D
>;

/**
 * The request body has a content type the endpoint does not accept. HTTP 415, code `UNSUPPORTED_MEDIA_TYPE`.
 *
 * @example
 * ```ts
 * throw new UnsupportedMediaTypeError('Send application/json');
 * ```
 */
export const UnsupportedMediaTypeError = builtIn('UNSUPPORTED_MEDIA_TYPE');
/** An error of {@link UnsupportedMediaTypeError}, as a type. */
export type UnsupportedMediaTypeError<D extends ErrorDetails = ErrorDetails> = AppError<
  'UNSUPPORTED_MEDIA_TYPE',
  D
>;

/**
 * The operation was cancelled, typically because the client went away (499, Client Closed Request). HTTP 499, code `ABORTED`.
 *
 * @example
 * ```ts
 * signal.addEventListener('abort', () => reject(new AbortedError()));
 * ```
 */
export const AbortedError = builtIn('ABORTED');
/** An error of {@link AbortedError}, as a type. */
export type AbortedError<D extends ErrorDetails = ErrorDetails> = AppError<'ABORTED', D>;

/**
 * The request failed cross-site request forgery protection. HTTP 403, code `CSRF_INVALID`.
 *
 * @example
 * ```ts
 * throw new CsrfError('The CSRF token is missing');
 * ```
 */
export const CsrfError = builtIn('CSRF_INVALID', { name: 'CsrfError' });
/** An error of {@link CsrfError}, as a type. */
export type CsrfError<D extends ErrorDetails = ErrorDetails> = AppError<'CSRF_INVALID', D>;

/**
 * An unexpected failure inside the service. Its message never reaches clients in production. HTTP 500, code `INTERNAL`.
 *
 * @example
 * ```ts
 * throw new InternalError('Invariant broken: cart without owner', { cause });
 * ```
 */
export const InternalError = builtIn('INTERNAL');
/** An error of {@link InternalError}, as a type. */
export type InternalError<D extends ErrorDetails = ErrorDetails> = AppError<'INTERNAL', D>;

/**
 * A database operation failed. Pass `retryable: true` for transient failures such as deadlocks and serialization conflicts. HTTP 500, code `DATABASE`.
 *
 * @example
 * ```ts
 * throw new DatabaseError('Insert into orders failed', { cause, retryable: true });
 * ```
 */
export const DatabaseError = builtIn('DATABASE');
/** An error of {@link DatabaseError}, as a type. */
export type DatabaseError<D extends ErrorDetails = ErrorDetails> = AppError<'DATABASE', D>;

/**
 * The service is misconfigured: thrown at start-up with a message that says what to change. Never exposed to clients, in production or not. HTTP 500, code `CONFIGURATION`.
 *
 * @example
 * ```ts
 * throw new ConfigurationError('[@arm/cache] option "ttl" must be a positive number of milliseconds, got -5');
 * ```
 */
export const ConfigurationError = builtIn('CONFIGURATION', { expose: false });
/** An error of {@link ConfigurationError}, as a type. */
export type ConfigurationError<D extends ErrorDetails = ErrorDetails> = AppError<
  'CONFIGURATION',
  D
>;

/**
 * A dependency (an upstream API, a network peer) failed or answered nonsense. Retryable by default. HTTP 502, code `EXTERNAL_SERVICE`.
 *
 * @example
 * ```ts
 * throw new ExternalServiceError('The payments API answered 500', { cause, details: { service: 'payments' } });
 * ```
 */
export const ExternalServiceError = builtIn('EXTERNAL_SERVICE', {
  retryable: true,
});
/** An error of {@link ExternalServiceError}, as a type. */
export type ExternalServiceError<D extends ErrorDetails = ErrorDetails> = AppError<
  'EXTERNAL_SERVICE',
  D
>;

/**
 * An operation or a dependency took longer than allowed. Retryable by default. HTTP 504, code `TIMEOUT`.
 *
 * @example
 * ```ts
 * throw new TimeoutError('The payments API did not answer in 2 s', { details: { timeoutMs: 2000 } });
 * ```
 */
export const TimeoutError = builtIn('TIMEOUT', { retryable: true });
/** An error of {@link TimeoutError}, as a type. */
export type TimeoutError<D extends ErrorDetails = ErrorDetails> = AppError<'TIMEOUT', D>;

/**
 * The caller sent too many requests. Retryable; pass `retryAfterMs` to send `Retry-After`. HTTP 429, code `RATE_LIMITED`.
 *
 * @example
 * ```ts
 * throw new RateLimitError('Too many login attempts', { retryAfterMs: 30_000 });
 * ```
 */
export const RateLimitError = builtIn('RATE_LIMITED', { name: 'RateLimitError', retryable: true });
/** An error of {@link RateLimitError}, as a type. */
export type RateLimitError<D extends ErrorDetails = ErrorDetails> = AppError<'RATE_LIMITED', D>;

/**
 * The service cannot take the request now: overload, maintenance, shutting down. Retryable; pass `retryAfterMs` to send `Retry-After`. HTTP 503, code `SERVICE_UNAVAILABLE`.
 *
 * @example
 * ```ts
 * throw new ServiceUnavailableError('Shutting down', { retryAfterMs: 5_000 });
 * ```
 */
export const ServiceUnavailableError = builtIn('SERVICE_UNAVAILABLE', {
  retryable: true,
});
/** An error of {@link ServiceUnavailableError}, as a type. */
export type ServiceUnavailableError<D extends ErrorDetails = ErrorDetails> = AppError<
  'SERVICE_UNAVAILABLE',
  D
>;

/**
 * A circuit breaker is open and refuses calls to a failing dependency until its next trial. Retryable; `retryAfterMs` is the time until that trial. HTTP 503, code `CIRCUIT_OPEN`.
 *
 * @example
 * ```ts
 * throw new CircuitOpenError('The payments circuit is open', { retryAfterMs: 10_000 });
 * ```
 */
export const CircuitOpenError = builtIn('CIRCUIT_OPEN', { retryable: true });
/** An error of {@link CircuitOpenError}, as a type. */
export type CircuitOpenError<D extends ErrorDetails = ErrorDetails> = AppError<'CIRCUIT_OPEN', D>;

/** Options of {@link UnauthorizedError}. */
export interface UnauthorizedErrorOptions {
  /**
   * The `WWW-Authenticate` challenge HTTP requires on a 401.
   * @defaultValue `'Bearer'`
   */
  readonly challenge?: string;
}

/**
 * The caller is not authenticated: no credentials, or bad ones. HTTP 401, code
 * `UNAUTHORIZED`, with the `WWW-Authenticate` header HTTP requires.
 *
 * @example
 * ```ts
 * throw new UnauthorizedError('The API key is not valid', { challenge: 'ApiKey realm="api"' });
 * ```
 */
export const UnauthorizedError = builtIn<'UNAUTHORIZED', UnauthorizedErrorOptions>('UNAUTHORIZED', {
  headers: (options) => ({ 'www-authenticate': options.challenge ?? 'Bearer' }),
});
/** An error of {@link UnauthorizedError}, as a type. */
export type UnauthorizedError<D extends ErrorDetails = ErrorDetails> = AppError<'UNAUTHORIZED', D>;

/** Options of {@link MethodNotAllowedError}. */
export interface MethodNotAllowedErrorOptions {
  /** The methods the resource supports, sent as the `Allow` header. */
  readonly allow?: readonly string[];
}

/**
 * The resource exists, but not for this method. HTTP 405, code `METHOD_NOT_ALLOWED`, with the
 * `Allow` header listing the methods it supports.
 *
 * @example
 * ```ts
 * throw new MethodNotAllowedError(undefined, { allow: ['GET', 'HEAD'] });
 * ```
 */
export const MethodNotAllowedError = builtIn<'METHOD_NOT_ALLOWED', MethodNotAllowedErrorOptions>(
  'METHOD_NOT_ALLOWED',
  { headers: (options) => (options.allow ? { allow: options.allow.join(', ') } : undefined) },
);
/** An error of {@link MethodNotAllowedError}, as a type. */
export type MethodNotAllowedError<D extends ErrorDetails = ErrorDetails> = AppError<
  'METHOD_NOT_ALLOWED',
  D
>;

/** Options of a {@link ValidationError}. */
export interface ValidationErrorOptions<
  D extends ErrorDetails = ErrorDetails,
> extends ErrorOptions<D> {
  /** One entry per failing field. */
  readonly issues?: readonly ValidationIssue[];
  /**
   * 400 (Bad Request) or 422 (Unprocessable Content).
   * @defaultValue `400`
   */
  readonly status?: 400 | 422;
}

/** One failing field of a {@link ValidationError}, as RFC 9457 shows it. */
export interface ValidationIssue {
  /** What is wrong with the field, safe to show to the caller. Never echoes the input. */
  readonly detail: string;
  /** A JSON Pointer (RFC 6901) in URI fragment form to the field, for example `#/body/email`. */
  readonly pointer: string;
}

/**
 * The request failed validation; `issues` lists every failing field. HTTP 400 (or 422), code
 * `VALIDATION_FAILED`; problem responses carry the issues as `errors: [{ detail, pointer }]`.
 *
 * @example
 * ```ts
 * throw new ValidationError('The sign-up form has errors', {
 *   issues: [{ pointer: '#/body/email', detail: 'Must be an email address' }],
 * });
 * ```
 */
export class ValidationError<D extends ErrorDetails = ErrorDetails> extends AppError<
  'VALIDATION_FAILED',
  D
> {
  /** The code every ValidationError has. */
  static override readonly code = 'VALIDATION_FAILED';
  /** Every failing field. */
  declare readonly issues: readonly ValidationIssue[];

  /**
   * @param message - A summary; defaults to one that counts the failing fields.
   * @param options - The issues, the status and the rest.
   */
  constructor(message?: string, options: ValidationErrorOptions<D> = {}) {
    const issues = options.issues ?? [];
    super(message ?? `${issues.length} field(s) failed validation`, {
      ...options,
      code: 'VALIDATION_FAILED',
      status: options.status ?? 400,
    });
    this.issues = issues;
  }
}
nameClass(ValidationError, 'VALIDATION_FAILED', 'ValidationError');
BUILT_INS.VALIDATION_FAILED = ValidationError as Rebuildable;

/** The first built-in code that answers with `status`, if any. */
export function codeForStatus(status: number): string {
  const code = (Object.keys(ERROR_CODES) as ErrorCode[]).find((c) => ERROR_CODES[c] === status);
  return code ?? (status < 500 ? 'BAD_REQUEST' : 'INTERNAL');
}

/**
 * An error with this code and status, so that errors from other libraries (`toAppError`) or
 * from over the wire (`fromProblem`) get their proper class: the built-in class when the pair
 * is one of ours (a validation error may be 400 or 422), a plain AppError otherwise.
 */
export function rebuildError(
  code: string,
  status: number,
  message: string | undefined,
  options: RebuildOptions,
): AppError {
  const Class = Object.hasOwn(BUILT_INS, code) ? BUILT_INS[code] : undefined;
  if (Class && (ERROR_CODES[code as ErrorCode] === status || code === 'VALIDATION_FAILED')) {
    return new Class(message, { ...options, status });
  }
  return new AppError(message, { ...options, code, status });
}
