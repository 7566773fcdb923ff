/**
 * The memory store: every key's state in one growable Float64Array per record size, indexed
 * by a Map. No timer at all (it runs unchanged in browsers, edge runtimes and tests): expired
 * records are swept a few at a time as new keys arrive. It never evicts a live key, so a flood
 * of new keys cannot reset anyone's count; when it is full, new keys are denied or allowed
 * uncounted, as configured, and a hook says so.
 */
import { coarseNow } from '../_clock';
import { optionError } from '../_option-error';
import { ALGORITHM_IMPLS, KERNELS } from '../algorithms/_registry';
import { newOutcome, policyResult } from '../algorithms/_kernel';
import type { Outcome } from '../algorithms/types';
import type { CompiledPolicy } from '../policy';
import { combineResults, soleDecision } from '../result';
import type { PolicyResult, RateLimitResult } from '../result';
import type { RateLimitStore, StoreOperation, StoreResult } from '../store';

/** What the memory store reports. */
export interface MemoryStoreHooks {
  /** A new key arrived while the store held `maxKeys` live keys; `whenFull` decided. */
  full(event: {
    readonly key: string;
    readonly size: number;
    readonly decision: 'deny' | 'allow';
  }): void;
}

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * The most keys the store holds at once. Each costs about 100 bytes (measured by
   * `pnpm bench:ratelimit`).
   * @defaultValue `100_000`
   */
  readonly maxKeys?: number;
  /**
   * What happens to a new key when the store is full of keys still inside their windows:
   * `deny` refuses it (fail closed, the safe choice against key floods), `allow` lets it
   * through uncounted (fail open).
   * @defaultValue `'deny'`
   */
  readonly whenFull?: 'deny' | 'allow';
  /**
   * How long a new key refused because the store is full should wait, in milliseconds.
   * @defaultValue `1000`
   */
  readonly fullRetryAfterMs?: number;
  /**
   * The clock, in milliseconds.
   * @defaultValue `Date.now`, read at most once per millisecond timer tick and at least every
   * 256 decisions (a clock read costs about as much as a decision)
   */
  readonly now?: () => number;
  /** Hooks; a throwing hook never breaks a decision. */
  readonly hooks?: Partial<MemoryStoreHooks>;
}

/** The memory store: a {@link RateLimitStore} that also tells how many keys it holds. */
export interface MemoryStore extends RateLimitStore {
  /** Applies one operation atomically and synchronously. */
  apply(operation: StoreOperation): StoreResult;
  /** How many keys it holds now, including expired ones not yet swept. */
  readonly size: number;
}

/** Records of one size: `[expiresAt, blockedUntil, ...policy state]` per key. */
interface Slab {
  readonly stride: number;
  data: Float64Array;
  /** Per slot: its key, and the namespace's index holding it. */
  readonly keys: (string | undefined)[];
  readonly owners: (Map<string, number> | undefined)[];
  /** Slots by key, one map per namespace, so keys need no prefix to stay apart. */
  readonly namespaces: Map<string, Map<string, number>>;
  readonly free: number[];
  top: number;
  cursor: number;
  /** Where each policy's kernel writes its decision; reused by every call. */
  readonly outcomes: readonly Outcome[];
}

const EXPIRES = 0;
const BLOCKED = 1;
const HEADER = 2;
const SWEEP_PER_INSERT = 2;
const SWEEP_WHEN_FULL = 1024;
/** As many as `compilePolicies` accepts. */
const MAX_POLICIES = 8;

