import { once } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigurationError, NotFoundError } from '@arm/errors';
import { eventIdOf } from './_event-ids';
import { createErrorReporter } from './create-error-reporter';
import type { ErrorReporter, ErrorReporterOptions, ReportBatch } from './create-error-reporter';

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly batch: ReportBatch;
}

let server: Server;
let endpoint: string;
let received: Received[] = [];
let answer = 204;
let arrived: (() => void) | undefined;

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push({ headers: request.headers, batch: JSON.parse(body) as ReportBatch });
      response.writeHead(answer).end();
      arrived?.();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/client-errors`;
});
afterAll(() => {
  server.close();
});

const reporters: ErrorReporter[] = [];
afterEach(async () => {
  // Send what a test left queued before the next test counts requests.
  await Promise.all(reporters.map((reporter) => reporter.flush()));
  for (const reporter of reporters.splice(0)) reporter.dispose();
  received = [];
  answer = 204;
  vi.useRealTimers();
});

let ids = 0;
function make(options: Partial<ErrorReporterOptions> = {}): ErrorReporter {
  const reporter = createErrorReporter({
    endpoint,
    sendBeacon: undefined,
    generateId: () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`,
    ...options,
  });
  reporters.push(reporter);
  return reporter;
}

function nextRequest(): Promise<void> {
  return new Promise((resolve) => (arrived = resolve));
}

describe('reports', () => {
  it('posts problem-shaped reports with the event id, fingerprint, stack and component stack', async () => {
    const reporter = make({ headers: { 'x-app': 'shop' } });
    const thrown = new NotFoundError('No project 42', { details: { projectId: 42 } });
    const eventId = reporter.report(thrown, {
      source: 'boundary',
      componentStack: '\n    at Project',
      boundary: 'main',
    });
    await reporter.flush();
    expect(received).toHaveLength(1);
    const [{ headers, batch }] = received as [Received];
    expect(headers['content-type']).toBe('application/json');
    expect(headers['x-app']).toBe('shop');
    expect(batch.dropped).toBe(0);
    expect(batch.reports).toEqual([
      expect.objectContaining({
        type: 'about:blank',
        title: 'Not Found',
        status: 404,
        detail: 'No project 42',
        code: 'NOT_FOUND',
        projectId: 42,
        instance: `urn:uuid:${eventId}`,
        eventId,
        fingerprint: expect.stringMatching(/^[0-9a-f]{8}$/),
        source: 'boundary',
        count: 1,
        url: location.href,
        componentStack: '\n    at Project',
        boundary: 'main',
        occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        error: expect.objectContaining({ name: 'NotFoundError', stack: expect.any(String) }),
      }),
    ]);
  });

  it('shows unexposed messages to its own server, and reports thrown primitives', async () => {
    const reporter = make();
    reporter.report(new Error('db password wrong'));
    reporter.report('a thrown string');
    await reporter.flush();
    const [first, second] = received[0]?.batch.reports ?? [];
    expect(first).toMatchObject({
      status: 500,
      code: 'INTERNAL',
      detail: 'db password wrong',
      source: 'manual',
    });
    expect(second).toMatchObject({
      detail: 'a thrown string',
      error: { name: 'string', message: 'a thrown string' },
    });
  });

  it('caps long strings at 4,000 characters', async () => {
    const reporter = make();
    const error = new Error('long');
    error.stack = 'x'.repeat(10_000);
    reporter.report(error, { source: 'caught', componentStack: 'y'.repeat(10_000) });
    await reporter.flush();
    const [report] = received[0]?.batch.reports ?? [];
    expect(report?.error.stack).toHaveLength(4_001);
    expect(report?.componentStack).toHaveLength(4_000);
  });
});

