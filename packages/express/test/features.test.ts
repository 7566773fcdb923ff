import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { ConfigurationError, NotFoundError } from '@arm/errors';
import { createHealth, createPressure } from '@arm/health';
import { createLogger, createMetrics } from '@arm/metrics';
import { createCsrf } from '@arm/security';
import { createRouteRegistry } from '@arm/validate';
import express from 'express';
import type { Express } from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { arm } from '../src/arm';
import { errorHandler, notFound, requestIds } from '../src/errors';
import { gracefulShutdown, healthRoutes, loadShedding } from '../src/health';
import { httpMetrics, metricsRoutes, requestLogging, trackErrors } from '../src/metrics';
import { rateLimit } from '../src/ratelimit';
import { csrf, securityHeaders } from '../src/security';
import { jsonBody, openApiRoutes } from '../src/validate';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.close(() => {
            resolve();
          });
        }),
    ),
  );
});

async function serve(app: Express): Promise<{ url: string; server: Server }> {
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const tight = {
  policies: { name: 'tight', algorithm: 'fixed-window', limit: 1, windowMs: 60_000 },
} as const;

describe('errors', () => {
  it('shows 5xx messages outside production, uses typeBaseUrl and survives a throwing onError', async () => {
    const seen: string[] = [];
    const app = express();
    app.use(requestIds({ header: 'X-Correlation-Id' }));
    app.get('/boom', () => {
      throw new Error('visible in development');
    });
    app.get('/missing', () => {
      throw new NotFoundError('No widget');
    });
    app.use(notFound());
    app.use(
      errorHandler({
        production: false,
        typeBaseUrl: 'https://docs.example.com/errors/',
        onError: (error) => {
          seen.push(error.code);
          throw new Error('tracker down');
        },
      }),
    );
    const { url } = await serve(app);
    const boom = await fetch(`${url}/boom`, { headers: { 'x-correlation-id': 'abc-1' } });
    expect(boom.status).toBe(500);
    expect(boom.headers.get('x-correlation-id')).toBe('abc-1');
    expect(await boom.json()).toMatchObject({
      detail: 'visible in development',
      instance: 'abc-1',
    });
    const missing = await fetch(`${url}/missing`);
    expect(((await missing.json()) as { type: string }).type).toBe(
      'https://docs.example.com/errors/not-found',
    );
    expect(seen).toEqual(['INTERNAL', 'NOT_FOUND']);
  });

  it('leaves a response that already started to Express', async () => {
    const app = express();
    app.get('/late', (_req, res, next) => {
      res.write('partial');
      next(new Error('after the headers'));
    });
    app.use(errorHandler());
    const { url } = await serve(app);
    const answer = await fetch(`${url}/late`)
      .then((response) => response.text())
      .catch(() => 'aborted');
    expect(answer).not.toContain('problem');
  });
});

describe('rateLimit', () => {
  it('keys by req.ip, so Express trust proxy decides which proxies count', async () => {
    const app = express();
    app.set('trust proxy', true);
    app.use(rateLimit(tight));
    app.get('/', (_req, res) => res.send('ok'));
    app.use(errorHandler());
    const { url } = await serve(app);
    const from = (ip: string) => fetch(url, { headers: { 'x-forwarded-for': ip } });
    expect((await from('203.0.113.1')).status).toBe(200);
    expect((await from('203.0.113.1')).status).toBe(429);
    expect((await from('203.0.113.2')).status).toBe(200);
  });

  it('with identity options, decides from the socket and headers itself', async () => {
    const app = express();
    app.use(rateLimit({ ...tight, identity: { trustProxy: ['loopback'] } }));
    app.get('/', (_req, res) => res.send('ok'));
    app.use(errorHandler());
    const { url } = await serve(app);
    const from = (ip: string) => fetch(url, { headers: { 'x-forwarded-for': ip } });
    expect((await from('198.51.100.1')).status).toBe(200);
    expect((await from('198.51.100.1')).status).toBe(429);
    expect((await from('198.51.100.2')).status).toBe(200);
  });
});

describe('security', () => {
  it('puts a fresh nonce in the CSP and res.locals, and drops X-Powered-By', async () => {
    const app = express();
    app.use(securityHeaders({ contentSecurityPolicy: { nonce: true } }));
    app.get('/', (_req, res) => res.json({ nonce: res.locals.cspNonce as string }));
    const { url } = await serve(app);
    const first = await fetch(url);
    const { nonce } = (await first.json()) as { nonce: string };
    expect(first.headers.get('content-security-policy')).toContain(`'nonce-${nonce}'`);
    expect(first.headers.get('x-powered-by')).toBeNull();
    expect(((await (await fetch(url)).json()) as { nonce: string }).nonce).not.toBe(nonce);
  });

  it('checks the signed CSRF token against the session', async () => {
    const secret = 'a-csrf-secret-of-at-least-32-bytes!!';
    const app = express();
    app.use(csrf({ token: { secret }, sessionId: (req) => req.get('x-session') }));
    app.post('/orders', (_req, res) => res.json({ ok: true }));
    app.use(errorHandler());
    const { url } = await serve(app);
    const { token, cookieName } = createCsrf({ token: { secret } }).issueToken('s-1');
    const send = (session: string) =>
      fetch(`${url}/orders`, {
        method: 'POST',
        headers: {
          'sec-fetch-site': 'same-origin',
          'x-session': session,
          'x-csrf-token': token,
          cookie: `${cookieName}=${token}`,
        },
      });
    expect((await send('s-1')).status).toBe(200);
    expect(((await (await send('s-2')).json()) as { code: string }).code).toBe('CSRF_INVALID');
  });
});

describe('health', () => {
  it('sheds load with a 503 problem and Retry-After, but never the probes', async () => {
    const pressure = createPressure({ maxHeapUsedBytes: 1, retryAfterSeconds: 7 });
    pressure.sampleNow();
    const health = createHealth({ pressure });
    const app = express();
    app.use(healthRoutes(health, { paths: { startup: false }, authorize: () => true }));
    app.use(loadShedding(health));
    app.get('/work', (_req, res) => res.send('done'));
    app.use(errorHandler());
    const { url } = await serve(app);
    const shed = await fetch(`${url}/work`);
    expect(shed.status).toBe(503);
    expect(shed.headers.get('retry-after')).toBe('7');
    expect((await fetch(`${url}/health/live`)).status).toBe(200);
    expect((await fetch(`${url}/health/ready`)).status).toBe(503);
    expect((await fetch(`${url}/health/startup`)).status).toBe(503);
    health.stop();
  });

  it('drains the server and fails readiness on shutdown', async () => {
    const health = createHealth();
    const app = express();
    const stack = arm(app, { health: { health }, security: false, rateLimit: false, json: false });
    stack.finish();
    const { server } = await serve(app);
    const shutdown = stack.shutdown(server, { exit: false, signals: [], delayMs: 0 });
    expect(await shutdown.shutdown('test')).toMatchObject({ reason: 'test' });
    expect(health.shuttingDown).toBe(true);
    expect(() => arm(express()).shutdown(server)).toThrow(ConfigurationError);
    expect(gracefulShutdown(server, health, { signals: [], exit: false }).state).toBe('running');
    health.stop();
  });
});

describe('metrics', () => {
  it('observes by route template, logs each request with its id, and guards the routes', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const metrics = createMetrics({ defaultMetrics: false });
    const app = express();
    app.use(requestIds());
    app.use(httpMetrics(metrics));
    app.use(requestLogging(createLogger({ destination })));
    app.use(
      metricsRoutes(metrics, {
        path: '/internal/metrics',
        snapshotPath: '/internal/snapshot',
        authorize: (req) => req.get('x-admin') === 'yes',
      }),
    );
    const items = express.Router();
    items.get('/:id', (req, res) => {
      req.log?.info('handling');
      res.json({ id: req.params.id });
    });
    app.use('/items', items);
    app.get('/missing', () => {
      throw new NotFoundError('No widget');
    });
    app.use(errorHandler({ onError: trackErrors(metrics, 'all') }));
    const { url } = await serve(app);
    await fetch(`${url}/items/7`, { headers: { 'x-request-id': 'req-7' } });
    await fetch(`${url}/missing`);
    expect((await fetch(`${url}/internal/metrics`)).status).toBe(403);
    expect((await fetch(`${url}/internal/snapshot`)).status).toBe(403);
    const scrape = await fetch(`${url}/internal/metrics`, {
      headers: { 'x-admin': 'yes', accept: 'application/openmetrics-text' },
    });
    expect(scrape.headers.get('content-type')).toMatch(/^application\/openmetrics-text/);
    expect(await scrape.text()).toContain('http_route="/items/:id"');
    expect(
      (await fetch(`${url}/internal/snapshot`, { headers: { 'x-admin': 'yes' } })).status,
    ).toBe(200);
    expect(metrics.errors.groups().map((group) => group.code)).toEqual(['FORBIDDEN', 'NOT_FOUND']);
    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged.filter((line) => line.requestId === 'req-7').map((line) => line.msg)).toEqual([
      'handling',
      'request completed',
    ]);
    expect(logged.find((line) => line.msg === 'request completed')).toMatchObject({
      route: '/items/:id',
      status: 200,
    });
    metrics.close();
  });

  it('tracks only 5xx by default and serves nothing when both paths are off', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const app = express();
    app.use(metricsRoutes(metrics, { path: false, snapshotPath: false }));
    app.get('/missing', () => {
      throw new NotFoundError('No widget');
    });
    app.get('/boom', () => {
      throw new Error('boom');
    });
    app.use(notFound());
    app.use(errorHandler({ onError: trackErrors(metrics) }));
    const { url } = await serve(app);
    await fetch(`${url}/missing`);
    await fetch(`${url}/boom`);
    expect((await fetch(`${url}/metrics`)).status).toBe(404);
    expect(metrics.errors.groups().map((group) => group.code)).toEqual(['INTERNAL']);
    metrics.close();
  });
});

