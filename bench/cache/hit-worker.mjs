/**
 * One side of bench/cache's hit-path comparison, in an isolate of its own: lru-cache's `get`
 * or @arm/cache's reads. In one isolate the two share lru-cache's code and the optimizing
 * compiler's feedback about it, and which of them got code specialised for its own LRU
 * depended on the order things warmed up (lru-cache's loop ran at either 34 or 44 million
 * gets per second from one run to the next). Each side runs the case the main thread names
 * and answers with operations per second.
 */
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { createCache } from '@arm/cache';

const { side, ops } = workerData;
const KEYS = Array.from({ length: 1_000 }, (_, i) => `user:${i}`);
const VALUE = { id: 1, name: 'Ada Lovelace', roles: ['admin', 'author'] };
const loader = () => VALUE;

/** The cases of this side: each loops `n` times over the keys and resolves when done. */
async function setUp() {
  if (side === 'lru') {
    // The lru-cache build @arm/cache itself resolves, with the same `max` and a TTL.
    const { LRUCache } = createRequire(import.meta.resolve('@arm/cache'))('lru-cache');
    const lru = new LRUCache({ max: 10_000, ttl: 60_000 });
    for (const key of KEYS) lru.set(key, VALUE);
    return {
      lruSync: (n) => {
        for (let i = 0; i < n; i += 1) lru.get(KEYS[i % 1_000]);
      },
      lruAwaited: async (n) => {
        for (let i = 0; i < n; i += 1) await lru.get(KEYS[i % 1_000]);
      },
    };
  }
  const cache = createCache({ memory: { max: 10_000 }, ttl: 60_000 });
  for (const key of KEYS) await cache.set(key, VALUE);
  return {
    armGet: async (n) => {
      for (let i = 0; i < n; i += 1) await cache.get(KEYS[i % 1_000]);
    },
    armGetOrSet: async (n) => {
      for (let i = 0; i < n; i += 1) await cache.getOrSet(KEYS[i % 1_000], loader);
    },
    armGetLocal: (n) => {
      for (let i = 0; i < n; i += 1) cache.getLocal(KEYS[i % 1_000]);
    },
    // getOrSet's synchronous hit idiom: a hit never reaches the await.
    armLocalOrGetOrSet: async (n) => {
      for (let i = 0; i < n; i += 1) {
        const key = KEYS[i % 1_000];
        const value = cache.getLocal(key) ?? (await cache.getOrSet(key, loader));
        if (value !== VALUE) throw new Error('a hit was expected');
      }
    },
  };
}

const cases = await setUp();
parentPort.on('message', async (name) => {
  const start = performance.now();
  await cases[name](ops);
  parentPort.postMessage(ops / ((performance.now() - start) / 1000));
});
parentPort.postMessage('ready');