describe('each error once', () => {
  it('reports one error object once and returns the same event id, across reporters', async () => {
    const reporter = make();
    const other = make();
    const thrown = new Error('once');
    const eventId = reporter.report(thrown, { source: 'caught' });
    expect(reporter.report(thrown, { source: 'boundary' })).toBe(eventId);
    expect(other.report(thrown)).toBe(eventId);
    expect(eventIdOf(thrown)).toBe(eventId);
    expect(reporter.report(thrown, { source: 'boundary', boundary: 'main' })).toBe(eventId);
    expect(reporter.report(thrown, { source: 'boundary', boundary: 'outer' })).toBe(eventId);
    await reporter.flush();
    await other.flush();
    expect(received.flatMap(({ batch }) => batch.reports)).toEqual([
      expect.objectContaining({ eventId, source: 'caught', boundary: 'main' }),
    ]);
  });

  it('folds repeats of one fingerprint into the queued report, then drops them until the window ends', async () => {
    let now = 1_000_000;
    const onDrop = vi.fn();
    const reporter = make({ now: () => now, dedupeWindowMs: 60_000, hooks: { onDrop } });
    const boom = () => new Error('repeated');
    const first = reporter.report(boom());
    expect(reporter.report(boom())).toBe(first);
    expect(reporter.report(boom())).toBe(first);
    await reporter.flush();
    expect(received[0]?.batch.reports.map((report) => report.count)).toEqual([3]);
    expect(reporter.report(boom())).toBe(first);
    expect(onDrop).toHaveBeenCalledWith({ reason: 'duplicate', eventId: first });
    now += 60_000;
    expect(reporter.report(boom())).not.toBe(first);
  });

  it('gives different errors different fingerprints', async () => {
    const reporter = make();
    reporter.report(new Error('one'));
    reporter.report(new Error('two'));
    reporter.report(new TypeError('one'));
    await reporter.flush();
    const prints = new Set(received[0]?.batch.reports.map((report) => report.fingerprint));
    expect(prints.size).toBe(3);
  });
});

describe('limits and batches', () => {
  it('drops reports beyond the rate limit and counts them in the next batch', async () => {
    let now = 0;
    const onDrop = vi.fn();
    const reporter = make({
      now: () => now,
      rateLimit: { max: 2, windowMs: 1_000 },
      hooks: { onDrop },
    });
    for (let index = 0; index < 4; index++) reporter.report(new Error(`error ${index}`));
    expect(onDrop).toHaveBeenCalledTimes(2);
    expect(onDrop.mock.calls[0]?.[0]).toMatchObject({ reason: 'rate-limited' });
    await reporter.flush();
    expect(received[0]?.batch.reports).toHaveLength(2);
    expect(received[0]?.batch.dropped).toBe(2);
    now = 1_000;
    reporter.report(new Error('error 5'));
    await reporter.flush();
    expect(received[1]?.batch).toMatchObject({ dropped: 0, reports: [{ detail: 'error 5' }] });
  });

  it('sends a full batch at once and a partial one after the flush interval', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const reporter = make({ batchSize: 2, flushIntervalMs: 5_000 });
    let request = nextRequest();
    reporter.report(new Error('a'));
    reporter.report(new Error('b'));
    await request;
    expect(received[0]?.batch.reports).toHaveLength(2);
    request = nextRequest();
    reporter.report(new Error('c'));
    vi.advanceTimersByTime(4_999);
    expect(received).toHaveLength(1);
    vi.advanceTimersByTime(1);
    await request;
    expect(received[1]?.batch.reports.map((report) => report.detail)).toEqual(['c']);
  });

  it('lets beforeSend scrub or drop a report', async () => {
    const onDrop = vi.fn();
    const reporter = make({
      hooks: { onDrop },
      beforeSend: (report) =>
        report.detail?.includes('drop')
          ? null
          : { ...report, detail: (report.detail ?? '').replace(/\d+/g, '#') },
    });
    reporter.report(new Error('card 4242 declined'));
    const dropped = reporter.report(new Error('please drop me'));
    await reporter.flush();
    expect(received[0]?.batch.reports.map((report) => report.detail)).toEqual(['card # declined']);
    expect(onDrop).toHaveBeenCalledWith({ reason: 'before-send', eventId: dropped });
  });

  it('does nothing when there is nothing to send', async () => {
    const reporter = make();
    await reporter.flush();
    reporter.dispose();
    expect(received).toHaveLength(0);
  });
});

