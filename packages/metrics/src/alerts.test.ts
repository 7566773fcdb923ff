import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigurationError } from '@arm/errors';
import { createMetrics } from './metrics';
import type { Metrics, MetricsOptions } from './metrics';
import { instrumentHealth, instrumentRetry } from './instrument';
import { webhookNotifier } from './alerts';
import type { AlertNotification, AlertRule } from './alerts';

const made: Metrics[] = [];
afterEach(() => {
  for (const metrics of made.splice(0)) metrics.close();
});

function setup(rules: AlertRule[], extra: Partial<MetricsOptions['alerts']> = {}) {
  const clock = { now: 1_000_000 };
  const notifications: AlertNotification[] = [];
  const metrics = createMetrics({
    defaultMetrics: false,
    clock: () => clock.now,
    alerts: { rules, notify: [(n) => void notifications.push(n)], ...extra },
  });
  made.push(metrics);
  return { clock, notifications, metrics };
}

const requests = (
  metrics: Metrics,
  route: string,
  status: number,
  durationMs: number,
  count: number,
) => {
  for (let i = 0; i < count; i++)
    metrics.http.observe({ method: 'GET', route, status, durationMs });
};

describe('alerts', () => {
  it('fires per route on error rate and p95 latency, after forMs, and resolves', async () => {
    const { clock, notifications, metrics } = setup([
      { name: 'HighErrorRate', kind: 'error-rate', threshold: 0.1, minRequests: 10, forMs: 1000 },
      {
        name: 'SlowCheckout',
        kind: 'latency',
        route: '/checkout',
        thresholdMs: 500,
        severity: 'page',
      },
      { name: 'SlowMedian', kind: 'latency', quantile: 0.5, thresholdMs: 5000 },
    ]);
    requests(metrics, '/orders', 500, 10, 5);
    requests(metrics, '/orders', 200, 10, 5);
    requests(metrics, '/quiet', 500, 10, 2);
    requests(metrics, '/checkout', 200, 900, 20);
    let active = await metrics.alerts.evaluate();
    expect(active.map((a) => [a.name, a.labels])).toEqual([
      ['SlowCheckout', { severity: 'page', http_route: '/checkout' }],
    ]);
    expect(active[0]?.value).toBeGreaterThan(500);
    expect(active[0]?.threshold).toBe(500);
    expect(notifications).toHaveLength(1);

    clock.now += 1000;
    active = await metrics.alerts.evaluate();
    expect(active.map((a) => a.name).sort()).toEqual(['HighErrorRate', 'SlowCheckout']);
    const errorAlert = active.find((a) => a.name === 'HighErrorRate');
    expect(errorAlert).toMatchObject({
      labels: { http_route: '/orders', severity: 'warning' },
      value: 0.5,
      since: 1_000_000,
    });
    expect(notifications[1]?.firing.map((a) => a.name)).toEqual(['HighErrorRate']);
    expect(await metrics.alerts.evaluate()).toHaveLength(2);
    expect(notifications).toHaveLength(2);

    clock.now += 61_000;
    expect(await metrics.alerts.evaluate()).toEqual([]);
    expect(notifications[2]?.resolved.map((a) => a.name).sort()).toEqual([
      'HighErrorRate',
      'SlowCheckout',
    ]);
    expect(metrics.alerts.active()).toEqual([]);
  });

  it('fires on failing health checks and open breakers, as instrumented', async () => {
    const { metrics } = setup([
      { name: 'CriticalDown', kind: 'health' },
      { name: 'SearchDown', kind: 'health', check: 'search' },
      { name: 'BreakerOpen', kind: 'breaker-open' },
      {
        name: 'PaymentsOpen',
        kind: 'breaker-open',
        dependency: 'payments',
        summary: 'Payments are off',
      },
    ]);
    const health = instrumentHealth(metrics);
    health.onCheck({ name: 'db', status: 'fail', critical: true, durationMs: 1 });
    health.onCheck({ name: 'search', status: 'fail', critical: false, durationMs: 1 });
    health.onCheck({ name: 'cache', status: 'warn', critical: true, durationMs: 1 });
    const retry = instrumentRetry(metrics);
    retry.onStateChange({ dependency: 'payments', to: 'open' });
    retry.onStateChange({ dependency: 'mail', to: 'open' });
    retry.onStateChange({ dependency: 'mail', to: 'half-open' });
    const active = await metrics.alerts.evaluate();
    expect(active.map((a) => [a.name, a.labels, a.summary])).toEqual([
      ['CriticalDown', { severity: 'warning', check: 'db' }, 'A critical health check fails'],
      ['SearchDown', { severity: 'warning', check: 'search' }, 'Health check search fails'],
      ['BreakerOpen', { severity: 'warning', dependency: 'payments' }, 'A circuit breaker is open'],
      ['PaymentsOpen', { severity: 'warning', dependency: 'payments' }, 'Payments are off'],
    ]);
  });

  it('posts Alertmanager-shaped JSON to a webhook on a real loopback server, and reports failures', async () => {
    const bodies: unknown[] = [];
    let status = 200;
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        bodies.push({
          body: JSON.parse(body) as unknown,
          type: request.headers['content-type'],
          token: request.headers['x-token'],
        });
        response.writeHead(status).end();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const errors: unknown[] = [];
    const { clock, metrics } = setup([{ name: 'BreakerOpen', kind: 'breaker-open' }], {
      notify: [webhookNotifier(url, { headers: { 'x-token': 't' }, timeoutMs: 2000 })],
      onNotifyError: (error) => errors.push(error),
    });
    const retry = instrumentRetry(metrics);
    retry.onStateChange({ dependency: 'payments', to: 'open' });
    await metrics.alerts.evaluate();
    expect(bodies[0]).toEqual({
      type: 'application/json',
      token: 't',
      body: {
        version: '4',
        status: 'firing',
        alerts: [
          {
            status: 'firing',
            labels: { alertname: 'BreakerOpen', severity: 'warning', dependency: 'payments' },
            annotations: { summary: 'A circuit breaker is open', value: '1' },
            startsAt: new Date(1_000_000).toISOString(),
          },
        ],
      },
    });
    status = 500;
    clock.now += 5000;
    retry.onStateChange({ dependency: 'payments', to: 'closed' });
    await metrics.alerts.evaluate();
    expect(bodies[1]).toMatchObject({
      body: {
        status: 'resolved',
        alerts: [{ status: 'resolved', endsAt: new Date(1_005_000).toISOString() }],
      },
    });
    expect(String(errors[0])).toContain('webhook answered 500');
    server.close();
  });

  it('survives a notifier hook that throws, and evaluates on an unref-ed interval', async () => {
    const { metrics } = setup([{ name: 'BreakerOpen', kind: 'breaker-open' }], {
      notify: [() => Promise.reject(new Error('down'))],
      onNotifyError: () => {
        throw new Error('hook down too');
      },
      intervalMs: 5,
    });
    instrumentRetry(metrics).onStateChange({ dependency: 'payments', to: 'open' });
    await expect.poll(() => metrics.alerts.active().length).toBe(1);
  });

  it('exports the same rules as a Prometheus rules file over the emitted series', () => {
    const { metrics } = setup([
      { name: 'HighErrorRate', kind: 'error-rate', threshold: 0.05, forMs: 120_000 },
      {
        name: 'SlowCheckout',
        kind: 'latency',
        route: '/checkout',
        thresholdMs: 750,
        quantile: 0.99,
        forMs: 30_000,
      },
      { name: 'CriticalDown', kind: 'health', severity: 'page' },
      { name: 'SearchDown', kind: 'health', check: 'search' },
      { name: 'BreakerOpen', kind: 'breaker-open' },
      { name: 'PaymentsOpen', kind: 'breaker-open', dependency: 'pay"ments' },
    ]);
    const file = parse(metrics.alerts.prometheusRules({ group: 'orders' })) as {
      groups: {
        name: string;
        rules: {
          alert: string;
          expr: string;
          for?: string;
          labels: object;
          annotations: { summary: string };
        }[];
      }[];
    };
    expect(file.groups[0]?.name).toBe('orders');
    const rules = file.groups[0]?.rules ?? [];
    expect(rules.map((r) => [r.alert, r.for])).toEqual([
      ['HighErrorRate', '2m'],
      ['SlowCheckout', '30s'],
      ['CriticalDown', undefined],
      ['SearchDown', undefined],
      ['BreakerOpen', undefined],
      ['PaymentsOpen', undefined],
    ]);
    expect(rules[0]?.expr).toBe(
      '(sum by (http_route) (rate(http_server_request_duration_seconds_count{http_response_status_code=~"5.."}[1m])) / sum by (http_route) (rate(http_server_request_duration_seconds_count[1m])) > 0.05) and (sum by (http_route) (increase(http_server_request_duration_seconds_count[1m])) >= 10)',
    );
    expect(rules[1]?.expr).toContain(
      'histogram_quantile(0.99, sum by (le, http_route) (rate(http_server_request_duration_seconds_bucket{http_route="/checkout"}[1m]))) > 0.75',
    );
    expect(rules[2]).toMatchObject({
      expr: 'max by (check) (arm_health_check_status{critical="true"}) == 2',
      labels: { severity: 'page' },
    });
    expect(rules[3]?.expr).toBe('max by (check) (arm_health_check_status{check="search"}) == 2');
    expect(rules[4]?.expr).toBe('max by (dependency) (arm_circuit_breaker_state) == 2');
    expect(rules[5]?.expr).toBe(
      'max by (dependency) (arm_circuit_breaker_state{dependency="pay\\"ments"}) == 2',
    );
    expect(rules[0]?.annotations.summary).toBe('More than 5% of requests fail with 5xx');
    const ruleSource = createMetrics({
      defaultMetrics: false,
      http: { windowMs: 90_000 },
      alerts: { rules: [{ name: 'X', kind: 'breaker-open', forMs: 1500 }] },
    });
    made.push(ruleSource);
    expect(ruleSource.alerts.prometheusRules()).toContain('for: 2s');
    expect(parse(ruleSource.alerts.prometheusRules())).toMatchObject({ groups: [{ name: 'arm' }] });
  });

  it('every metric name a rule references is one the package emits', async () => {
    const { metrics } = setup([
      { name: 'E', kind: 'error-rate', threshold: 0.1 },
      { name: 'L', kind: 'latency', thresholdMs: 100 },
      { name: 'H', kind: 'health' },
      { name: 'B', kind: 'breaker-open' },
    ]);
    instrumentRetry(metrics).onStateChange({ dependency: 'x', to: 'open' });
    instrumentHealth(metrics).onCheck({
      name: 'db',
      status: 'pass',
      critical: true,
      durationMs: 1,
    });
    metrics.http.observe({ method: 'GET', route: '/', status: 200, durationMs: 1 });
    const { body } = await metrics.expose();
    const referenced =
      metrics.alerts.prometheusRules().match(/\b(?:http_server|arm)_[a-z_]+/g) ?? [];
    expect(referenced.length).toBeGreaterThan(4);
    for (const name of new Set(referenced)) expect(body).toContain(`\n${name}{`);
  });

  it('rejects bad rules with ConfigurationError', () => {
    const bad: unknown[] = [
      { name: 'X', kind: 'nope' },
      null,
      { name: 'bad name', kind: 'health' },
      { name: 'X', kind: 'error-rate', threshold: 2 },
      { name: 'X', kind: 'latency', thresholdMs: 0 },
      { name: 'X', kind: 'latency', thresholdMs: '5' },
      { name: 'X', kind: 'latency', thresholdMs: 5, quantile: 0.9 },
      { name: 'X', kind: 'health', forMs: -1 },
    ];
    for (const rule of bad) {
      expect(() =>
        createMetrics({ defaultMetrics: false, alerts: { rules: [rule as AlertRule] } }),
      ).toThrow(ConfigurationError);
    }
    expect(() =>
      createMetrics({
        defaultMetrics: false,
        alerts: {
          rules: [
            { name: 'A', kind: 'health' },
            { name: 'A', kind: 'health' },
          ],
        },
      }),
    ).toThrow(/unique/);
    expect(() => createMetrics({ defaultMetrics: false, alerts: {} as never })).toThrow(
      /"alerts.rules" must be an array/,
    );
    expect(() =>
      createMetrics({ defaultMetrics: false, alerts: { rules: [], intervalMs: 0 } }),
    ).toThrow(/"alerts.intervalMs"/);
    expect(() => webhookNotifier('http://127.0.0.1/', { timeoutMs: -1 })).toThrow(
      /"webhook.timeoutMs"/,
    );
  });
});
