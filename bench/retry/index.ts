/**
 * @arm/retry against its anchors, in one process and one run:
 *
 * 1. Calls per second through a closed breaker + retry + per-attempt timeout pipeline on a
 *    function that succeeds: ARM's `pipeline(retry, breaker, timeout)` against cockatiel 3's
 *    `wrap(retry, circuitBreaker, timeout)`. Target: at least 1x.
 * 2. Heap per breaker for 10,000 breakers: ARM's breaker (on opossum) against opossum alone,
 *    with its defaults and with the same settings ARM uses, and cockatiel's breaker.
 *
 * Several rounds, ARM and the anchor interleaved, medians and ratios printed.
 * Run: `pnpm bench:retry` (builds, then `tsx retry/index.ts` in bench/).
 */
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
// cockatiel 3's timeout adds an abort listener per call on a shared signal; Node warns once per
// signal (MaxListenersExceededWarning). The benchmark counts warnings per side instead of
// letting Node print them in the middle of the figures.
process.removeAllListeners('warning');
import { runInNewContext } from 'node:vm';
import { createCircuitBreaker, createRetryPolicy, createTimeout, pipeline } from '@arm/retry';
import {
  ExponentialBackoff,
  SamplingBreaker,
  TimeoutStrategy,
  circuitBreaker,
  handleAll,
  retry as cockatielRetry,
  timeout as cockatielTimeout,
  wrap,
} from 'cockatiel';

/** opossum, loaded without types: bench/ has no `@types/opossum`, and only needs these two members. */
const OpossumBreaker = createRequire(import.meta.url)('opossum') as new (
  action: () => unknown,
  options: Record<string, unknown>,
) => { shutdown(): void };

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const ROUNDS = 7;
const CALLS = 40_000;
const CONCURRENCY = 50;
const BREAKERS = 10_000;

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const format = (value: number): string => Math.round(value).toLocaleString('en-US');

/** The work: an async function that succeeds. */
const work = (): Promise<number> => Promise.resolve(42);

/** Runs CALLS calls, CONCURRENCY at a time, and answers calls per second. */
async function throughput(execute: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  let next = 0;
  const lanes = Array.from({ length: CONCURRENCY }, async () => {
    while (next < CALLS) {
      next++;
      await execute();
    }
  });
  await Promise.all(lanes);
  return CALLS / ((performance.now() - started) / 1000);
}

// Equivalent policies: 3 attempts with exponential backoff, an error-rate breaker over a 10 s
// window with a volume threshold, a 1 s timeout per attempt.
const arm = pipeline(
  createRetryPolicy({ attempts: 3, initialDelayMs: 100 }),
  createCircuitBreaker({ name: 'bench', failureRateThreshold: 50, volumeThreshold: 10 }),
  createTimeout({ ms: 1_000 }),
);
const cockatiel = wrap(
  cockatielRetry(handleAll, { maxAttempts: 2, backoff: new ExponentialBackoff() }),
  circuitBreaker(handleAll, {
    halfOpenAfter: 30_000,
    breaker: new SamplingBreaker({ threshold: 0.5, duration: 10_000, minimumRps: 1 }),
  }),
  cockatielTimeout(1_000, TimeoutStrategy.Aggressive),
);

const runArm = (): Promise<number> => arm.execute(({ signal }) => (signal.aborted ? 0 : work()));
const runCockatiel = (): Promise<number> =>
  cockatiel.execute(({ signal }) => (signal.aborted ? 0 : work()));

/** Counts the process warnings (listener-leak warnings among them) `run` causes. */
async function counting<T>(warnings: string[], run: () => Promise<T>): Promise<T> {
  const onWarning = (warning: Error): void => {
    warnings.push(warning.name);
  };
  process.on('warning', onWarning);
  try {
    const result = await run();
    // Warnings are emitted on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
    return result;
  } finally {
    process.off('warning', onWarning);
  }
}

async function benchThroughput(): Promise<void> {
  const armWarnings: string[] = [];
  const cockatielWarnings: string[] = [];
  // Warm-up, so both sides are optimised before measuring.
  await counting(armWarnings, () => throughput(runArm));
  await counting(cockatielWarnings, () => throughput(runCockatiel));
  const armRounds: number[] = [];
  const cockatielRounds: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    armRounds.push(await counting(armWarnings, () => throughput(runArm)));
    cockatielRounds.push(await counting(cockatielWarnings, () => throughput(runCockatiel)));
  }
  const armOps = median(armRounds);
  const cockatielOps = median(cockatielRounds);
  console.log(
    `\n1. Closed breaker + retry + timeout, ${format(CALLS)} successful calls x ${ROUNDS} rounds, ${CONCURRENCY} concurrent`,
  );
  console.log(
    `   @arm/retry pipeline(retry, breaker, timeout)  ${format(armOps)} calls/s (median)`,
  );
  console.log(
    `   cockatiel 3 wrap(retry, breaker, timeout)     ${format(cockatielOps)} calls/s (median)`,
  );
  console.log(`   ratio ARM / cockatiel: ${(armOps / cockatielOps).toFixed(2)}x (target >= 1x)`);
  console.log(
    `   process warnings: ARM ${armWarnings.length}, cockatiel ${cockatielWarnings.length} (${[...new Set(cockatielWarnings)].join(', ') || 'none'})`,
  );
}

interface Shutdownable {
  shutdown?: () => void;
}

/** Heap bytes per breaker, for BREAKERS breakers made by `make`, median of the rounds. */
function heapPerBreaker(make: (index: number) => unknown): number {
  const rounds: number[] = [];
  for (let round = 0; round < 3; round++) {
    gc();
    gc();
    const before = process.memoryUsage().heapUsed;
    const made = Array.from({ length: BREAKERS }, (_, index) => make(index));
    gc();
    gc();
    rounds.push((process.memoryUsage().heapUsed - before) / BREAKERS);
    for (const breaker of made) (breaker as Shutdownable).shutdown?.();
    made.length = 0;
  }
  return median(rounds);
}

function benchMemory(): void {
  const arm = heapPerBreaker((index) => createCircuitBreaker({ name: `dep-${index}` }));
  const opossumDefaults = heapPerBreaker(
    (index) => new OpossumBreaker(work, { name: `dep-${index}` }),
  );
  const opossumLean = heapPerBreaker(
    (index) =>
      new OpossumBreaker(work, {
        name: `dep-${index}`,
        timeout: false,
        rollingPercentilesEnabled: false,
        enableSnapshots: false,
      }),
  );
  const cockatielBreaker = heapPerBreaker(() =>
    circuitBreaker(handleAll, {
      halfOpenAfter: 30_000,
      breaker: new SamplingBreaker({ threshold: 0.5, duration: 10_000 }),
    }),
  );
  console.log(`\n2. Heap per breaker, ${format(BREAKERS)} breakers (median of 3 rounds)`);
  console.log(`   @arm/retry createCircuitBreaker                ${format(arm)} B`);
  console.log(`   opossum 9 alone, defaults                       ${format(opossumDefaults)} B`);
  console.log(`   opossum 9 alone, no snapshots/percentiles       ${format(opossumLean)} B`);
  console.log(`   cockatiel 3 circuitBreaker (SamplingBreaker)    ${format(cockatielBreaker)} B`);
  console.log(
    `   ratio ARM / opossum defaults: ${(arm / opossumDefaults).toFixed(2)}x (lower is better)`,
  );
  console.log(
    `   timers: ARM shares one rotation interval for all breakers; opossum's defaults start two per breaker`,
  );
}

console.log(`@arm/retry benchmark, Node ${process.version}`);
await benchThroughput();
benchMemory();
