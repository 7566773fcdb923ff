import { Writable } from 'node:stream';
import { ConfigurationError, NotFoundError } from '@arm/errors';
import { createHealth, createPressure } from '@arm/health';
import { createLogger, createMetrics } from '@arm/metrics';
import { createCsrf } from '@arm/security';
import { createRouteRegistry } from '@arm/validate';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { arm } from '../src/arm';
import { armErrors, genReqId } from '../src/errors';
import { armHealth } from '../src/health';
import { armMetrics } from '../src/metrics';
import { armRateLimit } from '../src/ratelimit';
import { armSecurity } from '../src/security';
import { armValidate } from '../src/validate';

const apps: { close(): PromiseLike<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

/** Closes the app after the test. */
function make<T extends { close(): PromiseLike<unknown> } = FastifyInstance>(
  app: T = Fastify() as unknown as T,
): T {
  apps.push(app);
  return app;
}

const tight = {
  policies: { name: 'tight', algorithm: 'fixed-window', limit: 1, windowMs: 60_000 },
} as const;

describe('armErrors', () => {
  it('shows 5xx messages outside production, uses typeBaseUrl and survives a throwing onError', async () => {
    const seen: string[] = [];
    const app = make();
    await app.register(armErrors, {
      production: false,
      typeBaseUrl: 'https://docs.example.com/errors/',
      requestIdHeader: 'X-Correlation-Id',
      onError: (error) => {
        seen.push(error.code);
        throw new Error('tracker down');
      },
    });
    app.get('/boom', () => {
      throw new Error('visible in development');
    });
    app.get('/missing', () => {
      throw new NotFoundError('No widget');
    });
    const boom = await app.inject({ url: '/boom', headers: { 'x-correlation-id': 'abc-1' } });
    expect(boom.statusCode).toBe(500);
    expect(boom.headers['x-correlation-id']).toBe('abc-1');
    expect(boom.json()).toMatchObject({ detail: 'visible in development', instance: 'abc-1' });
    const missing = await app.inject({ url: '/missing' });
    expect(missing.json().type).toBe('https://docs.example.com/errors/not-found');
    expect(seen).toEqual(['INTERNAL', 'NOT_FOUND']);
  });

  it('shares its ids with Fastify through genReqId, so logs and problems agree', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const app = make(Fastify({ loggerInstance: createLogger({ destination }), genReqId }));
    await app.register(armErrors);
    app.get('/missing', () => {
      throw new NotFoundError('No widget');
    });
    const answer = await app.inject({ url: '/missing', headers: { 'x-request-id': 'lb-42' } });
    expect(answer.json().instance).toBe('lb-42');
    expect(lines.some((line) => JSON.parse(line).reqId === 'lb-42')).toBe(true);
  });
});

