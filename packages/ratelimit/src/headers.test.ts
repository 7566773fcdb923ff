import { toHttpResponse } from '@arm/errors';
import { describe, expect, it } from 'vitest';
import { QUOTA_EXCEEDED_TYPE, rateLimitHeaders, toRateLimitError } from './headers';
import { createRateLimiter } from './limiter';

async function decisions() {
  const limiter = createRateLimiter({
    policies: [
      { name: 'burst', algorithm: 'fixed-window', limit: 2, windowMs: 1_000 },
      { name: 'daily', algorithm: 'fixed-window', limit: 1_000, windowMs: 86_400_000 },
    ],
  });
  const allowed = await limiter.consume('k');
  await limiter.consume('k');
  const denied = await limiter.consume('k');
  return { allowed, denied };
}

describe('rateLimitHeaders', () => {
  it('sends the draft fields with one item per policy', async () => {
    const { allowed } = await decisions();
    expect(rateLimitHeaders(allowed)).toEqual({
      'ratelimit-policy': '"burst";q=2;w=1, "daily";q=1000;w=86400',
      ratelimit: '"burst";r=1;t=1, "daily";r=999;t=86400',
    });
  });

  it('adds Retry-After on denial, in whole seconds, at least 1', async () => {
    const { denied } = await decisions();
    const headers = rateLimitHeaders(denied);
    expect(headers['retry-after']).toBe('1');
    expect(headers.ratelimit).toMatch(/^"burst";r=0;t=1, "daily";r=998;t=86400$/);
  });

  it('sends the legacy X-RateLimit fields for the binding policy, or both formats', async () => {
    const { allowed, denied } = await decisions();
    expect(rateLimitHeaders(allowed, { format: 'legacy' })).toEqual({
      'x-ratelimit-limit': '2',
      'x-ratelimit-remaining': '1',
      'x-ratelimit-reset': '1',
    });
    const both = rateLimitHeaders(denied, { format: 'both' });
    expect(Object.keys(both).sort()).toEqual([
      'ratelimit',
      'ratelimit-policy',
      'retry-after',
      'x-ratelimit-limit',
      'x-ratelimit-remaining',
      'x-ratelimit-reset',
    ]);
  });
});

describe('toRateLimitError', () => {
  it('becomes a 429 quota-exceeded problem naming the violated policies, with the headers', async () => {
    const { denied } = await decisions();
    const error = toRateLimitError(denied);
    expect(error).toMatchObject({ code: 'RATE_LIMITED', status: 429, retryable: true });
    const response = toHttpResponse(error);
    expect(response.status).toBe(429);
    expect(response.headers).toMatchObject({
      'retry-after': '1',
      'content-type': 'application/problem+json',
    });
    expect(response.headers.ratelimit).toContain('"burst";r=0');
    expect(response.body).toMatchObject({
      type: QUOTA_EXCEEDED_TYPE,
      title: 'Request cannot be satisfied as assigned quota has been exceeded',
      status: 429,
      'violated-policies': ['burst'],
    });
  });

  it('says "too many attempts" for a blocked key', async () => {
    const limiter = createRateLimiter({ policies: { name: 'p', limit: 5, windowMs: 1_000 } });
    const blocked = await limiter.block('k', 5_000);
    const error = toRateLimitError(blocked);
    expect(error.message).toBe('Too many attempts; try again later');
    expect(error.details).toEqual({ 'violated-policies': ['p'] });
    expect(error.headers['retry-after']).toBe('5');
  });
});
