import { getEventListeners } from 'node:events';
import { ConfigurationError, TimeoutError } from '@arm/errors';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTimeout } from './timeout';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('createTimeout', () => {
  it('answers the result of work that finishes in time', async () => {
    const timeout = createTimeout({ ms: 100 });
    await expect(timeout.execute(() => 'fast')).resolves.toBe('fast');
  });

  it('aborts the work signal with a TimeoutError and rejects at the deadline', async () => {
    const onTimeout = vi.fn();
    const timeout = createTimeout({ ms: 100, name: 'search', hooks: { onTimeout } });
    let seen: AbortSignal | undefined;
    const done = timeout.execute(
      ({ signal }) =>
        new Promise((_, reject) => {
          seen = signal;
          signal.addEventListener('abort', () => {
            reject(new Error('work saw the abort'));
          });
        }),
    );
    const settled = expect(done).rejects.toBeInstanceOf(TimeoutError);
    await vi.advanceTimersByTimeAsync(99);
    expect(seen?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await settled;
    expect(seen?.reason).toBeInstanceOf(TimeoutError);
    expect((seen?.reason as TimeoutError).message).toBe(
      '[@arm/retry] "search" did not finish within 100 ms',
    );
    expect(onTimeout).toHaveBeenCalledWith({ dependency: 'search', timeoutMs: 100 });
  });

  it('rejects on time even when the work ignores its signal', async () => {
    const timeout = createTimeout({ ms: 50 });
    const done = timeout.execute(() => new Promise(() => undefined));
    const settled = expect(done).rejects.toBeInstanceOf(TimeoutError);
    await vi.advanceTimersByTimeAsync(50);
    await settled;
  });

  it("passes the caller's abort on with its reason", async () => {
    const controller = new AbortController();
    const timeout = createTimeout({ ms: 1_000 });
    let seen: AbortSignal | undefined;
    const done = timeout.execute(
      ({ signal }) => {
        seen = signal;
        return new Promise(() => undefined);
      },
      { signal: controller.signal },
    );
    const reason = new Error('client went away');
    controller.abort(reason);
    await expect(done).rejects.toBe(reason);
    expect(seen?.reason).toBe(reason);
  });

  it('refuses a call whose signal already aborted', async () => {
    const timeout = createTimeout({ ms: 1_000 });
    const work = vi.fn();
    await expect(
      timeout.execute(work, { signal: AbortSignal.abort(new Error('gone')) }),
    ).rejects.toThrow('gone');
    expect(work).not.toHaveBeenCalled();
  });

  it('rejects with what the work throws', async () => {
    const timeout = createTimeout({ ms: 1_000 });
    await expect(
      timeout.execute(() => {
        throw new Error('sync failure');
      }),
    ).rejects.toThrow('sync failure');
  });

  it('leaves no listener and no timer behind, on success, failure and timeout', async () => {
    const controller = new AbortController();
    const timeout = createTimeout({ ms: 10 });
    await timeout.execute(() => 'ok', { signal: controller.signal });
    await timeout
      .execute(() => Promise.reject(new Error('x')), { signal: controller.signal })
      .catch(() => undefined);
    const slow = timeout.execute(() => new Promise(() => undefined), { signal: controller.signal });
    const settled = slow.catch(() => undefined);
    await vi.advanceTimersByTimeAsync(10);
    await settled;
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it.each([[{ ms: 0 }], [{ ms: -5 }], [{ ms: 2 ** 31 }], [{}]])('rejects %j', (options) => {
    expect(() => createTimeout(options as never)).toThrow(ConfigurationError);
    expect(() => createTimeout(options as never)).toThrow(
      '[@arm/retry] option "ms" must be a positive number of milliseconds, at most 2147483647',
    );
  });
});