/**
 * Creates a bounded in-memory store.
 *
 * @param options - Size bound, what to do when full, the clock and hooks.
 * @returns The store; pass it to `createRateLimiter({ store })`.
 * @throws `ConfigurationError` for a bad option.
 * @example
 * ```ts
 * const store = createMemoryStore({ maxKeys: 50_000, whenFull: 'deny' });
 * const limiter = createRateLimiter({ policies: { limit: 10, windowMs: 1_000 }, store });
 * ```
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const {
    maxKeys = 100_000,
    whenFull = 'deny',
    fullRetryAfterMs = 1000,
    now = coarseNow,
  } = options;
  if (!Number.isInteger(maxKeys) || maxKeys < 1)
    optionError('maxKeys', 'a positive integer', maxKeys);
  // Checked at run time too: options may come from untyped configuration.
  if (!['deny', 'allow'].includes(whenFull)) optionError('whenFull', '"deny" or "allow"', whenFull);
  const slabs = new Map<number, Slab>();
  // The slab and key index of the last call's limiter.
  let lastPolicies: readonly CompiledPolicy[] | undefined;
  let lastNamespace = '';
  let lastSlab: Slab = undefined as never;
  let lastIndex = new Map<string, number>();
  // What the last `locate` found and whether the last `count` consumed (see there).
  let foundBase = -1;
  let foundExpired: number | undefined;
  let counted = false;
  let size = 0;

  function slabFor(policies: readonly CompiledPolicy[]): Slab {
    const last = policies[policies.length - 1] as CompiledPolicy;
    const stride = HEADER + last.offset + last.slots;
    let slab = slabs.get(stride);
    if (!slab) {
      slab = {
        stride,
        data: new Float64Array(stride * 256),
        keys: [],
        owners: [],
        namespaces: new Map(),
        free: [],
        top: 0,
        cursor: 0,
        outcomes: Array.from({ length: MAX_POLICIES }, newOutcome),
      };
      slabs.set(stride, slab);
    }
    return slab;
  }

  function release(slab: Slab, slot: number): void {
    slab.owners[slot]?.delete(slab.keys[slot] as string);
    slab.keys[slot] = undefined;
    slab.owners[slot] = undefined;
    slab.free.push(slot);
    size--;
  }

  /** Frees up to `budget` expired records, continuing where the last sweep stopped. */
  function sweep(slab: Slab, time: number, budget: number): void {
    for (let i = 0; i < budget && slab.top > 0; i++) {
      if (slab.cursor >= slab.top) slab.cursor = 0;
      const slot = slab.cursor++;
      if (
        slab.keys[slot] !== undefined &&
        (slab.data[slot * slab.stride + EXPIRES] as number) <= time
      ) {
        release(slab, slot);
      }
    }
  }

  function allocate(
    slab: Slab,
    index: Map<string, number>,
    key: string,
    time: number,
  ): number | undefined {
    sweep(slab, time, SWEEP_PER_INSERT);
    if (size >= maxKeys) {
      for (const other of slabs.values()) sweep(other, time, SWEEP_WHEN_FULL);
      if (size >= maxKeys) return undefined;
    }
    let slot = slab.free.pop();
    if (slot === undefined) {
      slot = slab.top++;
      if (slab.top * slab.stride > slab.data.length) {
        const grown = new Float64Array(slab.data.length * 2);
        grown.set(slab.data);
        slab.data = grown;
      }
    }
    slab.keys[slot] = key;
    slab.owners[slot] = index;
    index.set(key, slot);
    size++;
    return slot;
  }

  function full(
    key: string,
    policies: readonly CompiledPolicy[],
    time: number,
    cost: number,
  ): StoreResult {
    const decision = whenFull;
    try {
      options.hooks?.full?.({ key, size, decision });
    } catch {
      // A hook must never break a decision.
    }
    return {
      blockedMs: 0,
      policies: policies.map((policy) => {
        const { result } = ALGORITHM_IMPLS[policy.algorithm].step(policy, undefined, time, cost);
        return decision === 'allow'
          ? result
          : { ...result, allowed: false, remaining: 0, retryAfterMs: fullRetryAfterMs };
      }),
    };
  }

  /**
   * Picks the slab and key index of `policies` in `namespace` and finds `key`'s record: sets
   * `foundBase` (the live record's base, or -1) and `foundExpired` (its slot when expired).
   * An expired record counts as no record. Its slot stays this key's until the operation
   * ends: a write reuses it in place (no Map delete and set), anything else releases it.
   */
  function locate(
    namespace: string,
    policies: readonly CompiledPolicy[],
    key: string,
    time: number,
  ): number | undefined {
    // Most calls come from the same limiter as the last one: skip two lookups for them.
    if (policies !== lastPolicies || namespace !== lastNamespace) {
      lastSlab = slabFor(policies);
      let found = lastSlab.namespaces.get(namespace);
      if (!found) {
        found = new Map();
        lastSlab.namespaces.set(namespace, found);
      }
      lastPolicies = policies;
      lastNamespace = namespace;
      lastIndex = found;
    }
    const slot = lastIndex.get(key);
    foundBase = -1;
    foundExpired = undefined;
    if (slot !== undefined) {
      const base = slot * lastSlab.stride;
      if ((lastSlab.data[base + EXPIRES] as number) > time) foundBase = base;
      else foundExpired = slot;
    }
    return slot;
  }

  function apply(operation: StoreOperation): StoreResult {
    const { key, policies } = operation;
    const time = now();
    if (operation.kind === 'consume' || operation.kind === 'peek') {
      const { kind, namespace, cost } = operation;
      const blocked = count(kind, namespace, key, policies, cost, time);
      if (blocked < 0) return full(key, policies, time, cost);
      return {
        policies: countResults(policies, lastSlab.outcomes, counted ? 0 : cost),
        blockedMs: blocked,
      };
    }
    const slot = locate(operation.namespace, policies, key, time);
    const slab = lastSlab;
    const index = lastIndex;
    const { data } = slab;
    const base = foundBase;
    const expired = foundExpired;

    switch (operation.kind) {
      case 'reset': {
        if (slot !== undefined) release(slab, slot);
        return { policies: [], blockedMs: 0 };
      }
      case 'block': {
        const at = base >= 0 ? base : recordFor(slab, index, key, time, expired);
        if (at < 0) return full(key, policies, time, 1);
        const until = Math.max(slab.data[at + BLOCKED] as number, time + operation.durationMs);
        slab.data[at + BLOCKED] = until;
        slab.data[at + EXPIRES] = Math.max(slab.data[at + EXPIRES] as number, until);
        return { policies: readResults(slab, at, policies, time), blockedMs: until - time };
      }
      case 'refund': {
        if (base < 0) {
          if (expired !== undefined) release(slab, expired);
          return { policies: readResults(slab, -1, policies, time), blockedMs: 0 };
        }
        let expiresAt = data[base + BLOCKED] as number;
        for (const policy of policies) {
          const at = base + HEADER + policy.offset;
          const next = ALGORITHM_IMPLS[policy.algorithm].refund(
            policy,
            stateAt(data, at, policy.slots),
            time,
            operation.cost,
          );
          writeState(data, at, policy.slots, next);
          if (next)
            expiresAt = Math.max(
              expiresAt,
              ALGORITHM_IMPLS[policy.algorithm].step(policy, next, time, 0).expiresAt,
            );
        }
        data[base + EXPIRES] = expiresAt;
        return {
          policies: readResults(slab, base, policies, time),
          blockedMs: blockedMs(data, base, time),
        };
      }
    }
  }

  /**
   * `consume` and `peek`, the hot path: kernels decide over the record's numbers into the
   * slab's reused outcomes, and a consume every policy allows writes the new state back.
   * Returns the key's block in milliseconds, or -1 when the store is full and the key had no
   * record to count in; sets `counted` when it consumed. The outcomes hold the figures.
   */
  function count(
    kind: 'consume' | 'peek',
    namespace: string,
    key: string,
    policies: readonly CompiledPolicy[],
    cost: number,
    time: number,
  ): number {
    locate(namespace, policies, key, time);
    const slab = lastSlab;
    const base = foundBase;
    const { data, outcomes } = slab;
    const n = policies.length;
    let allowed = true;
    for (let i = 0; i < n; i++) {
      const policy = policies[i] as CompiledPolicy;
      const at = base + HEADER + policy.offset;
      KERNELS[policy.algorithm](
        policy,
        base >= 0 ? (data[at] as number) : Number.NaN,
        base >= 0 ? (data[at + 1] as number) : Number.NaN,
        base >= 0 && policy.slots === 3 ? (data[at + 2] as number) : Number.NaN,
        time,
        cost,
        outcomes[i] as Outcome,
      );
      allowed &&= (outcomes[i] as Outcome).allowed;
    }
    const blocked = base >= 0 ? blockedMs(data, base, time) : 0;
    counted = kind === 'consume' && allowed && blocked === 0;
    if (counted) {
      const at = base >= 0 ? base : recordFor(slab, lastIndex, key, time, foundExpired);
      if (at < 0) {
        counted = false;
        return -1;
      }
      // Read again: recordFor may have grown the slab.
      const target = slab.data;
      let expiresAt = 0;
      for (let i = 0; i < n; i++) {
        const policy = policies[i] as CompiledPolicy;
        const out = outcomes[i] as Outcome;
        const from = at + HEADER + policy.offset;
        target[from] = out.s0;
        target[from + 1] = out.s1;
        if (policy.slots === 3) target[from + 2] = out.s2;
        if (out.expiresAt > expiresAt) expiresAt = out.expiresAt;
      }
      target[at + EXPIRES] = expiresAt;
      target[at + BLOCKED] = 0;
    } else if (foundExpired !== undefined) release(slab, foundExpired);
    return blocked;
  }

  /**
   * The limiter's own path to a decision for `consume` and `peek`: the same count as `apply`,
   * combined here, without the operation and answer objects between limiter and store.
   */
  function decide(
    kind: 'consume' | 'peek',
    namespace: string,
    key: string,
    policies: readonly CompiledPolicy[],
    cost: number,
  ): RateLimitResult {
    const time = now();
    const blocked = count(kind, namespace, key, policies, cost, time);
    if (blocked < 0) return combineResults(full(key, policies, time, cost).policies, 'store', 0);
    // Nothing consumed: a policy that would have allowed keeps its units.
    const refunded = counted ? 0 : cost;
    const { outcomes } = lastSlab;
    // combineResults and countResults take the same one-policy case, but going through them
    // costs this path a quarter more (callgrind, one key: 1 270 instructions a decision
    // against 1 030).
    if (policies.length === 1 && blocked === 0) {
      const only = policyResult(policies[0] as CompiledPolicy, outcomes[0] as Outcome, refunded);
      return soleDecision(only, [only], 'store');
    }
    return combineResults(countResults(policies, outcomes, refunded), 'store', blocked);
  }

  /** A fresh record for `key`: its expired slot reused in place, or a new one. */
  function recordFor(
    slab: Slab,
    index: Map<string, number>,
    key: string,
    time: number,
    expired: number | undefined,
  ): number {
    if (expired === undefined) return allocateBase(slab, index, key, time);
    return emptyRecord(slab, expired * slab.stride, time);
  }

  function allocateBase(slab: Slab, index: Map<string, number>, key: string, time: number): number {
    const slot = allocate(slab, index, key, time);
    if (slot === undefined) return -1;
    return emptyRecord(slab, slot * slab.stride, time);
  }

  // `size` is defined on a plain object, not written as a getter in a literal: V8 keeps such a
  // literal in dictionary mode, and every `store.apply` would then be a generic lookup.
  const store = Object.defineProperty({ name: 'memory', apply }, 'size', {
    get: () => size,
    enumerable: true,
  }) as MemoryStore;
  Object.defineProperty(store, LOCAL_DECIDE, { value: decide });
  return store;
}

