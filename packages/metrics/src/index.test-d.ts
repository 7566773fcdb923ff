import { expectTypeOf, it } from 'vitest';
import type { CacheHooks } from '@arm/cache';
import type { HealthHooks } from '@arm/health';
import type { MemoryStoreHooks, RateLimitHooks } from '@arm/ratelimit';
import type { ResilienceHooks } from '@arm/retry';
import type { Counter, Histogram } from 'prom-client';
import {
  createMetrics,
  instrumentCache,
  instrumentHealth,
  instrumentRateLimit,
  instrumentRetry,
} from './index';
import type { Exposition, MetricsSnapshot } from './index';

const metrics = createMetrics();

it('gives hook objects the packages accept, by structure only', () => {
  expectTypeOf(instrumentRetry(metrics)).toExtend<Partial<ResilienceHooks>>();
  expectTypeOf(instrumentCache(metrics)).toExtend<Partial<CacheHooks>>();
  expectTypeOf(instrumentRateLimit(metrics)).toExtend<Partial<RateLimitHooks>>();
  expectTypeOf(instrumentHealth(metrics)).toExtend<Partial<HealthHooks>>();
  expectTypeOf(instrumentRateLimit(metrics)).not.toExtend<MemoryStoreHooks>();
});

it('types metrics by their label names', () => {
  const counter = metrics.counter({ name: 'a_total', help: 'A.', labelNames: ['queue'] });
  expectTypeOf(counter).toEqualTypeOf<Counter<'queue'>>();
  expectTypeOf(metrics.histogram({ name: 'b', help: 'B.' })).toEqualTypeOf<Histogram<never>>();
  // @ts-expect-error: a label the metric was not made with
  counter.inc({ other: 'x' });
});

it('answers plain values for adapters', () => {
  expectTypeOf(metrics.expose()).resolves.toEqualTypeOf<Exposition>();
  expectTypeOf(metrics.snapshot()).resolves.toEqualTypeOf<MetricsSnapshot>();
  expectTypeOf<Parameters<typeof metrics.http.observe>[0]>().toHaveProperty('route');
});
