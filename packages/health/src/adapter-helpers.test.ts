import { isAppError } from '@arm/errors';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROBE_PATHS, shedError } from './adapter-helpers';
import { createHealth } from './health';
import { createPressure } from './pressure';

describe('adapter helpers', () => {
  it('makes the shed 503 with the pressure monitor Retry-After', () => {
    const pressure = createPressure({ maxHeapUsedBytes: 1, retryAfterSeconds: 7 });
    const health = createHealth({ pressure });
    const error = shedError(health);
    expect(isAppError(error) && error.status).toBe(503);
    expect(isAppError(error) && error.headers).toMatchObject({ 'retry-after': '7' });
    expect(error.message).toBe(health.shedResponse.body.detail);
    health.stop();
  });

  it('falls back to 10 seconds when the response carries no Retry-After', () => {
    const error = shedError({
      shedResponse: { status: 503, headers: { 'content-type': 'x' }, body: { detail: 'busy' } },
    } as never);
    expect(isAppError(error) && error.headers).toMatchObject({ 'retry-after': '10' });
  });

  it('names the default probe paths', () => {
    expect(DEFAULT_PROBE_PATHS).toEqual({
      live: '/health/live',
      ready: '/health/ready',
      startup: '/health/startup',
    });
  });
});
