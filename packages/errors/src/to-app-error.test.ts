import Boom from '@hapi/boom';
import createHttpError from 'http-errors';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from './app-error';
import {
  AbortedError,
  InternalError,
  MethodNotAllowedError,
  NotFoundError,
  RateLimitError,
  TimeoutError,
  ValidationError,
} from './errors';
import { toAppError, toJsonPointer } from './to-app-error';

describe('toAppError', () => {
  it('returns an AppError as it is', () => {
    const error = new NotFoundError('x');
    expect(toAppError(error)).toBe(error);
  });

  it('turns a ZodError into a ValidationError with one JSON Pointer per failing field', () => {
    const schema = z.object({
      email: z.email(),
      items: z.array(z.object({ sku: z.string().min(3) })),
      'a/b~c': z.number(),
    });
    const result = schema.safeParse({ email: 'nope', items: [{ sku: 'ok!' }, { sku: 'x' }] });
    expect(result.success).toBe(false);
    const error = toAppError(result.error);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.cause).toBe(result.error);
    expect(issuesOf(error).map((i) => i.pointer)).toEqual([
      '#/email',
      '#/items/1/sku',
      '#/a~1b~0c',
    ]);
    for (const issue of issuesOf(error)) {
      expect(issue.detail).not.toContain('nope');
    }
  });

  it('turns a valibot error, whose path items are objects, into a ValidationError', () => {
    const schema = v.object({ user: v.object({ age: v.number() }) });
    let caught: unknown;
    try {
      v.parse(schema, { user: { age: 'x' } });
    } catch (error) {
      caught = error;
    }
    const error = toAppError(caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect(issuesOf(error)).toEqual([{ detail: expect.any(String), pointer: '#/user/age' }]);
  });

  it('leaves objects whose issues are not schema issues alone', () => {
    expect(toAppError({ issues: [{ nope: true }] })).toBeInstanceOf(InternalError);
    expect(toAppError({ issues: [] })).toBeInstanceOf(InternalError);
    expect(toAppError({ issues: [{ message: 'x', path: 'a.b' }] })).toBeInstanceOf(InternalError);
  });

  it('turns an abort into an AbortedError and a DOM timeout into a TimeoutError', () => {
    const aborted = AbortSignal.abort().reason as unknown;
    expect(toAppError(aborted)).toBeInstanceOf(AbortedError);
    expect(toAppError(aborted).cause).toBe(aborted);
    const timedOut = new DOMException('signal timed out', 'TimeoutError');
    const error = toAppError(timedOut);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.retryable).toBe(true);
  });

  it('keeps the status, headers and expose flag of http-errors', () => {
    const notFound = toAppError(createHttpError(404, 'No such user'));
    expect(notFound).toBeInstanceOf(NotFoundError);
    expect(notFound.message).toBe('No such user');
    expect(notFound.expose).toBe(true);

    const limited = toAppError(
      createHttpError(429, 'slow down', { headers: { 'Retry-After': '5' } }),
    );
    expect(limited).toBeInstanceOf(RateLimitError);
    expect(limited.headers).toEqual({ 'retry-after': '5' });

    const teapot = toAppError(createHttpError(418));
    expect(teapot).toMatchObject({ status: 418, code: 'BAD_REQUEST' });
    expect(teapot).toBeInstanceOf(AppError);

    const hidden = toAppError(createHttpError(502, 'upstream details'));
    expect(hidden).toMatchObject({ status: 502, code: 'EXTERNAL_SERVICE', expose: false });
  });

  it('reads Boom errors from their output', () => {
    const error = toAppError(Boom.methodNotAllowed('no', undefined, ['GET']));
    expect(error).toBeInstanceOf(MethodNotAllowedError);
    expect(error.headers).toEqual({ allow: 'GET' });
    expect(error.expose).toBe(true);
    expect(toAppError(Boom.badImplementation('secret')).expose).toBe(false);
  });

  it('ignores status fields that are not HTTP error statuses', () => {
    expect(toAppError(Object.assign(new Error('x'), { status: 200 }))).toBeInstanceOf(
      InternalError,
    );
    expect(toAppError(Object.assign(new Error('x'), { statusCode: '404' }))).toBeInstanceOf(
      InternalError,
    );
  });

  it('classifies Node network codes: timeouts, DNS failures that will not heal, resets', () => {
    const withCode = (code: string) => Object.assign(new Error(code), { code });
    expect(toAppError(withCode('ETIMEDOUT'))).toBeInstanceOf(TimeoutError);
    expect(toAppError(withCode('UND_ERR_HEADERS_TIMEOUT'))).toBeInstanceOf(TimeoutError);
    expect(toAppError(withCode('ECONNRESET')).retryable).toBe(true);
    expect(toAppError(withCode('EAI_AGAIN')).retryable).toBe(true);
    expect(toAppError(withCode('ENOTFOUND'))).toMatchObject({
      code: 'EXTERNAL_SERVICE',
      retryable: false,
    });
    expect(toAppError(withCode('ENOENT'))).toBeInstanceOf(InternalError);
  });

  it('turns any other error into an unexposed InternalError that keeps the original', () => {
    const original = new TypeError('x is undefined');
    const error = toAppError(original);
    expect(error).toBeInstanceOf(InternalError);
    expect(error).toMatchObject({ message: 'x is undefined', expose: false, status: 500 });
    expect(error.cause).toBe(original);
  });

  it('turns strings and other thrown values into InternalErrors', () => {
    expect(toAppError('kaboom')).toMatchObject({ code: 'INTERNAL', message: 'kaboom' });
    expect(toAppError(42).message).toBe('Non-error value thrown: 42');
    expect(toAppError(undefined).message).toBe('Non-error value thrown: undefined');
    expect(toAppError(null).cause).toBeNull();
    const thrown = { weird: true };
    expect(toAppError(thrown).cause).toBe(thrown);
    expect(toAppError(thrown).message).toBe('Internal Server Error');
  });
});

describe('toJsonPointer', () => {
  it('escapes ~ and / (RFC 6901) and percent-encodes for the URI fragment form', () => {
    expect(toJsonPointer([])).toBe('#');
    expect(toJsonPointer(['body', 'items', 0, 'sku'])).toBe('#/body/items/0/sku');
    expect(toJsonPointer(['a/b', 'c~d', 'e f'])).toBe('#/a~1b/c~0d/e%20f');
  });
});

function issuesOf(error: unknown) {
  if (!(error instanceof ValidationError)) throw new Error('expected a ValidationError');
  return error.issues;
}
