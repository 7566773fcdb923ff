import { ConfigurationError, isAppError } from '@arm/errors';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CheckEvent } from './health';
import { createHealth, HEALTH_CONTENT_TYPE } from './health';

beforeEach(() => {
  vi.useFakeTimers({ now: Date.UTC(2026, 0, 1) });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the health+json answer', () => {
  it('reports each check under component:measurement with its duration, and passes', async () => {
    const health = createHealth({
      version: '1.2.3',
      serviceId: 'orders',
      checks: {
        db: {
          componentType: 'datastore',
          componentId: 'orders-db',
          check: async () => {
            await vi.advanceTimersByTimeAsync(12);
          },
        },
      },
    });
    const response = await health.ready();
    expect(response).toEqual({
      status: 'pass',
      httpStatus: 200,
      headers: { 'content-type': HEALTH_CONTENT_TYPE, 'cache-control': 'no-cache, no-store' },
      body: {
        status: 'pass',
        version: '1.2.3',
        serviceId: 'orders',
        checks: {
          'db:responseTime': [
            {
              componentId: 'orders-db',
              componentType: 'datastore',
              observedValue: 12,
              observedUnit: 'ms',
              status: 'pass',
              time: '2026-01-01T00:00:00.012Z',
            },
          ],
        },
      },
    });
  });

  it('fails with 503 when a critical check fails, and only warns for a non-critical one', async () => {
    const failing = () => Promise.reject(new Error('connection refused'));
    const critical = createHealth({ checks: { db: { check: failing } } });
    const optional = createHealth({ checks: { search: { check: failing, critical: false } } });
    const hard = await critical.ready();
    const soft = await optional.ready();
    expect([hard.status, hard.httpStatus]).toEqual(['fail', 503]);
    expect([soft.status, soft.httpStatus]).toEqual(['warn', 200]);
    // The component itself failed; only the overall status is softened.
    expect(soft.body.checks['search:responseTime']?.[0]?.status).toBe('fail');
  });

  it('takes status, observed value and unit from what a check returns', async () => {
    const health = createHealth({
      showOutput: 'always',
      checks: {
        disk: {
          measurement: 'utilization',
          check: () => ({
            status: 'warn',
            observedValue: 91,
            observedUnit: '%',
            output: 'almost full',
          }),
        },
      },
    });
    const { status, body } = await health.ready();
    expect(status).toBe('warn');
    expect(body.checks['disk:utilization']?.[0]).toMatchObject({
      observedValue: 91,
      observedUnit: '%',
      status: 'warn',
      output: 'almost full',
    });
  });

  it('fails a check that throws synchronously or answers an unknown status', async () => {
    const health = createHealth({
      showOutput: 'always',
      checks: {
        sync: {
          check: () => {
            throw new Error('sync boom');
          },
        },
        odd: { check: () => ({ status: 'up' as never }) },
        text: { check: () => Promise.reject(new Error('')) },
        thrownString: {
          check: () => {
            // eslint-disable-next-line @typescript-eslint/only-throw-error -- what careless code throws
            throw 'plain';
          },
        },
        thrownOther: {
          check: () => {
            // eslint-disable-next-line @typescript-eslint/only-throw-error -- what careless code throws
            throw 42;
          },
        },
      },
    });
    const { body } = await health.ready();
    const output = (key: string) => body.checks[key]?.[0]?.output;
    expect(output('sync:responseTime')).toBe('sync boom');
    expect(output('odd:responseTime')).toBe('check answered an unknown status "up"');
    expect(output('text:responseTime')).toBe('Error');
    expect(output('thrownString:responseTime')).toBe('plain');
    expect(output('thrownOther:responseTime')).toBe('check failed');
  });
});

describe('output visibility', () => {
  const failing = {
    check: () => Promise.reject(new Error('password authentication failed for db.internal')),
  };

  it('hides output from callers not authorised, by default', async () => {
    const health = createHealth({ checks: { db: failing } });
    expect((await health.ready()).body.checks['db:responseTime']?.[0]).not.toHaveProperty('output');
    expect(
      (await health.ready({ authorized: true })).body.checks['db:responseTime']?.[0]?.output,
    ).toBe('password authentication failed for db.internal');
  });

  it('shows output to everyone with "always" and to nobody with "never"', async () => {
    const always = createHealth({ showOutput: 'always', checks: { db: failing } });
    const never = createHealth({ showOutput: 'never', checks: { db: failing } });
    expect((await always.ready()).body.checks['db:responseTime']?.[0]?.output).toBeDefined();
    expect(
      (await never.ready({ authorized: true })).body.checks['db:responseTime']?.[0],
    ).not.toHaveProperty('output');
  });
});

