import { ConfigurationError } from '@arm/errors';
import { afterEach, describe, expect, it } from 'vitest';
import { createHealth } from './health';
import type { Pressure } from './pressure';
import { createPressure } from './pressure';

const monitors: Pressure[] = [];
function monitor(options: Parameters<typeof createPressure>[0]): Pressure {
  const pressure = createPressure(options);
  monitors.push(pressure);
  return pressure;
}
afterEach(() => {
  for (const pressure of monitors.splice(0)) pressure.stop();
});

/** Keeps the event loop busy, as a CPU-bound request would. */
function block(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy
  }
}

function nextTick(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('createPressure', () => {
  it('sheds while the event loop is blocked and recovers once it is free', async () => {
    const changes: boolean[] = [];
    const pressure = monitor({
      maxEventLoopDelayMs: 30,
      maxEventLoopUtilization: 0.9,
      sampleIntervalMs: 60_000,
      hooks: { onPressureChange: ({ overloaded }) => changes.push(overloaded) },
    });
    expect(pressure.shouldShed()).toBe(false);
    pressure.sampleNow();
    // The monitor measures between its own timer firings: let it fire after the reset.
    await nextTick(40);
    block(400);
    await nextTick(40);
    const sample = pressure.sampleNow();
    expect(sample.eventLoopDelayMs).toBeGreaterThan(30);
    expect(sample.eventLoopDelayMaxMs).toBeGreaterThanOrEqual(300);
    expect(sample.reasons).toContain('eventLoopDelay');
    expect(pressure.shouldShed()).toBe(true);
    // An idle loop afterwards: the mean delay falls back under the limit.
    await nextTick(100);
    const calm = pressure.sampleNow();
    expect(calm.reasons).toEqual([]);
    expect(pressure.shouldShed()).toBe(false);
    expect(changes).toEqual([true, false]);
  });

  it('samples on its own timer', async () => {
    const pressure = monitor({ maxEventLoopDelayMs: 30, sampleIntervalMs: 20 });
    const first = pressure.sample;
    await nextTick(80);
    expect(pressure.sample.time).toBeGreaterThan(first.time);
  });

  it('sheds above the heap and RSS limits, and makes readiness fail with the figures', async () => {
    const pressure = monitor({ maxHeapUsedBytes: 1024, maxRssBytes: 1024, retryAfterSeconds: 3 });
    expect(pressure.shouldShed()).toBe(true);
    expect(pressure.sample.reasons).toEqual(['heapUsed', 'rss']);
    expect(pressure.retryAfterSeconds).toBe(3);
    const health = createHealth({ pressure, showOutput: 'always' });
    expect(health.shouldShed()).toBe(true);
    const { status, httpStatus, body } = await health.ready();
    expect([status, httpStatus, body.output]).toEqual(['fail', 503, 'overloaded']);
    expect(body.checks['memory:heapUsed']?.[0]).toMatchObject({
      componentType: 'system',
      observedUnit: 'bytes',
      status: 'fail',
      output: 'above the limit of 1024 bytes',
    });
    expect(body.checks['memory:rss']?.[0]?.status).toBe('fail');
    // What an adapter sends for a shed request, built once.
    expect(health.shedResponse).toMatchObject({
      status: 503,
      headers: { 'retry-after': '3', 'content-type': 'application/problem+json' },
      body: { status: 503, code: 'SERVICE_UNAVAILABLE' },
    });
    expect(health.shedResponse).toBe(health.shedResponse);
    expect(createHealth().shedResponse.headers['retry-after']).toBe('10');
    health.stop();
  });

  it('passes readiness with every configured figure while under the limits', async () => {
    const pressure = monitor({
      maxEventLoopDelayMs: 10_000,
      maxEventLoopUtilization: 1,
      maxHeapUsedBytes: 64 * 1024 ** 3,
      maxRssBytes: 64 * 1024 ** 3,
    });
    const health = createHealth({ pressure });
    const { status, body } = await health.ready();
    expect(status).toBe('pass');
    expect(Object.keys(body.checks).sort()).toEqual([
      'eventLoop:delay',
      'eventLoop:utilization',
      'memory:heapUsed',
      'memory:rss',
    ]);
    expect(body.checks['eventLoop:utilization']?.[0]?.observedUnit).toBe('ratio');
    expect(health.shouldShed()).toBe(false);
  });

  it.each([
    [
      { maxEventLoopDelayMs: 0 },
      'option "maxEventLoopDelayMs" must be a positive finite number of milliseconds, got 0',
    ],
    [
      { maxEventLoopUtilization: 1.5 },
      'option "maxEventLoopUtilization" must be a number above 0 and at most 1, got 1.5',
    ],
    [
      { maxHeapUsedBytes: -1 },
      'option "maxHeapUsedBytes" must be a positive finite number, got -1',
    ],
    [
      { sampleIntervalMs: Number.NaN },
      'option "sampleIntervalMs" must be a positive finite number of milliseconds, got NaN',
    ],
  ])('rejects %j', (options, message) => {
    expect(() => createPressure(options)).toThrow(ConfigurationError);
    expect(() => createPressure(options)).toThrow(`[@arm/health] ${message}`);
  });
});
