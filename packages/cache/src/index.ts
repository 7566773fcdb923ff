/**
 * `@arm/cache`: a tiered cache with stampede protection, and batch loading that ends N+1.
 *
 * @packageDocumentation
 */
export { createCache } from './cache';
export type {
  Cache,
  CacheEntryInput,
  CacheOptions,
  CallOptions,
  EntryOptions,
  GetOrSetOptions,
  Loader,
  LoaderContext,
  MemoryOptions,
} from './cache';
export { createBatchLoader } from './batch-loader';
export type { BatchContext, BatchFunction, BatchLoader, BatchLoaderOptions } from './batch-loader';
export { createSerializer } from './serializer';
export type { Decoded, Serializer, SerializerOptions } from './serializer';
export { estimateSize } from './estimate-size';
export type { CacheHooks, CacheOperation, CacheTierName, StaleReason } from './hooks';
export type { RemoteTier } from './remote-tier';
