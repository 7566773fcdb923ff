/**
 * The stable machine codes of ARM's built-in errors, each with the HTTP status it answers
 * with by default. Codes never change once published; clients may switch on them.
 */
export const ERROR_CODES = {
  /** The request is malformed or cannot be processed as sent. */
  BAD_REQUEST: 400,
  /** Fields of the request failed validation (400, or 422 when asked). */
  VALIDATION_FAILED: 400,
  /** The caller is not authenticated. */
  UNAUTHORIZED: 401,
  /** The caller may not do this. */
  FORBIDDEN: 403,
  /** The request failed cross-site request forgery protection. */
  CSRF_INVALID: 403,
  /** The resource does not exist. */
  NOT_FOUND: 404,
  /** The resource does not support the method. */
  METHOD_NOT_ALLOWED: 405,
  /** The request conflicts with the current state. */
  CONFLICT: 409,
  /** The request body is too large. */
  PAYLOAD_TOO_LARGE: 413,
  /** The request body has a content type the endpoint does not accept. */
  UNSUPPORTED_MEDIA_TYPE: 415,
  /** The caller sent too many requests. */
  RATE_LIMITED: 429,
  /** The operation was cancelled, typically because the client went away. */
  ABORTED: 499,
  /** An unexpected failure inside the service. */
  INTERNAL: 500,
  /** A database operation failed. */
  DATABASE: 500,
  /** The service is misconfigured; thrown at start-up. */
  CONFIGURATION: 500,
  /** A dependency failed or answered nonsense. */
  EXTERNAL_SERVICE: 502,
  /** The service cannot take the request now. */
  SERVICE_UNAVAILABLE: 503,
  /** A circuit breaker refuses calls to a failing dependency. */
  CIRCUIT_OPEN: 503,
  /** An operation or a dependency took too long. */
  TIMEOUT: 504,
} as const;

/** A code of one of ARM's built-in errors. */
export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * Reason phrases (RFC 9110) of the error statuses services commonly send, used as problem
 * titles. Another status gets the phrase of its class (400 or 500).
 */
const STATUS_TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  499: 'Client Closed Request',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/**
 * The reason phrase for an HTTP error status.
 *
 * @param status - An HTTP status from 400 to 599.
 * @returns The RFC 9110 reason phrase, or that of the status class when it has none of its own.
 * @example
 * ```ts
 * statusTitle(404); // 'Not Found'
 * ```
 */
export function statusTitle(status: number): string {
  return STATUS_TITLES[status] ?? STATUS_TITLES[status < 500 ? 400 : 500] ?? '';
}

/**
 * Tells whether a value is an HTTP error status: an integer from 400 to 599.
 *
 * @param value - Anything.
 * @returns `true` for 400 to 599.
 * @example
 * ```ts
 * isErrorStatus(503); // true
 * isErrorStatus(302); // false
 * ```
 */
export function isErrorStatus(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 400 && (value as number) <= 599;
}
