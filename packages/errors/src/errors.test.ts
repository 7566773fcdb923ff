import { describe, expect, it } from 'vitest';
import { AppError, isAppError } from './app-error';
import { ERROR_CODES } from './codes';
import * as errors from './errors';

const builtIns = [
  [errors.BadRequestError, 'BAD_REQUEST', 'BadRequestError', false],
  [errors.UnauthorizedError, 'UNAUTHORIZED', 'UnauthorizedError', false],
  [errors.ForbiddenError, 'FORBIDDEN', 'ForbiddenError', false],
  [errors.CsrfError, 'CSRF_INVALID', 'CsrfError', false],
  [errors.NotFoundError, 'NOT_FOUND', 'NotFoundError', false],
  [errors.MethodNotAllowedError, 'METHOD_NOT_ALLOWED', 'MethodNotAllowedError', false],
  [errors.ConflictError, 'CONFLICT', 'ConflictError', false],
  [errors.PayloadTooLargeError, 'PAYLOAD_TOO_LARGE', 'PayloadTooLargeError', false],
  [errors.UnsupportedMediaTypeError, 'UNSUPPORTED_MEDIA_TYPE', 'UnsupportedMediaTypeError', false],
  [errors.RateLimitError, 'RATE_LIMITED', 'RateLimitError', true],
  [errors.AbortedError, 'ABORTED', 'AbortedError', false],
  [errors.InternalError, 'INTERNAL', 'InternalError', false],
  [errors.DatabaseError, 'DATABASE', 'DatabaseError', false],
  [errors.ConfigurationError, 'CONFIGURATION', 'ConfigurationError', false],
  [errors.ExternalServiceError, 'EXTERNAL_SERVICE', 'ExternalServiceError', true],
  [errors.ServiceUnavailableError, 'SERVICE_UNAVAILABLE', 'ServiceUnavailableError', true],
  [errors.CircuitOpenError, 'CIRCUIT_OPEN', 'CircuitOpenError', true],
  [errors.TimeoutError, 'TIMEOUT', 'TimeoutError', true],
  [errors.ValidationError, 'VALIDATION_FAILED', 'ValidationError', false],
] as const;

describe('built-in errors', () => {
  it('cover every code in ERROR_CODES exactly once', () => {
    expect(builtIns.map(([, code]) => code).sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });

  it.each(builtIns)(
    '%o has its code, status, name and retry default',
    (Class, code, name, retryable) => {
      const error = new Class('boom');
      expect(error.code).toBe(code);
      expect(Class.code).toBe(code);
      expect(error.status).toBe(ERROR_CODES[code]);
      expect(error.name).toBe(name);
      expect(Class.name).toBe(name);
      expect(error.retryable).toBe(retryable);
      expect(error.expose).toBe(code !== 'CONFIGURATION' && error.status < 500);
      expect(error.message).toBe('boom');
      expect(error).toBeInstanceOf(AppError);
      expect(error).toBeInstanceOf(Class);
      expect(isAppError(error)).toBe(true);
      expect(String(error.stack)).toContain(name);
    },
  );

  it('let an occurrence override the retry default', () => {
    expect(new errors.TimeoutError('x', { retryable: false }).retryable).toBe(false);
    expect(new errors.DatabaseError('deadlock', { retryable: true }).retryable).toBe(true);
  });

  it('never expose a configuration error', () => {
    expect(new errors.ConfigurationError('bad option').expose).toBe(false);
  });

  it('default the message to the reason phrase', () => {
    expect(new errors.NotFoundError().message).toBe('Not Found');
    expect(new errors.RateLimitError().message).toBe('Too Many Requests');
  });

  it('send WWW-Authenticate on 401, Bearer unless told otherwise', () => {
    expect(new errors.UnauthorizedError().headers).toEqual({ 'www-authenticate': 'Bearer' });
    expect(new errors.UnauthorizedError('x', { challenge: 'ApiKey realm="api"' }).headers).toEqual({
      'www-authenticate': 'ApiKey realm="api"',
    });
    expect(
      new errors.UnauthorizedError('x', { headers: { 'WWW-Authenticate': 'Basic' } }).headers,
    ).toEqual({ 'www-authenticate': 'Basic' });
  });

  it('send Allow on 405 when the methods are known', () => {
    expect(new errors.MethodNotAllowedError('x', { allow: ['GET', 'HEAD'] }).headers).toEqual({
      allow: 'GET, HEAD',
    });
    expect(new errors.MethodNotAllowedError().headers).toEqual({});
  });

  it('send Retry-After for rate limits, unavailability and open circuits', () => {
    expect(new errors.RateLimitError('x', { retryAfterMs: 30_000 }).headers).toEqual({
      'retry-after': '30',
    });
    expect(new errors.ServiceUnavailableError('x', { retryAfterMs: 1 }).headers).toEqual({
      'retry-after': '1',
    });
    expect(new errors.CircuitOpenError('x', { retryAfterMs: 9_500 }).headers).toEqual({
      'retry-after': '10',
    });
  });
});

describe('ValidationError', () => {
  it('lists its issues and counts them in the default message', () => {
    const issues = [
      { detail: 'Must be an email address', pointer: '#/body/email' },
      { detail: 'Required', pointer: '#/body/name' },
    ];
    const error = new errors.ValidationError(undefined, { issues });
    expect(error.issues).toEqual(issues);
    expect(error.message).toBe('2 field(s) failed validation');
    expect(error.status).toBe(400);
  });

  it('may answer 422 instead of 400', () => {
    expect(new errors.ValidationError('x', { status: 422 }).status).toBe(422);
  });

  it('has no issues when none are given', () => {
    expect(new errors.ValidationError('x').issues).toEqual([]);
  });
});

describe('rebuildError', () => {
  it('gives a built-in pair its class and anything else a plain AppError', () => {
    expect(errors.rebuildError('NOT_FOUND', 404, 'x', {})).toBeInstanceOf(errors.NotFoundError);
    expect(errors.rebuildError('VALIDATION_FAILED', 422, 'x', {}).status).toBe(422);
    const other = errors.rebuildError('NOT_FOUND', 410, 'x', {});
    expect(other).not.toBeInstanceOf(errors.NotFoundError);
    expect(other).toMatchObject({ code: 'NOT_FOUND', status: 410 });
    expect(errors.rebuildError('PAYMENT_DECLINED', 402, 'x', {}).code).toBe('PAYMENT_DECLINED');
    expect(errors.rebuildError('toString', 400, 'x', {}).code).toBe('toString');
  });

  it('picks the first built-in code for a status', () => {
    expect(errors.codeForStatus(400)).toBe('BAD_REQUEST');
    expect(errors.codeForStatus(503)).toBe('SERVICE_UNAVAILABLE');
    expect(errors.codeForStatus(418)).toBe('BAD_REQUEST');
    expect(errors.codeForStatus(507)).toBe('INTERNAL');
  });
});
