/**
 * The Redis check against real servers, with both clients: the shared Redis (up), and a
 * redis-server of the test's own that is killed (down), restarted (up again) and paused (hung).
 */
import { freePort, ownRedis } from '@arm/test-redis';
import type { OwnRedis } from '@arm/test-redis';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHealth, redisCheck } from '../src/index';
import { until } from './_poll';

describe('redisCheck on the shared Redis', () => {
  const ioredis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
  const nodeRedis = createClient({ url: 'redis://127.0.0.1:6379' });
  beforeAll(async () => {
    await Promise.all([ioredis.connect(), nodeRedis.connect()]);
  });
  afterAll(async () => {
    await Promise.all([ioredis.quit(), nodeRedis.quit()]);
  });

  it('passes with ioredis and node-redis, reporting the PING round trip', async () => {
    const health = createHealth({
      checks: {
        ioredis: redisCheck(ioredis),
        nodeRedis: redisCheck(nodeRedis, { componentId: 'cache' }),
      },
    });
    const { status, body } = await health.ready();
    expect(status).toBe('pass');
    for (const key of ['ioredis:responseTime', 'nodeRedis:responseTime']) {
      expect(body.checks[key]?.[0]).toMatchObject({
        componentType: 'datastore',
        observedUnit: 'ms',
        status: 'pass',
      });
      expect(body.checks[key]?.[0]?.observedValue).toBeTypeOf('number');
    }
    expect(body.checks['nodeRedis:responseTime']?.[0]?.componentId).toBe('cache');
  });

  it('fails on an unexpected PING reply', async () => {
    const health = createHealth({
      showOutput: 'always',
      checks: { odd: redisCheck({ ping: () => Promise.resolve('PANG') }) },
    });
    expect((await health.ready()).body.checks['odd:responseTime']?.[0]?.output).toBe(
      'redis answered PANG to PING',
    );
  });
});

describe('redisCheck on a Redis that goes down', () => {
  let server: OwnRedis;
  let ioredis: Redis;
  let nodeRedis: ReturnType<typeof createClient>;
  beforeAll(async () => {
    server = await ownRedis();
    await server.start();
    ioredis = new Redis({ host: '127.0.0.1', port: server.port, retryStrategy: () => 50 });
    ioredis.on('error', () => undefined);
    nodeRedis = createClient({ url: server.url, socket: { reconnectStrategy: () => 50 } });
    nodeRedis.on('error', () => undefined);
    await nodeRedis.connect();
  });
  afterAll(async () => {
    ioredis.disconnect();
    nodeRedis.destroy();
    await server.kill();
  });

  it('fails at once while disconnected, and passes again once Redis is back', async () => {
    const health = createHealth({
      showOutput: 'always',
      checks: {
        ioredis: redisCheck(ioredis, { cacheMs: 0, timeoutMs: 1000 }),
        nodeRedis: redisCheck(nodeRedis, { cacheMs: 0, timeoutMs: 1000 }),
      },
    });
    await until(
      () => health.ready(),
      (answer) => answer.status === 'pass',
    );

    await server.kill();
    const down = await until(
      () => health.ready({ authorized: true }),
      ({ body }) =>
        body.checks['ioredis:responseTime']?.[0]?.status === 'fail' &&
        body.checks['nodeRedis:responseTime']?.[0]?.status === 'fail',
    );
    expect(down.httpStatus).toBe(503);
    // A PING sent before the client noticed the crash waits in ioredis's offline queue; the
    // check does not add more PINGs to it while it hangs.
    expect(down.body.checks['ioredis:responseTime']?.[0]?.output).toMatch(
      /^(redis connection is (reconnecting|close)|timed out after 1000 ms|previous call still pending after \d+ ms; not called again)$/,
    );
    expect(down.body.checks['nodeRedis:responseTime']?.[0]?.output).toMatch(
      /^(redis connection is not ready|timed out after 1000 ms|Socket closed unexpectedly)$/,
    );
    // From then on, probes fail without waiting for the timeout.
    const started = Date.now();
    const again = await health.ready({ authorized: true });
    expect(Date.now() - started).toBeLessThan(500);
    expect(again.body.checks['nodeRedis:responseTime']?.[0]?.output).toBe(
      'redis connection is not ready',
    );

    await server.start();
    const up = await until(
      () => health.ready(),
      (answer) => answer.status === 'pass',
    );
    expect(up.httpStatus).toBe(200);
  }, 30_000);

  it('times out a PING to a Redis that hangs', async () => {
    const health = createHealth({
      showOutput: 'always',
      checks: { ioredis: redisCheck(ioredis, { cacheMs: 0, timeoutMs: 200 }) },
    });
    if (server.pid === undefined) await server.start();
    await until(
      () => health.ready(),
      (answer) => answer.status === 'pass',
    );
    process.kill(server.pid!, 'SIGSTOP');
    try {
      const { status, body } = await health.ready();
      expect(status).toBe('fail');
      expect(body.checks['ioredis:responseTime']?.[0]?.output).toBe('timed out after 200 ms');
    } finally {
      process.kill(server.pid!, 'SIGCONT');
    }
  }, 20_000);

  it('fails against a port where nothing listens', async () => {
    const client = createClient({
      url: `redis://127.0.0.1:${String(await freePort())}`,
      socket: { reconnectStrategy: false },
    });
    client.on('error', () => undefined);
    await client.connect().catch(() => undefined);
    const health = createHealth({ checks: { redis: redisCheck(client) } });
    expect((await health.ready()).httpStatus).toBe(503);
  });
});
