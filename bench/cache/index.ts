/**
 * @arm/cache side by side with its anchors, in one process and one run:
 *
 * 1. The in-process hit path of `get` and `getOrSet` against lru-cache's own `get` (the
 *    same lru-cache build @arm/cache uses, with the same `max` and `ttl`). Measured twice:
 *    awaited by the caller as a service awaits a cache (`await x`), and for lru-cache also
 *    as a bare synchronous call, the absolute floor. `get` and `getOrSet` return promises, so
 *    against the synchronous call they pay an `await` lru-cache does not (those two rows
 *    have no target: they show what an await costs). The synchronous hit path is measured
 *    against the synchronous call: `getLocal`, and the idiom its documentation gives for a
 *    getOrSet that hits without a promise, `getLocal(key) ?? (await getOrSet(key, load))`.
 *    Each side runs in a worker of its own (hit-worker.mjs), so that neither shapes the
 *    optimizing compiler's view of the lru-cache code both use.
 * 2. `getOrSet` in process against bentocache's memory-only `getOrSet` (`serialize: false`:
 *    neither side serializes its in-process tier), on hits and on misses.
 * 3. `createBatchLoader` against dataloader with the same batch function: a loader per
 *    request, 100 loads per request (20 of them duplicates) in one tick.
 *
 * Every case runs several rounds, alternating which side goes first; figures are medians of
 * operations per second. Loopback only; the whole run takes well under three minutes.
 */
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { createBatchLoader, createCache } from '@arm/cache';
import { BentoCache, bentostore } from 'bentocache';
import { memoryDriver } from 'bentocache/drivers/memory';
import DataLoader from 'dataloader';

const ROUNDS = 7;
const KEYS = Array.from({ length: 1_000 }, (_, i) => `user:${i}`);
const VALUE = { id: 1, name: 'Ada Lovelace', roles: ['admin', 'author'] };

type Case = () => Promise<number> | number;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Runs `body` `ops` times (it does the looping) and returns operations per second. */
async function measure(ops: number, body: (ops: number) => Promise<void> | void): Promise<number> {
  const start = performance.now();
  await body(ops);
  return ops / ((performance.now() - start) / 1000);
}

async function compare(cases: Record<string, Case>): Promise<Record<string, number>> {
  const names = Object.keys(cases);
  const results: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  for (const name of names) await cases[name]?.(); // warm-up
  for (let round = 0; round < ROUNDS; round += 1) {
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) results[name]?.push(await (cases[name] as Case)());
  }
  return Object.fromEntries(names.map((name) => [name, median(results[name] ?? [])]));
}

const rows: { benchmark: string; arm: number; anchor: number; target: number | undefined }[] = [];

/** A row of the report; one without a target is there for information. */
function report(benchmark: string, arm: number, anchor: number, target?: number): void {
  rows.push({ benchmark, arm, anchor, target });
}

/** A worker running one side of the hit-path comparison (see hit-worker.mjs). */
async function hitWorker(side: 'lru' | 'arm', ops: number) {
  const worker = new Worker(new URL('./hit-worker.mjs', import.meta.url), {
    workerData: { side, ops },
  });
  // Rejects if the worker fails; leaves no listener behind.
  const next = async () => ((await once(worker, 'message')) as unknown[])[0];
  await next(); // ready
  return {
    run: async (name: string) => {
      const answer = next();
      worker.postMessage(name);
      return Number(await answer);
    },
    stop: () => worker.terminate(),
  };
}

async function hitPath(): Promise<void> {
  const OPS = 1_000_000;
  const lru = await hitWorker('lru', OPS);
  const arm = await hitWorker('arm', OPS);
  const cases = [
    ...['lruSync', 'lruAwaited'].map((name) => [name, () => lru.run(name)] as const),
    ...['armGet', 'armGetOrSet', 'armGetLocal', 'armLocalOrGetOrSet'].map(
      (name) => [name, () => arm.run(name)] as const,
    ),
  ];
  const r = await compare(Object.fromEntries(cases));
  await lru.stop();
  await arm.stop();
  report('hit: get vs lru-cache get, both awaited', r.armGet ?? 0, r.lruAwaited ?? 0, 0.8);
  report(
    'hit: getOrSet vs lru-cache get, both awaited',
    r.armGetOrSet ?? 0,
    r.lruAwaited ?? 0,
    0.8,
  );
  report('hit: getLocal (sync) vs lru-cache get (sync)', r.armGetLocal ?? 0, r.lruSync ?? 0, 0.8);
  report(
    'hit: getLocal ?? getOrSet vs lru-cache get (sync)',
    r.armLocalOrGetOrSet ?? 0,
    r.lruSync ?? 0,
    0.8,
  );
  report('hit: await get vs lru-cache get (sync), the await', r.armGet ?? 0, r.lruSync ?? 0);
  report(
    'hit: await getOrSet vs lru-cache get (sync), the await',
    r.armGetOrSet ?? 0,
    r.lruSync ?? 0,
  );
}

