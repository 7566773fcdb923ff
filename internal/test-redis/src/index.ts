/**
 * A redis-server of the test's own, for tests that kill, pause or flush Redis: the shared one on
 * 6379 belongs to every test run on the machine. Loopback only; the caller stops it.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

/** A free TCP port on loopback (nothing listens on it once this resolves). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** A redis-server of the test's own. */
export interface OwnRedis {
  /** Its port on 127.0.0.1. */
  readonly port: number;
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  /** Starts (or restarts) the server and waits until it accepts connections. */
  start(): Promise<void>;
  /** Kills the server at once (SIGKILL), as a crash would; it keeps nothing. */
  kill(): Promise<void>;
  /** The server's process id, for pausing it (SIGSTOP) to make it hang. */
  readonly pid: number | undefined;
}

/** Reserves a free port for a redis-server; `start()` runs it. */
export async function ownRedis(): Promise<OwnRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return child?.pid;
    },
    async start() {
      const started = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      child = started;
      let output = '';
      await new Promise<void>((resolve, reject) => {
        started.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('Ready to accept connections')) resolve();
        });
        started.once('exit', (code) => {
          reject(new Error(`redis-server exited with ${String(code)}: ${output}`));
        });
      });
    },
    async kill() {
      const running = child;
      child = undefined;
      if (running?.exitCode !== null) return;
      const exited = once(running, 'exit');
      running.kill('SIGKILL');
      await exited;
    },
  };
}
