/**
 * HTTP stacks against their anchors, in one run: requests per second of one JSON route with
 * the full ARM stack against the equivalent stack teams assemble today, and against the bare
 * framework.
 *
 * - Fastify: ARM (`@arm/fastify`) vs @fastify/rate-limit + @fastify/helmet + fastify-metrics
 *   + pino, and vs a bare Fastify route.
 * - Express: ARM (`@arm/express`) vs express-rate-limit + helmet + express-prom-bundle +
 *   pino-http, and vs a bare Express route.
 *
 * Each server runs in its own process; autocannon loads it over loopback from this one.
 * Stacks are interleaved over several rounds; medians and ratios are printed. Target: ARM at
 * least 1x its anchor stack. Run: `pnpm bench:http` (builds, then `tsx http/index.ts`).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 4);
const CONNECTIONS = 32;
const STACKS = ['bare', 'anchor', 'arm'] as const;

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const format = (value: number): string => Math.round(value).toLocaleString('en-US');

async function startServer(name: string): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('servers.ts', import.meta.url)), name],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_ENV: 'production' } },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) => {
      resolve(Number(chunk.toString().trim()));
    });
    child.once('exit', (code) => {
      reject(new Error(`server ${name} exited with ${String(code)}`));
    });
  });
  return { port, child };
}

async function load(port: number, seconds: number): Promise<{ rps: number; non2xx: number }> {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/hello`,
    connections: CONNECTIONS,
    duration: seconds,
  });
  return { rps: result.requests.average, non2xx: result.non2xx + result.errors };
}

async function measure(framework: string): Promise<Record<(typeof STACKS)[number], number>> {
  const servers = Object.fromEntries(
    await Promise.all(
      STACKS.map(async (stack) => [stack, await startServer(`${framework}-${stack}`)] as const),
    ),
  ) as Record<(typeof STACKS)[number], { port: number; child: ChildProcess }>;
  try {
    for (const stack of STACKS) await load(servers[stack].port, 1); // warm-up
    const samples: Record<string, number[]> = { bare: [], anchor: [], arm: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const stack of round % 2 === 0 ? STACKS : [...STACKS].reverse()) {
        const { rps, non2xx } = await load(servers[stack].port, DURATION_S);
        if (non2xx > 0) throw new Error(`${framework}-${stack}: ${non2xx} failed requests`);
        samples[stack]?.push(rps);
      }
    }
    return {
      bare: median(samples.bare ?? []),
      anchor: median(samples.anchor ?? []),
      arm: median(samples.arm ?? []),
    };
  } finally {
    for (const { child } of Object.values(servers)) child.kill();
  }
}

console.log(
  `HTTP stacks: GET /hello, ${CONNECTIONS} connections, ${ROUNDS} rounds of ${DURATION_S} s, medians of req/s\n`,
);
for (const framework of ['fastify', 'express']) {
  const rps = await measure(framework);
  console.log(framework);
  console.log(`  bare ${framework}:   ${format(rps.bare)} req/s`);
  console.log(`  anchor stack:   ${format(rps.anchor)} req/s`);
  console.log(`  ARM stack:      ${format(rps.arm)} req/s`);
  console.log(`  ARM / anchor:   ${(rps.arm / rps.anchor).toFixed(2)}x (target >= 1x)`);
  console.log(`  ARM / bare:     ${(rps.arm / rps.bare).toFixed(2)}x\n`);
}
