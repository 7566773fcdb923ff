/**
 * `arm`: the recommended stack in one registration, in the order the pieces must run:
 * request ids and problem errors, metrics, security headers and CSRF, health probes and load
 * shedding, rate limiting, then JSON bodies and the API docs. Each piece takes the options of
 * its own plugin; the ones that need an object of the user's (health, metrics) are on when
 * it is given.
 */
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { armErrors } from './errors';
import type { ArmErrorsOptions } from './errors';
import { armHealth } from './health';
import type { ArmHealthOptions } from './health';
import { armMetrics } from './metrics';
import type { ArmMetricsOptions } from './metrics';
import { armRateLimit } from './ratelimit';
import type { ArmRateLimitOptions } from './ratelimit';
import { armSecurity } from './security';
import type { ArmSecurityOptions } from './security';
import { armValidate } from './validate';
import type { ArmValidateOptions } from './validate';

/** Options of {@link arm}: one entry per feature; `false` leaves a feature out. */
export interface ArmOptions {
  /**
   * Problem+json errors and request ids; always on.
   * @defaultValue `{}` (masked)
   */
  readonly errors?: ArmErrorsOptions;
  /**
   * RED metrics, error tracking, `/metrics` and the snapshot route.
   * @defaultValue off
   */
  readonly metrics?: ArmMetricsOptions;
  /**
   * Security headers and CSRF protection.
   * @defaultValue `{}` (every header, CSRF from Fetch Metadata and Origin)
   */
  readonly security?: false | ArmSecurityOptions;
  /**
   * Probe routes, load shedding and graceful shutdown.
   * @defaultValue off
   */
  readonly health?: ArmHealthOptions;
  /**
   * Rate limiting of every route.
   * @defaultValue `{ tier: 'standard' }` on the memory store
   */
  readonly rateLimit?: false | ArmRateLimitOptions;
  /**
   * Safe JSON bodies and the OpenAPI document and docs page.
   * @defaultValue `{}` (safe JSON bodies with `@arm/validate`'s limits)
   */
  readonly validate?: false | ArmValidateOptions;
}

const plugin: FastifyPluginAsync<ArmOptions> = async (app, options) => {
  await app.register(armErrors, options.errors ?? {});
  if (options.metrics) await app.register(armMetrics, options.metrics);
  if (options.security !== false) await app.register(armSecurity, options.security ?? {});
  if (options.health) await app.register(armHealth, options.health);
  if (options.rateLimit !== false) await app.register(armRateLimit, options.rateLimit ?? {});
  if (options.validate !== false) await app.register(armValidate, options.validate ?? {});
};

/**
 * Registers the recommended ARM stack on a Fastify app. Register it before the routes.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { arm } from '@arm/fastify';
 * import { genReqId } from '@arm/fastify/errors';
 * import { createHealth } from '@arm/health';
 * import { createLogger, createMetrics } from '@arm/metrics';
 *
 * const app = Fastify({ loggerInstance: createLogger(), genReqId });
 * await app.register(arm, {
 *   metrics: { metrics: createMetrics() },
 *   health: { health: createHealth() },
 *   rateLimit: { tier: 'api' },
 * });
 * app.get('/hello', () => ({ hello: 'world' }));
 * ```
 */
export const arm = fp(plugin, { name: '@arm/fastify', fastify: '5.x' });
