/**
 * The suite itself: requests and the exact answers expected from every adapter.
 */
import { PROBLEM_CONTENT_TYPE } from '@arm/errors';
import { QUOTA_EXCEEDED_TYPE } from '@arm/ratelimit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET, suiteApp } from './app';
import type { StartServer, SuiteServer } from './app';

const UUID = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/;

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

/**
 * Runs the conformance suite against one adapter.
 *
 * @param name - The adapter's name, for the test titles.
 * @param start - Starts the adapter's server for the suite's application.
 */
export function describeAdapter(name: string, start: StartServer): void {
  describe(`adapter conformance: ${name}`, () => {
    let server: SuiteServer;
    beforeAll(async () => {
      server = await start(suiteApp());
    });
    afterAll(async () => {
      await server.close();
    });

    async function send(path: string, init: RequestInit = {}): Promise<Answer> {
      const response = await fetch(`${server.url}${path}`, init);
      const text = await response.text();
      return {
        status: response.status,
        headers: response.headers,
        body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
      };
    }

    async function post(
      path: string,
      body: string,
      contentType = 'application/json',
      headers: Record<string, string> = {},
    ): Promise<Answer> {
      return send(path, {
        method: 'POST',
        body,
        headers: { 'content-type': contentType, 'sec-fetch-site': 'same-origin', ...headers },
      });
    }

    function expectProblem(answer: Answer, status: number): void {
      expect(answer.status).toBe(status);
      expect(answer.headers.get('content-type')).toBe(`${PROBLEM_CONTENT_TYPE}; charset=utf-8`);
      expect(answer.body.status).toBe(status);
      const id = answer.headers.get('x-request-id') ?? '';
      expect(answer.body.instance).toBe(UUID.test(id) ? `urn:uuid:${id}` : id);
      expect(JSON.stringify(answer.body)).not.toContain(SECRET);
    }

    it('answers a route with JSON, a request id and the RateLimit fields', async () => {
      const answer = await send('/hello');
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
      expect(answer.body).toEqual({ hello: 'world' });
      expect(answer.headers.get('x-request-id')).toMatch(UUID);
      expect(answer.headers.get('ratelimit-policy')).toBe('"global";q=1000;w=60');
      expect(answer.headers.get('ratelimit')).toMatch(/^"global";r=\d+;t=\d+$/);
    });

    it('passes route parameters', async () => {
      expect((await send('/items/42')).body).toEqual({ id: '42' });
    });

    it('keeps a well-formed upstream request id and replaces a hostile one', async () => {
      const kept = await send('/missing', { headers: { 'x-request-id': 'lb-7f3a' } });
      expect(kept.headers.get('x-request-id')).toBe('lb-7f3a');
      expect(kept.body.instance).toBe('lb-7f3a');
      const replaced = await send('/hello', { headers: { 'x-request-id': '<script>' } });
      expect(replaced.headers.get('x-request-id')).toMatch(UUID);
    });

    it('masks a thrown error as a 500 problem', async () => {
      const answer = await send('/boom');
      expectProblem(answer, 500);
      expect(answer.body).toMatchObject({
        type: 'about:blank',
        title: 'Internal Server Error',
        code: 'INTERNAL',
      });
    });

    it('answers a thrown non-error with the same masked 500 problem', async () => {
      const boom = await send('/boom');
      const answer = await send('/throw-string');
      expectProblem(answer, 500);
      expect({ ...answer.body, instance: '' }).toEqual({ ...boom.body, instance: '' });
    });

    it('renders an exposed AppError with its detail and details', async () => {
      const answer = await send('/missing');
      expectProblem(answer, 404);
      expect(answer.body).toMatchObject({
        title: 'Not Found',
        detail: 'No widget 7',
        code: 'NOT_FOUND',
        widgetId: 7,
      });
    });

    it('answers an unknown route with a 404 problem', async () => {
      const answer = await send('/no/such/route');
      expectProblem(answer, 404);
      expect(answer.body).toMatchObject({
        code: 'NOT_FOUND',
        detail: 'No route matches this method and path',
      });
    });

    it('limits a burst on a route with its own policy, with Retry-After and quota-exceeded', async () => {
      const allowed = [await send('/burst'), await send('/burst'), await send('/burst')];
      expect(allowed.map((a) => a.status)).toEqual([200, 200, 200]);
      expect(allowed.map((a) => a.headers.get('ratelimit'))).toEqual([
        '"burst";r=2;t=60',
        '"burst";r=1;t=60',
        '"burst";r=0;t=60',
      ]);
      const denied = await send('/burst');
      expectProblem(denied, 429);
      expect(denied.headers.get('retry-after')).toBe('60');
      expect(denied.headers.get('ratelimit')).toBe('"burst";r=0;t=60');
      expect(denied.body).toMatchObject({
        type: QUOTA_EXCEEDED_TYPE,
        code: 'RATE_LIMITED',
        'violated-policies': ['burst'],
      });
    });

    it('leaves an exempt route unlimited', async () => {
      const answer = await send('/free');
      expect(answer.status).toBe(200);
      expect(answer.headers.get('ratelimit')).toBeNull();
    });

    it('sends the same security headers on success, 404, 429 and 500', async () => {
      for (const path of ['/hello', '/no/such/route', '/boom', '/burst']) {
        const { headers } = await send(path);
        expect(headers.get('x-content-type-options')).toBe('nosniff');
        expect(headers.get('x-frame-options')).toBe('DENY');
        expect(headers.get('referrer-policy')).toBe('no-referrer');
        expect(headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
        expect(headers.get('content-security-policy')).toContain("base-uri 'none'");
        expect(headers.get('cross-origin-opener-policy')).toBe('same-origin');
        expect(headers.get('x-powered-by')).toBeNull();
      }
    });

    it('parses a JSON body against the route schema', async () => {
      const answer = await post('/echo', '{"name":"Ada","tags":["x"]}');
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ received: { name: 'Ada', tags: ['x'] } });
    });

    it('lists every failing field with a JSON pointer and never echoes the input', async () => {
      const secret = 'x-secret-value-x'.repeat(4); // over the name's 50 characters
      const answer = await post('/echo', JSON.stringify({ name: secret, admin: true }));
      expectProblem(answer, 400);
      expect(answer.body.code).toBe('VALIDATION_FAILED');
      expect((answer.body.errors as { pointer: string }[]).map((e) => e.pointer).sort()).toEqual([
        '#/body/admin',
        '#/body/name',
      ]);
      expect(JSON.stringify(answer.body)).not.toContain('x-secret-value');
    });

    it('answers malformed JSON with a 400 problem', async () => {
      const answer = await post('/echo', '{"name":');
      expectProblem(answer, 400);
      expect(answer.body.code).toBe('INVALID_JSON');
    });

    it('answers an oversized body with a 413 problem', async () => {
      const answer = await post('/echo', JSON.stringify({ name: 'a', tags: ['x'.repeat(2000)] }));
      expectProblem(answer, 413);
      expect(answer.body.code).toBe('PAYLOAD_TOO_LARGE');
    });

    it('refuses prototype-pollution bodies and pollutes nothing', async () => {
      for (const body of [
        '{"name":"a","__proto__":{"polluted":true}}',
        '{"name":"a","constructor":{"prototype":{"polluted":true}}}',
        '{"name":"a","tags":[{"\\u005f_proto__":{"polluted":true}}]}',
      ]) {
        const answer = await post('/echo', body);
        expectProblem(answer, 400);
        expect(answer.body.code).toBe('FORBIDDEN_JSON_KEY');
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('refuses over-deep JSON with a 400 problem', async () => {
      const answer = await post('/echo', '['.repeat(100) + ']'.repeat(100));
      expectProblem(answer, 400);
      expect(answer.body.code).toBe('JSON_LIMIT_EXCEEDED');
    });

    it('refuses a body that is not JSON with a 415 problem', async () => {
      const answer = await post('/echo', 'name=Ada', 'text/plain');
      expectProblem(answer, 415);
      expect(answer.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    });

    it('refuses a cross-site POST with a 403 CSRF problem and lets a same-origin one through', async () => {
      const denied = await post('/echo', '{"name":"a"}', 'application/json', {
        'sec-fetch-site': 'cross-site',
        origin: 'https://evil.example',
      });
      expectProblem(denied, 403);
      expect(denied.body.code).toBe('CSRF_INVALID');
      expect(denied.headers.get('vary')).toContain('Sec-Fetch-Site');
      const allowed = await post('/echo', '{"name":"a"}', 'application/json', {
        'sec-fetch-site': 'same-origin',
      });
      expect(allowed.status).toBe(200);
    });

    it('answers the health probes in health+json, never rate limited', async () => {
      for (const probe of ['live', 'ready', 'startup']) {
        const answer = await send(`/health/${probe}`);
        expect(answer.status).toBe(200);
        expect(answer.headers.get('content-type')).toMatch(/^application\/health\+json/);
        expect(answer.body.status).toBe('pass');
        expect(answer.headers.get('ratelimit')).toBeNull();
      }
    });

    it('exposes RED metrics by route template, and the JSON snapshot', async () => {
      await send('/items/7');
      const response = await fetch(`${server.url}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await response.text();
      expect(text).toMatch(
        /http_server_request_duration_seconds_count\{[^}]*http_route="\/items\/:id"[^}]*\} [1-9]/,
      );
      expect(text).not.toContain('/items/7');
      const snapshot = await send('/metrics/snapshot');
      expect(snapshot.status).toBe(200);
      expect(JSON.stringify(snapshot.body)).toContain('/items/:id');
    });

    it('serves the OpenAPI document and the docs page from the same registry', async () => {
      const document = await send('/openapi.json');
      expect(document.status).toBe(200);
      expect(document.body.openapi).toBe('3.1.1');
      expect(Object.keys(document.body.paths as object)).toContain('/items/{id}');
      const page = await fetch(`${server.url}/docs`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await page.text()).toContain('/items/{id}');
    });
  });
}