async function versusBentocache(): Promise<void> {
  const HITS = 100_000;
  const MISSES = 50_000;
  const bento = new BentoCache({
    default: 'memory',
    stores: {
      memory: bentostore().useL1Layer(memoryDriver({ maxItems: 200_000, serialize: false })),
    },
  });
  const cache = createCache({ memory: { max: 200_000 }, ttl: 60_000 });
  const factory = () => VALUE;
  for (const key of KEYS) {
    await bento.getOrSet({ key, factory, ttl: 60_000 });
    await cache.getOrSet(key, factory);
  }
  let generation = 0;
  const hits = await compare({
    arm: () =>
      measure(HITS, async (n) => {
        for (let i = 0; i < n; i += 1) await cache.getOrSet(KEYS[i % 1_000] as string, factory);
      }),
    bento: () =>
      measure(HITS, async (n) => {
        for (let i = 0; i < n; i += 1) {
          await bento.getOrSet({ key: KEYS[i % 1_000] as string, factory, ttl: 60_000 });
        }
      }),
  });
  report(
    'getOrSet hit vs bentocache (memory, serialize: false)',
    hits.arm ?? 0,
    hits.bento ?? 0,
    1,
  );
  const misses = await compare({
    arm: () => {
      generation += 1;
      const g = generation;
      return measure(MISSES, async (n) => {
        for (let i = 0; i < n; i += 1) await cache.getOrSet(`miss:${g}:${i}`, factory);
      });
    },
    bento: () => {
      generation += 1;
      const g = generation;
      return measure(MISSES, async (n) => {
        for (let i = 0; i < n; i += 1) {
          await bento.getOrSet({ key: `miss:${g}:${i}`, factory, ttl: 60_000 });
        }
      });
    },
  });
  report('getOrSet miss+fill vs bentocache (memory)', misses.arm ?? 0, misses.bento ?? 0, 1);
  await bento.disconnectAll();
}

async function versusDataloader(): Promise<void> {
  const REQUESTS = 10_000;
  const PER_REQUEST = 100;
  const ids = Array.from({ length: PER_REQUEST }, (_, i) => i % 80);
  const batch = (keys: readonly number[]) => Promise.resolve(keys.map((key) => ({ id: key })));
  const r = await compare({
    arm: () =>
      measure(REQUESTS * PER_REQUEST, async () => {
        for (let request = 0; request < REQUESTS; request += 1) {
          const loader = createBatchLoader({ batch });
          await Promise.all(ids.map((id) => loader.load(id)));
        }
      }),
    dataloader: () =>
      measure(REQUESTS * PER_REQUEST, async () => {
        for (let request = 0; request < REQUESTS; request += 1) {
          const loader = new DataLoader(batch);
          await Promise.all(ids.map((id) => loader.load(id)));
        }
      }),
  });
  report('batch loader vs dataloader (100 loads/request)', r.arm ?? 0, r.dataloader ?? 0, 1);
}

const started = performance.now();
await hitPath();
await versusBentocache();
await versusDataloader();

const format = (n: number) => Math.round(n).toLocaleString('en-US').padStart(12);
console.log(`@arm/cache benchmarks: Node ${process.version}, ${ROUNDS} rounds, medians of ops/s\n`);
console.log(
  `${'benchmark'.padEnd(56)}${'ARM'.padStart(12)}${'anchor'.padStart(12)}   ratio  target`,
);
for (const row of rows) {
  const ratio = row.arm / row.anchor;
  console.log(
    `${row.benchmark.padEnd(56)}${format(row.arm)}${format(row.anchor)}   ${ratio.toFixed(2)}x  ${row.target === undefined ? '-' : `${String(row.target)}x ${ratio >= row.target ? 'met' : 'MISSED'}`}`,
  );
}
console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(1)} s`);
