/**
 * `@arm/health`: liveness, readiness and startup probes in `application/health+json`, cached
 * dependency checks, load shedding and graceful shutdown for Node services.
 *
 * @packageDocumentation
 */
export { createHealth, HEALTH_CONTENT_TYPE } from './health';
export type {
  CheckEvent,
  Health,
  HealthBody,
  HealthHooks,
  HealthOptions,
  HealthResponse,
  ProbeOptions,
  ShowOutput,
} from './health';
export type {
  CheckContext,
  CheckDefinition,
  CheckFunction,
  CheckOutcome,
  CheckResult,
  CheckSettings,
  ComponentType,
  HealthStatus,
  Probe,
} from './check';
export { redisCheck } from './checks/redis';
export type { RedisPingClient } from './checks/redis';
export { postgresCheck } from './checks/postgres';
export type { PgQueryable, PostgresClient, PostgresJsSql } from './checks/postgres';
export { httpCheck } from './checks/http';
export type { HttpCheckOptions } from './checks/http';
export { createPressure } from './pressure';
export type {
  Pressure,
  PressureHooks,
  PressureOptions,
  PressureReason,
  PressureSample,
} from './pressure';
export { DEFAULT_PROBE_PATHS, shedError } from './adapter-helpers';
export { createShutdown } from './shutdown';
export type {
  CleanupHook,
  Shutdown,
  ShutdownHooks,
  ShutdownOptions,
  ShutdownResult,
  ShutdownServer,
  ShutdownState,
  SignalSource,
} from './shutdown';
