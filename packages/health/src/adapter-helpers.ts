/**
 * What every framework adapter needs from a health object beyond the probes themselves: the
 * paths the probes answer on by default, and the error a shed request is answered with.
 */
import { ServiceUnavailableError } from '@arm/errors';
import type { Health } from './health';

/** The paths adapters serve the probes on unless told otherwise. */
export const DEFAULT_PROBE_PATHS: {
  /** The liveness probe's path. */
  readonly live: '/health/live';
  /** The readiness probe's path. */
  readonly ready: '/health/ready';
  /** The startup probe's path. */
  readonly startup: '/health/startup';
} = Object.freeze({ live: '/health/live', ready: '/health/ready', startup: '/health/startup' });

/**
 * The 503 for a request shed under load, with the health object's `Retry-After`; adapters
 * pass it to their error handler so it renders like every other problem.
 *
 * @param health - The health object whose `shedResponse` gives the message and `Retry-After`.
 * @returns A `ServiceUnavailableError`.
 * @example
 * ```ts
 * if (health.shouldShed()) throw shedError(health);
 * ```
 */
export function shedError(health: Pick<Health, 'shedResponse'>): Error {
  const { body, headers } = health.shedResponse;
  return new ServiceUnavailableError(body.detail, {
    headers: { 'retry-after': headers['retry-after'] ?? '10' },
  });
}
