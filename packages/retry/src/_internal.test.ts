import { afterEach, describe, expect, it, vi } from 'vitest';
import { callHook, linkSignal, sleep } from './_internal';

afterEach(() => {
  vi.useRealTimers();
});

describe('callHook', () => {
  it('calls the hook with the event, skips a missing one, swallows a throw', () => {
    const hook = vi.fn();
    callHook(hook, { a: 1 });
    expect(hook).toHaveBeenCalledWith({ a: 1 });
    callHook(undefined, { a: 1 });
    expect(() => {
      callHook(() => {
        throw new Error('broken hook');
      }, {});
    }).not.toThrow();
  });
});

describe('sleep', () => {
  it('waits without a signal', async () => {
    vi.useFakeTimers();
    const done = vi.fn();
    void sleep(100, undefined).then(done);
    await vi.advanceTimersByTimeAsync(99);
    expect(done).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toHaveBeenCalled();
  });

  it('rejects at once on an aborted signal', async () => {
    await expect(sleep(100, AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
  });
});

describe('linkSignal', () => {
  it('follows the parent, and an already aborted one', () => {
    const parent = new AbortController();
    const { controller } = linkSignal(parent.signal);
    parent.abort('why');
    expect(controller.signal.reason).toBe('why');
    expect(linkSignal(AbortSignal.abort('before')).controller.signal.reason).toBe('before');
    const free = linkSignal(undefined);
    free.unlink();
    expect(free.controller.signal.aborted).toBe(false);
  });
});
