import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { Redis } from 'ioredis';
import pg from 'pg';
import postgres from 'postgres';
import { createClient } from 'redis';
import { describe, expectTypeOf, it } from 'vitest';
import {
  createHealth,
  createPressure,
  createShutdown,
  httpCheck,
  postgresCheck,
  redisCheck,
} from './index';
import type {
  CheckDefinition,
  Health,
  HealthResponse,
  HealthStatus,
  ProbeOptions,
  ShutdownServer,
} from './index';

describe('public types', () => {
  it('takes the clients applications already have', () => {
    expectTypeOf(redisCheck(new Redis({ lazyConnect: true }))).toEqualTypeOf<CheckDefinition>();
    expectTypeOf(redisCheck(createClient())).toEqualTypeOf<CheckDefinition>();
    expectTypeOf(postgresCheck(new pg.Pool())).toEqualTypeOf<CheckDefinition>();
    expectTypeOf(postgresCheck(new pg.Client())).toEqualTypeOf<CheckDefinition>();
    expectTypeOf(postgresCheck(postgres())).toEqualTypeOf<CheckDefinition>();
    // @ts-expect-error -- a string is not a client
    redisCheck('redis://localhost');
  });

  it('accepts checks written as plain async functions', () => {
    const health = createHealth({
      checks: {
        quiet: { check: () => Promise.resolve(undefined) },
        voided: {
          check: async () => {
            await Promise.resolve();
          },
        },
        outcome: { check: () => ({ status: 'warn' as const, observedValue: 3 }) },
        http: httpCheck('http://localhost/', { expectedStatus: [200, 204], critical: false }),
      },
    });
    expectTypeOf(health).toEqualTypeOf<Health>();
    expectTypeOf(health.ready()).toEqualTypeOf<Promise<HealthResponse>>();
    expectTypeOf(health.shouldShed()).toEqualTypeOf<boolean>();
    // Adapters pass the probes around unbound (and the unbound-method lint agrees).
    const { ready, shouldShed } = health;
    expectTypeOf(ready).toEqualTypeOf<(options?: ProbeOptions) => Promise<HealthResponse>>();
    expectTypeOf(shouldShed).toEqualTypeOf<() => boolean>();
    // @ts-expect-error -- only pass, warn and fail
    createHealth({ checks: { bad: { check: () => ({ status: 'ok' }) } } });
  });

  it('answers literal statuses', () => {
    expectTypeOf<HealthResponse['status']>().toEqualTypeOf<HealthStatus>();
    expectTypeOf<HealthResponse['httpStatus']>().toEqualTypeOf<200 | 503>();
  });

  it('drains http and https servers and takes the real process', () => {
    expectTypeOf(createServer()).toExtend<ShutdownServer>();
    expectTypeOf(createHttpsServer()).toExtend<ShutdownServer>();
    createShutdown({ server: createServer(), process, health: createHealth(), exit: false });
    createHealth({ pressure: createPressure({ maxEventLoopDelayMs: 100 }) });
  });
});
