import { ConfigurationError, ForbiddenError, NotFoundError, UnauthorizedError } from '@arm/errors';
import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { createMemoryApiKeyStore } from './api-key-store';
import type { ApiKeyStore } from './api-key-store';
import { createApiKeys, scopeAllows } from './api-keys';
import type { ApiKeyVerifyResult } from './api-keys';
import type { SecurityAuditEvent } from './audit';

const PEPPER = 'a-pepper-that-is-at-least-32-bytes-long';

function setup(options: { pepper?: string } = {}) {
  let now = 1_700_000_000_000;
  const store = createMemoryApiKeyStore();
  const events: SecurityAuditEvent[] = [];
  const results: ApiKeyVerifyResult[] = [];
  const keys = createApiKeys({
    prefix: 'arm_live',
    store,
    ...options,
    now: () => now,
    hooks: { onAudit: (event) => events.push(event), onVerify: (result) => results.push(result) },
  });
  return { keys, store, events, results, advance: (ms: number) => (now += ms), now: () => now };
}

describe('createApiKeys', () => {
  it('creates keys with the prefix, stores only the hash, and verifies them', async () => {
    const { keys, store, events } = setup();
    const { key, record } = await keys.create({
      name: 'CI',
      ownerId: 'team-1',
      scopes: ['projects:read'],
      meta: { a: 1 },
    });
    expect(key).toMatch(/^arm_live_[0-9A-Za-z]{36}$/);
    expect(record.hash).toBe(createHash('sha256').update(key).digest('hex'));
    expect(JSON.stringify(await store.get(record.id))).not.toContain(key.slice(9));
    expect(record.start).toBe(key.slice(0, 13));
    expect(record.id).toMatch(/^key_[0-9A-Za-z]{22}$/);
    expect(await keys.verify(key, { scopes: ['projects:read'] })).toEqual({
      valid: true,
      code: 'valid',
      record,
    });
    expect(events).toEqual([
      { type: 'api_key.created', at: 1_700_000_000_000, keyId: record.id, start: record.start },
    ]);
  });

  it('hashes with HMAC when given a pepper; the same key without it is unknown', async () => {
    const peppered = setup({ pepper: PEPPER });
    const { key, record } = await peppered.keys.create();
    expect(record.hash).toBe(createHmac('sha256', PEPPER).update(key).digest('hex'));
    const plain = createApiKeys({ prefix: 'arm_live', store: peppered.store });
    expect(await plain.verify(key)).toMatchObject({ valid: false, code: 'unknown' });
  });

  it('answers each typed outcome and audits every refusal', async () => {
    const { keys, events, advance } = setup();
    const { key, record } = await keys.create({ scopes: ['projects:read'], ttlMs: 1000 });
    const forged = `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`;
    expect((await keys.verify('nonsense')).code).toBe('malformed');
    expect((await keys.verify(forged)).code).toBe('bad_checksum');
    const other = await createApiKeys({
      prefix: 'arm_live',
      store: createMemoryApiKeyStore(),
    }).create();
    expect(await keys.verify(other.key)).toEqual({
      valid: false,
      code: 'unknown',
      keyId: undefined,
    });
    expect(await keys.verify(key, { scopes: ['projects:write'] })).toEqual({
      valid: false,
      code: 'insufficient_scope',
      keyId: record.id,
    });
    advance(1000);
    expect((await keys.verify(key)).code).toBe('expired');
    const second = await keys.create();
    await keys.revoke(second.record.id);
    expect(await keys.verify(second.key)).toEqual({
      valid: false,
      code: 'revoked',
      keyId: second.record.id,
    });
    const rejected = events.filter((event) => event.type === 'api_key.rejected');
    expect(rejected.map((event) => event.code)).toEqual([
      'malformed',
      'bad_checksum',
      'unknown',
      'insufficient_scope',
      'expired',
      'revoked',
    ]);
    expect(rejected[2]).toMatchObject({ start: other.key.slice(0, 13), keyId: undefined });
    expect(events.some((event) => event.type === 'api_key.revoked')).toBe(true);
  });

  it('expires at an absolute time given as a Date', async () => {
    const { keys, advance, now } = setup();
    const { key } = await keys.create({ expiresAt: new Date(now() + 10) });
    expect((await keys.verify(key)).valid).toBe(true);
    advance(10);
    expect((await keys.verify(key)).code).toBe('expired');
  });

  it('records the last use at most once per resolution window, and survives a failing touch', async () => {
    const { keys, store, advance, now } = setup();
    const { key, record } = await keys.create();
    const touch = vi.spyOn(store, 'touch');
    await keys.verify(key);
    advance(30_000);
    await keys.verify(key);
    expect(touch).toHaveBeenCalledTimes(1);
    expect((await keys.get(record.id))?.lastUsedAt).toBe(now() - 30_000);
    advance(30_000);
    await keys.verify(key);
    expect(touch).toHaveBeenCalledTimes(2);

    const errors: unknown[] = [];
    const broken: ApiKeyStore = { ...store, touch: () => Promise.reject(new Error('db down')) };
    const brokenKeys = createApiKeys({
      prefix: 'arm_live',
      store: broken,
      hooks: { onError: (e) => errors.push(e) },
    });
    const created = await brokenKeys.create();
    expect((await brokenKeys.verify(created.key)).valid).toBe(true);
    expect(errors).toHaveLength(1);
  });

  it('authenticate throws 401 or 403 with the reason', async () => {
    const { keys, advance } = setup();
    const { key, record } = await keys.create({ scopes: ['a:read'], ttlMs: 10 });
    expect(await keys.authenticate(key, { scopes: ['a:read'] })).toEqual(record);
    await expect(keys.authenticate(key, { scopes: ['a:write'] })).rejects.toMatchObject({
      status: 403,
      details: { reason: 'insufficient_scope', required: ['a:write'] },
    });
    await expect(keys.authenticate(key, { scopes: ['a:write'] })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(keys.authenticate('garbage')).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(keys.authenticate('garbage')).rejects.toMatchObject({
      status: 401,
      message: 'The API key is not valid',
      headers: { 'www-authenticate': 'Bearer' },
    });
    const revokedKey = await keys.create();
    await keys.revoke(revokedKey.record.id);
    await expect(keys.authenticate(revokedKey.key)).rejects.toThrow('The API key was revoked');
    advance(10);
    await expect(keys.authenticate(key)).rejects.toThrow('The API key has expired');
  });

  it('rotates with an overlap: both keys work until the window ends, the new one inherits the rest', async () => {
    const { keys, advance, events } = setup();
    const old = await keys.create({
      name: 'deploy',
      ownerId: 'o',
      scopes: ['x:*'],
      meta: { m: 1 },
      ttlMs: 10 * 86_400_000,
    });
    advance(1000);
    const rotated = await keys.rotate(old.record.id, { overlapMs: 5000 });
    expect(rotated.previous).toMatchObject({
      id: old.record.id,
      replacedBy: rotated.record.id,
      expiresAt: 1_700_000_006_000,
    });
    expect(rotated.record).toMatchObject({
      name: 'deploy',
      ownerId: 'o',
      scopes: ['x:*'],
      meta: { m: 1 },
      expiresAt: 1_700_000_001_000 + 10 * 86_400_000,
    });
    advance(4999);
    expect((await keys.verify(old.key)).valid).toBe(true);
    advance(1);
    expect((await keys.verify(old.key)).code).toBe('expired');
    expect((await keys.verify(rotated.key)).valid).toBe(true);
    expect(events.find((event) => event.type === 'api_key.rotated')).toMatchObject({
      keyId: old.record.id,
      replacedBy: rotated.record.id,
    });
    // The default overlap is a day; an earlier expiry is kept.
    const short = await keys.create({ ttlMs: 1000 });
    expect((await keys.rotate(short.record.id)).previous.expiresAt).toBe(short.record.expiresAt);
    const open = await keys.create();
    expect((await keys.rotate(open.record.id)).previous.expiresAt).toBe(
      open.record.createdAt + 86_400_000,
    );
  });

  it('refuses to rotate a revoked, expired or unknown key', async () => {
    const { keys } = setup();
    const { record } = await keys.create();
    await keys.revoke(record.id);
    await expect(keys.rotate(record.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(keys.rotate('key_nope')).rejects.toBeInstanceOf(NotFoundError);
    await expect(keys.revoke('key_nope')).rejects.toBeInstanceOf(NotFoundError);
    await expect(keys.rotate(record.id, { overlapMs: -1 })).rejects.toBeInstanceOf(
      ConfigurationError,
    );
  });

  it('lists through the store', async () => {
    const { keys } = setup();
    await keys.create({ ownerId: 'a' });
    await keys.create({ ownerId: 'b' });
    expect((await keys.list({ ownerId: 'a' })).length).toBe(1);
    expect((await keys.list()).length).toBe(2);
  });

  it.each([
    ['a bad prefix', { prefix: 'ARM' }],
    ['no store', { prefix: 'arm', store: undefined }],
    ['a short pepper', { prefix: 'arm', pepper: 'short' }],
    ['a negative resolution', { prefix: 'arm', lastUsedResolutionMs: -1 }],
  ])('rejects %s', (_name, options) => {
    expect(() => createApiKeys({ store: createMemoryApiKeyStore(), ...options } as never)).toThrow(
      ConfigurationError,
    );
  });

  it.each([
    ['a scope with spaces', { scopes: ['a b'] }],
    ['a wildcard in the middle', { scopes: ['a:*:read'] }],
    ['a bad ttl', { ttlMs: 0 }],
    ['a bad expiry', { expiresAt: Number.NaN }],
  ])('refuses to create a key with %s', async (_name, input) => {
    const { keys } = setup();
    await expect(keys.create(input as never)).rejects.toBeInstanceOf(ConfigurationError);
  });

  it('round-trips any created key with any granted scopes (property)', async () => {
    const { keys } = setup({ pepper: PEPPER });
    const segment = fc.stringMatching(/^[a-z0-9_.-]{1,8}$/);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(segment, segment), { maxLength: 4 }), async (pairs) => {
        const scopes = pairs.map(([a, b]) => `${a}:${b}`);
        const { key, record } = await keys.create({ scopes });
        const result = await keys.verify(key, { scopes });
        expect(result).toEqual({ valid: true, code: 'valid', record });
        const mangled = key.slice(0, -7) + (key.at(-7) === 'a' ? 'b' : 'a') + key.slice(-6);
        expect((await keys.verify(mangled)).valid).toBe(false);
      }),
      { numRuns: 50 },
    );
  });
});

describe('scopeAllows', () => {
  it.each([
    [['projects:read'], 'projects:read', true],
    [['projects:read'], 'projects:write', false],
    [['projects:*'], 'projects:read', true],
    [['projects:*'], 'projects:keys:delete', true],
    [['projects:*'], 'projectsX:read', false],
    [['projects:*'], 'projects', false],
    [['*'], 'anything:at:all', true],
    [[], 'a', false],
    [['projects:read:*'], 'projects:read', false],
  ] as const)('%j covers %s: %s', (granted, required, expected) => {
    expect(scopeAllows(granted, required)).toBe(expected);
  });
});
