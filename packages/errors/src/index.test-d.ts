import { describe, expectTypeOf, it } from 'vitest';
import {
  defineError,
  fromProblem,
  isAppError,
  NotFoundError,
  RateLimitError,
  toHttpResponse,
  toProblem,
  ValidationError,
} from './index';
import type { AppError, ErrorCode, ProblemDetails, ValidationIssue } from './index';

describe('public types', () => {
  it('gives built-in errors literal codes and typed details', () => {
    const error = new NotFoundError('x', { details: { projectId: 42 } });
    expectTypeOf(error.code).toEqualTypeOf<'NOT_FOUND'>();
    expectTypeOf(error.details).toEqualTypeOf<{ projectId: number } | undefined>();
    expectTypeOf(NotFoundError.code).toEqualTypeOf<'NOT_FOUND'>();
    expectTypeOf(new ValidationError().issues).toEqualTypeOf<readonly ValidationIssue[]>();
  });

  it('accepts only the options a class knows', () => {
    new RateLimitError('x', { retryAfterMs: 1000 });
    // @ts-expect-error a rate limit error has no `allow` option
    new RateLimitError('x', { allow: ['GET'] });
    // @ts-expect-error the status of a built-in is fixed
    new NotFoundError('x', { status: 410 });
    // @ts-expect-error validation errors are 400 or 422
    new ValidationError('x', { status: 418 });
  });

  it('narrows with isAppError and instanceof', () => {
    const caught: unknown = new Error('x');
    if (isAppError(caught)) expectTypeOf(caught).toEqualTypeOf<AppError>();
    if (caught instanceof NotFoundError) expectTypeOf(caught.code).toEqualTypeOf<'NOT_FOUND'>();
  });

  it('types defined errors by their message builder', () => {
    const PaymentDeclined = defineError({
      code: 'PAYMENT_DECLINED',
      status: 402,
      message: (details: { last4: string }) => `Card ${details.last4} declined`,
    });
    const error = new PaymentDeclined({ last4: '4242' });
    expectTypeOf(error.code).toEqualTypeOf<'PAYMENT_DECLINED'>();
    expectTypeOf(error.details).toEqualTypeOf<{ last4: string } | undefined>();
    // @ts-expect-error details are required when their shape has required fields
    new PaymentDeclined();
    // @ts-expect-error details must have the declared shape
    new PaymentDeclined({ last4: 4242 });

    const Quota = defineError({ code: 'QUOTA', status: 429 });
    new Quota();
    const caught: unknown = error;
    if (PaymentDeclined.is(caught))
      expectTypeOf(caught.details).toEqualTypeOf<{ last4: string } | undefined>();
  });

  it('lists the built-in codes as a union', () => {
    expectTypeOf<'NOT_FOUND'>().toExtend<ErrorCode>();
    expectTypeOf<'NOPE'>().not.toExtend<ErrorCode>();
  });

  it('returns problem details and plain responses', () => {
    expectTypeOf(toProblem(new Error('x'))).toEqualTypeOf<ProblemDetails>();
    expectTypeOf(toHttpResponse('x').status).toEqualTypeOf<number>();
    expectTypeOf(fromProblem({})).toEqualTypeOf<AppError>();
  });
});
