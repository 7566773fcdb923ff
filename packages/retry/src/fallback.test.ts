import { ConfigurationError } from '@arm/errors';
import { describe, expect, it, vi } from 'vitest';
import { fallback } from './fallback';

describe('fallback', () => {
  it('answers the work result when it succeeds', async () => {
    const handler = vi.fn(() => 'cached');
    await expect(fallback(handler).execute(() => 'fresh')).resolves.toBe('fresh');
    expect(handler).not.toHaveBeenCalled();
  });

  it('answers the handler result when the work fails, and reports it', async () => {
    const onFallback = vi.fn();
    const error = new Error('down');
    const policy = fallback((caught, { attempt }) => Promise.resolve({ caught, attempt }), {
      name: 'prices',
      hooks: { onFallback },
    });
    await expect(policy.execute(() => Promise.reject(error))).resolves.toEqual({
      caught: error,
      attempt: 1,
    });
    expect(onFallback).toHaveBeenCalledWith({ dependency: 'prices', error });
  });

  it('does not hide a cancellation by the caller', async () => {
    const controller = new AbortController();
    const reason = new Error('client went away');
    const policy = fallback(() => 'cached');
    const done = policy.execute(
      () => {
        controller.abort(reason);
        return Promise.reject(reason);
      },
      { signal: controller.signal },
    );
    await expect(done).rejects.toBe(reason);
  });

  it('answers only the errors shouldFallback accepts', async () => {
    const policy = fallback(() => 'cached', { shouldFallback: (error) => error === 'soft' });
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a thrown non-error on purpose
    await expect(policy.execute(() => Promise.reject('soft'))).resolves.toBe('cached');
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a thrown non-error on purpose
    await expect(policy.execute(() => Promise.reject('hard'))).rejects.toBe('hard');
  });

  it('rejects a handler that is not a function', () => {
    expect(() => fallback('x' as never)).toThrow(ConfigurationError);
    expect(() => fallback('x' as never)).toThrow(
      '[@arm/retry] option "handler" must be a function, got "x"',
    );
  });
});
