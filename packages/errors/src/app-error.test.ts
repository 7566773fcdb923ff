import { describe, expect, it } from 'vitest';
import { AppError, isAppError } from './app-error';
import { NotFoundError, RateLimitError } from './errors';

describe('AppError', () => {
  it('defaults to an unexposed, non-retryable 500 with code INTERNAL', () => {
    const error = new AppError();
    expect(error).toMatchObject({
      code: 'INTERNAL',
      status: 500,
      expose: false,
      retryable: false,
      title: 'Internal Server Error',
      message: 'Internal Server Error',
      name: 'AppError',
      details: undefined,
      type: undefined,
    });
    expect(error.headers).toEqual({});
    expect(error).toBeInstanceOf(Error);
  });

  it('exposes 4xx messages and hides 5xx ones by default', () => {
    expect(new AppError('x', { status: 418 }).expose).toBe(true);
    expect(new AppError('x', { status: 503 }).expose).toBe(false);
    expect(new AppError('x', { status: 503, expose: true }).expose).toBe(true);
  });

  it('turns a status outside 400-599 into 500 rather than throwing while building an error', () => {
    for (const status of [200, 399, 600, 404.5, Number.NaN]) {
      expect(new AppError('x', { status }).status).toBe(500);
    }
  });

  it('keeps code, details, type, title and cause as given', () => {
    const cause = new Error('root');
    const error = new AppError('Plan limit reached', {
      code: 'PLAN_LIMIT',
      status: 402,
      details: { plan: 'free' },
      type: 'https://docs.example.com/errors/plan-limit',
      title: 'Plan limit',
      retryable: true,
      cause,
    });
    expect(error).toMatchObject({
      code: 'PLAN_LIMIT',
      status: 402,
      details: { plan: 'free' },
      type: 'https://docs.example.com/errors/plan-limit',
      title: 'Plan limit',
      retryable: true,
    });
    expect(error.cause).toBe(cause);
  });

  it('has no own cause when none is given, and keeps an explicit undefined cause', () => {
    expect(Object.hasOwn(new AppError('x'), 'cause')).toBe(false);
    expect(Object.hasOwn(new AppError('x', { cause: undefined }), 'cause')).toBe(true);
  });

  it('lower-cases header names and adds Retry-After in whole seconds', () => {
    const error = new AppError('x', {
      status: 503,
      headers: { 'X-Trace': 'abc' },
      retryAfterMs: 1_200,
    });
    expect(error.headers).toEqual({ 'retry-after': '2', 'x-trace': 'abc' });
    expect(new AppError('x', { retryAfterMs: -1 }).headers).toEqual({});
    expect(new AppError('x', { retryAfterMs: 0 }).headers).toEqual({ 'retry-after': '0' });
  });

  it('serialises to JSON with its message but without stack or cause', () => {
    const json = JSON.parse(
      JSON.stringify(new NotFoundError('gone', { details: { id: 1 }, cause: new Error('db') })),
    );
    expect(json).toEqual({
      name: 'NotFoundError',
      code: 'NOT_FOUND',
      status: 404,
      message: 'gone',
      details: { id: 1 },
      retryable: false,
    });
  });
});

describe('isAppError', () => {
  it('recognises AppErrors and their subclasses', () => {
    expect(isAppError(new AppError())).toBe(true);
    expect(isAppError(new RateLimitError())).toBe(true);
  });

  it('rejects everything else, including look-alikes', () => {
    for (const value of [null, undefined, 'x', 42, new Error('x'), {}, () => undefined]) {
      expect(isAppError(value)).toBe(false);
    }
    // eslint-disable-next-line @typescript-eslint/no-misused-spread -- a copy is the point
    const copy = { ...new NotFoundError('x') };
    expect(copy.code).toBe('NOT_FOUND');
    expect(isAppError(copy)).toBe(false);
  });

  it('does not trust a brand inherited through the prototype', () => {
    const forged = Object.create(new NotFoundError('x')) as object;
    expect(isAppError(forged)).toBe(false);
  });

  it('keeps the brand out of enumeration and JSON', () => {
    const error = new NotFoundError('x');
    const brand = Object.getOwnPropertyDescriptor(error, Symbol.for('@arm/errors.AppError'));
    expect(brand).toMatchObject({ value: true, enumerable: false, writable: false });
    expect(JSON.stringify(error)).not.toContain('arm');
  });

  it('needs the shape too: a branded object without a code is not an AppError', () => {
    const error = new NotFoundError('x');
    Object.defineProperty(error, 'code', { value: 42 });
    expect(isAppError(error)).toBe(false);
  });
});

describe('instanceof', () => {
  it('matches by prototype within one copy', () => {
    const error = new NotFoundError('x');
    expect(error instanceof AppError).toBe(true);
    expect(error instanceof NotFoundError).toBe(true);
    expect(error instanceof RateLimitError).toBe(false);
    expect({} instanceof AppError).toBe(false);
  });

  it('does not match an AppError of this copy against a subclass by code alone', () => {
    const plain = new AppError('x', { code: 'NOT_FOUND', status: 404 });
    expect(plain instanceof NotFoundError).toBe(false);
  });
});
