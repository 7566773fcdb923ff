/**
 * The store contract. A store keeps each key's state and applies an operation to all of a
 * limiter's policies atomically: a consume that one policy denies changes nothing.
 */
import type { CompiledPolicy } from './policy';
import type { PolicyResult } from './result';

/** What every store operation names: the key and the limiter's policies. */
export interface StoreOperationBase {
  /** The limiter's name: keys of different limiters never meet. */
  readonly namespace: string;
  /** The key within the namespace. */
  readonly key: string;
  /** The limiter's policies, each with the place of its state in the key's record. */
  readonly policies: readonly CompiledPolicy[];
}

/**
 * `consume`: take `cost` units if every policy allows it, otherwise change nothing.
 * `peek`: report what a consume would decide, changing nothing.
 * `refund`: give `cost` units back to every policy, never beyond a whole quota.
 */
export interface CountOperation extends StoreOperationBase {
  /** Which of the three. */
  readonly kind: 'consume' | 'peek' | 'refund';
  /** Units, a positive integer. */
  readonly cost: number;
}

/** Deny the key until `durationMs` from now (or longer, if it is already blocked longer). */
export interface BlockOperation extends StoreOperationBase {
  /** Always `block`. */
  readonly kind: 'block';
  /** How long to block, in milliseconds. */
  readonly durationMs: number;
}

/** Forget the key: its counts and any block. */
export interface ResetOperation extends StoreOperationBase {
  /** Always `reset`. */
  readonly kind: 'reset';
}

/** What a limiter asks of its store. */
export type StoreOperation = CountOperation | BlockOperation | ResetOperation;

/** What a store answers: one result per policy (none for `reset`), and any block. */
export interface StoreResult {
  /** One result per policy, in the order of the operation's policies. */
  readonly policies: readonly PolicyResult[];
  /** Milliseconds the key stays blocked; 0 when it is not blocked. */
  readonly blockedMs: number;
}

/**
 * Where a limiter keeps its counts. The memory store answers synchronously; the Redis store
 * with a promise. Implementations run `describeRateLimitStore` from `@arm/ratelimit/testing`.
 */
export interface RateLimitStore {
  /** A short name for hooks and messages (`memory`, `redis`). */
  readonly name: string;
  /** Applies one operation atomically. */
  apply(operation: StoreOperation): StoreResult | Promise<StoreResult>;
}
