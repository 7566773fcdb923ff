/**
 * The query profiler against the real PostgreSQL on 127.0.0.1:5432 (database `test`), with pg
 * (pool, client, promise and callback forms) and postgres.js. Tables are unique to this run.
 */
import pg from 'pg';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../src/index';
import type { Metrics } from '../src/index';
import { family, parseExposition } from './prometheus';

const connection = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };
const table = `arm_metrics_orders_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
const pool = new pg.Pool({ ...connection, max: 3 });
const sql = postgres({ ...connection, max: 2, onnotice: () => undefined });
const made: Metrics[] = [];
const make = (slowMs = 0.000001) => {
  const metrics = createMetrics({ defaultMetrics: false, queries: { slowMs, keep: 5 } });
  made.push(metrics);
  return metrics;
};

beforeAll(async () => {
  await pool.query(
    `create table ${table} (id serial primary key, customer int not null, note text)`,
  );
  await pool.query(
    `insert into ${table} (customer, note) select g % 500, 'n' || g from generate_series(1, 20000) g`,
  );
  await pool.query(`analyze ${table}`);
});

afterAll(async () => {
  for (const metrics of made) metrics.close();
  await pool.query(`drop table if exists ${table}`);
  await pool.end();
  await sql.end();
});

describe('query profiler on pg', () => {
  it('times a pool, groups by normalised statement, keeps the slowest with a plan and flags the seq scan', async () => {
    const metrics = make();
    const db = metrics.queries.pg(pool);
    const byParam = await db.query(`select * from ${table} where customer = $1`, [42]);
    expect(byParam.rowCount).toBe(40);
    await db.query(`select * from ${table} where customer = $1`, [7]);
    await db.query({ text: `select count(*) from ${table} where note = $1`, values: ['n5'] });
    await metrics.queries.whenIdle();

    const slowest = metrics.queries.slowest();
    const scan = slowest.find((q) => q.statement === `select * from ${table} where customer = ?`);
    expect(scan).toMatchObject({
      system: 'postgresql',
      count: 2,
      sample: { params: ['[number]'] },
    });
    expect(scan?.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(scan?.indexCandidates).toEqual([
      {
        table,
        filter: expect.stringMatching(/customer = (42|7)/) as unknown,
        estimatedRows: expect.any(Number) as unknown,
      },
    ]);
    expect(JSON.stringify(scan?.plan)).toContain('"Node Type":"Seq Scan"');
    expect(JSON.stringify(scan?.plan)).not.toContain('Actual');
    const byNote = slowest.find((q) =>
      q.statement.startsWith(`select count(*) from ${table} where note`),
    );
    expect(byNote?.indexCandidates?.[0]?.filter).toContain("note = 'n5'");

    const histogram = family(
      parseExposition((await metrics.expose()).body),
      'db_client_operation_duration_seconds',
    );
    expect(
      histogram.metrics.find(
        (m) => m.labels?.db_query_summary === `select * from ${table} where customer = ?`,
      ),
    ).toMatchObject({
      labels: { db_system_name: 'postgresql' },
      count: '2',
    });
  });

  it('never runs a slow statement twice: EXPLAIN without ANALYZE', async () => {
    const metrics = make();
    const db = metrics.queries.pg(pool);
    const before = (await pool.query<{ n: string }>(`select count(*) as n from ${table}`)).rows[0]
      ?.n;
    await db.query(`insert into ${table} (customer, note) values ($1, $2)`, [9999, 'once']);
    await metrics.queries.whenIdle();
    const after = (await pool.query<{ n: string }>(`select count(*) as n from ${table}`)).rows[0]
      ?.n;
    expect(Number(after) - Number(before)).toBe(1);
    const insert = metrics.queries.slowest().find((q) => q.statement.startsWith('insert'));
    expect(JSON.stringify(insert?.plan)).toContain('"Node Type":"ModifyTable"');
  });

  it('times a checked-out client in both forms, explains only through explainWith, records failures', async () => {
    const metrics = make();
    const raw = await pool.connect();
    try {
      const client = metrics.queries.pg(raw);
      await client.query(`select * from ${table} where customer = 3`);
      await new Promise<void>((resolve, reject) => {
        client.query(`select * from ${table} where customer = 4`, (error: Error | null) => {
          if (error) reject(error);
          else resolve();
        });
      });
      await new Promise<void>((resolve) => {
        client.query('select * from no_such_table_arm_metrics', () => {
          resolve();
        });
      });
      await expect(client.query('select broken syntax here')).rejects.toThrow();
      await metrics.queries.whenIdle();
      const statement = `select * from ${table} where customer = ?`;
      const slow = metrics.queries.slowest().find((q) => q.statement === statement);
      expect(slow?.count).toBe(2);
      expect(slow?.plan).toBeUndefined();
      expect(client.connection).toBe(raw.connection);

      const explained = metrics.queries.pg(raw, { explainWith: pool });
      metrics.queries.reset();
      await explained.query(`select * from ${table} where customer = 5`);
      await metrics.queries.whenIdle();
      expect(metrics.queries.slowest()[0]?.indexCandidates?.[0]?.table).toBe(table);

      const never = metrics.queries.pg(pool, { explainWith: false });
      metrics.queries.reset();
      await never.query(`select * from ${table} where customer = 6`);
      await metrics.queries.whenIdle();
      expect(metrics.queries.slowest()[0]?.plan).toBeUndefined();
    } finally {
      raw.release();
    }
    const { body } = await metrics.expose();
    expect(body).toContain('db_query_summary="select broken syntax here"');
    expect(body).toContain('db_query_summary="select * from no_such_table_arm_metrics"');
  });

  it('keeps only the N slowest distinct statements and passes untimed calls through', async () => {
    const clock = { now: 0 };
    const metrics = createMetrics({
      defaultMetrics: false,
      queries: { slowMs: 10, keep: 2, captureParams: true, explain: false, now: () => clock.now },
    });
    made.push(metrics);
    const query = metrics.queries.wrap(async (text: string, params?: readonly unknown[]) => {
      clock.now += Number(params?.[0] ?? 0);
      return Promise.resolve(text);
    });
    await query('select 1', [5]);
    await query('select a from t', [50]);
    await query('select b from t', [30]);
    await query('select c from t', [20]);
    await query('select c from t', [40]);
    await query('select d from t', [15]);
    expect(
      metrics.queries.slowest().map((q) => [q.statement, q.durationMs, q.count, q.sample.params]),
    ).toEqual([
      ['select a from t', 50, 1, [50]],
      ['select c from t', 40, 1, [40]],
    ]);
    await expect(
      metrics.queries.wrap((text: string) => Promise.reject(new Error(text)))('x'),
    ).rejects.toThrow('x');
    // A pg Submittable (cursor, stream) and a non-string are passed through untouched.
    const submittable = { submit: () => undefined, text: 'select 1' };
    const fake = { query: (...args: unknown[]) => args[0] };
    const wrapped = metrics.queries.pg(fake);
    expect(wrapped.query(submittable as never)).toBe(submittable);
    expect(wrapped.query(undefined as never)).toBeUndefined();
  });
});

describe('query profiler on postgres.js', () => {
  it('times awaited tagged templates and unsafe calls, never fragments, and explains plain ones', async () => {
    const metrics = make();
    const db = metrics.queries.postgres(sql);
    const rows = await db`select * from ${sql(table)} where customer = ${42}`;
    expect(rows.length).toBe(40);
    const unsafe = await db.unsafe(`select * from ${table} where customer = $1`, [8]);
    expect(unsafe.length).toBe(40);
    await db`select relname from pg_class where relname = ${table}`.then((r) => r.length);
    const fragment = db`customer = ${1}`;
    await db`select count(*) from ${sql(table)} where ${fragment}`;
    await expect(db.unsafe('select nope from nowhere_arm_metrics')).rejects.toThrow();
    await metrics.queries.whenIdle();
    const statements = metrics.queries.slowest().map((q) => q.statement);
    expect(statements).toContain('select * from ? where customer = ?');
    expect(statements).toContain(`select * from ${table} where customer = ?`);
    expect(statements).toContain('select relname from pg_class where relname = ?');
    expect(statements).toContain('select count(*) from ? where ?');
    expect(statements).not.toContain('customer = ?');
    const viaUnsafe = metrics.queries
      .slowest()
      .find((q) => q.statement === `select * from ${table} where customer = ?`);
    expect(viaUnsafe?.indexCandidates?.[0]?.table).toBe(table);
    const viaHelper = metrics.queries
      .slowest()
      .find((q) => q.statement === 'select * from ? where customer = ?');
    expect(viaHelper?.plan).toBeUndefined();
    expect(db.options).toBe(sql.options);
    expect(db({ a: 1 } as never)).toBeTypeOf('object');
  });
});
