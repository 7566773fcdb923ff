/**
 * One error taxonomy for retries and breakers, built on `@arm/errors`: anything thrown is
 * first turned into an AppError with `toAppError` (network codes, HTTP statuses, aborts,
 * timeouts), then its status and `retryable` flag decide.
 */
import { isAppError, toAppError } from '@arm/errors';

type Loose = Record<string, unknown>;

/**
 * Tells whether retrying may help, by ARM's default rules.
 *
 * @remarks
 * - 429 (rate limited) and 408 (request timeout) are retried; every other 4xx never is.
 * - A 5xx AppError is retried when it says `retryable: true` (timeouts, 502/503, an open
 *   circuit, network failures turned into `ExternalServiceError`).
 * - Anything else is first turned into an AppError with `toAppError`: `ECONNRESET` or a failed
 *   `fetch` become retryable, a plain `Error` or a `TypeError` from a bug does not.
 *
 * @param error - Anything an attempt threw.
 * @returns `true` when another attempt may succeed.
 * @example
 * ```ts
 * isRetryableError(new RateLimitError()); // true
 * isRetryableError(new NotFoundError()); // false
 * ```
 */
export function isRetryableError(error: unknown): boolean {
  const appError = toAppError(error);
  const { status } = appError;
  if (status === 429 || status === 408) return true;
  if (status < 500) return false;
  return appError.retryable;
}

/**
 * Tells whether an error counts as a failure of the dependency for a circuit breaker.
 *
 * @remarks
 * Client errors (any 4xx once turned into an AppError, including 429 and the 499 of a call the
 * caller cancelled) say nothing about the dependency's health: they are neither failures nor
 * successes. Every other error is a failure.
 *
 * @param error - Anything the call threw.
 * @returns `true` when the error counts against the dependency.
 * @example
 * ```ts
 * isCircuitFailure(new ExternalServiceError()); // true
 * isCircuitFailure(new NotFoundError()); // false
 * ```
 */
export function isCircuitFailure(error: unknown): boolean {
  return toAppError(error).status >= 500;
}

/** The longest Retry-After taken into account (one day); longer asks are treated as one day. */
const MAX_RETRY_AFTER_MS = 86_400_000;

/**
 * Reads how long an error asks the caller to wait: `details.retryAfterMs` of an AppError, or a
 * `Retry-After` header (seconds or an HTTP date) on the error, its `headers` or its
 * `response.headers` (a `Headers` object or a plain record).
 *
 * @param error - Anything an attempt threw.
 * @param nowMs - The current time, to turn an HTTP date into a delay.
 * @returns The delay in milliseconds (at most one day), or `undefined` when the error asks none.
 * @example
 * ```ts
 * retryAfterMs(new RateLimitError('slow down', { retryAfterMs: 2_000 }), Date.now()); // 2000
 * ```
 */
export function retryAfterMs(error: unknown, nowMs: number): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const details = isAppError(error) ? error.details : undefined;
  const fromDetails = details?.retryAfterMs;
  if (typeof fromDetails === 'number' && fromDetails >= 0) {
    return Math.min(fromDetails, MAX_RETRY_AFTER_MS);
  }
  const loose = error as Loose;
  const header =
    headerValue(loose.headers) ?? headerValue((loose.response as Loose | undefined)?.headers);
  return header === undefined ? undefined : parseRetryAfter(header, nowMs);
}

/**
 * Parses a `Retry-After` value: delay-seconds or an HTTP date (RFC 9110 section 10.2.3).
 *
 * @param value - The header value.
 * @param nowMs - The current time, for HTTP dates.
 * @returns Milliseconds to wait (0 for a date in the past, at most one day), or `undefined`
 *   when the value is neither form.
 * @example
 * ```ts
 * parseRetryAfter('120', Date.now()); // 120000
 * ```
 */
export function parseRetryAfter(value: string, nowMs: number): number | undefined {
  const trimmed = value.trim();
  if (/^\d{1,10}(\.\d+)?$/.test(trimmed)) {
    return Math.min(Number(trimmed) * 1000, MAX_RETRY_AFTER_MS);
  }
  // Bounded before parsing (an HTTP date is 29 characters) and in the form RFC 9110 sends.
  if (trimmed.length > 64 || !/GMT$/i.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.min(Math.max(0, date - nowMs), MAX_RETRY_AFTER_MS);
}

function headerValue(headers: unknown): string | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  if (typeof (headers as Headers).get === 'function') {
    return (headers as Headers).get('retry-after') ?? undefined;
  }
  const record = headers as Loose;
  const value = record['retry-after'] ?? record['Retry-After'];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}
