/**
 * N+1 against the real PostgreSQL: 100 parents and their children through a batch loader is
 * one query for the children, counted on the server (the table's scan counters of the
 * running transaction) and by a wrapped client. A second request with a new loader finds
 * everything in the tiers and makes no query at all, also on another instance.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBatchLoader, createCache } from '../src/index';
import type { Cache } from '../src/index';
import { createRedisTier } from '../src/redis/index';
import { cleanup, connect, uniquePrefix } from './_redis';
import type { TestClient } from './_redis';

interface Child {
  readonly id: number;
  readonly parent_id: number;
  readonly name: string;
}

describe('batch loading against PostgreSQL', () => {
  const db = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' });
  let redis: TestClient;
  const prefix = uniquePrefix();
  let childQueries = 0;

  /** Counts the queries that touch the children table, client side. */
  async function query<R extends pg.QueryResultRow>(text: string, values?: unknown[]) {
    if (text.includes('children')) childQueries += 1;
    return db.query<R>(text, values);
  }

  /** Scans of the children table in the current transaction, server side. */
  async function serverScans(): Promise<number> {
    const { rows } = await db.query<{ scans: string }>(
      `select coalesce(seq_scan, 0) + coalesce(idx_scan, 0) as scans
         from pg_stat_xact_user_tables where relid = 'children'::regclass`,
    );
    return Number(rows[0]?.scans ?? 0);
  }

  function childrenLoader(cache: Cache) {
    return createBatchLoader({
      cache: cache.namespace('children-of'),
      batch: async (parentIds: readonly number[]) => {
        const { rows } = await query<Child>(
          'select id, parent_id, name from children where parent_id = any($1::int[]) order by id',
          [parentIds],
        );
        return parentIds.map((id) => rows.filter((row) => row.parent_id === id));
      },
    });
  }

  async function request(cache: Cache): Promise<Child[][]> {
    const { rows: parents } = await db.query<{ id: number }>('select id from parents order by id');
    const loader = childrenLoader(cache);
    return Promise.all(parents.map((parent) => loader.load(parent.id)));
  }

  beforeAll(async () => {
    await db.connect();
    redis = await connect('ioredis');
    await db.query('create temp table parents (id int primary key)');
    await db.query(
      'create temp table children (id serial primary key, parent_id int not null, name text)',
    );
    await db.query('insert into parents select g from generate_series(1, 100) g');
    await db.query(
      "insert into children (parent_id, name) select p, 'child ' || p || '-' || c from generate_series(1, 100) p, generate_series(1, 3) c",
    );
  });

  afterAll(async () => {
    await db.end();
    await cleanup(redis.raw, prefix);
    await redis.close();
  });

  it('loads the children of 100 parents with one query, then with none', async () => {
    const remote = createRedisTier({ client: redis.client, prefix, bus: false });
    const first = createCache({ remote });
    await db.query('begin');
    const before = await serverScans();
    const children = await request(first);
    expect(children).toHaveLength(100);
    expect(children.every((list) => list.length === 3)).toBe(true);
    expect(children[41]?.[0]).toMatchObject({ parent_id: 42, name: 'child 42-1' });
    expect((await serverScans()) - before).toBe(1);
    expect(childQueries).toBe(1);

    // The next request: a new loader, the same cache: all in-process hits.
    expect(await request(first)).toEqual(children);
    // Another instance: one MGET, no query.
    const second = createCache({
      remote: createRedisTier({ client: redis.client, prefix, bus: false }),
    });
    expect(await request(second)).toEqual(children);
    expect((await serverScans()) - before).toBe(1);
    expect(childQueries).toBe(1);
    await db.query('commit');
  });
});
