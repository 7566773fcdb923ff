/**
 * The PostgreSQL check against the real server with pg (Pool and Client) and postgres.js (up),
 * and against a closed port (down).
 */
import { freePort } from '@arm/test-redis';
import pg from 'pg';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHealth, postgresCheck } from '../src/index';

const connection = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };

describe('postgresCheck on the real PostgreSQL', () => {
  const pool = new pg.Pool({ ...connection, max: 2 });
  const client = new pg.Client(connection);
  const sql = postgres({ ...connection, max: 1 });
  beforeAll(async () => {
    await client.connect();
  });
  afterAll(async () => {
    await Promise.all([pool.end(), client.end(), sql.end()]);
  });

  it('passes with a pg Pool, a pg Client and postgres.js', async () => {
    const health = createHealth({
      checks: {
        pool: postgresCheck(pool),
        client: postgresCheck(client),
        postgresjs: postgresCheck(sql, { componentId: 'test' }),
      },
    });
    const { status, httpStatus, body } = await health.ready();
    expect([status, httpStatus]).toEqual(['pass', 200]);
    for (const key of ['pool:responseTime', 'client:responseTime', 'postgresjs:responseTime']) {
      expect(body.checks[key]?.[0]).toMatchObject({
        componentType: 'datastore',
        observedUnit: 'ms',
        status: 'pass',
      });
    }
  });

  it('runs select 1 once for a storm of probes', async () => {
    let queries = 0;
    const counting = {
      query: async (text: string) => {
        queries += 1;
        return pool.query(text);
      },
    };
    const health = createHealth({ checks: { db: postgresCheck(counting) } });
    const answers = await Promise.all(Array.from({ length: 50 }, () => health.ready()));
    expect(answers.every((answer) => answer.status === 'pass')).toBe(true);
    expect(queries).toBe(1);
  });
});

describe('postgresCheck on a PostgreSQL that is down', () => {
  let port = 0;
  beforeAll(async () => {
    port = await freePort();
  });

  it('fails with pg and postgres.js, with the connection error as output', async () => {
    const pool = new pg.Pool({ ...connection, port, connectionTimeoutMillis: 1000 });
    const sql = postgres({ ...connection, port, max: 1, connect_timeout: 1 });
    try {
      const health = createHealth({
        showOutput: 'always',
        checks: {
          pool: postgresCheck(pool),
          postgresjs: postgresCheck(sql),
          optional: postgresCheck(pool, { critical: false }),
        },
      });
      const { status, httpStatus, body } = await health.ready();
      expect([status, httpStatus]).toEqual(['fail', 503]);
      expect(body.checks['pool:responseTime']?.[0]?.output).toContain('ECONNREFUSED');
      expect(body.checks['postgresjs:responseTime']?.[0]?.output).toContain('ECONNREFUSED');
      expect(body.checks['optional:responseTime']?.[0]?.status).toBe('fail');
    } finally {
      await Promise.all([pool.end(), sql.end({ timeout: 0 })]);
    }
  });

  it('only warns when the database is not critical', async () => {
    const pool = new pg.Pool({ ...connection, port });
    try {
      const health = createHealth({
        checks: { reporting: postgresCheck(pool, { critical: false }) },
      });
      expect((await health.ready()).status).toBe('warn');
    } finally {
      await pool.end();
    }
  });
});
