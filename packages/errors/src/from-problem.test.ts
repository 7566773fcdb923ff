import { describe, expect, it } from 'vitest';
import { AppError, isAppError } from './app-error';
import { ERROR_CODES } from './codes';
import type { ErrorCode } from './codes';
import { defineError } from './define-error';
import * as errors from './errors';
import { fromProblem } from './from-problem';
import { toHttpResponse, toProblem } from './problem';

const wire = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('fromProblem', () => {
  it.each(Object.keys(ERROR_CODES) as ErrorCode[])(
    'rebuilds %s as its class after a trip over the wire',
    (code) => {
      const original = errors.rebuildError(code, ERROR_CODES[code], 'what happened', {
        expose: true,
      });
      const rebuilt = fromProblem(wire(toProblem(original)));
      expect(rebuilt.constructor).toBe(original.constructor);
      expect(rebuilt).toMatchObject({
        code,
        status: original.status,
        message: 'what happened',
        retryable: original.retryable,
        expose: true,
      });
      expect(isAppError(rebuilt)).toBe(true);
    },
  );

  it('brings back validation issues, details and the occurrence', () => {
    const response = toHttpResponse(
      new errors.ValidationError('Invalid', {
        issues: [{ detail: 'Required', pointer: '#/body/name' }],
        details: { form: 'signup' },
        status: 422,
      }),
      { instance: '/requests/1' },
    );
    const error = fromProblem(wire(response.body));
    if (!(error instanceof errors.ValidationError)) throw new Error('expected a ValidationError');
    expect(error.status).toBe(422);
    expect(error.issues).toEqual([{ detail: 'Required', pointer: '#/body/name' }]);
    expect(error.details).toEqual({ form: 'signup', instance: '/requests/1' });
  });

  it('keeps Retry-After, WWW-Authenticate and Allow from the response headers', () => {
    const response = toHttpResponse(new errors.RateLimitError('slow', { retryAfterMs: 7_000 }));
    const fromRecord = fromProblem(wire(response.body), { headers: response.headers });
    expect(fromRecord.headers).toEqual({ 'retry-after': '7' });
    const fromHeaders = fromProblem(wire(response.body), {
      headers: new Headers({ 'Retry-After': '7', 'X-Other': 'dropped' }),
    });
    expect(fromHeaders.headers).toEqual({ 'retry-after': '7' });
  });

  it('rebuilds catalog codes as the application classes', () => {
    const PaymentDeclined = defineError({
      code: 'PAYMENT_DECLINED',
      status: 402,
      message: (details: { last4: string }) => `Card ${details.last4} declined`,
    });
    const body = wire(toProblem(new PaymentDeclined({ last4: '4242' })));
    const error = fromProblem(body, { catalog: [PaymentDeclined] });
    expect(error).toBeInstanceOf(PaymentDeclined);
    expect(error.details).toEqual({ last4: '4242' });
    expect(error.message).toBe('Card 4242 declined');
    const unknown = fromProblem(body);
    expect(unknown).toBeInstanceOf(AppError);
    expect(unknown).toMatchObject({ code: 'PAYMENT_DECLINED', status: 402 });
  });

  it('keeps a custom type and title, and drops about:blank', () => {
    const error = fromProblem({
      type: 'https://docs.example.com/errors/quota',
      title: 'Quota used up',
      status: 429,
      code: 'QUOTA',
    });
    expect(error).toMatchObject({
      type: 'https://docs.example.com/errors/quota',
      title: 'Quota used up',
      message: 'Quota used up',
    });
    expect(fromProblem({ type: 'about:blank', status: 404 }).type).toBeUndefined();
  });

  it('takes the status from the response when the body has none, and a code from the status', () => {
    const error = fromProblem({ title: 'Gone away' }, { status: 503 });
    expect(error).toBeInstanceOf(errors.ServiceUnavailableError);
    expect(error.message).toBe('Gone away');
  });

  it('never lets the body choose a prototype', () => {
    const body = JSON.parse(
      '{"status":400,"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"x_y":1}',
    ) as unknown;
    const error = fromProblem(body);
    expect(error.details).toEqual({ x_y: 1 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(error.details)).toBe(Object.prototype);
  });

  it.each([
    ['not an object', 'nope', 'body'],
    ['null', null, 'body'],
    ['an array', [], 'body'],
    ['no status', { title: 'x' }, 'status'],
    ['a success status', { status: 200 }, 'status'],
    ['a string status', { status: '404' }, 'status'],
    ['a numeric title', { status: 404, title: 5 }, 'title'],
    ['an object detail', { status: 404, detail: {} }, 'detail'],
    ['errors that are no list', { status: 400, errors: 'x' }, 'errors'],
    ['errors without pointers', { status: 400, errors: [{ detail: 'x' }] }, 'errors'],
  ])('rejects %s with a clear, typed error', (_label, body, member) => {
    let caught: unknown;
    try {
      fromProblem(body);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(errors.ExternalServiceError);
    expect((caught as Error).message).toBe(
      `[@arm/errors] fromProblem: not RFC 9457 problem details (bad "${member}")`,
    );
    expect((caught as AppError).retryable).toBe(false);
  });
});
