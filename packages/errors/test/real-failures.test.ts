/**
 * toAppError against failures produced by real peers: a refused connection on loopback and
 * PostgreSQL errors from the server on this machine.
 */
import { createServer } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConflictError,
  DatabaseError,
  ExternalServiceError,
  TimeoutError,
  toAppError,
  toProblem,
} from '../src/index';

describe('network failures', () => {
  it('turns fetch to a closed loopback port into a retryable ExternalServiceError', async () => {
    const port = await closedPort();
    const caught = await fetch(`http://127.0.0.1:${port}/`).catch((error: unknown) => error);
    const error = toAppError(caught);
    expect(error).toBeInstanceOf(ExternalServiceError);
    expect(error.retryable).toBe(true);
    expect(error.cause).toBe(caught);
    expect(toProblem(error).detail).toBe('The server could not complete the request.');
  });
});

describe('PostgreSQL failures', () => {
  const client = new pg.Client({
    host: process.env.PGHOST ?? '127.0.0.1',
    port: Number(process.env.PGPORT ?? 5432),
    user: process.env.PGUSER ?? 'postgres',
    database: process.env.PGDATABASE ?? 'test',
  });
  const table = `arm_errors_${process.pid}`;

  beforeAll(async () => {
    await client.connect();
    await client.query(`create temporary table ${table} (email text primary key)`);
  });
  afterAll(async () => {
    await client.end();
  });

  it('turns a unique violation into a ConflictError that does not reveal the schema', async () => {
    await client.query(`insert into ${table} values ('a@example.com')`);
    const caught = await client
      .query(`insert into ${table} values ('a@example.com')`)
      .catch((error: unknown) => error);
    const error = toAppError(caught);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.message).not.toContain(table);
    expect(error.cause).toBe(caught);
  });

  it('turns a cancelled statement (statement_timeout) into a TimeoutError', async () => {
    await client.query('set statement_timeout = 50');
    const caught = await client.query('select pg_sleep(2)').catch((error: unknown) => error);
    await client.query('set statement_timeout = 0');
    expect(toAppError(caught)).toBeInstanceOf(TimeoutError);
  });

  it('turns a serialization failure into a retryable DatabaseError', async () => {
    const other = new pg.Client({
      host: process.env.PGHOST ?? '127.0.0.1',
      port: Number(process.env.PGPORT ?? 5432),
      user: process.env.PGUSER ?? 'postgres',
      database: process.env.PGDATABASE ?? 'test',
    });
    await other.connect();
    const shared = `arm_errors_serial_${process.pid}`;
    try {
      await client.query(`create table ${shared} (id int primary key, n int)`);
      await client.query(`insert into ${shared} values (1, 0)`);
      await client.query('begin isolation level serializable');
      await other.query('begin isolation level serializable');
      await client.query(`select n from ${shared} where id = 1`);
      await other.query(`select n from ${shared} where id = 1`);
      await client.query(`update ${shared} set n = 1 where id = 1`);
      await client.query('commit');
      const caught = await other
        .query(`update ${shared} set n = 2 where id = 1`)
        .catch((error: unknown) => error);
      await other.query('rollback');
      const error = toAppError(caught);
      expect(error).toBeInstanceOf(DatabaseError);
      expect(error.retryable).toBe(true);
    } finally {
      await client.query(`drop table if exists ${shared}`);
      await other.end();
    }
  });

  it('turns other SQL errors into a non-retryable DatabaseError', async () => {
    const caught = await client.query('select * from no_such_table').catch((e: unknown) => e);
    const error = toAppError(caught);
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error.retryable).toBe(false);
    expect(error.expose).toBe(false);
  });
});

/** A loopback port that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
