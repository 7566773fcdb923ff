/**
 * One process of the cross-instance stampede test: it connects, reports "ready", waits for
 * "go" on stdin, then runs N concurrent getOrSet calls on one cold key. The loader counts its
 * calls in Redis (INCR), so the parent sees the total over all processes.
 */
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { createCache } from '../src/index';
import { createRedisTier } from '../src/redis/index';

const [prefix = '', count = '500', kind = 'ioredis'] = process.argv.slice(2);
const url = 'redis://127.0.0.1:6379';

async function main(): Promise<void> {
  const io = kind === 'ioredis' ? new Redis(url) : undefined;
  const nodeRedis = kind === 'ioredis' ? undefined : await createClient({ url }).connect();
  const client = io ?? nodeRedis;
  if (client === undefined) throw new Error('no client');
  const command = (args: string[]): Promise<unknown> =>
    io
      ? io.call(args[0] as string, ...args.slice(1))
      : (nodeRedis as NonNullable<typeof nodeRedis>).sendCommand(args);
  let busUp!: () => void;
  const up = new Promise<void>((resolve) => {
    busUp = resolve;
  });
  const cache = createCache({
    remote: createRedisTier({ client, prefix }),
    hooks: {
      busUp: () => {
        busUp();
      },
    },
  });
  await up;
  process.stdout.write('ready\n');
  await new Promise<void>((resolve) => {
    process.stdin.once('data', () => {
      process.stdin.destroy();
      resolve();
    });
  });
  const loader = async (): Promise<string> => {
    await command(['INCR', `${prefix}loader-calls`]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    return `value from ${process.pid}`;
  };
  const results = await Promise.all(
    Array.from({ length: Number(count) }, () => cache.getOrSet('cold', loader)),
  );
  process.stdout.write(`${JSON.stringify([...new Set(results)])}\n`);
  await cache.close();
  io?.disconnect();
  nodeRedis?.destroy();
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
