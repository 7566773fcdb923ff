/**
 * `@arm/ratelimit`: exact, fast rate limiting for one process or a fleet.
 *
 * @packageDocumentation
 */
export { createRateLimiter } from './limiter';
export type {
  ConsumeOptions,
  FailureMode,
  LocalRateLimiter,
  RateLimiter,
  RateLimiterOptions,
  RateLimitHooks,
} from './limiter';
export { ALGORITHMS, compilePolicies } from './policy';
export type { Algorithm, CompiledPolicy, PolicyOptions } from './policy';
export type { DecisionSource, PolicyResult, RateLimitResult } from './result';
export type {
  BlockOperation,
  CountOperation,
  RateLimitStore,
  ResetOperation,
  StoreOperation,
  StoreOperationBase,
  StoreResult,
} from './store';
export { createMemoryStore } from './stores/memory';
export type { MemoryStore, MemoryStoreHooks, MemoryStoreOptions } from './stores/memory';
export { fixedWindow } from './algorithms/fixed-window';
export { slidingWindow } from './algorithms/sliding-window';
export { tokenBucket } from './algorithms/token-bucket';
export { gcra } from './algorithms/gcra';
export type { AlgorithmImpl, AlgorithmStep } from './algorithms/types';
export { TIERS } from './tiers';
export type { Tier, TierName } from './tiers';
export { createAuthLimiter } from './auth';
export type { AuthDecision, AuthIdentity, AuthLimiter, AuthLimiterOptions } from './auth';
export { QUOTA_EXCEEDED_TYPE, rateLimitHeaders, toRateLimitError } from './headers';
export type { RateLimitHeadersOptions } from './headers';
export { createHttpRateLimit } from './http';
export type {
  HttpRateLimit,
  HttpRateLimitDecision,
  HttpRateLimitOptions,
  HttpRateLimitRequest,
} from './http';
export {
  clientIp,
  clientKey,
  createClientIdentity,
  TRUSTED_RANGE_PRESETS,
} from './client-identity';
export type { ClientIdentity, ClientIdentityOptions, ClientRequest } from './client-identity';
