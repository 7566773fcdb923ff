import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '@arm/errors';
import { family, parseExposition } from '../test/prometheus';
import { createMetrics } from './metrics';
import { HTTP_DURATION_BUCKETS, quantile } from './http';

const at = (clock: { now: number }) => () => clock.now;

describe('http.observe', () => {
  it('writes OpenTelemetry names, labels and buckets that a Prometheus parser reads', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    metrics.http.observe({ method: 'GET', route: '/orders/:id', status: 200, durationMs: 7 });
    metrics.http.observe({ method: 'GET', route: '/orders/:id', status: 200, durationMs: 300 });
    metrics.http.observe({ method: 'POST', route: '/orders', status: 503, durationMs: 20_000 });
    const histogram = family(
      parseExposition((await metrics.expose()).body),
      'http_server_request_duration_seconds',
    );
    expect(histogram.type).toBe('HISTOGRAM');
    const get = histogram.metrics.find((m) => m.labels?.http_request_method === 'GET');
    expect(get?.labels).toEqual({
      http_request_method: 'GET',
      http_route: '/orders/:id',
      http_response_status_code: '200',
    });
    expect(Object.keys(get?.buckets ?? {}).sort()).toEqual(
      HTTP_DURATION_BUCKETS.map(String).sort(),
    );
    expect(get?.buckets?.['0.005']).toBe('0');
    expect(get?.buckets?.['0.01']).toBe('1');
    expect(get?.buckets?.['0.5']).toBe('2');
    expect(get?.count).toBe('2');
    expect(Number(get?.sum)).toBeCloseTo(0.307);
    const post = histogram.metrics.find((m) => m.labels?.http_request_method === 'POST');
    expect(post?.buckets?.['10']).toBe('0');
    expect(post?.count).toBe('1');
    metrics.close();
  });

  it('normalises unknown methods to _OTHER, lower-case ones to upper case, odd statuses to _OTHER', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    metrics.http.observe({ method: 'get', route: '/a', status: 200, durationMs: 1 });
    metrics.http.observe({ method: 'BREW', route: '/a', status: 200, durationMs: 1 });
    metrics.http.observe({
      method: 42 as unknown as string,
      route: '/a',
      status: 200,
      durationMs: 1,
    });
    metrics.http.observe({ method: 'GET', route: '/a', status: 999, durationMs: 1 });
    metrics.http.observe({ method: 'GET', route: '/a', status: 200.5, durationMs: 1 });
    const { body } = await metrics.expose();
    expect(body).toContain(
      'http_server_request_duration_seconds_count{http_request_method="GET",http_route="/a",http_response_status_code="200"} 1',
    );
    expect(body).toContain(
      'http_server_request_duration_seconds_count{http_request_method="_OTHER",http_route="/a",http_response_status_code="200"} 2',
    );
    expect(body).toContain(
      'http_server_request_duration_seconds_count{http_request_method="GET",http_route="/a",http_response_status_code="_OTHER"} 2',
    );
    expect(body).not.toContain('BREW');
  });

  it('collapses unmatched routes into one label and escapes odd route text', async () => {
    const metrics = createMetrics({ defaultMetrics: false, http: { unmatchedRoute: 'unmatched' } });
    metrics.http.observe({ method: 'GET', status: 404, durationMs: 1 });
    metrics.http.observe({ method: 'GET', route: null, status: 404, durationMs: 1 });
    metrics.http.observe({ method: 'GET', route: '', status: 404, durationMs: 1 });
    metrics.http.observe({ method: 'GET', route: '/say/"hi"\\n', status: 200, durationMs: 1 });
    const families = parseExposition((await metrics.expose()).body);
    const counts = family(families, 'http_server_request_duration_seconds').metrics.map((m) => [
      m.labels?.http_route,
      m.count,
    ]);
    expect(counts).toEqual([
      ['unmatched', '3'],
      ['/say/"hi"\\n', '1'],
    ]);
  });

  it('caps distinct routes and counts every overflowing request', async () => {
    const metrics = createMetrics({ defaultMetrics: false, http: { maxRoutes: 2 } });
    for (const route of ['/a', '/b', '/c', '/d', '/c']) {
      metrics.http.observe({ method: 'GET', route, status: 200, durationMs: 1 });
    }
    metrics.http.observe({ method: 'GET', status: 404, durationMs: 1 });
    const families = parseExposition((await metrics.expose()).body);
    const routes = family(families, 'http_server_request_duration_seconds').metrics.map((m) => [
      m.labels?.http_route,
      m.count,
    ]);
    expect(routes).toEqual([
      ['/a', '1'],
      ['/b', '1'],
      ['__other__', '3'],
      ['__unmatched__', '1'],
    ]);
    expect(family(families, 'arm_http_route_overflow_total').metrics[0]?.value).toBe('3');
  });

  it('ignores non-finite durations and counts negative ones as 0', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    metrics.http.observe({ method: 'GET', route: '/a', status: 200, durationMs: Number.NaN });
    metrics.http.observe({ method: 'GET', route: '/a', status: 200, durationMs: Infinity });
    metrics.http.observe({ method: 'GET', route: '/a', status: 200, durationMs: -5 });
    const histogram = family(
      parseExposition((await metrics.expose()).body),
      'http_server_request_duration_seconds',
    );
    expect(histogram.metrics[0]?.count).toBe('1');
    expect(histogram.metrics[0]?.sum).toBe('0');
    expect(histogram.metrics[0]?.buckets?.['0.005']).toBe('1');
  });

  it('computes windowed rate, error rate and percentiles per route from a sliding window', () => {
    const clock = { now: 1_000_000 };
    const metrics = createMetrics({
      defaultMetrics: false,
      clock: at(clock),
      http: { windowMs: 10_000, windowSlots: 10 },
    });
    for (let i = 0; i < 90; i++)
      metrics.http.observe({ method: 'GET', route: '/a', status: 200, durationMs: 20 });
    for (let i = 0; i < 10; i++)
      metrics.http.observe({ method: 'GET', route: '/a', status: 500, durationMs: 800 });
    metrics.http.observe({ method: 'GET', route: '/b', status: 200, durationMs: 1 });
    const a = metrics.http.route('/a');
    expect(a).toMatchObject({
      route: '/a',
      requests: 100,
      ratePerSecond: 10,
      errors: 10,
      errorRate: 0.1,
    });
    // 90 in (0.01, 0.025], 10 in (0.75, 1]: p50 interpolates inside the first, p95 the second.
    expect(a?.p50Ms).toBeCloseTo(10 + 15 * (50 / 90));
    expect(a?.p95Ms).toBeCloseTo(750 + 250 * 0.5);
    expect(a?.p99Ms).toBeCloseTo(750 + 250 * 0.9);
    expect(a?.meanMs).toBeCloseTo((90 * 20 + 10 * 800) / 100);
    expect(metrics.http.routes().map((r) => r.route)).toEqual(['/a', '/b']);
    expect(metrics.http.route('/nowhere')).toBeUndefined();

    clock.now += 5_000;
    metrics.http.observe({ method: 'GET', route: '/b', status: 200, durationMs: 1 });
    expect(metrics.http.route('/a')?.requests).toBe(100);
    expect(metrics.http.route('/b')?.requests).toBe(2);
    clock.now += 5_500;
    expect(metrics.http.route('/a')).toBeUndefined();
    expect(metrics.http.routes()).toMatchObject([{ route: '/b', requests: 1 }]);
    clock.now += 60_000;
    // A slot reused after a full turn starts from zero.
    metrics.http.observe({ method: 'GET', route: '/b', status: 200, durationMs: 1 });
    expect(metrics.http.route('/b')?.requests).toBe(1);
  });

  it('answers the highest finite bound for observations in +Inf', () => {
    expect(quantile(0.99, [1, 2], [0, 0, 5], 5)).toBe(2);
    expect(quantile(0.5, [1, 2], [2, 0, 0], 2)).toBe(0.5);
  });

  it('rejects bad options with ConfigurationError naming them', () => {
    expect(() => createMetrics({ http: { buckets: [0.1, 0.05] } })).toThrow(
      /"http.buckets" must be ascending/,
    );
    expect(() => createMetrics({ http: { buckets: [] } })).toThrow(ConfigurationError);
    expect(() => createMetrics({ http: { buckets: 'x' as unknown as number[] } })).toThrow(
      ConfigurationError,
    );
    expect(() => createMetrics({ http: { maxRoutes: 0 } })).toThrow(
      /"http.maxRoutes" must be a positive integer, got 0/,
    );
    expect(() => createMetrics({ http: { windowMs: -1 } })).toThrow(/"http.windowMs"/);
    expect(() => createMetrics({ http: { windowSlots: 1.5 } })).toThrow(/"http.windowSlots"/);
  });

  it('uses custom buckets', async () => {
    const metrics = createMetrics({ defaultMetrics: false, http: { buckets: [0.1, 1] } });
    metrics.http.observe({ method: 'GET', route: '/a', status: 200, durationMs: 500 });
    const histogram = family(
      parseExposition((await metrics.expose()).body),
      'http_server_request_duration_seconds',
    );
    expect(histogram.metrics[0]?.buckets).toEqual({ '0.1': '0', '1': '1' });
  });
});
