import {
  AbortedError,
  BadRequestError,
  CircuitOpenError,
  ExternalServiceError,
  InternalError,
  NotFoundError,
  RateLimitError,
  ServiceUnavailableError,
  TimeoutError,
} from '@arm/errors';
import { describe, expect, it } from 'vitest';
import { isCircuitFailure, isRetryableError, parseRetryAfter, retryAfterMs } from './classify';

function networkError(code: string): Error {
  return Object.assign(new Error(`connect ${code}`), { code });
}

describe('isRetryableError', () => {
  it.each([
    ['a 429', new RateLimitError(), true],
    ['a 408 from an HTTP library', Object.assign(new Error('slow'), { status: 408 }), true],
    ['a 503', new ServiceUnavailableError(), true],
    ['a timeout', new TimeoutError(), true],
    ['an open circuit', new CircuitOpenError(), true],
    ['ECONNRESET', networkError('ECONNRESET'), true],
    [
      'a failed fetch',
      new TypeError('fetch failed', { cause: networkError('ECONNREFUSED') }),
      true,
    ],
    ['a 404', new NotFoundError(), false],
    ['a 400 even when marked retryable', new BadRequestError('x', { retryable: true }), false],
    ['a plain Error', new Error('bug'), false],
    ['a TypeError from a bug', new TypeError('x is not a function'), false],
    ['a non-retryable 500', new InternalError(), false],
    ['ENOTFOUND', networkError('ENOTFOUND'), false],
    ['a string', 'oops', false],
  ])('%s -> %s', (_, error, expected) => {
    expect(isRetryableError(error)).toBe(expected);
  });
});

describe('isCircuitFailure', () => {
  it('counts 5xx, network errors and unknown errors', () => {
    expect(isCircuitFailure(new ExternalServiceError())).toBe(true);
    expect(isCircuitFailure(networkError('ECONNRESET'))).toBe(true);
    expect(isCircuitFailure(new Error('boom'))).toBe(true);
  });

  it('does not count client errors, rate limits or cancellations', () => {
    expect(isCircuitFailure(new NotFoundError())).toBe(false);
    expect(isCircuitFailure(new RateLimitError())).toBe(false);
    expect(isCircuitFailure(new AbortedError())).toBe(false);
    expect(isCircuitFailure(new DOMException('aborted', 'AbortError'))).toBe(false);
  });
});

describe('retryAfterMs', () => {
  const now = Date.UTC(2026, 0, 1, 12, 0, 0);

  it('reads an AppError: details first, then its Retry-After header', () => {
    expect(retryAfterMs(new RateLimitError('x', { details: { retryAfterMs: 1_500 } }), now)).toBe(
      1_500,
    );
    expect(retryAfterMs(new RateLimitError('x', { retryAfterMs: 2_200 }), now)).toBe(3_000);
    expect(retryAfterMs(new ServiceUnavailableError(), now)).toBeUndefined();
  });

  it('reads plain header records, Headers objects and response.headers', () => {
    expect(retryAfterMs({ headers: { 'Retry-After': '2' } }, now)).toBe(2_000);
    expect(retryAfterMs({ headers: { 'retry-after': 3 } }, now)).toBe(3_000);
    expect(retryAfterMs({ headers: new Headers({ 'retry-after': '4' }) }, now)).toBe(4_000);
    expect(retryAfterMs({ response: { headers: new Headers({ 'Retry-After': '5' }) } }, now)).toBe(
      5_000,
    );
    expect(retryAfterMs({ headers: new Headers() }, now)).toBeUndefined();
    expect(retryAfterMs({ headers: { 'retry-after': ['1'] } }, now)).toBeUndefined();
    expect(retryAfterMs({ headers: 'nope' }, now)).toBeUndefined();
    expect(retryAfterMs('nope', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });

  it('ignores a negative details.retryAfterMs', () => {
    expect(retryAfterMs(new RateLimitError('x', { details: { retryAfterMs: -1 } }), now)).toBe(
      undefined,
    );
  });
});

describe('parseRetryAfter', () => {
  const now = Date.UTC(2026, 0, 1, 12, 0, 0);

  it('parses delay-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('1.5', now)).toBe(1_500);
  });

  it('parses HTTP dates relative to now, past dates as 0', () => {
    expect(parseRetryAfter(new Date(now + 30_000).toUTCString(), now)).toBe(30_000);
    expect(parseRetryAfter(new Date(now - 30_000).toUTCString(), now)).toBe(0);
  });

  it('caps at one day and rejects garbage and oversized input', () => {
    expect(parseRetryAfter('9999999999', now)).toBe(86_400_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter('1'.repeat(80) + ' GMT', now)).toBeUndefined();
  });
});
