/**
 * API keys: create, verify, revoke and rotate checksummed keys (see `api-key-format.ts`)
 * whose secret is stored only as a hash. Verification checks the format and checksum offline,
 * looks the hash up, compares it in constant time, then checks revocation, expiry and scopes,
 * and answers with a typed outcome instead of a bare boolean.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '@arm/errors';
import type { SecurityAuditEvent } from './audit';
import {
  API_KEY_RANDOM_LENGTH,
  apiKeyStart,
  checkApiKeyFormat,
  formatApiKey,
  isValidApiKeyPrefix,
  randomBase62,
} from './api-key-format';
import type { ApiKeyRecord, ApiKeyStore } from './api-key-store';
import { callHook } from './_hooks';
import { optionError } from './_option-error';
import { constantTimeEqual, toSecret } from './_secret';
import type { SecretInput } from './_secret';

/** Why a presented key was refused. */
export type ApiKeyFailure =
  'malformed' | 'bad_checksum' | 'unknown' | 'expired' | 'revoked' | 'insufficient_scope';

/** The result of {@link ApiKeys.verify}. */
export type ApiKeyVerifyResult =
  | {
      /** The key is good for this request. */
      readonly valid: true;
      /** Always `'valid'`. */
      readonly code: 'valid';
      /** The key's record. */
      readonly record: ApiKeyRecord;
    }
  | {
      /** The key was refused. */
      readonly valid: false;
      /** Why. */
      readonly code: ApiKeyFailure;
      /** The key's id, when it was found in the store. */
      readonly keyId: string | undefined;
    };

/** API key hooks. Synchronous; a throwing hook is ignored. */
export interface ApiKeyHooks {
  /** Every verification result. */
  onVerify(result: ApiKeyVerifyResult): void;
  /** Refusals, creations, revocations and rotations, as audit events. */
  onAudit(event: SecurityAuditEvent): void;
  /** A failure that did not fail the call: recording `lastUsedAt`. */
  onError(error: unknown): void;
}

/** Options of {@link createApiKeys}. */
export interface ApiKeysOptions {
  /**
   * What every key starts with, naming the issuer and environment: `arm_live`, `arm_test`.
   * Lower case, up to three `_`-separated parts.
   */
  readonly prefix: string;
  /** Where records are kept: `createMemoryApiKeyStore()` or a PostgreSQL store. */
  readonly store: ApiKeyStore;
  /**
   * A server-side secret (32+ bytes) mixed into the hash (HMAC-SHA256), so a leaked table
   * cannot even be checked against candidate keys. Changing it invalidates every key.
   * @defaultValue none: plain SHA-256, which suffices for 178-bit random keys
   */
  readonly pepper?: SecretInput;
  /**
   * How often `lastUsedAt` is written at most per key, in milliseconds.
   * @defaultValue `60000`
   */
  readonly lastUsedResolutionMs?: number;
  /**
   * The clock, in epoch milliseconds.
   * @defaultValue `Date.now`
   */
  readonly now?: () => number;
  /** Verification, audit and error hooks. */
  readonly hooks?: Partial<ApiKeyHooks>;
}

/** What a new key gets. */
export interface CreateApiKeyInput {
  /**
   * A label for people.
   * @defaultValue none
   */
  readonly name?: string;
  /**
   * The owner (a user, a team, a service).
   * @defaultValue none
   */
  readonly ownerId?: string;
  /**
   * What the key may do: `resource:action`, `resource:*` or `*`.
   * @defaultValue `[]`
   */
  readonly scopes?: readonly string[];
  /**
   * When the key stops working (epoch milliseconds or a Date).
   * @defaultValue never, unless `ttlMs` is set
   */
  readonly expiresAt?: number | Date;
  /**
   * How long the key works, from now.
   * @defaultValue none
   */
  readonly ttlMs?: number;
  /**
   * Application data stored with the key (JSON-serialisable).
   * @defaultValue none
   */
  readonly meta?: Readonly<Record<string, unknown>>;
}

