import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigurationError } from '@arm/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHealth } from '../health';
import { httpCheck } from './http';

const server = createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (url.pathname === '/hang') return; // never answers
  if (url.pathname === '/method') {
    response
      .writeHead(request.method === 'HEAD' && request.headers['x-key'] === 'k' ? 204 : 400)
      .end();
    return;
  }
  response
    .writeHead(Number(url.searchParams.get('status') ?? 200))
    .end('body the check never reads');
});
let base = '';
beforeAll(async () => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

async function probe(definition: ReturnType<typeof httpCheck>) {
  const health = createHealth({ checks: { upstream: definition }, showOutput: 'always' });
  const { status, body } = await health.ready();
  return { status, entry: body.checks['upstream:responseTime']?.[0] };
}

describe('httpCheck against a real server', () => {
  it('passes on 2xx and 3xx by default and reports the round trip', async () => {
    const ok = await probe(httpCheck(`${base}/?status=200`));
    const redirect = await probe(httpCheck(`${base}/?status=302`));
    expect(ok.status).toBe('pass');
    expect(ok.entry).toMatchObject({
      componentType: 'component',
      observedUnit: 'ms',
      status: 'pass',
    });
    expect(redirect.status).toBe('pass');
  });

  it('fails on other statuses, naming the path but not the query', async () => {
    const { status, entry } = await probe(httpCheck(`${base}/?status=500&token=secret`));
    expect(status).toBe('fail');
    expect(entry?.output).toBe(`GET ${base}/ answered 500`);
  });

  it('honours expectedStatus, method and headers', async () => {
    expect((await probe(httpCheck(`${base}/?status=401`, { expectedStatus: 401 }))).status).toBe(
      'pass',
    );
    expect(
      (await probe(httpCheck(`${base}/?status=200`, { expectedStatus: [201, 202] }))).status,
    ).toBe('fail');
    const method = await probe(
      httpCheck(`${base}/method`, {
        method: 'HEAD',
        headers: { 'x-key': 'k' },
        expectedStatus: 204,
      }),
    );
    expect(method.status).toBe('pass');
  });

  it('aborts a request that outlives the timeout', async () => {
    const { status, entry } = await probe(httpCheck(`${base}/hang`, { timeoutMs: 100 }));
    expect(status).toBe('fail');
    expect(entry?.output).toBe('timed out after 100 ms');
  });

  it('is a warning only when not critical, and fails when nothing listens', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const { port } = closed.address() as AddressInfo;
    closed.close();
    await once(closed, 'close');
    const { status, entry } = await probe(
      httpCheck(`http://127.0.0.1:${String(port)}/`, { critical: false }),
    );
    expect(status).toBe('warn');
    expect(entry?.status).toBe('fail');
    expect(entry?.output).toBe(`fetch failed: connect ECONNREFUSED 127.0.0.1:${String(port)}`);
  });

  it('rejects what is not an absolute http(s) URL or a status', () => {
    expect(() => httpCheck('/relative')).toThrow(ConfigurationError);
    expect(() => httpCheck('ftp://example.test/')).toThrow(
      '[@arm/health] option "url" must be an absolute http(s) URL, got "ftp://example.test/"',
    );
    expect(() => httpCheck(base, { expectedStatus: 99 })).toThrow(
      '[@arm/health] option "expectedStatus" must be an HTTP status or an array of them, got 99',
    );
  });
});
