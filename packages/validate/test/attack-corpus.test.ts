/**
 * The attack corpus, end to end: a real HTTP server on loopback that parses bodies with
 * `createJsonParser` and requests with a registered route, answering problem+json through
 * `@arm/errors`. Every attack gets its typed 4xx, the process never crashes, and
 * Object.prototype stays clean.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toHttpResponse } from '@arm/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { createJsonParser, createRouteRegistry, plainText } from '../src/index';
import { richText } from '../src/sanitize/index';
import { LIVE, XSS_VECTORS } from './xss-vectors';

const api = createRouteRegistry();
const createProfile = api.route({
  method: 'post',
  path: '/profiles/:id',
  request: {
    params: z.object({ id: z.string().regex(/^\d{1,10}$/) }),
    query: z.object({ notify: z.stringbool().optional() }),
    body: z.object({
      email: z.email(),
      displayName: plainText({ trim: true })
        .min(1)
        .max(80)
        .regex(/^[^<>]*$/, 'Must not contain < or >'),
      bio: richText().max(2_000).optional(),
      settings: z.object({ theme: z.enum(['light', 'dark']) }).optional(),
    }),
  },
  responses: { 201: { description: 'Created' } },
});
const parseBody = createJsonParser({ maxBytes: 64 * 1024, maxDepth: 16, maxKeys: 200 });

const server = createServer((request, response) => {
  // An adapter would stop reading at the limit; here parseJson sees every byte and decides.
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
  });
  request.on('end', () => {
    try {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const id = /^\/profiles\/([^/]*)$/.exec(url.pathname)?.[1];
      const body = parseBody(Buffer.concat(chunks));
      const parsed = createProfile.parse({
        params: { id: decodeURIComponent(id ?? '') },
        query: url.search,
        headers: request.headers,
        body,
      });
      response
        .writeHead(201, { 'content-type': 'application/json' })
        .end(JSON.stringify(parsed.body));
    } catch (error) {
      const { status, headers, body } = toHttpResponse(error);
      response.writeHead(status, headers).end(JSON.stringify(body));
    }
  });
});
let base = '';

beforeAll(async () => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.close();
});

async function post(body: string | Uint8Array<ArrayBuffer>, path = '/profiles/1') {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  const json = (await response.json()) as Record<string, unknown>;
  return { status: response.status, json };
}

const valid = { email: 'ada@example.com', displayName: 'Ada' };
const deep = (n: number) => `{"a":${'['.repeat(n)}${']'.repeat(n)}}`;

describe('attack corpus', () => {
  it.each([
    [
      '__proto__ at the top',
      '{"__proto__":{"isAdmin":true},"email":"a@b.co","displayName":"A"}',
      400,
      'FORBIDDEN_JSON_KEY',
    ],
    [
      '__proto__ nested',
      '{"email":"a@b.co","displayName":"A","settings":{"__proto__":{"theme":"dark"}}}',
      400,
      'FORBIDDEN_JSON_KEY',
    ],
    [
      '__proto__ escaped',
      '{"\\u005f\\u005fproto\\u005f\\u005f":{"isAdmin":true}}',
      400,
      'FORBIDDEN_JSON_KEY',
    ],
    [
      'constructor.prototype',
      '{"constructor":{"prototype":{"isAdmin":true}}}',
      400,
      'FORBIDDEN_JSON_KEY',
    ],
    [
      'constructor.prototype in an array',
      '[{"constructor":{"prototype":{"x":1}}}]',
      400,
      'FORBIDDEN_JSON_KEY',
    ],
    [
      'mass assignment',
      JSON.stringify({ ...valid, isAdmin: true, role: 'admin' }),
      400,
      'VALIDATION_FAILED',
    ],
    [
      'NoSQL operator for a string',
      JSON.stringify({ ...valid, email: { $ne: null } }),
      400,
      'VALIDATION_FAILED',
    ],
    ['an array for an object', '[1,2,3]', 400, 'VALIDATION_FAILED'],
    ['deeply nested arrays', deep(100_000), 413, 'PAYLOAD_TOO_LARGE'],
    ['nested past maxDepth', deep(20), 400, 'JSON_LIMIT_EXCEEDED'],
    [
      'too many keys',
      JSON.stringify(Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, i]))),
      400,
      'JSON_LIMIT_EXCEEDED',
    ],
    [
      'oversized body',
      JSON.stringify({ ...valid, bio: 'x'.repeat(100_000) }),
      413,
      'PAYLOAD_TOO_LARGE',
    ],
    ['truncated JSON', '{"email":"a@b.co",', 400, 'INVALID_JSON'],
    ['empty body', '', 400, 'INVALID_JSON'],
    ['JSON with a trailing comment', '{"email":"a@b.co"} // hi', 400, 'INVALID_JSON'],
  ])('%s', async (_name, body, status, code) => {
    const response = await post(body);
    expect(response.status).toBe(status);
    expect(response.json.code).toBe(code);
  });

  it('rejects bytes that are not UTF-8', async () => {
    const response = await post(new Uint8Array([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d]));
    expect([response.status, response.json.code]).toEqual([400, 'INVALID_JSON']);
  });

  it.each([
    ['?__proto__=1', '#/query/__proto__'],
    ['?constructor=1', '#/query/constructor'],
    ['?notify=true&notify=false', '#/query/notify'],
    ['?notify=maybe', '#/query/notify'],
    [`?q=${'x'.repeat(9_000)}`, '#/query'],
  ])('query %s is rejected at its pointer', async (query, pointer) => {
    const response = await post(JSON.stringify(valid), `/profiles/1${query.slice(0, 9_100)}`);
    expect(response.status).toBe(400);
    expect(response.json.code).toBe('VALIDATION_FAILED');
    expect((response.json.errors as { pointer: string }[]).map((e) => e.pointer)).toContain(
      pointer,
    );
  });

  it('rejects path traversal in a path parameter by its schema', async () => {
    const response = await post(JSON.stringify(valid), '/profiles/..%2F..%2Fetc%2Fpasswd');
    expect(response.status).toBe(400);
    expect(response.json.errors).toEqual([{ detail: expect.any(String), pointer: '#/params/id' }]);
  });

  it.each(XSS_VECTORS)('XSS in a plain-text field is a 400: %s', async (vector) => {
    const response = await post(JSON.stringify({ ...valid, displayName: vector }));
    if (/[<>]/.test(vector)) {
      expect(response.status).toBe(400);
      expect(response.json.code).toBe('VALIDATION_FAILED');
      expect(JSON.stringify(response.json)).not.toContain(vector);
    } else {
      expect(response.status).toBe(201);
    }
  });

  it('XSS in a rich-text field comes back sanitised', async () => {
    for (const vector of XSS_VECTORS) {
      const response = await post(JSON.stringify({ ...valid, bio: `<p>hello</p>${vector}` }));
      expect(response.status, vector).toBe(201);
      expect(String(response.json.bio), vector).not.toMatch(LIVE);
      expect(String(response.json.bio)).toContain('<p>hello</p>');
    }
  });

  it('accepts a valid request, and nothing was polluted along the way', async () => {
    const response = await post(
      JSON.stringify({ ...valid, bio: '<b>hi</b>', settings: { theme: 'dark' } }),
    );
    expect(response.status).toBe(201);
    expect(response.json).toEqual({ ...valid, bio: '<b>hi</b>', settings: { theme: 'dark' } });
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(Object.keys(Object.prototype)).toEqual([]);
  });
});