describe('transports', () => {
  it('tells onSend and onSendError how a batch went; a failing hook changes nothing', async () => {
    const onSend = vi.fn(() => {
      throw new Error('hook failed');
    });
    const onSendError = vi.fn();
    const reporter = make({ hooks: { onSend, onSendError } });
    reporter.report(new Error('first'));
    await reporter.flush();
    expect(onSend).toHaveBeenCalledWith({
      batch: expect.objectContaining({ dropped: 0 }),
      transport: 'fetch',
    });
    answer = 500;
    reporter.report(new Error('second'));
    await reporter.flush();
    expect(onSendError.mock.calls[0]?.[0]).toMatchObject({
      error: { message: expect.stringContaining('answered 500') },
    });

    const unreachable = make({ endpoint: 'http://127.0.0.1:1/x', hooks: { onSendError } });
    unreachable.report(new Error('third'));
    await unreachable.flush();
    expect(onSendError).toHaveBeenCalledTimes(2);
  });

  it('flushes with a beacon when the page is hidden or left', () => {
    const beacons: { url: string; data: Blob }[] = [];
    const onSend = vi.fn();
    const reporter = make({
      sendBeacon: (url, data) => beacons.push({ url, data }) > 0,
      hooks: { onSend },
    });
    reporter.report(new Error('before hiding'));
    Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
    expect(beacons).toHaveLength(0);
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
    expect(beacons).toHaveLength(1);
    expect(beacons[0]?.url).toBe(endpoint);
    expect(beacons[0]?.data.type).toBe('application/json');
    reporter.report(new Error('before leaving'));
    dispatchEvent(new Event('pagehide'));
    expect(beacons).toHaveLength(2);
    expect(onSend).toHaveBeenLastCalledWith(expect.objectContaining({ transport: 'beacon' }));
    Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true });
  });

  it('falls back to fetch when the beacon is refused or throws', async () => {
    let request = nextRequest();
    const refusing = make({ sendBeacon: () => false });
    refusing.report(new Error('refused'));
    dispatchEvent(new Event('pagehide'));
    await request;
    request = nextRequest();
    const throwing = make({
      sendBeacon: () => {
        throw new TypeError('not allowed');
      },
    });
    throwing.report(new Error('thrown'));
    throwing.dispose();
    await request;
    expect(received.map(({ batch }) => batch.reports[0]?.detail)).toEqual(['refused', 'thrown']);
  });

  it('uses navigator.sendBeacon by default and listens to nothing when told not to', () => {
    const sendBeacon = vi.fn(() => true);
    vi.stubGlobal('navigator', { sendBeacon });
    const reporter = createErrorReporter({ endpoint, flushOnPageHide: false });
    reporter.report(new Error('default beacon'));
    dispatchEvent(new Event('pagehide'));
    expect(sendBeacon).not.toHaveBeenCalled();
    reporter.dispose();
    expect(sendBeacon).toHaveBeenCalledTimes(1);
    vi.unstubAllGlobals();
  });
});

describe('options', () => {
  it.each([
    [{ endpoint: '' }, 'option "endpoint" must be a non-empty URL string, got ""'],
    [{ batchSize: 0 }, 'option "batchSize" must be a finite number >= 1, got 0'],
    [{ flushIntervalMs: -1 }, 'option "flushIntervalMs"'],
    [{ dedupeWindowMs: Number.NaN }, 'option "dedupeWindowMs"'],
    [{ rateLimit: { max: -1 } }, 'option "rateLimit.max"'],
    [{ rateLimit: { windowMs: 0 } }, 'option "rateLimit.windowMs"'],
  ])('rejects %j', (options, message) => {
    expect(() => createErrorReporter({ endpoint, ...options })).toThrow(ConfigurationError);
    expect(() => createErrorReporter({ endpoint, ...options })).toThrow(message);
  });
});
