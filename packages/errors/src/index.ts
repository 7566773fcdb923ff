/**
 * `@arm/errors`: typed application errors that become RFC 9457 problem responses.
 *
 * @packageDocumentation
 */
export { AppError, isAppError } from './app-error';
export type { AppErrorOptions, ErrorDetails, ErrorHeaders, ErrorOptions } from './app-error';
export { ERROR_CODES, isErrorStatus, statusTitle } from './codes';
export type { ErrorCode } from './codes';
export {
  AbortedError,
  BadRequestError,
  CircuitOpenError,
  ConfigurationError,
  ConflictError,
  CsrfError,
  DatabaseError,
  ExternalServiceError,
  ForbiddenError,
  InternalError,
  MethodNotAllowedError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitError,
  ServiceUnavailableError,
  TimeoutError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
} from './errors';
export type {
  BuiltInErrorClass,
  MethodNotAllowedErrorOptions,
  UnauthorizedErrorOptions,
  ValidationErrorOptions,
  ValidationIssue,
} from './errors';
export { defineError } from './define-error';
export type {
  DefinedErrorArgs,
  DefinedErrorClass,
  DefinedErrorOptions,
  ErrorDefinition,
} from './define-error';
export { toAppError, toJsonPointer } from './to-app-error';
export { PROBLEM_CONTENT_TYPE, toHttpResponse, toProblem } from './problem';
export type { HttpErrorResponse, ProblemDetails, ProblemOptions } from './problem';
export { fromProblem } from './from-problem';
export type { CatalogEntry, FromProblemOptions } from './from-problem';
export { requestId, requestInstance } from './request-id';
export { serializeError } from './serialize-error';
export type { SerializedError, SerializeErrorOptions } from './serialize-error';
