import { CircuitOpenError, ConfigurationError, NotFoundError, RateLimitError } from '@arm/errors';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCircuitBreaker } from './circuit-breaker';
import type { CircuitBreaker, CircuitBreakerOptions } from './circuit-breaker';

const breakers: CircuitBreaker[] = [];

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  for (const breaker of breakers.splice(0)) breaker.shutdown();
  vi.useRealTimers();
});

function make(options: CircuitBreakerOptions = {}) {
  const transitions: string[] = [];
  const breaker = createCircuitBreaker({
    volumeThreshold: 4,
    resetTimeoutMs: 1_000,
    ...options,
    hooks: {
      ...options.hooks,
      onStateChange: (event) => {
        transitions.push(`${event.from}->${event.to}`);
        options.hooks?.onStateChange?.(event);
      },
    },
  });
  breakers.push(breaker);
  return { breaker, transitions };
}

const boom = (): Promise<never> => Promise.reject(new Error('boom'));
const ok = (): Promise<string> => Promise.resolve('ok');

async function outcome(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => value,
    (error: unknown) => error,
  );
}

describe('createCircuitBreaker', () => {
  it('does not open on one failure at low traffic (volume threshold)', async () => {
    const { breaker } = make({ volumeThreshold: 4 });
    for (let index = 0; index < 3; index++) await outcome(breaker.execute(boom));
    expect(breaker.state).toBe('closed');
    expect(breaker.stats()).toEqual({ calls: 3, failures: 3, rejected: 0 });
  });

  it('opens when the failure rate in the window passes the threshold', async () => {
    const { breaker, transitions } = make({ volumeThreshold: 4, failureRateThreshold: 50 });
    await breaker.execute(ok);
    await breaker.execute(ok);
    await outcome(breaker.execute(boom));
    await outcome(breaker.execute(boom));
    // 2 of 4 = 50 %: not above the threshold.
    expect(breaker.state).toBe('closed');
    await outcome(breaker.execute(boom));
    expect(breaker.state).toBe('open');
    expect(transitions).toEqual(['closed->open']);
  });

  it('rejects with CircuitOpenError carrying the time until the trial', async () => {
    const onRejected = vi.fn();
    const { breaker } = make({ volumeThreshold: 1, name: 'payments', hooks: { onRejected } });
    await outcome(breaker.execute(boom));
    await vi.advanceTimersByTimeAsync(400);
    const work = vi.fn(ok);
    const error = await outcome(breaker.execute(work));
    expect(work).not.toHaveBeenCalled();
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(error).toMatchObject({
      status: 503,
      retryable: true,
      headers: { 'retry-after': '1' },
      details: { dependency: 'payments', state: 'open', retryAfterMs: 600 },
    });
    expect(onRejected).toHaveBeenCalledWith({ dependency: 'payments', retryAfterMs: 600 });
    expect(breaker.stats().rejected).toBe(1);
  });

  it('half-opens after the reset timeout; a successful trial closes it', async () => {
    const { breaker, transitions } = make({ volumeThreshold: 1 });
    await outcome(breaker.execute(boom));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(breaker.state).toBe('half-open');
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
    expect(transitions).toEqual(['closed->open', 'open->half-open', 'half-open->closed']);
  });

  it('lets one trial through while half-open and rejects the others', async () => {
    const { breaker } = make({ volumeThreshold: 1 });
    await outcome(breaker.execute(boom));
    await vi.advanceTimersByTimeAsync(1_000);
    let finish = (): void => undefined;
    const trial = breaker.execute(
      () =>
        new Promise<string>((resolve) => {
          finish = () => {
            resolve('trial');
          };
        }),
    );
    const other = await outcome(breaker.execute(ok));
    expect(other).toBeInstanceOf(CircuitOpenError);
    expect((other as CircuitOpenError).details).toMatchObject({
      state: 'half-open',
      retryAfterMs: 0,
    });
    finish();
    await expect(trial).resolves.toBe('trial');
    expect(breaker.state).toBe('closed');
  });

  it('a failed trial opens it again for another reset timeout', async () => {
    const { breaker, transitions } = make({ volumeThreshold: 1 });
    await outcome(breaker.execute(boom));
    await vi.advanceTimersByTimeAsync(1_000);
    await outcome(breaker.execute(boom));
    expect(breaker.state).toBe('open');
    await vi.advanceTimersByTimeAsync(999);
    expect(breaker.state).toBe('open');
    await vi.advanceTimersByTimeAsync(1);
    expect(breaker.state).toBe('half-open');
    expect(transitions).toEqual([
      'closed->open',
      'open->half-open',
      'half-open->open',
      'open->half-open',
    ]);
  });

  it('counts client errors neither as failures nor as successes', async () => {
    const { breaker } = make({ volumeThreshold: 2, failureRateThreshold: 50 });
    const notFound = new NotFoundError();
    for (let index = 0; index < 5; index++) {
      expect(await outcome(breaker.execute(() => Promise.reject(notFound)))).toBe(notFound);
    }
    await outcome(breaker.execute(() => Promise.reject(new RateLimitError())));
    expect(breaker.stats()).toEqual({ calls: 0, failures: 0, rejected: 0 });
    await breaker.execute(ok);
    await outcome(breaker.execute(boom));
    // 1 failure of 2 counted calls: 50 %, not above. Had the 4xx counted as successes the rate
    // would be lower still; had they counted as calls, the volume threshold would be met early.
    expect(breaker.stats()).toEqual({ calls: 2, failures: 1, rejected: 0 });
    await outcome(breaker.execute(boom));
    expect(breaker.state).toBe('open');
  });

  it('closes on a client error during the trial: the dependency answered', async () => {
    const { breaker } = make({ volumeThreshold: 1 });
    await outcome(breaker.execute(boom));
    await vi.advanceTimersByTimeAsync(1_000);
    await outcome(breaker.execute(() => Promise.reject(new NotFoundError())));
    expect(breaker.state).toBe('closed');
  });

  it('counts slow successes as failures but still answers their result', async () => {
    const onSlowCall = vi.fn();
    const { breaker } = make({
      volumeThreshold: 2,
      slowCallMs: 500,
      name: 'search',
      hooks: { onSlowCall },
    });
    const slow = (): Promise<string> =>
      new Promise((resolve) => {
        setTimeout(() => {
          resolve('late');
        }, 600);
      });
    const first = breaker.execute(slow);
    await vi.advanceTimersByTimeAsync(600);
    await expect(first).resolves.toBe('late');
    expect(onSlowCall).toHaveBeenCalledWith({ dependency: 'search', durationMs: 600 });
    expect(breaker.stats().failures).toBe(1);
    const second = breaker.execute(slow);
    await vi.advanceTimersByTimeAsync(600);
    await expect(second).resolves.toBe('late');
    expect(breaker.state).toBe('open');
  });

  it('forgets outcomes older than the window', async () => {
    const { breaker } = make({ volumeThreshold: 3, windowMs: 1_000, windowBuckets: 10 });
    await outcome(breaker.execute(boom));
    await outcome(breaker.execute(boom));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(breaker.stats().calls).toBe(0);
    await outcome(breaker.execute(boom));
    expect(breaker.state).toBe('closed');
  });

  it('uses a custom isFailure', async () => {
    const { breaker } = make({ volumeThreshold: 1, isFailure: () => false });
    await outcome(breaker.execute(boom));
    expect(breaker.state).toBe('closed');
    expect(breaker.stats().calls).toBe(0);
  });

  it('rethrows thrown non-errors untouched', async () => {
    const { breaker } = make();
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a thrown non-error on purpose
    expect(await outcome(breaker.execute(() => Promise.reject(null)))).toBeNull();
    expect(breaker.stats().failures).toBe(1);
  });

  it('opens and closes by hand', async () => {
    const { breaker, transitions } = make();
    breaker.open();
    expect(await outcome(breaker.execute(ok))).toBeInstanceOf(CircuitOpenError);
    breaker.close();
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    expect(transitions).toEqual(['closed->open', 'open->closed']);
  });

  it('hands the signal and attempt to the work, and refuses an aborted call', async () => {
    const { breaker } = make();
    const controller = new AbortController();
    await expect(
      breaker.execute(({ signal, attempt }) => [signal === controller.signal, attempt], {
        signal: controller.signal,
        attempt: 3,
      }),
    ).resolves.toEqual([true, 3]);
    controller.abort(new Error('gone'));
    await expect(breaker.execute(ok, { signal: controller.signal })).rejects.toThrow('gone');
  });

  it('wraps one function: fire(...args)', async () => {
    const add = createCircuitBreaker((a: number, b: number) => a + b, { name: 'math' });
    breakers.push(add);
    await expect(add.fire(2, 3)).resolves.toBe(5);
    expect(add.name).toBe('math');
  });

  it('keeps working when a hook throws', async () => {
    const { breaker } = make({
      volumeThreshold: 1,
      hooks: {
        onStateChange: () => {
          throw new Error('metrics down');
        },
      },
    });
    await outcome(breaker.execute(boom));
    expect(breaker.state).toBe('open');
  });

  it('rejects calls after shutdown', async () => {
    const breaker = createCircuitBreaker({ name: 'legacy' });
    breaker.shutdown();
    const error = await outcome(breaker.execute(ok));
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect((error as Error).message).toBe('[@arm/retry] the "legacy" circuit is shut down');
  });

  it.each([
    [
      { failureRateThreshold: 101 },
      'option "failureRateThreshold" must be a percentage from 0 to 100, got 101',
    ],
    [{ volumeThreshold: -1 }, 'option "volumeThreshold" must be a non-negative integer'],
    [{ windowMs: 0 }, 'option "windowMs"'],
    [{ windowBuckets: 0 }, 'option "windowBuckets"'],
    [{ resetTimeoutMs: 2 ** 31 }, 'option "resetTimeoutMs"'],
    [{ slowCallMs: 0 }, 'option "slowCallMs" must be a positive number of milliseconds, got 0'],
    [{ isFailure: 'yes' }, 'option "isFailure" must be a function'],
  ])('rejects %j', (options, message) => {
    expect(() => createCircuitBreaker(options as never)).toThrow(ConfigurationError);
    expect(() => createCircuitBreaker(options as never)).toThrow(`[@arm/retry] ${message}`);
  });
});
