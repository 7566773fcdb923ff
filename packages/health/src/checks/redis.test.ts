import { describe, expect, it } from 'vitest';
import { createHealth } from '../health';
import { redisCheck } from './redis';

/** How the check tells the clients' connection states apart; the real clients are in test/redis.test.ts. */
describe('redisCheck connection states', () => {
  async function output(client: Parameters<typeof redisCheck>[0]) {
    const health = createHealth({ showOutput: 'always', checks: { redis: redisCheck(client) } });
    return (await health.ready()).body.checks['redis:responseTime']?.[0]?.output;
  }
  const pong = () => Promise.resolve('PONG');

  it.each(['reconnecting', 'close', 'end'])(
    'fails an ioredis client in state %s without a PING',
    async (status) => {
      let pings = 0;
      const client = { status, ping: () => ((pings += 1), pong()) };
      expect(await output(client)).toBe(`redis connection is ${status}`);
      expect(pings).toBe(0);
    },
  );

  it.each(['wait', 'connecting', 'connect', 'ready'])(
    'sends PING from an ioredis client in state %s',
    async (status) => {
      expect(await output({ status, ping: pong })).toBeUndefined();
    },
  );

  it('fails a node-redis client that is not ready, and pings one that is', async () => {
    expect(await output({ isReady: false, ping: pong })).toBe('redis connection is not ready');
    expect(await output({ isReady: true, ping: pong })).toBeUndefined();
  });
});
