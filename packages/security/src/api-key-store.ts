/**
 * The storage contract for API keys. A store keeps records, never keys: the secret is only
 * ever stored as its hash. Implementations: memory (here), PostgreSQL
 * (`@arm/security/postgres`); `@arm/security/testing` checks any other.
 */

/** One stored API key. Times are epoch milliseconds. */
export interface ApiKeyRecord {
  /** The key's public id (`key_…`), for management calls and logs. */
  readonly id: string;
  /** The hash of the key (hex SHA-256, or HMAC-SHA256 with the pepper). */
  readonly hash: string;
  /** The display snippet: prefix and four characters. */
  readonly start: string;
  /** A label for people. */
  readonly name: string | undefined;
  /** Who owns the key (a user, a team, a service). */
  readonly ownerId: string | undefined;
  /** What the key may do (`projects:read`, `projects:*`, `*`). */
  readonly scopes: readonly string[];
  /** Application data kept with the key (JSON). */
  readonly meta: Readonly<Record<string, unknown>> | undefined;
  /** When it was created. */
  readonly createdAt: number;
  /** When it stops working, if it does. */
  readonly expiresAt: number | undefined;
  /** When it was revoked, if it was. */
  readonly revokedAt: number | undefined;
  /** When it last verified successfully (updated at most once per resolution window). */
  readonly lastUsedAt: number | undefined;
  /** The id of the key that replaced it in a rotation. */
  readonly replacedBy: string | undefined;
}

/** The fields {@link ApiKeyStore.update} may change. */
export type ApiKeyPatch = Partial<
  Pick<ApiKeyRecord, 'expiresAt' | 'revokedAt' | 'replacedBy' | 'scopes' | 'name' | 'meta'>
>;

/** Where API key records live. Every method may be sync or async. */
export interface ApiKeyStore {
  /**
   * Stores a new record.
   * @param record - The record; its id and hash are unique.
   */
  insert(record: ApiKeyRecord): Promise<void> | void;
  /**
   * Finds the record with this hash.
   * @param hash - The hash of a presented key.
   */
  findByHash(hash: string): Promise<ApiKeyRecord | undefined> | ApiKeyRecord | undefined;
  /**
   * Finds the record with this id.
   * @param id - A key id.
   */
  get(id: string): Promise<ApiKeyRecord | undefined> | ApiKeyRecord | undefined;
  /**
   * Changes fields of a record. Fields set to `undefined` in the patch are cleared.
   * @param id - A key id.
   * @param patch - The fields to change.
   * @returns The updated record, or undefined when there is none with that id.
   */
  update(
    id: string,
    patch: ApiKeyPatch,
  ): Promise<ApiKeyRecord | undefined> | ApiKeyRecord | undefined;
  /**
   * Records a use: sets `lastUsedAt` to `at` unless it is already later.
   * @param id - A key id.
   * @param at - The time of use.
   */
  touch(id: string, at: number): Promise<void> | void;
  /**
   * Lists records, newest first.
   * @param query - Only this owner's keys, and at most `limit` (default 100).
   */
  list(query?: {
    readonly ownerId?: string;
    readonly limit?: number;
  }): Promise<readonly ApiKeyRecord[]> | readonly ApiKeyRecord[];
}

/**
 * Creates an in-memory API key store: for tests, single-process services and development.
 *
 * @returns A store that keeps records in this process.
 * @example
 * ```ts
 * const keys = createApiKeys({ prefix: 'arm_test', store: createMemoryApiKeyStore() });
 * ```
 */
export function createMemoryApiKeyStore(): ApiKeyStore {
  const byId = new Map<string, ApiKeyRecord>();
  const byHash = new Map<string, string>();
  return {
    insert(record) {
      if (byId.has(record.id) || byHash.has(record.hash)) {
        throw new Error(`[@arm/security] an API key with id ${record.id} or its hash exists`);
      }
      byId.set(record.id, { ...record });
      byHash.set(record.hash, record.id);
    },
    findByHash(hash) {
      const id = byHash.get(hash);
      return id === undefined ? undefined : byId.get(id);
    },
    get(id) {
      return byId.get(id);
    },
    update(id, patch) {
      const current = byId.get(id);
      if (current === undefined) return undefined;
      const next = { ...current, ...patch };
      byId.set(id, next);
      return next;
    },
    touch(id, at) {
      const current = byId.get(id);
      if (current !== undefined && (current.lastUsedAt === undefined || current.lastUsedAt < at)) {
        byId.set(id, { ...current, lastUsedAt: at });
      }
    },
    list(query = {}) {
      const { ownerId, limit = 100 } = query;
      return [...byId.values()]
        .filter((record) => ownerId === undefined || record.ownerId === ownerId)
        .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1))
        .slice(0, limit);
    },
  };
}