describe('caching and single flight', () => {
  it('runs a check once for a storm of concurrent probes', async () => {
    let calls = 0;
    const health = createHealth({
      checks: {
        db: {
          check: async () => {
            calls += 1;
            await new Promise((resolve) => setTimeout(resolve, 50));
          },
        },
      },
    });
    const storm = Promise.all(Array.from({ length: 100 }, () => health.ready()));
    await vi.advanceTimersByTimeAsync(50);
    const answers = await storm;
    expect(calls).toBe(1);
    expect(new Set(answers.map((answer) => answer.status))).toEqual(new Set(['pass']));
  });

  it('reuses a result for cacheMs, then runs the check again', async () => {
    let calls = 0;
    const health = createHealth({
      checks: { db: { cacheMs: 5000, check: () => void (calls += 1) } },
    });
    await health.ready();
    await vi.advanceTimersByTimeAsync(4999);
    await health.ready();
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    await health.ready();
    expect(calls).toBe(2);
  });

  it('caches failures too, so a failing dependency is not hammered', async () => {
    let calls = 0;
    const health = createHealth({
      checks: {
        db: {
          check: () => {
            calls += 1;
            throw new Error('down');
          },
        },
      },
    });
    for (let index = 0; index < 10; index += 1) await health.ready();
    expect(calls).toBe(1);
  });
});

describe('timeouts', () => {
  it('fails a check that runs out of time and aborts its signal', async () => {
    let signal: AbortSignal | undefined;
    const health = createHealth({
      showOutput: 'always',
      checks: {
        db: {
          timeoutMs: 300,
          check: (context) => {
            signal = context.signal;
            return new Promise(() => undefined);
          },
        },
      },
    });
    const answer = health.ready();
    await vi.advanceTimersByTimeAsync(300);
    const { status, body } = await answer;
    expect(status).toBe('fail');
    expect(body.checks['db:responseTime']?.[0]).toMatchObject({
      output: 'timed out after 300 ms',
      observedValue: 300,
    });
    expect(signal?.aborted).toBe(true);
    expect(isAppError(signal?.reason) && signal.reason.code).toBe('TIMEOUT');
  });

  it('does not call a dependency again while its previous call still hangs', async () => {
    let calls = 0;
    let release: (() => void) | undefined;
    const health = createHealth({
      showOutput: 'always',
      checks: {
        db: {
          timeoutMs: 100,
          cacheMs: 0,
          check: () => {
            calls += 1;
            return new Promise<void>((resolve) => {
              release = resolve;
            });
          },
        },
      },
    });
    const first = health.ready();
    await vi.advanceTimersByTimeAsync(100);
    await first;
    await vi.advanceTimersByTimeAsync(400);
    const second = await health.ready();
    expect(calls).toBe(1);
    expect(second.body.checks['db:responseTime']?.[0]?.output).toBe(
      'previous call still pending after 500 ms; not called again',
    );
    // Ten timeouts later it tries again.
    await vi.advanceTimersByTimeAsync(500);
    const third = health.ready();
    await vi.advanceTimersByTimeAsync(100);
    await third;
    expect(calls).toBe(2);
    // Once the hung call settles, the check runs normally again.
    release?.();
    await vi.advanceTimersByTimeAsync(0);
    const fourth = health.ready();
    release?.();
    expect((await fourth).status).toBe('pass');
    expect(calls).toBe(3);
  });
});

