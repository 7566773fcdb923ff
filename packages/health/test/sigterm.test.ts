/**
 * A real SIGTERM to a real process: a child runs an HTTP server under `createShutdown` (bundled
 * from the sources with esbuild, since Node 20 runs no TypeScript), five requests are in flight
 * when the signal arrives, and all of them complete before the process exits 0.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';
import { afterAll, beforeAll, expect, it } from 'vitest';

const here = new URL('.', import.meta.url).pathname;
const outdir = mkdtempSync(join(here, '.tmp-sigterm-'));
const bundle = join(outdir, 'child.mjs');

beforeAll(async () => {
  await build({
    entryPoints: [join(here, '_sigterm-child.ts')],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['@arm/source'],
    logLevel: 'silent',
  });
});
afterAll(() => {
  rmSync(outdir, { recursive: true, force: true });
});

function get(port: number, path: string, agent: Agent) {
  return new Promise<{ status: number; body: string; connection: string | undefined }>(
    (resolve, reject) => {
      const outgoing = httpRequest({ host: '127.0.0.1', port, path, agent }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => {
          resolve({
            status: response.statusCode ?? 0,
            body,
            connection: response.headers.connection,
          });
        });
      });
      outgoing.on('error', reject);
      outgoing.end();
    },
  );
}

it('completes every request in flight at SIGTERM, then exits 0', async () => {
  const child = spawn(process.execPath, [bundle], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const lines: string[] = [];
  const waiters: { test: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    for (const waiter of waiters.splice(0)) {
      if (waiter.test(line)) waiter.resolve(line);
      else waiters.push(waiter);
    }
  });
  const next = (test: (line: string) => boolean) =>
    new Promise<string>((resolve) => {
      const seen = lines.find(test);
      if (seen === undefined) waiters.push({ test, resolve });
      else resolve(seen);
    });
  const agent = new Agent({ keepAlive: true });
  try {
    const port = Number((await next((line) => line.startsWith('listening'))).split(' ')[1]);
    const work = Array.from({ length: 5 }, () => get(port, '/work', agent));
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (lines.filter((line) => line === 'received').length === 5) resolve();
        else setTimeout(check, 5);
      };
      check();
    });
    child.kill('SIGTERM');
    await next((line) => line === 'phase delaying SIGTERM');
    // During the delay the server still answers, and readiness fails.
    const ready = await get(port, '/ready', new Agent());
    expect(ready.status).toBe(503);
    const replies = await Promise.all(work);
    // Each answer also closes its keep-alive connection.
    expect(replies.map(({ status, body, connection }) => [status, body, connection])).toEqual(
      Array.from({ length: 5 }, () => [200, 'done', 'close']),
    );
    expect(await exited).toBe(0);
    expect(lines.filter((line) => line.startsWith('phase') || line.startsWith('cleanup'))).toEqual([
      'phase delaying SIGTERM',
      'phase draining SIGTERM',
      'phase cleaning SIGTERM',
      'cleanup redis',
      'cleanup postgres',
      'phase exited SIGTERM',
    ]);
  } finally {
    agent.destroy();
    child.kill('SIGKILL');
  }
}, 20_000);
