/**
 * `@arm/security/postgres`: an API key store in PostgreSQL, over the application's own client:
 * a node-postgres `Pool` or `Client`, or a postgres.js `sql`. Only hashes are stored; lookups
 * go through a unique index on the hash. Times are `timestamptz`.
 */
import { ConfigurationError } from '@arm/errors';
import type { ApiKeyPatch, ApiKeyRecord, ApiKeyStore } from '../api-key-store';

export type { ApiKeyPatch, ApiKeyRecord, ApiKeyStore } from '../api-key-store';

/** What the store needs of node-postgres: `query(text, values)` returning `{ rows }`. */
export interface PgQueryable {
  /**
   * Runs a parameterised statement.
   * @param text - The SQL, with `$1`-style parameters.
   * @param values - The parameters.
   */
  query(text: string, values?: unknown[]): Promise<PgResult>;
}

/** The part of a node-postgres result the store reads. */
export interface PgResult {
  /** The rows, one object per row. */
  rows: unknown[];
}

/** What the store needs of postgres.js: `sql.unsafe(text, values)` returning the rows. */
export interface PostgresJsSql {
  /**
   * Runs a parameterised statement.
   * @param text - The SQL, with `$1`-style parameters.
   * @param values - The parameters.
   */
  unsafe(text: string, values?: never[]): PromiseLike<readonly unknown[]>;
}

/** Options of {@link createPostgresApiKeyStore}. */
export interface PostgresApiKeyStoreOptions {
  /** A node-postgres Pool or Client, or a postgres.js `sql`. */
  readonly client: PgQueryable | PostgresJsSql;
  /**
   * The table, optionally schema-qualified (`auth.api_keys`).
   * @defaultValue `'arm_api_keys'`
   */
  readonly table?: string;
}

/** The PostgreSQL store: an {@link ApiKeyStore} plus schema management. */
export interface PostgresApiKeyStore extends ApiKeyStore {
  /** The SQL that creates the table and its indexes, for your migration tool. */
  readonly schemaSql: string;
  /**
   * Creates the table and indexes if they do not exist.
   * @returns When done.
   */
  ensureSchema(): Promise<void>;
}

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Creates an API key store over PostgreSQL.
 *
 * @param options - The client and the table name.
 * @returns The store, its schema SQL and `ensureSchema()`.
 * @throws `ConfigurationError` for an invalid table name or a client of neither kind.
 * @example
 * ```ts
 * import pg from 'pg';
 * import { createPostgresApiKeyStore } from '@arm/security/postgres';
 *
 * const store = createPostgresApiKeyStore({ client: new pg.Pool() });
 * await store.ensureSchema();
 * ```
 */
