/**
 * Cluster aggregation with a real `node:cluster`: a primary forks 2 workers; each worker makes
 * its metrics with `createMetrics({ cluster: true })` and observes its own requests; one
 * scrape of the primary's `createClusterMetrics().expose()` answers the sums. The package is
 * bundled from source (prom-client and pino external, as published) and runs in plain `node`
 * child processes, outside vitest.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'tsup';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { baseConfig } from '../../../tsup.config.base';
import { family, parseExposition } from './prometheus';

const outdir = mkdtempSync(join(new URL('.', import.meta.url).pathname, '.cluster-'));

const script = `
import cluster from 'node:cluster';
import { createClusterMetrics, createMetrics } from './index.mjs';

if (cluster.isPrimary) {
  const aggregated = createClusterMetrics();
  const workers = [cluster.fork({ WORKER: '1' }), cluster.fork({ WORKER: '2' })];
  let ready = 0;
  const refusals = [];
  for (const worker of workers) {
    worker.on('message', async (message) => {
      if (typeof message?.refused !== 'string') return;
      refusals.push(message.refused);
      if (++ready < workers.length) return;
      const { contentType, body } = await aggregated.expose();
      process.stdout.write(JSON.stringify({ contentType, body, refusals }));
      for (const w of workers) w.kill();
    });
  }
} else {
  // A previous instance, closed as a hot reload would: it must not answer the primary.
  const stale = createMetrics({ cluster: true, defaultMetrics: false });
  stale.http.observe({ method: 'GET', route: '/orders/:id', status: 200, durationMs: 20 });
  stale.close();
  let refused = '';
  try {
    createClusterMetrics();
  } catch (error) {
    refused = error.message;
  }
  const metrics = createMetrics({ cluster: true, defaultLabels: { service: 'orders' } });
  const n = Number(process.env.WORKER);
  for (let i = 0; i < n * 3; i++) metrics.http.observe({ method: 'GET', route: '/orders/:id', status: 200, durationMs: 20 });
  metrics.http.observe({ method: 'POST', route: '/worker' + n, status: 201, durationMs: 2 });
  metrics.counter({ name: 'jobs_total', help: 'Jobs.' }).inc(n * 10);
  process.send({ refused });
}
`;

beforeAll(async () => {
  await build({
    ...baseConfig,
    format: ['esm'],
    entry: { index: new URL('../src/index.ts', import.meta.url).pathname },
    outDir: outdir,
    external: ['prom-client', 'pino'],
    noExternal: ['@arm/errors'],
    esbuildOptions(options) {
      options.conditions = ['@arm/source'];
    },
    dts: false,
    sourcemap: false,
    silent: true,
    config: false,
    outExtension: () => ({ js: '.mjs' }),
  });
  writeFileSync(join(outdir, 'cluster.mjs'), script);
}, 60_000);

afterAll(() => {
  rmSync(outdir, { recursive: true, force: true });
});

it('sums both workers into one scrape of the primary', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [join(outdir, 'cluster.mjs')], {
    timeout: 30_000,
  });
  const { contentType, body, refusals } = JSON.parse(stdout) as {
    contentType: string;
    body: string;
    refusals: string[];
  };
  expect(refusals).toEqual([
    expect.stringContaining('runs in the cluster primary'),
    expect.stringContaining('runs in the cluster primary'),
  ]);
  expect(contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
  const families = parseExposition(body);
  const http = family(families, 'http_server_request_duration_seconds').metrics;
  expect(http.find((m) => m.labels?.http_route === '/orders/:id')).toMatchObject({
    labels: { service: 'orders', http_request_method: 'GET', http_response_status_code: '200' },
    count: '9',
    buckets: { '0.025': '9', '0.01': '0' },
  });
  expect(
    http.filter((m) => m.labels?.http_route?.startsWith('/worker')).map((m) => m.count),
  ).toEqual(['1', '1']);
  expect(family(families, 'jobs_total').metrics).toEqual([
    { labels: { service: 'orders' }, value: '30' },
  ]);
  // Default process metrics come from both workers too, aggregated as prom-client declares.
  expect(families.map((f) => f.name)).toContain('process_cpu_user_seconds_total');
}, 60_000);