/** A new key: the only time the secret exists in plain text. */
export interface CreatedApiKey {
  /** The key. Show it once; it cannot be recovered. */
  readonly key: string;
  /** Its stored record. */
  readonly record: ApiKeyRecord;
}

/** The result of {@link ApiKeys.rotate}: the new key, and the old record with its new expiry. */
export interface RotatedApiKey extends CreatedApiKey {
  /** The replaced key's record, expiring at the end of the overlap. */
  readonly previous: ApiKeyRecord;
}

/** What {@link createApiKeys} returns. */
export interface ApiKeys {
  /**
   * Creates a key.
   * @param input - Name, owner, scopes, expiry, metadata.
   * @returns The key (shown once) and its record.
   * @throws `ConfigurationError` for an invalid scope or expiry.
   */
  create(input?: CreateApiKeyInput): Promise<CreatedApiKey>;
  /**
   * Verifies a presented key and records its use.
   * @param key - The presented key, untrusted.
   * @param options - Scopes the request needs; every one must be granted.
   * @returns `{ valid: true, record }` or `{ valid: false, code }`.
   */
  verify(
    key: unknown,
    options?: { readonly scopes?: readonly string[] },
  ): Promise<ApiKeyVerifyResult>;
  /**
   * Verifies a key, throwing the HTTP error for a refusal.
   * @param key - The presented key, untrusted.
   * @param options - Scopes the request needs.
   * @returns The key's record.
   * @throws `UnauthorizedError` (401) for a malformed, unknown, expired or revoked key.
   * @throws `ForbiddenError` (403) when a scope is missing.
   */
  authenticate(
    key: unknown,
    options?: { readonly scopes?: readonly string[] },
  ): Promise<ApiKeyRecord>;
  /**
   * Revokes a key at once.
   * @param id - The key id.
   * @returns The updated record.
   * @throws `NotFoundError` when there is no such key.
   */
  revoke(id: string): Promise<ApiKeyRecord>;
  /**
   * Replaces a key with a new one; the old one keeps working for `overlapMs`.
   * @param id - The key id.
   * @param options - The overlap window.
   * @returns The new key and record, and the old record.
   * @throws `NotFoundError` when there is no such key, or it is revoked or expired.
   */
  rotate(id: string, options?: { readonly overlapMs?: number }): Promise<RotatedApiKey>;
  /**
   * Reads a record by id.
   * @param id - The key id.
   */
  get(id: string): Promise<ApiKeyRecord | undefined>;
  /**
   * Lists records, newest first.
   * @param query - An owner and a limit.
   */
  list(query?: {
    readonly ownerId?: string;
    readonly limit?: number;
  }): Promise<readonly ApiKeyRecord[]>;
}

const SCOPE = /^(?:\*|[a-z0-9_.-]{1,64}(?::[a-z0-9_.-]{1,64}){0,7}(?::\*)?)$/;
const DAY_MS = 86_400_000;

/**
 * Tells whether granted scopes cover a required scope. `projects:*` covers `projects:read`
 * and `projects:keys:delete`; `*` covers everything; a wildcard is only ever a whole last
 * segment.
 *
 * @param granted - The key's scopes.
 * @param required - One scope the request needs (no wildcard).
 * @returns True when some granted scope covers it.
 * @example
 * ```ts
 * scopeAllows(['projects:*'], 'projects:read'); // true
 * scopeAllows(['projects:read'], 'projects:write'); // false
 * ```
 */
export function scopeAllows(granted: readonly string[], required: string): boolean {
  for (const scope of granted) {
    if (scope === '*' || scope === required) return true;
    if (scope.endsWith(':*') && required.startsWith(scope.slice(0, -1))) return true;
  }
  return false;
}

