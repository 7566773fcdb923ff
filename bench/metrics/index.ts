/**
 * @arm/metrics against raw prom-client, side by side in one process and one run.
 *
 * - `metrics.http.observe({ method, route, status, durationMs })` against a raw prom-client
 *   `Histogram.observe(labels, seconds)` with the same three labels, the same buckets and the
 *   same 64 label combinations: observations per second (target: >= 0.8x);
 * - scrape time of the exposition with 200 routes x 10 status codes (2 000 series, 34 000
 *   lines): `metrics.expose()` against the raw registry's `metrics()` holding the same data
 *   (target: >= 0.8x, as scrapes per second).
 *
 * Rounds alternate between the two; the figures are medians.
 * Run: pnpm --filter @arm/bench metrics
 */
import { HTTP_DURATION_BUCKETS, createMetrics } from '@arm/metrics';
import { Histogram, Registry } from 'prom-client';

const ROUNDS = 7;
const OBSERVES = 2_000_000;
const SCRAPES = 20;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function format(value: number): string {
  return Math.round(value).toLocaleString('en-US').padStart(12);
}

function compare(label: string, arm: () => number, raw: () => number, unit: string): number {
  const armRuns: number[] = [];
  const rawRuns: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    armRuns.push(arm());
    rawRuns.push(raw());
  }
  const a = median(armRuns);
  const r = median(rawRuns);
  console.log(
    `${label.padEnd(40)} ARM ${format(a)} ${unit}  prom-client ${format(r)} ${unit}  ratio ${(a / r).toFixed(2)}x`,
  );
  return a / r;
}

async function compareAsync(
  label: string,
  arm: () => Promise<number>,
  raw: () => Promise<number>,
  unit: string,
): Promise<number> {
  const armRuns: number[] = [];
  const rawRuns: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    armRuns.push(await arm());
    rawRuns.push(await raw());
  }
  const a = median(armRuns);
  const r = median(rawRuns);
  console.log(
    `${label.padEnd(40)} ARM ${format(a)} ${unit}  prom-client ${format(r)} ${unit}  ratio ${(a / r).toFixed(2)}x`,
  );
  console.log(
    `${''.padEnd(40)} (one scrape: ARM ${(1000 / a).toFixed(1)} ms, prom-client ${(1000 / r).toFixed(1)} ms)`,
  );
  return a / r;
}

function rawHistogram(registry: Registry) {
  return new Histogram({
    name: 'http_server_request_duration_seconds',
    help: 'Duration of HTTP server requests.',
    labelNames: ['http_request_method', 'http_route', 'http_response_status_code'],
    buckets: [...HTTP_DURATION_BUCKETS],
    registers: [registry],
  });
}

/** 64 combinations: 4 methods x 8 routes x 2 statuses, as an application's requests would be. */
const methods = ['GET', 'POST', 'PUT', 'DELETE'];
const routes = Array.from({ length: 8 }, (_, i) => `/api/v1/resource${i}/:id`);
const statuses = [200, 404];
const combos = methods.flatMap((method) =>
  routes.flatMap((route) => statuses.map((status) => ({ method, route, status }))),
);
const durationsMs = Array.from({ length: 1024 }, (_, i) => ((i * 7919) % 3000) / 10);
// Inputs are made before measuring: each side gets the shape its API takes.
const armInputs = Array.from({ length: 1024 }, (_, i) => {
  const combo = combos[i % combos.length] as (typeof combos)[number];
  return { ...combo, durationMs: durationsMs[i] as number };
});
const rawInputs = armInputs.map(({ method, route, status, durationMs }) => ({
  labels: {
    http_request_method: method,
    http_route: route,
    http_response_status_code: String(status),
  },
  seconds: durationMs / 1000,
}));

function observeBenchmark(): number {
  const metrics = createMetrics({ defaultMetrics: false });
  const registry = new Registry();
  const histogram = rawHistogram(registry);
  const arm = () => {
    const started = performance.now();
    for (let i = 0; i < OBSERVES; i++)
      metrics.http.observe(armInputs[i & 1023] as (typeof armInputs)[number]);
    return OBSERVES / ((performance.now() - started) / 1000);
  };
  const raw = () => {
    const started = performance.now();
    for (let i = 0; i < OBSERVES; i++) {
      const input = rawInputs[i & 1023] as (typeof rawInputs)[number];
      histogram.observe(input.labels, input.seconds);
    }
    return OBSERVES / ((performance.now() - started) / 1000);
  };
  // Warm both up, so neither pays for compilation inside a round.
  arm();
  raw();
  const ratio = compare('http.observe (3 labels, 64 series)', arm, raw, 'ops/s');
  metrics.close();
  return ratio;
}

async function scrapeBenchmark(): Promise<number> {
  const metrics = createMetrics({ defaultMetrics: false });
  const registry = new Registry();
  const histogram = rawHistogram(registry);
  const codes = [200, 201, 204, 301, 400, 401, 403, 404, 500, 503];
  for (let r = 0; r < 200; r++) {
    for (const status of codes) {
      for (let k = 0; k < 5; k++) {
        const durationMs = ((r * 31 + status + k * 97) % 2000) / 10;
        metrics.http.observe({ method: 'GET', route: `/route${r}/:id`, status, durationMs });
        histogram.observe(
          {
            http_request_method: 'GET',
            http_route: `/route${r}/:id`,
            http_response_status_code: String(status),
          },
          durationMs / 1000,
        );
      }
    }
  }
  const ours = (await metrics.expose()).body;
  const theirs = await registry.metrics();
  const lines = (text: string) =>
    text.split('\n').filter((line) => line !== '' && !line.startsWith('#')).length;
  if (lines(ours) !== lines(theirs))
    throw new Error(`line counts differ: ${lines(ours)} vs ${lines(theirs)}`);
  console.log(
    `scrape: ${lines(ours).toLocaleString('en-US')} sample lines, ${(ours.length / 1024).toFixed(0)} KiB`,
  );
  const arm = async () => {
    const started = performance.now();
    for (let i = 0; i < SCRAPES; i++) await metrics.expose();
    return SCRAPES / ((performance.now() - started) / 1000);
  };
  const raw = async () => {
    const started = performance.now();
    for (let i = 0; i < SCRAPES; i++) await registry.metrics();
    return SCRAPES / ((performance.now() - started) / 1000);
  };
  await arm();
  await raw();
  const ratio = await compareAsync('scrape, 200 routes x 10 statuses', arm, raw, 'scrapes/s');
  const ms = (perSecond: number) => (1000 / perSecond).toFixed(1);
  console.log(
    `  (one scrape: ARM ${ms(median([await arm()]))} ms, prom-client ${ms(median([await raw()]))} ms)`,
  );
  metrics.close();
  return ratio;
}

console.log(
  `@arm/metrics vs prom-client, Node ${process.version}, medians of ${ROUNDS} alternating rounds\n`,
);
const observeRatio = observeBenchmark();
const scrapeRatio = await scrapeBenchmark();
console.log(
  `\nratios: observe ${observeRatio.toFixed(2)}x (target >= 0.8x), scrape ${scrapeRatio.toFixed(2)}x (target >= 0.8x)`,
);
process.exit(0);
