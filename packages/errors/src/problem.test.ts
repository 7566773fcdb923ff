import { describe, expect, it } from 'vitest';
import { AppError } from './app-error';
import { defineError } from './define-error';
import {
  ConfigurationError,
  InternalError,
  NotFoundError,
  RateLimitError,
  UnauthorizedError,
  ValidationError,
} from './errors';
import { PROBLEM_CONTENT_TYPE, toHttpResponse, toProblem } from './problem';

describe('toProblem', () => {
  it('renders an exposed error with its message, code and details as extension members', () => {
    const problem = toProblem(new NotFoundError('No project 42', { details: { projectId: 42 } }), {
      instance: 'urn:uuid:0b9c0c1e-4d7f-4a53-8f3e-8b1f5f1f0e11',
    });
    expect(problem).toEqual({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: 'No project 42',
      instance: 'urn:uuid:0b9c0c1e-4d7f-4a53-8f3e-8b1f5f1f0e11',
      code: 'NOT_FOUND',
      projectId: 42,
    });
  });

  it('masks an unexposed error in production: generic detail, code, nothing else', () => {
    const secret = new InternalError('password=hunter2 in connection string', {
      details: { host: 'db.internal' },
      cause: new Error('inner secret'),
    });
    const problem = toProblem(secret);
    expect(problem).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'The server could not complete the request.',
      code: 'INTERNAL',
    });
    expect(JSON.stringify(problem)).not.toMatch(/hunter2|db\.internal|inner secret|at /);
  });

  it('masks by default: production is on unless turned off', () => {
    expect(toProblem(new Error('stack detail')).detail).not.toContain('stack detail');
  });

  it('shows the message of an unexposed error in development', () => {
    const problem = toProblem(new InternalError('cart has no owner'), { production: false });
    expect(problem.detail).toBe('cart has no owner');
  });

  it('never shows a configuration error, even in development', () => {
    const problem = toProblem(new ConfigurationError('REDIS_URL is not set'), {
      production: false,
    });
    expect(problem.detail).toBe('The server could not complete the request.');
    expect(problem.code).toBe('CONFIGURATION');
  });

  it('lists validation issues as errors: [{ detail, pointer }]', () => {
    const error = new ValidationError('Invalid sign-up', {
      issues: [{ detail: 'Must be an email address', pointer: '#/body/email' }],
      status: 422,
    });
    expect(toProblem(error)).toMatchObject({
      status: 422,
      title: 'Unprocessable Content',
      code: 'VALIDATION_FAILED',
      errors: [{ detail: 'Must be an email address', pointer: '#/body/email' }],
    });
  });

  it('keeps details that would break the problem format out of it', () => {
    const error = new AppError('x', {
      status: 400,
      code: 'X',
      details: {
        status: 200,
        type: 'evil',
        ok: 1,
        'bad name': 2,
        _under: 3,
        goodName: 4,
        'violated-policies': ['daily'],
      },
    });
    const problem = toProblem(error);
    expect(problem.status).toBe(400);
    expect(problem.type).toBe('about:blank');
    expect(problem).not.toHaveProperty('ok');
    expect(problem).not.toHaveProperty('bad name');
    expect(problem).not.toHaveProperty('_under');
    expect(problem.goodName).toBe(4);
    expect(problem['violated-policies']).toEqual(['daily']);
  });

  it('uses the error type, or a type under typeBaseUrl, with the error title', () => {
    const PaymentDeclined = defineError({
      code: 'PAYMENT_DECLINED',
      status: 402,
      title: 'Payment declined',
      type: 'https://docs.example.com/errors/payment-declined',
    });
    expect(toProblem(new PaymentDeclined())).toMatchObject({
      type: 'https://docs.example.com/errors/payment-declined',
      title: 'Payment declined',
    });
    expect(
      toProblem(new RateLimitError(), { typeBaseUrl: 'https://docs.example.com/errors/' }),
    ).toMatchObject({
      type: 'https://docs.example.com/errors/rate-limited',
      title: 'Too Many Requests',
    });
  });

  it('uses the HTTP reason phrase as the title of an about:blank problem', () => {
    const Quota = defineError({ code: 'QUOTA', status: 429, title: 'Quota used up' });
    expect(toProblem(new Quota())).toMatchObject({
      type: 'about:blank',
      title: 'Too Many Requests',
    });
  });

  it('renders anything thrown, through toAppError', () => {
    expect(toProblem('kaboom')).toMatchObject({ status: 500, code: 'INTERNAL' });
  });
});

describe('toHttpResponse', () => {
  it('gives status, problem+json content type, the error headers and the body', () => {
    const response = toHttpResponse(new RateLimitError('slow down', { retryAfterMs: 5_000 }));
    expect(response).toEqual({
      status: 429,
      headers: { 'retry-after': '5', 'content-type': PROBLEM_CONTENT_TYPE },
      body: expect.objectContaining({ status: 429, code: 'RATE_LIMITED', detail: 'slow down' }),
    });
    expect(PROBLEM_CONTENT_TYPE).toBe('application/problem+json');
  });

  it('keeps WWW-Authenticate and passes options through', () => {
    const response = toHttpResponse(new UnauthorizedError(), { instance: '/requests/7' });
    expect(response.headers['www-authenticate']).toBe('Bearer');
    expect(response.body.instance).toBe('/requests/7');
  });

  it('lets no error header replace the content type', () => {
    const error = new AppError('x', { status: 400, headers: { 'Content-Type': 'text/html' } });
    expect(toHttpResponse(error).headers['content-type']).toBe(PROBLEM_CONTENT_TYPE);
  });
});