/**
 * Creates an API key manager over a store.
 *
 * @param options - The prefix, the store, an optional pepper, the clock and hooks.
 * @returns `create`, `verify`, `authenticate`, `revoke`, `rotate`, `get` and `list`.
 * @throws `ConfigurationError` for an invalid prefix, a pepper under 32 bytes or a bad
 *   resolution.
 * @example
 * ```ts
 * const keys = createApiKeys({ prefix: 'arm_live', store: createMemoryApiKeyStore() });
 * const { key } = await keys.create({ scopes: ['projects:read'] });
 * const result = await keys.verify(key, { scopes: ['projects:read'] }); // { valid: true, ... }
 * ```
 */
export function createApiKeys(options: ApiKeysOptions): ApiKeys {
  const { prefix, store, lastUsedResolutionMs = 60_000 } = options;
  if (!isValidApiKeyPrefix(prefix)) {
    optionError('prefix', 'lower case letters and digits, up to three "_"-separated parts', prefix);
  }
  if (
    typeof store !== 'object' ||
    (store as unknown) === null ||
    typeof (store as Partial<ApiKeyStore>).findByHash !== 'function'
  ) {
    optionError('store', 'an ApiKeyStore', store);
  }
  if (!Number.isFinite(lastUsedResolutionMs) || lastUsedResolutionMs < 0) {
    optionError('lastUsedResolutionMs', 'a number of milliseconds >= 0', lastUsedResolutionMs);
  }
  const pepper = options.pepper === undefined ? undefined : toSecret('pepper', options.pepper);
  const now = options.now ?? Date.now;
  const hooks = options.hooks ?? {};

  const hash = (key: string): string =>
    pepper === undefined
      ? createHash('sha256').update(key).digest('hex')
      : createHmac('sha256', pepper).update(key).digest('hex');

  async function insert(input: CreateApiKeyInput, at: number): Promise<CreatedApiKey> {
    const scopes = [...(input.scopes ?? [])];
    for (const scope of scopes) {
      if (typeof scope !== 'string' || !SCOPE.test(scope)) {
        optionError('scopes', 'resource:action scopes, "resource:*" or "*"', scope);
      }
    }
    let expiresAt = input.expiresAt instanceof Date ? input.expiresAt.getTime() : input.expiresAt;
    if (input.ttlMs !== undefined) {
      if (!Number.isFinite(input.ttlMs) || input.ttlMs <= 0) {
        optionError('ttlMs', 'a positive number of milliseconds', input.ttlMs);
      }
      expiresAt = at + input.ttlMs;
    }
    if (expiresAt !== undefined && !Number.isFinite(expiresAt)) {
      optionError('expiresAt', 'a time in epoch milliseconds or a Date', input.expiresAt);
    }
    const key = formatApiKey(prefix, randomBase62(API_KEY_RANDOM_LENGTH, randomBytes));
    const record: ApiKeyRecord = {
      id: `key_${randomBase62(22, randomBytes)}`,
      hash: hash(key),
      start: apiKeyStart(key),
      name: input.name,
      ownerId: input.ownerId,
      scopes,
      meta: input.meta,
      createdAt: at,
      expiresAt,
      revokedAt: undefined,
      lastUsedAt: undefined,
      replacedBy: undefined,
    };
    await store.insert(record);
    return { key, record };
  }

  async function mustGet(id: string): Promise<ApiKeyRecord> {
    const record = typeof id === 'string' ? await store.get(id) : undefined;
    if (record === undefined)
      throw new NotFoundError('No such API key', { details: { keyId: id } });
    return record;
  }

  function fail(
    code: ApiKeyFailure,
    record: ApiKeyRecord | undefined,
    start: string | undefined,
  ): ApiKeyVerifyResult {
    const result: ApiKeyVerifyResult = { valid: false, code, keyId: record?.id };
    callHook(hooks.onVerify, result);
    callHook(hooks.onAudit, {
      type: 'api_key.rejected',
      at: now(),
      code,
      keyId: record?.id,
      start,
    });
    return result;
  }

  async function verify(
    key: unknown,
    verifyOptions: { readonly scopes?: readonly string[] } = {},
  ): Promise<ApiKeyVerifyResult> {
    const format = checkApiKeyFormat(key, prefix);
    if (format !== 'ok') return fail(format, undefined, undefined);
    const presented = key as string;
    const start = apiKeyStart(presented);
    const digest = hash(presented);
    const record = await store.findByHash(digest);
    if (record === undefined || !constantTimeEqual(record.hash, digest)) {
      return fail('unknown', undefined, start);
    }
    const at = now();
    if (record.revokedAt !== undefined && record.revokedAt <= at)
      return fail('revoked', record, start);
    if (record.expiresAt !== undefined && record.expiresAt <= at)
      return fail('expired', record, start);
    for (const scope of verifyOptions.scopes ?? []) {
      if (!scopeAllows(record.scopes, scope)) return fail('insufficient_scope', record, start);
    }
    if (record.lastUsedAt === undefined || at - record.lastUsedAt >= lastUsedResolutionMs) {
      try {
        await store.touch(record.id, at);
      } catch (error) {
        callHook(hooks.onError, error);
      }
    }
    const result: ApiKeyVerifyResult = { valid: true, code: 'valid', record };
    callHook(hooks.onVerify, result);
    return result;
  }

  return {
    async create(input = {}) {
      const created = await insert(input, now());
      callHook(hooks.onAudit, {
        type: 'api_key.created',
        at: created.record.createdAt,
        keyId: created.record.id,
        start: created.record.start,
      });
      return created;
    },
    verify,
    async authenticate(key, authOptions) {
      const result = await verify(key, authOptions);
      if (result.valid) return result.record;
      if (result.code === 'insufficient_scope') {
        throw new ForbiddenError('The API key lacks a required scope', {
          details: { reason: result.code, required: [...(authOptions?.scopes ?? [])] },
        });
      }
      throw new UnauthorizedError(
        result.code === 'expired'
          ? 'The API key has expired'
          : result.code === 'revoked'
            ? 'The API key was revoked'
            : 'The API key is not valid',
        { challenge: 'Bearer', details: { reason: result.code } },
      );
    },
    async revoke(id) {
      const record = await mustGet(id);
      const at = now();
      const updated = (await store.update(record.id, { revokedAt: at })) ?? {
        ...record,
        revokedAt: at,
      };
      callHook(hooks.onAudit, {
        type: 'api_key.revoked',
        at,
        keyId: record.id,
        start: record.start,
      });
      return updated;
    },
    async rotate(id, rotateOptions = {}) {
      const { overlapMs = DAY_MS } = rotateOptions;
      if (!Number.isFinite(overlapMs) || overlapMs < 0) {
        optionError('overlapMs', 'a number of milliseconds >= 0', overlapMs);
      }
      const old = await mustGet(id);
      const at = now();
      if (
        (old.revokedAt !== undefined && old.revokedAt <= at) ||
        (old.expiresAt !== undefined && old.expiresAt <= at)
      ) {
        throw new NotFoundError('The API key is revoked or expired; create a new one', {
          details: { keyId: old.id },
        });
      }
      const created = await insert(
        {
          ...(old.name === undefined ? {} : { name: old.name }),
          ...(old.ownerId === undefined ? {} : { ownerId: old.ownerId }),
          ...(old.meta === undefined ? {} : { meta: old.meta }),
          ...(old.expiresAt === undefined ? {} : { ttlMs: old.expiresAt - old.createdAt }),
          scopes: old.scopes,
        },
        at,
      );
      const overlapEnd = at + overlapMs;
      const previous = (await store.update(old.id, {
        expiresAt: old.expiresAt === undefined ? overlapEnd : Math.min(old.expiresAt, overlapEnd),
        replacedBy: created.record.id,
      })) as ApiKeyRecord;
      callHook(hooks.onAudit, {
        type: 'api_key.rotated',
        at,
        keyId: old.id,
        start: old.start,
        replacedBy: created.record.id,
      });
      return { ...created, previous };
    },
    async get(id) {
      return store.get(id);
    },
    async list(query) {
      return store.list(query);
    },
  };
}