/** A memory store's decision for a limiter's consume or peek, combined in the store. */
export type LocalDecide = (
  kind: 'consume' | 'peek',
  namespace: string,
  key: string,
  policies: readonly CompiledPolicy[],
  cost: number,
) => RateLimitResult;

/**
 * Where a memory store keeps its own decision: a registered symbol, so that a limiter from
 * another copy of this package (its CommonJS build beside the ESM one, or a second install)
 * still finds it.
 */
const LOCAL_DECIDE = Symbol.for('@arm/ratelimit/local-decide');

/** A memory store's own decision, or `undefined` for any other store. */
export function localDecide(store: RateLimitStore): LocalDecide | undefined {
  const decide = (store as unknown as Record<symbol, unknown>)[LOCAL_DECIDE];
  return typeof decide === 'function' ? (decide as LocalDecide) : undefined;
}

/** The results of a count, from the slab's outcomes. */
function countResults(
  policies: readonly CompiledPolicy[],
  outcomes: readonly Outcome[],
  refunded: number,
): PolicyResult[] {
  // One policy is the common case; a literal is cheaper than `new Array(n)` of a variable n.
  if (policies.length === 1) {
    return [policyResult(policies[0] as CompiledPolicy, outcomes[0] as Outcome, refunded)];
  }
  const results = new Array<PolicyResult>(policies.length);
  for (let i = 0; i < policies.length; i++) {
    results[i] = policyResult(policies[i] as CompiledPolicy, outcomes[i] as Outcome, refunded);
  }
  return results;
}

