/**
 * The PostgreSQL store against the real server on 127.0.0.1:5432 (database `test`), through
 * node-postgres and through postgres.js, each in a table of its own that is dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { ConfigurationError } from '@arm/errors';
import pg from 'pg';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { createPostgresApiKeyStore } from '../src/stores/postgres';
import { describeApiKeyStore } from '../src/testing/describe-store';

const CONNECTION = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };
const table = (driver: string) => `arm_apikeys_${driver}_${randomBytes(5).toString('hex')}`;

describeApiKeyStore('PostgreSQL via node-postgres', async () => {
  const pool = new pg.Pool({ ...CONNECTION, max: 2 });
  const name = table('pg');
  const store = createPostgresApiKeyStore({ client: pool, table: name });
  await store.ensureSchema();
  await store.ensureSchema();
  return {
    store,
    async close() {
      await pool.query(`DROP TABLE IF EXISTS "${name}"`);
      await pool.end();
    },
  };
});

describeApiKeyStore('PostgreSQL via postgres.js', async () => {
  const sql = postgres({ ...CONNECTION, max: 2, onnotice: () => undefined });
  const name = table('pgjs');
  const store = createPostgresApiKeyStore({ client: sql, table: `public.${name}` });
  await store.ensureSchema();
  return {
    store,
    async close() {
      await sql.unsafe(`DROP TABLE IF EXISTS "${name}"`);
      await sql.end();
    },
  };
});

describe('createPostgresApiKeyStore options', () => {
  it.each([['Robert"; DROP TABLE x; --'], ['a.b.c'], [''], [5]])(
    'rejects the table name %j',
    (name) => {
      expect(() =>
        createPostgresApiKeyStore({
          client: { query: () => Promise.resolve({ rows: [] }) },
          table: name as never,
        }),
      ).toThrow(ConfigurationError);
    },
  );

  it('rejects a client of neither kind', () => {
    expect(() => createPostgresApiKeyStore({ client: {} as never })).toThrow(ConfigurationError);
  });

  it('exposes its schema for migration tools', () => {
    const store = createPostgresApiKeyStore({
      client: { query: () => Promise.resolve({ rows: [] }) },
    });
    expect(store.schemaSql).toContain('CREATE TABLE IF NOT EXISTS "arm_api_keys"');
    expect(store.schemaSql).toContain('hash text NOT NULL UNIQUE');
  });
});
