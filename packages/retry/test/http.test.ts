/**
 * The whole pipeline against a real HTTP server on loopback that first drops the connection,
 * then answers 503 with Retry-After, then fails hard enough to open the breaker, then recovers.
 * Real time is used (the waits are one second at most); assertions are on order and on lower
 * bounds of waits, never on speed.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toAppError } from '@arm/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResilience } from '../src/index';
import type { PolicyContext, Resilience } from '../src/index';

type Behaviour = 'drop' | 'retry-after' | 'fail' | 'hang' | 'ok';

let server: Server;
let base: string;
let script: Behaviour[] = [];
const seen: { behaviour: Behaviour; at: number }[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    const behaviour = script.shift() ?? 'ok';
    seen.push({ behaviour, at: performance.now() });
    switch (behaviour) {
      case 'drop':
        request.socket.destroy();
        return;
      case 'retry-after':
        response.writeHead(503, { 'retry-after': '1' }).end('busy');
        return;
      case 'fail':
        response.writeHead(502).end('bad gateway');
        return;
      case 'hang':
        // Never answers; the client's attempt timeout must abort the request.
        return;
      case 'ok':
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"paid":true}');
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

/** A fetch that turns a non-2xx answer into a typed error carrying status and headers. */
async function charge({ signal }: PolicyContext): Promise<unknown> {
  const response = await fetch(`${base}/charge`, { method: 'POST', signal });
  if (!response.ok) {
    throw toAppError({
      message: `payments answered ${response.status}`,
      status: response.status,
      headers: { 'retry-after': response.headers.get('retry-after') ?? undefined },
    });
  }
  return response.json();
}

describe('a flaky payments API on loopback', () => {
  let resilience: Resilience | undefined;
  afterAll(() => {
    resilience?.shutdown();
  });

  it('waits as told, opens and closes the breaker, and reports every step', async () => {
    script = ['drop', 'hang', 'retry-after', 'fail', 'fail'];
    seen.length = 0;
    const events: string[] = [];
    resilience = createResilience({
      dependencies: {
        payments: {
          deadlineMs: 20_000,
          retry: { attempts: 10, jitter: 'none', initialDelayMs: 20, maxRetryAfterMs: 5_000 },
          breaker: { volumeThreshold: 4, failureRateThreshold: 50, resetTimeoutMs: 300 },
          attemptTimeoutMs: 500,
        },
      },
      hooks: {
        onAttempt: ({ dependency, attempt }) => events.push(`${dependency} attempt ${attempt}`),
        onRetry: ({ reason, delayMs }) =>
          events.push(`retry ${reason}${reason === 'retry-after' ? ` ${delayMs}` : ''}`),
        onTimeout: ({ timeoutMs }) => events.push(`timeout ${timeoutMs}`),
        onStateChange: ({ from, to }) => events.push(`breaker ${from} -> ${to}`),
        onRejected: () => events.push('rejected'),
      },
    });

    const result = await resilience.for('payments').execute(charge);

    expect(result).toEqual({ paid: true });
    // The server saw every attempt that went out, and none while the circuit was open.
    expect(seen.map(({ behaviour }) => behaviour)).toEqual([
      'drop',
      'hang',
      'retry-after',
      'fail',
      'fail',
      'ok',
    ]);
    // Retry-After: 1 was honoured: the next request came at least a second later.
    const afterRetryAfter = seen[3]!.at - seen[2]!.at;
    expect(afterRetryAfter).toBeGreaterThanOrEqual(990);
    // The trial request came only once the breaker half-opened.
    expect(seen[5]!.at - seen[4]!.at).toBeGreaterThanOrEqual(290);

    const steps = events.filter((event) => !event.startsWith('payments attempt'));
    expect(steps.slice(0, 4)).toEqual([
      'retry retryable-error', // the dropped connection
      'timeout 500', // the hung request, aborted by the attempt timeout
      'retry retryable-error',
      'retry retry-after 1000', // the 503 asked for one second
    ]);
    expect(steps).toContain('breaker closed -> open');
    expect(steps).toContain('rejected');
    expect(steps.slice(-2)).toEqual(['breaker open -> half-open', 'breaker half-open -> closed']);
    expect(resilience.for('payments').breaker?.state).toBe('closed');
  }, 30_000);
});