/**
 * Clears the record at `at`: no block, no state. A loop rather than `fill`, whose call costs
 * more than the few numbers of a record.
 */
function emptyRecord(slab: Slab, at: number, time: number): number {
  const { data, stride } = slab;
  data[at + EXPIRES] = time;
  data[at + BLOCKED] = 0;
  for (let i = HEADER; i < stride; i++) data[at + i] = Number.NaN;
  return at;
}

/** Results as they stand, for refund and block answers. */
function readResults(
  slab: Slab,
  base: number,
  policies: readonly CompiledPolicy[],
  time: number,
): PolicyResult[] {
  return policies.map((policy) => {
    const state =
      base >= 0 ? stateAt(slab.data, base + HEADER + policy.offset, policy.slots) : undefined;
    return unconsumed(ALGORITHM_IMPLS[policy.algorithm].step(policy, state, time, 1).result, 1);
  });
}

/** A result as if its cost had not been taken: what a denied or peeked request leaves. */
export function unconsumed(result: PolicyResult, cost: number): PolicyResult {
  return result.allowed ? { ...result, remaining: result.remaining + cost } : result;
}

/** A policy's state as the record holds it, or `undefined` when it has none. */
function stateAt(data: Float64Array, at: number, slots: number): number[] | undefined {
  if (Number.isNaN(data[at])) return undefined;
  return Array.from(data.subarray(at, at + slots));
}

function writeState(
  data: Float64Array,
  at: number,
  slots: number,
  state: readonly number[] | undefined,
): void {
  for (let i = 0; i < slots; i++) data[at + i] = state ? (state[i] as number) : Number.NaN;
}

function blockedMs(data: Float64Array, base: number, time: number): number {
  return Math.max(0, (data[base + BLOCKED] as number) - time);
}