describe('armRateLimit', () => {
  it('keys by request.ip, so Fastify trustProxy decides which proxies count', async () => {
    const app = make(Fastify({ trustProxy: true }));
    await app.register(armErrors);
    await app.register(armRateLimit, tight);
    app.get('/', () => 'ok');
    const from = (ip: string) => app.inject({ url: '/', headers: { 'x-forwarded-for': ip } });
    expect((await from('203.0.113.1')).statusCode).toBe(200);
    expect((await from('203.0.113.1')).statusCode).toBe(429);
    expect((await from('203.0.113.2')).statusCode).toBe(200);
  });

  it('with identity options, decides from the socket and headers itself', async () => {
    const app = make();
    await app.register(armErrors);
    await app.register(armRateLimit, { ...tight, identity: { trustProxy: ['loopback'] } });
    app.get('/', () => 'ok');
    const from = (ip: string) => app.inject({ url: '/', headers: { 'x-forwarded-for': ip } });
    expect((await from('198.51.100.1')).statusCode).toBe(200);
    expect((await from('198.51.100.1')).statusCode).toBe(429);
    expect((await from('198.51.100.2')).statusCode).toBe(200);
  });

  it('with global off, limits only routes that ask, and exempts routes added before it', async () => {
    const app = make();
    await app.register(armErrors);
    app.get('/early', { config: { rateLimit: tight } }, () => 'early');
    await app.register(armRateLimit, { global: false });
    app.get('/open', () => 'open');
    app.get('/limited', { config: { rateLimit: tight } }, () => 'limited');
    for (let i = 0; i < 3; i++) expect((await app.inject({ url: '/open' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/limited' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/limited' })).statusCode).toBe(429);
    expect((await app.inject({ url: '/early' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/early' })).statusCode).toBe(429);
  });

  it('fails at start-up on a bad route limit', async () => {
    const app = make();
    await app.register(armRateLimit);
    expect(() =>
      app.get('/x', { config: { rateLimit: { policies: { limit: -1, windowMs: 1 } } } }, () => 'x'),
    ).toThrow(ConfigurationError);
  });
});

describe('armSecurity', () => {
  it('puts a fresh nonce in the CSP of every response and on the request', async () => {
    const app = make();
    await app.register(armSecurity, { headers: { contentSecurityPolicy: { nonce: true } } });
    app.get('/', (request) => ({ nonce: request.cspNonce }));
    const first = await app.inject({ url: '/' });
    const second = await app.inject({ url: '/' });
    const nonce = first.json<{ nonce: string }>().nonce;
    expect(first.headers['content-security-policy']).toContain(`'nonce-${nonce}'`);
    expect(second.json<{ nonce: string }>().nonce).not.toBe(nonce);
  });

  it('checks the signed CSRF token against the session, and can be turned off piece by piece', async () => {
    const secret = 'a-csrf-secret-of-at-least-32-bytes!!';
    const app = make();
    await app.register(armErrors);
    await app.register(armSecurity, {
      headers: false,
      csrf: { token: { secret } },
      sessionId: (request) => request.headers['x-session'] as string | undefined,
    });
    app.post('/orders', () => ({ ok: true }));
    const { token, cookieName } = createCsrf({ token: { secret } }).issueToken('s-1');
    const send = (session: string) =>
      app.inject({
        method: 'POST',
        url: '/orders',
        headers: {
          'sec-fetch-site': 'same-origin',
          'x-session': session,
          'x-csrf-token': token,
          cookie: `${cookieName}=${token}`,
        },
      });
    const ok = await send('s-1');
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['content-security-policy']).toBeUndefined();
    expect((await send('s-2')).json().code).toBe('CSRF_INVALID');

    const open = make();
    await open.register(armSecurity, { csrf: false });
    open.post('/orders', () => ({ ok: true }));
    const crossSite = await open.inject({
      method: 'POST',
      url: '/orders',
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    expect(crossSite.statusCode).toBe(200);
    expect(crossSite.headers['x-content-type-options']).toBe('nosniff');
  });
});

describe('armHealth', () => {
  it('sheds load with a 503 problem and Retry-After, but never the probes', async () => {
    const pressure = createPressure({ maxHeapUsedBytes: 1, retryAfterSeconds: 7 });
    pressure.sampleNow();
    const health = createHealth({ pressure });
    const app = make();
    await app.register(armErrors);
    await app.register(armHealth, {
      health,
      paths: { startup: false },
      authorize: () => true,
      shutdown: { exit: false, signals: [] },
    });
    app.get('/work', () => 'done');
    const shed = await app.inject({ url: '/work' });
    expect(shed.statusCode).toBe(503);
    expect(shed.headers['retry-after']).toBe('7');
    expect(shed.json().code).toBe('SERVICE_UNAVAILABLE');
    expect((await app.inject({ url: '/health/live' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/health/ready' })).statusCode).toBe(503);
    // with the startup probe left out, its path is an ordinary (shed) request
    expect((await app.inject({ url: '/health/startup' })).statusCode).toBe(503);
    expect(app.armShutdown?.state).toBe('running');
    health.stop();
  });

  it('drains the server and fails readiness on shutdown', async () => {
    const health = createHealth();
    const app = make();
    await app.register(armHealth, {
      health,
      shed: false,
      shutdown: { exit: false, signals: [], delayMs: 0 },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const result = await app.armShutdown?.shutdown('test');
    expect(result).toMatchObject({ reason: 'test' });
    expect(health.shuttingDown).toBe(true);
    health.stop();
  });
});

describe('armMetrics', () => {
  it('guards the routes, moves them, and tracks every error when asked', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const app = make();
    await app.register(armErrors);
    await app.register(armMetrics, {
      metrics,
      path: '/internal/metrics',
      snapshotPath: false,
      authorize: (request) => request.headers['x-admin'] === 'yes',
      trackErrors: 'all',
    });
    app.get('/missing', () => {
      throw new NotFoundError('No widget');
    });
    await app.inject({ url: '/missing' });
    expect(metrics.errors.groups().map((group) => group.code)).toEqual(['NOT_FOUND']);
    expect((await app.inject({ url: '/internal/metrics' })).statusCode).toBe(403);
    const scrape = await app.inject({
      url: '/internal/metrics',
      headers: { 'x-admin': 'yes', accept: 'application/openmetrics-text' },
    });
    expect(scrape.headers['content-type']).toMatch(/^application\/openmetrics-text/);
    expect((await app.inject({ url: '/metrics/snapshot' })).statusCode).toBe(404);
    metrics.close();
  });

  it('tracks nothing with trackErrors none, and only 5xx by default', async () => {
    const quiet = createMetrics({ defaultMetrics: false });
    const loud = createMetrics({ defaultMetrics: false });
    for (const [metrics, trackErrors] of [
      [quiet, 'none'],
      [loud, undefined],
    ] as const) {
      const app = make();
      await app.register(armErrors);
      await app.register(armMetrics, {
        metrics,
        path: false,
        ...(trackErrors ? { trackErrors } : {}),
      });
      app.get('/missing', () => {
        throw new NotFoundError('No widget');
      });
      app.get('/boom', () => {
        throw new Error('boom');
      });
      await app.inject({ url: '/missing' });
      await app.inject({ url: '/boom' });
      expect((await app.inject({ url: '/metrics' })).statusCode).toBe(404);
    }
    expect(quiet.errors.groups()).toEqual([]);
    expect(loud.errors.groups().map((group) => group.code)).toEqual(['INTERNAL']);
    quiet.close();
    loud.close();
  });
});

describe('armValidate and arm', () => {
  it('serves the document without a docs page, with the nonce of the response', async () => {
    const api = createRouteRegistry();
    const app = make();
    await app.register(armValidate, {
      openapi: {
        registry: api,
        info: { title: 'T', version: '1' },
        path: '/spec.json',
        docsPath: false,
      },
    });
    expect((await app.inject({ url: '/spec.json' })).json().openapi).toBe('3.1.1');
    expect((await app.inject({ url: '/docs' })).statusCode).toBe(404);

    const withNonce = make();
    await withNonce.register(arm, {
      security: { headers: { contentSecurityPolicy: { nonce: true } } },
      validate: { openapi: { registry: api, info: { title: 'T', version: '1' } } },
    });
    const page = await withNonce.inject({ url: '/docs' });
    const nonce = /'nonce-([^']+)'/.exec(page.headers['content-security-policy'] as string)?.[1];
    expect(page.body).toContain(`nonce="${nonce}"`);
  });

  it('leaves out what is turned off', async () => {
    const app = make();
    await app.register(arm, { security: false, rateLimit: false, validate: false });
    app.post('/echo', (request) => ({ type: typeof request.body }));
    const answer = await app.inject({
      method: 'POST',
      url: '/echo',
      payload: 'plain',
      headers: { 'content-type': 'text/plain' },
    });
    expect(answer.json()).toEqual({ type: 'string' });
    expect(answer.headers['x-content-type-options']).toBeUndefined();
    expect(answer.headers.ratelimit).toBeUndefined();
  });
});