export function createPostgresApiKeyStore(
  options: PostgresApiKeyStoreOptions,
): PostgresApiKeyStore {
  const table = options.table ?? 'arm_api_keys';
  const parts = typeof table === 'string' ? table.split('.') : [];
  if (parts.length < 1 || parts.length > 2 || !parts.every((part) => IDENT.test(part))) {
    throw new ConfigurationError(
      `[@arm/security] option "table" must be a lower-case SQL identifier, optionally schema-qualified, got ${JSON.stringify(table)}`,
    );
  }
  const name = parts.map((part) => `"${part}"`).join('.');
  const indexBase = (parts[parts.length - 1] as string).slice(0, 40);
  const client = options.client as Partial<PgQueryable & PostgresJsSql>;
  let run: (text: string, values: unknown[]) => Promise<Row[]>;
  if (typeof client.unsafe === 'function') {
    const sql = client as PostgresJsSql;
    run = async (text, values) => [...(await sql.unsafe(text, values as never[]))] as Row[];
  } else if (typeof client.query === 'function') {
    const pg = client as PgQueryable;
    run = async (text, values) => (await pg.query(text, values)).rows as Row[];
  } else {
    throw new ConfigurationError(
      '[@arm/security] option "client" must be a node-postgres Pool or Client, or a postgres.js sql, got another value',
    );
  }

  const columns =
    'id, hash, start, name, owner_id, scopes, meta, created_at, expires_at, revoked_at, last_used_at, replaced_by';
  const schemaSql = [
    `CREATE TABLE IF NOT EXISTS ${name} (`,
    '  id text PRIMARY KEY,',
    '  hash text NOT NULL UNIQUE,',
    '  start text NOT NULL,',
    '  name text,',
    '  owner_id text,',
    "  scopes text[] NOT NULL DEFAULT '{}',",
    '  meta jsonb,',
    '  created_at timestamptz NOT NULL,',
    '  expires_at timestamptz,',
    '  revoked_at timestamptz,',
    '  last_used_at timestamptz,',
    '  replaced_by text',
    ');',
    `CREATE INDEX IF NOT EXISTS "${indexBase}_owner_idx" ON ${name} (owner_id, created_at DESC);`,
  ].join('\n');

  const one = async (text: string, values: unknown[]) => {
    const rows = await run(text, values);
    return rows[0] === undefined ? undefined : toRecord(rows[0]);
  };

  return {
    schemaSql,
    async ensureSchema() {
      for (const statement of schemaSql.split(';\n')) await run(statement, []);
    },
    async insert(record) {
      await run(
        `INSERT INTO ${name} (${columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [
          record.id,
          record.hash,
          record.start,
          record.name ?? null,
          record.ownerId ?? null,
          [...record.scopes],
          // Both drivers serialise a plain object to jsonb (a JSON string would be stored as a string).
          record.meta ?? null,
          toDate(record.createdAt),
          toDate(record.expiresAt),
          toDate(record.revokedAt),
          toDate(record.lastUsedAt),
          record.replacedBy ?? null,
        ],
      );
    },
    findByHash(hash) {
      return one(`SELECT ${columns} FROM ${name} WHERE hash = $1`, [hash]);
    },
    get(id) {
      return one(`SELECT ${columns} FROM ${name} WHERE id = $1`, [id]);
    },
    update(id, patch: ApiKeyPatch) {
      const sets: string[] = [];
      const values: unknown[] = [id];
      const set = (column: string, value: unknown) => {
        values.push(value);
        sets.push(`${column} = $${values.length}`);
      };
      if ('expiresAt' in patch) set('expires_at', toDate(patch.expiresAt));
      if ('revokedAt' in patch) set('revoked_at', toDate(patch.revokedAt));
      if ('replacedBy' in patch) set('replaced_by', patch.replacedBy ?? null);
      if ('scopes' in patch) set('scopes', [...(patch.scopes ?? [])]);
      if ('name' in patch) set('name', patch.name ?? null);
      if ('meta' in patch) set('meta', patch.meta ?? null);
      if (sets.length === 0) return one(`SELECT ${columns} FROM ${name} WHERE id = $1`, values);
      return one(
        `UPDATE ${name} SET ${sets.join(', ')} WHERE id = $1 RETURNING ${columns}`,
        values,
      );
    },
    async touch(id, at) {
      await run(
        `UPDATE ${name} SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2)`,
        [id, toDate(at)],
      );
    },
    async list(query = {}) {
      const { ownerId, limit = 100 } = query;
      const bounded = Math.max(0, Math.min(Math.floor(limit), 10_000));
      const rows =
        ownerId === undefined
          ? await run(`SELECT ${columns} FROM ${name} ORDER BY created_at DESC, id DESC LIMIT $1`, [
              bounded,
            ])
          : await run(
              `SELECT ${columns} FROM ${name} WHERE owner_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`,
              [ownerId, bounded],
            );
      return rows.map(toRecord);
    },
  };
}

type Row = Record<string, unknown>;

function toDate(ms: number | undefined): Date | null {
  return ms === undefined ? null : new Date(ms);
}

function toMs(value: unknown): number | undefined {
  // Both drivers return timestamptz as a Date.
  return value === null || value === undefined ? undefined : (value as Date).getTime();
}

function toRecord(row: Row): ApiKeyRecord {
  return {
    id: row.id as string,
    hash: row.hash as string,
    start: row.start as string,
    name: (row.name as string | null) ?? undefined,
    ownerId: (row.owner_id as string | null) ?? undefined,
    scopes: (row.scopes as string[] | null) ?? [],
    // Both drivers parse jsonb.
    meta: (row.meta as Record<string, unknown> | null) ?? undefined,
    createdAt: toMs(row.created_at) as number,
    expiresAt: toMs(row.expires_at),
    revokedAt: toMs(row.revoked_at),
    lastUsedAt: toMs(row.last_used_at),
    replacedBy: (row.replaced_by as string | null) ?? undefined,
  };
}