describe('validate and arm', () => {
  it('keeps a body another parser read, and serves the document with the nonce of the page', async () => {
    const api = createRouteRegistry();
    const app = express();
    app.use(express.text());
    app.use(jsonBody());
    app.post('/echo', (req, res) => res.json({ type: typeof req.body }));
    app.use(
      openApiRoutes(api, {
        info: { title: 'T', version: '1' },
        path: '/spec.json',
        docsPath: false,
      }),
    );
    const { url } = await serve(app);
    const echoed = await fetch(`${url}/echo`, {
      method: 'POST',
      body: 'plain',
      headers: { 'content-type': 'text/plain' },
    });
    expect(await echoed.json()).toEqual({ type: 'string' });
    expect(((await (await fetch(`${url}/spec.json`)).json()) as { openapi: string }).openapi).toBe(
      '3.1.1',
    );
    expect((await fetch(`${url}/docs`)).status).toBe(404);

    const withNonce = express();
    arm(withNonce, {
      security: { headers: { contentSecurityPolicy: { nonce: true } }, csrf: false },
      openapi: { registry: api, info: { title: 'T', version: '1' } },
    }).finish();
    const page = await fetch(`${(await serve(withNonce)).url}/docs`);
    const nonce = /'nonce-([^']+)'/.exec(page.headers.get('content-security-policy') ?? '')?.[1];
    expect(await page.text()).toContain(`nonce="${String(nonce)}"`);
  });

  it('leaves out what is turned off and passes errors to the user callback too', async () => {
    const seen: string[] = [];
    const metrics = createMetrics({ defaultMetrics: false });
    const app = express();
    const stack = arm(app, {
      security: false,
      rateLimit: false,
      json: false,
      metrics: { metrics },
      errors: { onError: (error) => seen.push(error.code) },
    });
    app.get('/boom', () => {
      throw new Error('boom');
    });
    stack.finish();
    const { url } = await serve(app);
    const answer = await fetch(`${url}/boom`);
    expect(answer.headers.get('x-content-type-options')).toBeNull();
    expect(answer.headers.get('ratelimit')).toBeNull();
    expect(seen).toEqual(['INTERNAL']);
    expect(metrics.errors.groups()).toHaveLength(1);
    metrics.close();
  });
});
