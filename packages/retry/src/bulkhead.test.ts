import { getEventListeners } from 'node:events';
import { ConfigurationError } from '@arm/errors';
import { describe, expect, it, vi } from 'vitest';
import { BulkheadRejectedError, createBulkhead } from './bulkhead';

/** Work that runs until `release()` is called. */
function gate() {
  const releases: (() => void)[] = [];
  const work = vi.fn(
    () =>
      new Promise<string>((resolve) => {
        releases.push(() => {
          resolve('done');
        });
      }),
  );
  return { work, release: () => releases.shift()?.() };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('createBulkhead', () => {
  it('runs up to `concurrency` calls, queues up to `queue`, refuses the rest', async () => {
    const onBulkheadRejected = vi.fn();
    const bulkhead = createBulkhead({
      concurrency: 2,
      queue: 1,
      name: 'reports',
      hooks: { onBulkheadRejected },
    });
    const { work, release } = gate();
    const calls = [bulkhead.execute(work), bulkhead.execute(work), bulkhead.execute(work)];
    await tick();
    expect(work).toHaveBeenCalledTimes(2);
    expect([bulkhead.running, bulkhead.queued]).toEqual([2, 1]);

    const refused = bulkhead.execute(work);
    await expect(refused).rejects.toBeInstanceOf(BulkheadRejectedError);
    await expect(refused).rejects.toMatchObject({
      code: 'BULKHEAD_REJECTED',
      status: 503,
      retryable: false,
      message: '[@arm/retry] the "reports" bulkhead is full (2 running, 1 queued)',
    });
    expect(onBulkheadRejected).toHaveBeenCalledWith({
      dependency: 'reports',
      concurrency: 2,
      queue: 1,
    });

    release();
    await tick();
    expect(work).toHaveBeenCalledTimes(3);
    expect([bulkhead.running, bulkhead.queued]).toEqual([2, 0]);
    release();
    release();
    await expect(Promise.all(calls)).resolves.toEqual(['done', 'done', 'done']);
    expect([bulkhead.running, bulkhead.queued]).toEqual([0, 0]);
  });

  it('frees the slot when the work fails', async () => {
    const bulkhead = createBulkhead({ concurrency: 1 });
    await expect(bulkhead.execute(() => Promise.reject(new Error('x')))).rejects.toThrow('x');
    await expect(bulkhead.execute(() => 'ok')).resolves.toBe('ok');
  });

  it('drops an aborted call from the queue at once, without starving the next', async () => {
    const bulkhead = createBulkhead({ concurrency: 1, queue: 2 });
    const { work, release } = gate();
    const controller = new AbortController();
    const running = bulkhead.execute(work);
    const aborted = bulkhead.execute(work, { signal: controller.signal });
    const next = bulkhead.execute(work);
    await tick();
    controller.abort(new Error('gone'));
    await expect(aborted).rejects.toThrow('gone');
    expect(bulkhead.queued).toBe(1);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    release();
    await tick();
    release();
    await expect(Promise.all([running, next])).resolves.toEqual(['done', 'done']);
    expect(work).toHaveBeenCalledTimes(2);
  });

  it('removes the listener of a queued call when it gets its slot', async () => {
    const bulkhead = createBulkhead({ concurrency: 1, queue: 1 });
    const { work, release } = gate();
    const controller = new AbortController();
    const first = bulkhead.execute(work);
    const second = bulkhead.execute(work, { signal: controller.signal });
    await tick();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    release();
    await tick();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    release();
    await Promise.all([first, second]);
  });

  it('refuses a call whose signal already aborted', async () => {
    const bulkhead = createBulkhead({ concurrency: 1 });
    await expect(
      bulkhead.execute(() => 'x', { signal: AbortSignal.abort(new Error('gone')) }),
    ).rejects.toThrow('gone');
    expect(bulkhead.running).toBe(0);
  });

  it.each([
    [{ concurrency: 0 }, 'option "concurrency" must be an integer of at least 1, got 0'],
    [{}, 'option "concurrency" must be an integer of at least 1, got undefined'],
    [{ concurrency: 1, queue: -1 }, 'option "queue" must be a non-negative integer, got -1'],
    [{ concurrency: 1, queue: 0.5 }, 'option "queue"'],
  ])('rejects %j', (options, message) => {
    expect(() => createBulkhead(options as never)).toThrow(ConfigurationError);
    expect(() => createBulkhead(options as never)).toThrow(`[@arm/retry] ${message}`);
  });
});
