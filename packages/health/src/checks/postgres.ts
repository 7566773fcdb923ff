/**
 * PostgreSQL: `select 1` through the application's own client: a pg Pool or Client
 * (`query(text)`), or a postgres.js `sql` (`sql.unsafe(text)`).
 */
import type { CheckDefinition, CheckSettings } from '../check';

/**
 * A pg `Pool`, `PoolClient` or `Client`: anything with `query(text)`.
 *
 * @example
 * ```ts
 * const client: PgQueryable = new pg.Pool();
 * ```
 */
export interface PgQueryable {
  /** Runs a statement. */
  query(text: string): Promise<unknown>;
}

/**
 * A postgres.js `sql` instance: anything with `unsafe(text)` returning a thenable.
 *
 * @example
 * ```ts
 * const client: PostgresJsSql = postgres(url);
 * ```
 */
export interface PostgresJsSql {
  /** Runs a statement given as text. */
  unsafe(query: string): PromiseLike<unknown>;
}

/** A client the PostgreSQL check accepts. */
export type PostgresClient = PgQueryable | PostgresJsSql;

/**
 * A check that runs `select 1` and reports its round trip in milliseconds.
 *
 * @param client - The application's pg pool or client, or postgres.js `sql`; the check never creates one.
 * @param settings - Criticality, timeout, cache and interval.
 * @returns A check definition for `createHealth({ checks })`.
 * @example
 * ```ts
 * import pg from 'pg';
 * const pool = new pg.Pool({ connectionTimeoutMillis: 1_000 });
 * const health = createHealth({ checks: { postgres: postgresCheck(pool) } });
 * ```
 */
export function postgresCheck(
  client: PostgresClient,
  settings: CheckSettings = {},
): CheckDefinition {
  const run =
    'unsafe' in client && typeof client.unsafe === 'function'
      ? () => client.unsafe('select 1')
      : () => (client as PgQueryable).query('select 1');
  return {
    componentType: 'datastore',
    ...settings,
    async check() {
      await run();
    },
  };
}
