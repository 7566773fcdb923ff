import { isAppError } from '@arm/errors';
import { describe, expect, it } from 'vitest';
import { createClientIdentity } from './client-identity';
import { createHttpRateLimit } from './http';
import { createRateLimiter } from './limiter';

const policy = { name: 'burst', algorithm: 'fixed-window', limit: 2, windowMs: 60_000 } as const;

describe('createHttpRateLimit', () => {
  it('keys by client address, sends headers and answers the third request with a 429', async () => {
    const step = createHttpRateLimit({ policies: policy, now: () => 0 });
    const request = { method: 'GET', remoteAddress: '203.0.113.7', headers: {} };
    const first = await step.check(request);
    expect(first.error).toBeUndefined();
    expect(first.headers).toEqual({
      'ratelimit-policy': '"burst";q=2;w=60',
      ratelimit: '"burst";r=1;t=60',
    });
    await step.check(request);
    const third = await step.check(request);
    expect(isAppError(third.error)).toBe(true);
    expect(third.error?.status).toBe(429);
    expect(third.headers['retry-after']).toBe('60');
    // another client has its own bucket
    expect((await step.check({ ...request, remoteAddress: '203.0.113.8' })).error).toBeUndefined();
  });

  it('honours the identity options, a custom key, skip, cost and the legacy format', async () => {
    const limiter = createRateLimiter({ policies: policy });
    const step = createHttpRateLimit({
      limiter,
      identity: createClientIdentity({ trustProxy: 1 }),
      key: (request) => `route:${request.route ?? '?'}`,
      skip: (request) => request.route === '/healthz',
      cost: (request) => (request.method === 'POST' ? 2 : 1),
      headers: 'legacy',
    });
    expect(step.limiter).toBe(limiter);
    expect(await step.check({ route: '/healthz' })).toEqual({ headers: {}, error: undefined });
    const post = await step.check({ method: 'POST', route: '/a' });
    expect(post.headers['x-ratelimit-remaining']).toBe('0');
    expect((await step.check({ method: 'GET', route: '/a' })).error?.status).toBe(429);
    expect((await step.check({ method: 'GET', route: '/b' })).error).toBeUndefined();

    const byProxy = createHttpRateLimit({ policies: policy, identity: { trustProxy: 1 } });
    const viaProxy = { remoteAddress: '10.0.0.1', headers: { 'x-forwarded-for': '198.51.100.4' } };
    await byProxy.check(viaProxy);
    await byProxy.check(viaProxy);
    expect((await byProxy.check(viaProxy)).error?.status).toBe(429);
    expect(
      (await byProxy.check({ ...viaProxy, headers: { 'x-forwarded-for': '198.51.100.5' } })).error,
    ).toBeUndefined();
  });

  it('uses the standard tier when given no policies', () => {
    expect(createHttpRateLimit().limiter.policies.map((p) => p.name)).toEqual(['standard']);
  });

  it('fails at start-up on identity settings that let clients share buckets', () => {
    expect(() => createHttpRateLimit({ identity: { ipv6Prefix: 8 } })).toThrow(/ipv6Prefix/);
  });
});
