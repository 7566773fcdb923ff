/**
 * Graceful shutdown with a real HTTP server on loopback and signals emitted on an injected
 * process-like object; `exit` is injected so the test runner lives on.
 */
import { EventEmitter, once } from 'node:events';
import { Agent, createServer, request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ConfigurationError, isAppError } from '@arm/errors';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ShutdownOptions } from '../src/index';
import { createHealth, createShutdown } from '../src/index';

interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** A server whose `/slow` requests wait until the test releases them. */
async function start() {
  const health = createHealth();
  const waiting: (() => void)[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((request, response) => {
    if (request.url === '/ready') {
      void health.ready().then(({ httpStatus, headers, body }) => {
        response.writeHead(httpStatus, headers).end(JSON.stringify(body));
      });
      return;
    }
    if (request.url === '/slow') {
      waiting.push(() => response.end('done'));
      return;
    }
    if (request.url === '/never') return;
    response.end('fast');
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const agent = new Agent({ keepAlive: true, maxSockets: 20 });
  const signals = Object.assign(new EventEmitter(), { emitWarning: vi.fn() });
  cleanups.push(() => {
    agent.destroy();
    server.closeAllConnections();
    server.close();
  });
  const get = (path: string): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const outgoing = httpRequest({ host: '127.0.0.1', port, path, agent }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => {
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body });
        });
      });
      outgoing.on('error', reject);
      outgoing.end();
    });
  const release = (): void => {
    for (const done of waiting.splice(0)) done();
  };
  const arm = (options: ShutdownOptions) => {
    const shutdown = createShutdown({ server, health, process: signals, ...options });
    cleanups.push(() => {
      shutdown.dispose();
    });
    return shutdown;
  };
  return { server, health, get, release, waiting, sockets, signals, arm, port };
}

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not met in ${String(timeoutMs)} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('createShutdown with a real HTTP server', () => {
  it('on SIGTERM fails readiness, waits, drains every in-flight request, cleans up in order and exits 0', async () => {
    const { get, release, waiting, sockets, signals, arm, health, port } = await start();
    const order: string[] = [];
    const exit = vi.fn();
    const phases: string[] = [];
    const shutdown = arm({
      delayMs: 150,
      drainTimeoutMs: 2000,
      exit,
      cleanup: [
        {
          name: 'redis',
          run: async () => {
            await Promise.resolve();
            order.push('redis');
          },
        },
        { name: 'postgres', run: () => void order.push('postgres') },
      ],
      hooks: { onPhase: ({ phase }) => phases.push(phase) },
    });
    // One idle keep-alive connection, then five requests in flight.
    expect((await get('/')).body).toBe('fast');
    const inFlight = Array.from({ length: 5 }, () => get('/slow'));
    await until(() => waiting.length === 5);
    expect(shutdown.inFlight).toBe(5);

    signals.emit('SIGTERM', 'SIGTERM');
    expect(health.shuttingDown).toBe(true);
    expect(shutdown.state).toBe('delaying');
    // Still serving during the delay, but readiness says no.
    const ready = await get('/ready');
    expect(ready.status).toBe(503);
    expect(ready.headers['content-type']).toBe('application/health+json');
    expect(JSON.parse(ready.body)).toMatchObject({ status: 'fail', output: 'shutting down' });

    await until(() => shutdown.state === 'draining');
    release();
    const replies = await Promise.all(inFlight);
    expect(replies.map((reply) => [reply.status, reply.body, reply.headers.connection])).toEqual(
      Array.from({ length: 5 }, () => [200, 'done', 'close']),
    );
    const result = await shutdown.shutdown();
    expect(result).toMatchObject({
      code: 0,
      reason: 'SIGTERM',
      forcedRequests: 0,
      failedHooks: [],
      deadlineExceeded: false,
    });
    expect(exit).toHaveBeenCalledExactlyOnceWith(0);
    expect(order).toEqual(['redis', 'postgres']);
    expect(phases).toEqual(['delaying', 'draining', 'cleaning', 'exited']);
    // Every connection, the idle keep-alive one too, is closed; no new one is accepted.
    await until(() => sockets.size === 0);
    await expect(get('/')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(port).toBeGreaterThan(0);
    expect(signals.listenerCount('SIGTERM')).toBe(0);
  });

  it('closes the sockets of requests still running at the drain deadline and exits 1', async () => {
    const { get, signals, arm, sockets } = await start();
    const exit = vi.fn();
    const shutdown = arm({ delayMs: 0, drainTimeoutMs: 100, exit });
    expect(shutdown.budgetMs).toBe(1100);
    const hanging = get('/never');
    await until(() => shutdown.inFlight === 1);
    signals.emit('SIGINT', 'SIGINT');
    await expect(hanging).rejects.toMatchObject({ code: 'ECONNRESET' });
    const result = await shutdown.shutdown();
    expect(result).toMatchObject({
      code: 1,
      reason: 'SIGINT',
      forcedRequests: 1,
      deadlineExceeded: false,
    });
    expect(exit).toHaveBeenCalledWith(1);
    await until(() => sockets.size === 0);
  });

  it('runs every cleanup hook even when one throws or hangs, aborting the one that hangs', async () => {
    const { arm } = await start();
    const order: string[] = [];
    const errors: unknown[] = [];
    let hungSignal: AbortSignal | undefined;
    const shutdown = arm({
      delayMs: 0,
      exit: false,
      cleanup: [
        {
          name: 'broken',
          run: () => {
            order.push('broken');
            throw new Error('already closed');
          },
        },
        {
          name: 'hung',
          timeoutMs: 50,
          run: ({ signal }) => {
            order.push('hung');
            hungSignal = signal;
            return new Promise((_, reject) => setTimeout(reject, 100, new Error('late')));
          },
        },
        { name: 'last', run: () => void order.push('last') },
      ],
      hooks: {
        onCleanupError: ({ name, timedOut, error }) =>
          errors.push([name, timedOut, isAppError(error) ? error.code : (error as Error).message]),
      },
    });
    const result = await shutdown.shutdown('deploy');
    expect(order).toEqual(['broken', 'hung', 'last']);
    expect(result).toMatchObject({ code: 1, reason: 'deploy', failedHooks: ['broken', 'hung'] });
    expect(errors).toEqual([
      ['broken', false, 'already closed'],
      ['hung', true, 'TIMEOUT'],
    ]);
    expect(hungSignal?.aborted).toBe(true);
    // The hung hook's late rejection is nobody's unhandled rejection.
    await new Promise((resolve) => setTimeout(resolve, 80));
  });

  it('exits 1 at the overall budget, whatever is still running', async () => {
    const { arm } = await start();
    const exit = vi.fn();
    const shutdown = arm({ delayMs: 10_000, timeoutMs: 50, gracePeriodMs: 60_000, exit });
    const result = await shutdown.shutdown();
    expect(result).toMatchObject({ code: 1, deadlineExceeded: true });
    expect(result.durationMs).toBeLessThan(1000);
    expect(exit).toHaveBeenCalledExactlyOnceWith(1);
  });

  it('exits at once on a second signal', async () => {
    const { signals, arm } = await start();
    const exit = vi.fn();
    const shutdown = arm({ delayMs: 10_000, exit });
    signals.emit('SIGINT', 'SIGINT');
    signals.emit('SIGINT', 'SIGINT');
    expect(exit).toHaveBeenCalledExactlyOnceWith(1);
    expect((await shutdown.shutdown()).code).toBe(1);
  });

  it('warns at start-up when the budget exceeds the grace period', async () => {
    const { signals, arm } = await start();
    const warnings: unknown[] = [];
    const shutdown = arm({
      delayMs: 10_000,
      drainTimeoutMs: 15_000,
      cleanup: [{ name: 'db', run: () => undefined, timeoutMs: 10_000 }],
      exit: false,
      hooks: {
        onBudgetWarning: ({ budgetMs, gracePeriodMs }) => warnings.push([budgetMs, gracePeriodMs]),
      },
    });
    expect(shutdown.budgetMs).toBe(36_000);
    expect(warnings).toEqual([[36_000, 30_000]]);
    expect(signals.emitWarning).toHaveBeenCalledWith(
      expect.stringContaining(
        'the shutdown budget of 36000 ms exceeds the grace period of 30000 ms',
      ),
      { code: 'ARM_HEALTH_SHUTDOWN_BUDGET' },
    );
    signals.emitWarning.mockClear();
    expect(arm({ exit: false }).budgetMs).toBe(16_000);
    expect(arm({ exit: false, timeoutMs: 20_000, gracePeriodMs: 20_000 }).budgetMs).toBe(20_000);
    expect(signals.emitWarning).not.toHaveBeenCalled();
  });

  it('shuts down without a server or health, once, and dispose() disarms the signals', async () => {
    const signals = new EventEmitter();
    const exit = vi.fn();
    const shutdown = createShutdown({ process: signals, delayMs: 0, exit });
    expect(signals.listenerCount('SIGTERM')).toBe(1);
    const first = shutdown.shutdown();
    expect(shutdown.shutdown()).toBe(first);
    expect((await first).code).toBe(0);
    expect(shutdown.inFlight).toBe(0);
    const other = createShutdown({ process: signals, exit });
    other.dispose();
    expect(signals.listenerCount('SIGTERM')).toBe(0);
  });

  it('keeps readiness passing during the delay with failReadiness: false', async () => {
    const { arm, health, signals } = await start();
    const shutdown = arm({ delayMs: 50, exit: false, failReadiness: false });
    signals.emit('SIGTERM', 'SIGTERM');
    expect(shutdown.state).toBe('delaying');
    expect(health.shuttingDown).toBe(false);
    expect((await health.ready()).httpStatus).toBe(200);
    expect((await shutdown.shutdown()).code).toBe(0);
  });

  it('drains a server that was never listening', async () => {
    const server = createServer();
    const shutdown = createShutdown({
      server,
      process: new EventEmitter(),
      delayMs: 0,
      exit: false,
    });
    expect((await shutdown.shutdown()).code).toBe(0);
  });

  it.each([
    [{ delayMs: -1 }, 'option "delayMs" must be a finite number of milliseconds >= 0, got -1'],
    [
      { hookTimeoutMs: 0 },
      'option "hookTimeoutMs" must be a positive finite number of milliseconds, got 0',
    ],
    [{ cleanup: {} }, 'option "cleanup" must be an array of { name, run }, got {}'],
    [{ cleanup: [{ name: 'x' }] }, 'option "cleanup[0].run" must be a function, got undefined'],
    [{ cleanup: [null] }, 'option "cleanup[0].run" must be a function, got null'],
    [
      { cleanup: [{ name: 'x', run: () => 1, timeoutMs: 0 }] },
      'option "cleanup[0].timeoutMs" must be a positive finite number of milliseconds, got 0',
    ],
    [
      { signals: ['TERM'] },
      'option "signals" must be an array of signal names such as "SIGTERM", got ["TERM"]',
    ],
    [
      { signals: 'SIGTERM' },
      'option "signals" must be an array of signal names such as "SIGTERM", got "SIGTERM"',
    ],
    [{ exit: 1 }, 'option "exit" must be a function or false, got 1'],
  ])('rejects %j', (options, message) => {
    const make = () => createShutdown({ process: new EventEmitter(), ...(options as object) });
    expect(make).toThrow(ConfigurationError);
    expect(make).toThrow(`[@arm/health] ${message}`);
  });
});
