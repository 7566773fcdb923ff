/**
 * `@arm/security/testing`: the conformance suite every API key store runs (memory, PostgreSQL,
 * and third-party ones). It drives the store through its contract and through `createApiKeys`,
 * so any store that passes behaves the same under the key manager.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKeys } from '../api-keys';
import type { ApiKeyRecord, ApiKeyStore } from '../api-key-store';

/** A store under test. */
export interface ApiKeyStoreHarness {
  /** The store; it may already hold records of other tests. */
  readonly store: ApiKeyStore;
  /** Releases what the harness opened (connections, tables). */
  close?(): Promise<void>;
}

/**
 * Defines the conformance tests of an API key store with vitest's `describe` and `it`.
 *
 * @param name - Names the store in the test report.
 * @param make - Creates the store; called once for the suite.
 * @example
 * ```ts
 * import { createMemoryApiKeyStore } from '@arm/security';
 * import { describeApiKeyStore } from '@arm/security/testing';
 *
 * describeApiKeyStore('memory', () => ({ store: createMemoryApiKeyStore() }));
 * ```
 */
export function describeApiKeyStore(
  name: string,
  make: () => ApiKeyStoreHarness | Promise<ApiKeyStoreHarness>,
): void {
  describe(`API key store conformance: ${name}`, () => {
    let harness: ApiKeyStoreHarness;
    const run = randomBytes(6).toString('hex');
    let counter = 0;
    const record = (overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord => {
      counter++;
      return {
        id: `key_conf${run}${counter}`,
        hash: randomBytes(32).toString('hex'),
        start: 'arm_test_Ab12',
        name: undefined,
        ownerId: `owner-${run}`,
        scopes: [],
        meta: undefined,
        createdAt: 1_700_000_000_000 + counter * 1000,
        expiresAt: undefined,
        revokedAt: undefined,
        lastUsedAt: undefined,
        replacedBy: undefined,
        ...overrides,
      };
    };

    beforeAll(async () => {
      harness = await make();
    });
    afterAll(async () => {
      await harness.close?.();
    });

    it('stores a record and finds it by id and by hash, field for field', async () => {
      const stored = record({
        name: 'CI deploys',
        scopes: ['projects:read', 'deploys:*'],
        meta: { team: 'platform', limits: { rps: 10 } },
        expiresAt: 1_800_000_000_123,
        lastUsedAt: 1_700_000_000_999,
        revokedAt: 1_750_000_000_000,
        replacedBy: 'key_other',
      });
      await harness.store.insert(stored);
      expect(await harness.store.get(stored.id)).toEqual(stored);
      expect(await harness.store.findByHash(stored.hash)).toEqual(stored);
    });

    it('answers undefined for an unknown id or hash', async () => {
      expect(await harness.store.get(`key_missing${run}`)).toBeUndefined();
      expect(await harness.store.findByHash(randomBytes(32).toString('hex'))).toBeUndefined();
      expect(await harness.store.update(`key_missing${run}`, { revokedAt: 1 })).toBeUndefined();
    });

    it('refuses a second record with the same id or the same hash', async () => {
      const first = record();
      await harness.store.insert(first);
      await expect(
        Promise.resolve().then(() => harness.store.insert({ ...record(), hash: first.hash })),
      ).rejects.toThrow();
      await expect(
        Promise.resolve().then(() => harness.store.insert({ ...record(), id: first.id })),
      ).rejects.toThrow();
    });

    it('updates the fields a patch names, clears those set to undefined, keeps the rest', async () => {
      const stored = record({ name: 'old', expiresAt: 1_900_000_000_000, scopes: ['a:read'] });
      await harness.store.insert(stored);
      const updated = await harness.store.update(stored.id, {
        revokedAt: 1_700_000_100_000,
        expiresAt: undefined,
        scopes: ['a:*'],
      });
      expect(updated).toEqual({
        ...stored,
        revokedAt: 1_700_000_100_000,
        expiresAt: undefined,
        scopes: ['a:*'],
      });
      expect(await harness.store.get(stored.id)).toEqual(updated);
      expect(await harness.store.update(stored.id, {})).toEqual(updated);
    });

    it('updates and clears name, meta and the rotation link', async () => {
      const stored = record();
      await harness.store.insert(stored);
      const named = await harness.store.update(stored.id, {
        name: 'renamed',
        meta: { plan: 'pro', nested: [1, { a: true }] },
        replacedBy: 'key_next',
      });
      expect(named).toEqual({
        ...stored,
        name: 'renamed',
        meta: { plan: 'pro', nested: [1, { a: true }] },
        replacedBy: 'key_next',
      });
      const cleared = await harness.store.update(stored.id, {
        name: undefined,
        meta: undefined,
        replacedBy: undefined,
      });
      expect(cleared).toEqual(stored);
      expect(await harness.store.get(stored.id)).toEqual(stored);
    });

    it('touch only moves lastUsedAt forward', async () => {
      const stored = record();
      await harness.store.insert(stored);
      await harness.store.touch(stored.id, 2_000);
      await harness.store.touch(stored.id, 1_000);
      expect((await harness.store.get(stored.id))?.lastUsedAt).toBe(2_000);
      await harness.store.touch(stored.id, 3_000);
      expect((await harness.store.get(stored.id))?.lastUsedAt).toBe(3_000);
      await harness.store.touch(`key_missing${run}`, 3_000);
    });

    it('lists an owner’s records newest first, up to the limit', async () => {
      const owner = `lister-${run}`;
      const made = [1, 2, 3].map((i) =>
        record({ ownerId: owner, createdAt: 1_600_000_000_000 + i }),
      );
      for (const item of made) await harness.store.insert(item);
      const listed = await harness.store.list({ ownerId: owner });
      expect(listed.map((item) => item.id)).toEqual(made.map((item) => item.id).reverse());
      expect((await harness.store.list({ ownerId: owner, limit: 2 })).length).toBe(2);
      expect((await harness.store.list({ limit: 1 })).length).toBe(1);
    });

    it('serves createApiKeys end to end: verify, revoke, rotate with overlap', async () => {
      let now = 1_700_000_000_000;
      const keys = createApiKeys({
        prefix: 'arm_test',
        store: harness.store,
        pepper: randomBytes(32),
        now: () => now,
      });
      const { key, record: created } = await keys.create({
        ownerId: `e2e-${run}`,
        scopes: ['projects:*'],
      });
      expect(await keys.verify(key, { scopes: ['projects:read'] })).toMatchObject({ valid: true });
      expect((await keys.get(created.id))?.lastUsedAt).toBe(now);

      const rotated = await keys.rotate(created.id, { overlapMs: 60_000 });
      expect(rotated.previous.replacedBy).toBe(rotated.record.id);
      now += 59_999;
      expect((await keys.verify(key)).valid).toBe(true);
      expect((await keys.verify(rotated.key)).valid).toBe(true);
      now += 1;
      expect(await keys.verify(key)).toMatchObject({ valid: false, code: 'expired' });

      await keys.revoke(rotated.record.id);
      expect(await keys.verify(rotated.key)).toMatchObject({ valid: false, code: 'revoked' });
      expect((await keys.list({ ownerId: `e2e-${run}` })).length).toBe(2);
    });
  });
}
