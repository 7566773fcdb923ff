// @vitest-environment node
/**
 * One real browser: the system Chromium renders a page whose button's async handler fails,
 * the boundary shows the fallback, and the report reaches the loopback server by beacon when
 * the page is left.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ReportBatch } from '../src/reporter';
import { bundle } from './_bundle';

const CHROMIUM = '/usr/bin/chromium';

let server: Server;
let origin: string;
let context: BrowserContext | undefined;
let profile: string;
const reports: { headers: IncomingHttpHeaders; batch: ReportBatch }[] = [];
let reportArrived: () => void = () => undefined;
const reportReceived = new Promise<void>((resolve) => (reportArrived = resolve));

beforeAll(async () => {
  const app = await bundle('./fixtures/browser-app.tsx', {
    platform: 'browser',
    define: { 'process.env.NODE_ENV': '"production"' },
    minify: true,
  });
  server = createServer((request, response) => {
    if (request.method === 'GET' && request.url === '/') {
      response
        .writeHead(200, { 'content-type': 'text/html' })
        .end(
          '<!doctype html><title>app</title><div id="root"></div><script type="module" src="/app.js"></script>',
        );
    } else if (request.url === '/app.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(app);
    } else if (request.url === '/api/save') {
      response.writeHead(503, { 'content-type': 'application/problem+json' }).end(
        JSON.stringify({
          type: 'about:blank',
          title: 'Service Unavailable',
          status: 503,
          code: 'SERVICE_UNAVAILABLE',
          detail: 'Storage is down',
        }),
      );
    } else if (request.method === 'POST' && request.url === '/client-errors') {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        reports.push({ headers: request.headers, batch: JSON.parse(body) as ReportBatch });
        response.writeHead(204).end();
        reportArrived();
      });
    } else {
      response.writeHead(404).end();
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  profile = mkdtempSync(join(tmpdir(), 'arm-react-boundary-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 20_000);

afterAll(async () => {
  await context?.close();
  server.close();
  rmSync(profile, { recursive: true, force: true });
});

it('shows the fallback for a failed async click handler and reports it to the server once', async () => {
  const page = await context!.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(`${origin}/`);
  await page.getByRole('button', { name: 'Save' }).click();

  const alert = page.getByRole('alert');
  await alert.waitFor();
  expect(await alert.evaluate((element) => element === document.activeElement)).toBe(true);
  const text = await alert.innerText();
  // The server already sent this detail in its problem, so it may be shown; production
  // (no NODE_ENV in a browser) shows no stack.
  expect(text).toContain('Storage is down');
  expect(await alert.locator('details').count()).toBe(0);
  const eventId = /Reference: ([0-9a-f-]{36})/.exec(text)?.[1];
  expect(eventId).toBeDefined();
  expect(reports).toHaveLength(0);

  // Leaving the page flushes the queued report with sendBeacon.
  await page.goto('about:blank');
  await reportReceived;
  expect(reports).toHaveLength(1);
  const [{ headers, batch }] = reports as [(typeof reports)[number]];
  expect(headers['content-type']).toBe('application/json');
  expect(batch.dropped).toBe(0);
  expect(batch.reports).toHaveLength(1);
  expect(batch.reports[0]).toMatchObject({
    eventId,
    instance: `urn:uuid:${eventId}`,
    status: 503,
    code: 'SERVICE_UNAVAILABLE',
    detail: 'Storage is down',
    source: 'caught',
    boundary: 'editor',
    count: 1,
    url: `${origin}/`,
    error: { name: 'ServiceUnavailableError', message: 'Storage is down' },
  });
  expect(batch.reports[0]?.componentStack).toEqual(expect.any(String));
  expect(pageErrors).toEqual([]);
}, 20_000);
