import { afterEach, describe, expect, it } from 'vitest';
import { ConfigurationError, NotFoundError } from '@arm/errors';
import { register as globalRegistry } from 'prom-client';
import { family, parseExposition } from '../test/prometheus';
import {
  createClusterMetrics,
  createMetrics,
  OPENMETRICS_CONTENT_TYPE,
  PROMETHEUS_CONTENT_TYPE,
} from './metrics';
import type { Metrics } from './metrics';
import { instrumentHealth, instrumentRetry } from './instrument';

const made: Metrics[] = [];
const make = (...args: Parameters<typeof createMetrics>) => {
  const metrics = createMetrics(...args);
  made.push(metrics);
  return metrics;
};
afterEach(() => {
  for (const metrics of made.splice(0)) metrics.close();
});

describe('createMetrics', () => {
  it('owns its registry: two instances and the global registry never collide', async () => {
    const a = make();
    const b = make();
    a.counter({ name: 'orders_total', help: 'Orders.' }).inc();
    b.counter({ name: 'orders_total', help: 'Orders.' }).inc(5);
    expect(a.registry).not.toBe(b.registry);
    expect(globalRegistry.getSingleMetric('orders_total')).toBeUndefined();
    expect((await a.expose()).body).toContain('orders_total 1\n');
    expect((await b.expose()).body).toContain('orders_total 5\n');
  });

  it('returns the existing metric when the same one is registered twice (hot reload, tests)', () => {
    const metrics = make({ defaultMetrics: false });
    const first = metrics.counter({
      name: 'jobs_total',
      help: 'Jobs.',
      labelNames: ['queue', 'kind'],
    });
    const again = metrics.counter({
      name: 'jobs_total',
      help: 'Jobs.',
      labelNames: ['kind', 'queue'],
    });
    expect(again).toBe(first);
    const gauge = metrics.gauge({ name: 'depth', help: 'Depth.' });
    expect(metrics.gauge({ name: 'depth', help: 'Depth.' })).toBe(gauge);
    const histogram = metrics.histogram({ name: 'work_seconds', help: 'Work.', buckets: [1, 2] });
    expect(metrics.histogram({ name: 'work_seconds', help: 'Work.', buckets: [1, 2] })).toBe(
      histogram,
    );
    expect(metrics.histogram({ name: 'plain_seconds', help: 'Plain.' })).toBe(
      metrics.histogram({ name: 'plain_seconds', help: 'Plain.' }),
    );
  });

  it('refuses a name reused with another type, label set or buckets', () => {
    const metrics = make();
    metrics.counter({ name: 'jobs_total', help: 'Jobs.', labelNames: ['queue'] });
    expect(() =>
      metrics.gauge({ name: 'jobs_total', help: 'Jobs.', labelNames: ['queue'] }),
    ).toThrow(ConfigurationError);
    expect(() => metrics.counter({ name: 'jobs_total', help: 'Jobs.' })).toThrow(
      /already exists with another type, label set or buckets/,
    );
    expect(() =>
      metrics.histogram({ name: 'http_server_request_duration_seconds', help: 'x' }),
    ).toThrow(ConfigurationError);
    // A default metric of the same type is returned; another type is refused.
    expect(metrics.gauge({ name: 'nodejs_eventloop_lag_seconds', help: 'x' })).toBe(
      metrics.registry.getSingleMetric('nodejs_eventloop_lag_seconds'),
    );
    expect(() => metrics.counter({ name: 'nodejs_eventloop_lag_seconds', help: 'x' })).toThrow(
      ConfigurationError,
    );
    expect(() => metrics.counter({ name: 42 } as never)).toThrow(
      /"counter.name" must be a metric name and a help text/,
    );
  });

  it('collects default process metrics unless told not to, with default labels on every series', async () => {
    const withDefaults = make({ defaultLabels: { service: 'orders' } });
    const families = parseExposition((await withDefaults.expose()).body);
    expect(families.map((f) => f.name)).toContain('process_cpu_user_seconds_total');
    expect(family(families, 'nodejs_heap_size_used_bytes').metrics[0]?.labels).toEqual({
      service: 'orders',
    });
    const without = make({ defaultMetrics: false });
    expect((await without.expose()).body).not.toContain('process_cpu');
  });

  it('answers Prometheus text or OpenMetrics, chosen by format or Accept, and keeps counter names', async () => {
    const metrics = make({ defaultMetrics: false });
    metrics.counter({ name: 'orders_total', help: 'Orders.' }).inc(2);
    metrics.http.observe({ method: 'GET', route: '/a', status: 200, durationMs: 3 });
    const text = await metrics.expose();
    expect(text.contentType).toBe(PROMETHEUS_CONTENT_TYPE);
    expect(family(parseExposition(text.body), 'orders_total').metrics[0]?.value).toBe('2');

    const open = await metrics.expose({
      accept: 'application/openmetrics-text;version=1.0.0,text/plain;q=0.5',
    });
    expect(open.contentType).toBe(OPENMETRICS_CONTENT_TYPE);
    const families = parseExposition(open.body, 'openmetrics');
    expect(family(families, 'orders').type).toBe('COUNTER');
    expect(open.body).toContain('orders_total 2\n');
    expect(family(families, 'http_server_request_duration_seconds').metrics[0]?.count).toBe('1');

    // Concurrent scrapes of both formats: each keeps its own names.
    const [again, openAgain] = await Promise.all([
      metrics.expose(),
      metrics.expose({ format: 'openmetrics' }),
    ]);
    expect(again.body).toContain('# TYPE orders_total counter');
    expect(openAgain.body).toContain('# TYPE orders counter');
    expect(
      (await metrics.expose({ format: 'prometheus', accept: 'application/openmetrics-text' }))
        .contentType,
    ).toBe(PROMETHEUS_CONTENT_TYPE);
  });

  it('renders the HTTP histogram exactly as the registry itself would, defaults included', async () => {
    const metrics = make({
      defaultMetrics: false,
      defaultLabels: { service: 'a"b', http_route: 'ignored' },
    });
    metrics.http.observe({ method: 'GET', route: '/a\\b\n"c"', status: 200, durationMs: 3 });
    metrics.http.observe({ method: 'PATCH', route: '/x', status: 500, durationMs: 30_000 });
    metrics.counter({ name: 'orders_total', help: 'Orders.' }).inc();
    const ours = parseExposition((await metrics.expose()).body);
    const theirs = parseExposition(await metrics.registry.metrics());
    expect(ours).toEqual(theirs);
    expect(family(ours, 'http_server_request_duration_seconds').metrics[0]?.labels).toEqual({
      http_request_method: 'GET',
      http_route: '/a\\b\n"c"',
      http_response_status_code: '200',
      service: 'a"b',
    });
    metrics.registry.setContentType(
      OPENMETRICS_CONTENT_TYPE as typeof metrics.registry.contentType,
    );
    const theirsOpen = await metrics.registry.metrics();
    metrics.registry.setContentType(PROMETHEUS_CONTENT_TYPE);
    const oursOpen = (await metrics.expose({ format: 'openmetrics' })).body;
    expect(parseExposition(oursOpen, 'openmetrics')).toEqual(
      parseExposition(theirsOpen, 'openmetrics'),
    );
  });

  it('keeps exposing after a scrape fails', async () => {
    const metrics = make({ defaultMetrics: false });
    metrics.gauge({ name: 'broken', help: 'Fails on collect.' });
    const broken = metrics.registry.getSingleMetric('broken') as unknown as {
      get: () => Promise<unknown>;
    };
    const original = broken.get.bind(broken);
    broken.get = () => Promise.reject(new Error('collect failed'));
    await expect(metrics.expose({ format: 'openmetrics' })).rejects.toThrow('collect failed');
    broken.get = original;
    expect((await metrics.expose()).contentType).toBe(PROMETHEUS_CONTENT_TYPE);
  });

  it('tracks errors into arm_app_errors_total and passes them to the user hook', async () => {
    const seen: string[] = [];
    const metrics = make({
      defaultMetrics: false,
      errors: { onTrack: (group) => seen.push(group.code) },
    });
    metrics.errors.track(new NotFoundError('no order'));
    metrics.errors.track(new Error('boom'));
    const errors = family(parseExposition((await metrics.expose()).body), 'arm_app_errors_total');
    expect(errors.metrics.map((m) => [m.labels, m.value])).toEqual([
      [{ code: 'NOT_FOUND', status: '404' }, '1'],
      [{ code: 'INTERNAL', status: '500' }, '1'],
    ]);
    expect(seen).toEqual(['NOT_FOUND', 'INTERNAL']);
  });

  it('feeds the query histogram from the profiler, capping distinct statements', async () => {
    const metrics = make({ defaultMetrics: false, queries: { maxStatements: 1 } });
    metrics.queries.record({ text: 'select 1', durationMs: 2, system: 'postgresql' });
    metrics.queries.record({
      text: `select * from t where x = '${'y'.repeat(300)}'`,
      durationMs: 2,
    });
    metrics.queries.record({ text: `select ${'a, '.repeat(100)}b from t`, durationMs: -1 });
    const histogram = family(
      parseExposition((await metrics.expose()).body),
      'db_client_operation_duration_seconds',
    );
    expect(histogram.metrics.map((m) => [m.labels, m.count])).toEqual([
      [{ db_system_name: 'postgresql', db_query_summary: 'select ?' }, '1'],
      [{ db_system_name: 'other_sql', db_query_summary: '__other__' }, '2'],
    ]);
  });

  it('makes one snapshot: health, RED figures, queries, errors, alerts, breakers, checks, process', async () => {
    const clock = { now: Date.parse('2026-01-01T00:00:00Z') };
    const metrics = make({
      defaultMetrics: false,
      clock: () => clock.now,
      health: () => ({ status: 'pass' }),
      alerts: { rules: [{ name: 'Errors', kind: 'error-rate', threshold: 0.2, minRequests: 1 }] },
    });
    for (let i = 0; i < 3; i++)
      metrics.http.observe({ method: 'GET', route: '/a', status: 200, durationMs: 10 });
    metrics.http.observe({ method: 'GET', route: '/a', status: 500, durationMs: 10 });
    metrics.http.observe({ method: 'GET', route: '/b', status: 200, durationMs: 10 });
    metrics.queries.record({ text: 'select pg_sleep(1)', durationMs: 1000 });
    metrics.errors.track(new NotFoundError());
    instrumentRetry(metrics).onStateChange({ dependency: 'payments', to: 'open' });
    instrumentHealth(metrics).onCheck({
      name: 'db',
      status: 'fail',
      critical: true,
      durationMs: 3,
    });
    await metrics.alerts.evaluate();
    const snapshot = await metrics.snapshot();
    expect(snapshot).toMatchObject({
      generatedAt: '2026-01-01T00:00:00.000Z',
      windowMs: 60_000,
      health: { status: 'pass' },
      http: { requests: 5, errors: 1, errorRate: 0.2, ratePerSecond: 5 / 60 },
      queries: { slowest: [{ statement: 'select pg_sleep(?)', durationMs: 1000 }] },
      errors: { groups: [{ code: 'NOT_FOUND', count: 1 }] },
      alerts: { active: [{ name: 'Errors', labels: { http_route: '/a' }, value: 0.25 }] },
      breakers: { payments: 'open' },
      checks: { db: { status: 'fail', critical: true, durationMs: 3 } },
      process: { pid: process.pid },
    });
    expect(snapshot.http.routes.map((r) => r.route)).toEqual(['/a', '/b']);
    expect(snapshot.process.rssBytes).toBeGreaterThan(0);
    expect(snapshot.process.eventLoopUtilization).toBeGreaterThanOrEqual(0);
    const second = await metrics.snapshot();
    expect(second.process.eventLoopDelayMs.max).toBeGreaterThanOrEqual(0);
    expect(JSON.parse(JSON.stringify(second))).toEqual(second);
  });

  it('reads health from an attached health object, and reports one that throws as fail', async () => {
    const metrics = make({ defaultMetrics: false });
    expect((await metrics.snapshot()).health).toBeNull();
    metrics.attachHealth({ ready: () => Promise.resolve({ body: { status: 'warn' } }) });
    expect((await metrics.snapshot()).health).toEqual({ status: 'warn' });
    metrics.attachHealth(() => {
      throw new Error('health down');
    });
    expect((await metrics.snapshot()).health).toEqual({ status: 'fail', output: 'health down' });
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a non-Error rejection is the case under test
    metrics.attachHealth(() => Promise.reject('plain'));
    expect((await metrics.snapshot()).health).toEqual({ status: 'fail', output: 'plain' });
  });

  it('refuses createClusterMetrics outside a cluster primary only', () => {
    // The test runner is a primary process, so this works here; workers are tested in test/cluster.
    const aggregated = createClusterMetrics();
    expect(typeof aggregated.expose).toBe('function');
  });
});