describe('background checks', () => {
  it('runs at start and every intervalMs; probes only read the result', async () => {
    let calls = 0;
    const health = createHealth({
      checks: { db: { intervalMs: 1000, check: () => void (calls += 1) } },
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toBe(1);
    await health.ready();
    await health.ready();
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(3000);
    expect(calls).toBe(4);
    health.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls).toBe(4);
  });
});

describe('the probes', () => {
  it('live() reports uptime and never runs dependency checks', async () => {
    const check = vi.fn();
    const health = createHealth({
      checks: { db: { check }, deadlock: { probes: ['live'], check: () => ({ status: 'pass' }) } },
    });
    const { status, body } = await health.live();
    expect(status).toBe('pass');
    expect(Object.keys(body.checks).sort()).toEqual(['deadlock:responseTime', 'uptime']);
    expect(body.checks.uptime?.[0]).toMatchObject({
      componentType: 'system',
      observedUnit: 's',
    });
    expect(check).not.toHaveBeenCalled();
  });

  it('startup() passes once the startup checks first pass, then no longer runs them', async () => {
    let ok = false;
    let calls = 0;
    const health = createHealth({
      checks: {
        migrations: {
          probes: ['startup'],
          cacheMs: 0,
          check: () => {
            calls += 1;
            if (!ok) throw new Error('migrations pending');
          },
        },
      },
    });
    expect((await health.startup()).httpStatus).toBe(503);
    expect(health.started).toBe(false);
    ok = true;
    expect((await health.startup()).httpStatus).toBe(200);
    ok = false;
    expect((await health.startup()).httpStatus).toBe(200);
    expect(health.started).toBe(true);
    expect(calls).toBe(2);
    // A startup-only check is not part of readiness.
    expect((await health.ready()).body.checks).toEqual({});
  });

  it('ready() fails at once after beginShutdown(), without running checks', async () => {
    let calls = 0;
    const health = createHealth({ checks: { db: { cacheMs: 0, check: () => void (calls += 1) } } });
    await health.ready();
    health.beginShutdown();
    const { status, httpStatus, body } = await health.ready();
    expect([status, httpStatus, body.output]).toEqual(['fail', 503, 'shutting down']);
    expect(body.checks['db:responseTime']?.[0]?.status).toBe('pass');
    expect(calls).toBe(1);
    expect(health.shuttingDown).toBe(true);
    expect(health.shouldShed()).toBe(false);
  });
});

describe('hooks', () => {
  it('reports each run and each change of a probe status; a throwing hook breaks nothing', async () => {
    let up = true;
    const runs: CheckEvent[] = [];
    const changes: unknown[] = [];
    const health = createHealth({
      checks: {
        db: {
          cacheMs: 0,
          critical: false,
          check: async () => {
            await new Promise((resolve) => setTimeout(resolve, 5));
            if (!up) throw new Error('down');
          },
        },
      },
      hooks: {
        onCheck: (event) => {
          runs.push(event);
          throw new Error('broken hook');
        },
        onStatusChange: (event) => changes.push(event),
      },
    });
    const read = async () => {
      const answer = health.ready();
      await vi.advanceTimersByTimeAsync(5);
      return answer;
    };
    await read();
    await read();
    up = false;
    const last = await read();
    expect(last.status).toBe('warn');
    expect(
      runs.map(({ status, previousStatus, durationMs, critical }) => [
        status,
        previousStatus,
        durationMs,
        critical,
      ]),
    ).toEqual([
      ['pass', undefined, 5, false],
      ['pass', 'pass', 5, false],
      ['fail', 'pass', 5, false],
    ]);
    expect(runs[2]?.error).toBeInstanceOf(Error);
    expect(changes).toEqual([
      { probe: 'ready', from: undefined, to: 'pass' },
      { probe: 'ready', from: 'pass', to: 'warn' },
    ]);
  });
});

describe('options', () => {
  it.each<[unknown, string]>([
    [
      { showOutput: 'sometimes' },
      'option "showOutput" must be "always", "never" or "when-authorized", got "sometimes"',
    ],
    [{ now: 5 }, 'option "now" must be a function returning epoch milliseconds, got 5'],
    [{ checks: 'db' }, 'option "checks" must be an object of named checks, got "db"'],
    [{ checks: { db: {} } }, 'option "checks.db.check" must be a function, got undefined'],
    [{ checks: { db: null } }, 'option "checks.db.check" must be a function, got null'],
    [
      { checks: { db: { check: () => undefined, timeoutMs: 0 } } },
      'option "checks.db.timeoutMs" must be a positive finite number of milliseconds, got 0',
    ],
    [
      { checks: { db: { check: () => undefined, cacheMs: -1 } } },
      'option "checks.db.cacheMs" must be a finite number of milliseconds >= 0, got -1',
    ],
    [
      { checks: { db: { check: () => undefined, intervalMs: Infinity } } },
      'option "checks.db.intervalMs" must be a positive finite number of milliseconds, got Infinity',
    ],
    [
      { checks: { db: { check: () => undefined, probes: ['alive'] } } },
      'option "checks.db.probes" must be an array of "live", "ready" and "startup", got ["alive"]',
    ],
  ])('rejects %j', (options, message) => {
    const make = () => createHealth(options as never);
    expect(make).toThrow(ConfigurationError);
    expect(make).toThrow(`[@arm/health] ${message}`);
  });

  it('stops the background checks it already started when a later check is invalid', async () => {
    let calls = 0;
    expect(() =>
      createHealth({
        checks: { good: { intervalMs: 100, check: () => void (calls += 1) }, bad: {} as never },
      }),
    ).toThrow(ConfigurationError);
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toBe(1);
  });
});

describe('failure output', () => {
  it('names the cause of an error and the errors inside an AggregateError', async () => {
    const health = createHealth({
      showOutput: 'always',
      checks: {
        caused: {
          check: () =>
            Promise.reject(new Error('fetch failed', { cause: new Error('ECONNREFUSED') })),
        },
        aggregate: {
          check: () =>
            Promise.reject(new AggregateError([new Error('connect ::1'), 'connect 127.0.0.1'])),
        },
      },
    });
    const { body } = await health.ready();
    expect(body.checks['caused:responseTime']?.[0]?.output).toBe('fetch failed: ECONNREFUSED');
    expect(body.checks['aggregate:responseTime']?.[0]?.output).toBe(
      'connect ::1; connect 127.0.0.1',
    );
  });
});
