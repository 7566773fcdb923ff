/**
 * Graceful shutdown for Kubernetes: on SIGTERM/SIGINT readiness fails at once, a delay lets the
 * endpoints controller and load balancers notice, the server stops accepting and drains its
 * in-flight requests (keep-alive sockets are closed as they go idle), cleanup hooks run in order
 * with their own timeouts, and the process exits within one budget.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TimeoutError } from '@arm/errors';
import { checkMs, emit, isObject, optionError } from './_internal';

/** What the default budget adds to the phases' own timeouts. */
const BUDGET_SLACK_MS = 1000;

/** Where a shutdown is. */
export type ShutdownState = 'running' | 'delaying' | 'draining' | 'cleaning' | 'exited';

/**
 * The part of a Node HTTP(S) server that shutdown uses: an `http.Server`, `https.Server`, or the
 * `server` of an Express or Fastify app.
 *
 * @example
 * ```ts
 * const server: ShutdownServer = http.createServer(handler);
 * ```
 */
export interface ShutdownServer {
  /** Stops accepting connections; calls back once every connection has ended. */
  close(callback?: (error?: Error) => void): unknown;
  /** Closes connections that have no request in flight (Node >= 18.2). */
  closeIdleConnections?(): void;
  /** Closes every connection (Node >= 18.2); used at the drain deadline. */
  closeAllConnections?(): void;
  /** Used to track requests in flight. */
  prependListener(
    event: 'request',
    listener: (request: IncomingMessage, response: ServerResponse) => void,
  ): unknown;
  /** Used by `dispose()`. */
  removeListener(
    event: 'request',
    listener: (request: IncomingMessage, response: ServerResponse) => void,
  ): unknown;
}

/**
 * Where signals come from and warnings go: `process`, or an EventEmitter in tests.
 *
 * @example
 * ```ts
 * const source: SignalSource = new EventEmitter(); // source.emit('SIGTERM', 'SIGTERM')
 * ```
 */
export interface SignalSource {
  /** Subscribes to a signal. */
  on(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  /** Unsubscribes. */
  removeListener(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  /** Where the budget warning goes, if present. */
  emitWarning?(warning: string, options: { readonly code: string }): void;
}

/**
 * One cleanup step, such as closing Redis or the database pool.
 *
 * @example
 * ```ts
 * const step: CleanupHook = { name: 'postgres', run: () => pool.end(), timeoutMs: 3_000 };
 * ```
 */
export interface CleanupHook {
  /** Its name in hooks and results. */
  readonly name: string;
  /** The work; it gets a signal aborted at its timeout. */
  run(context: { readonly signal: AbortSignal }): unknown;
  /**
   * How long it may take; the next hook runs after that either way.
   * @defaultValue the shutdown's `hookTimeoutMs`
   */
  readonly timeoutMs?: number;
}

/**
 * How one shutdown went.
 *
 * @example
 * ```ts
 * const { code, forcedRequests } = await shutdown.shutdown('deploy');
 * ```
 */
export interface ShutdownResult {
  /** The exit code: 0 when everything finished in time, 1 otherwise. */
  readonly code: 0 | 1;
  /** The signal, or the reason given to `shutdown()`. */
  readonly reason: string;
  /** Requests still in flight when the drain deadline closed their sockets. */
  readonly forcedRequests: number;
  /** Cleanup hooks that threw or ran out of time, in order. */
  readonly failedHooks: readonly string[];
  /** Whether the overall budget ran out. */
  readonly deadlineExceeded: boolean;
  /** From the signal to exit (ms). */
  readonly durationMs: number;
}

/**
 * What shutdown reports as it goes; wire a logger here.
 *
 * @example
 * ```ts
 * const hooks: Partial<ShutdownHooks> = {
 *   onPhase: ({ phase, elapsedMs }) => logger.info({ phase, elapsedMs }, 'shutdown'),
 *   onCleanupError: ({ name, error }) => logger.error({ err: error, hook: name }),
 * };
 * ```
 */
export interface ShutdownHooks {
  /** A phase begins. */
  onPhase(event: {
    readonly phase: Exclude<ShutdownState, 'running'>;
    readonly elapsedMs: number;
    readonly reason: string;
  }): void;
  /** A cleanup hook threw or ran out of time. */
  onCleanupError(event: {
    readonly name: string;
    readonly error: unknown;
    readonly timedOut: boolean;
  }): void;
  /** The planned shutdown takes longer than the platform's grace period. */
  onBudgetWarning(event: {
    readonly budgetMs: number;
    readonly gracePeriodMs: number;
    readonly message: string;
  }): void;
}

/**
 * Options of {@link createShutdown}.
 *
 * @example
 * ```ts
 * const options: ShutdownOptions = {
 *   server,
 *   health,
 *   delayMs: 5_000,
 *   cleanup: [{ name: 'redis', run: () => redis.quit() }, { name: 'postgres', run: () => pool.end() }],
 * };
 * ```
 */
export interface ShutdownOptions {
  /**
   * The HTTP server to drain.
   * @defaultValue none
   */
  readonly server?: ShutdownServer;
  /**
   * The health object whose readiness fails at once; its background checks stop before cleanup.
   * @defaultValue none
   */
  readonly health?: {
    /** Makes readiness fail. */
    beginShutdown(): void;
    /** Stops background checks. */
    stop?(): void;
  };
  /**
   * Whether readiness fails as soon as the shutdown starts. `false` keeps it passing, as
   * lightship does (gajus/lightship#12): Kubernetes takes a deleted pod out of its endpoints anyway.
   * @defaultValue `true`
   */
  readonly failReadiness?: boolean;
  /**
   * Signals that start the shutdown. A second one while shutting down exits at once with 1.
   * @defaultValue `['SIGTERM', 'SIGINT']`
   */
  readonly signals?: readonly NodeJS.Signals[];
  /**
   * How long to keep serving after readiness fails, so load balancers stop sending traffic
   * (at least the readiness probe's `periodSeconds × failureThreshold`).
   * @defaultValue `5000`
   */
  readonly delayMs?: number;
  /**
   * How long in-flight requests may take to finish before their sockets are closed.
   * @defaultValue `10000`
   */
  readonly drainTimeoutMs?: number;
  /**
   * Cleanup steps, run one after another after the drain.
   * @defaultValue none
   */
  readonly cleanup?: readonly CleanupHook[];
  /**
   * The timeout of a cleanup hook that sets none.
   * @defaultValue `5000`
   */
  readonly hookTimeoutMs?: number;
  /**
   * The overall budget from signal to exit; at its end remaining sockets are closed and the
   * process exits with 1.
   * @defaultValue `delayMs + drainTimeoutMs +` every hook's timeout `+ 1000`
   */
  readonly timeoutMs?: number;
  /**
   * The platform's grace period before SIGKILL (Kubernetes' `terminationGracePeriodSeconds`);
   * a budget above it draws a warning at start-up.
   * @defaultValue `30000`
   */
  readonly gracePeriodMs?: number;
  /**
   * Ends the process; `false` never does (tests, or when something else exits).
   * @defaultValue `process.exit`
   */
  readonly exit?: ((code: number) => void) | false;
  /**
   * Where signals come from and warnings go.
   * @defaultValue `process`
   */
  readonly process?: SignalSource;
  /**
   * Callbacks for phases, cleanup errors and the budget warning.
   * @defaultValue none
   */
  readonly hooks?: Partial<ShutdownHooks>;
}

/**
 * A graceful shutdown, armed on its signals.
 *
 * @example
 * ```ts
 * const { budgetMs } = createShutdown({ server, health });
 * ```
 */
export interface Shutdown {
  /**
   * Starts the shutdown now (a signal calls this); later calls return the same promise.
   *
   * @param reason - Reported in hooks and the result.
   * @returns How it went, after the exit function was called.
   */
  readonly shutdown: (reason?: string) => Promise<ShutdownResult>;
  /** Where the shutdown is. */
  readonly state: ShutdownState;
  /** The overall budget from signal to exit (ms). */
  readonly budgetMs: number;
  /** Requests in flight on the server now. */
  readonly inFlight: number;
  /** Removes the signal listeners and the request tracking. */
  readonly dispose: () => void;
}

/**
 * Arms a graceful shutdown on SIGTERM and SIGINT.
 *
 * @param options - Server, health, delays, cleanup hooks, budget.
 * @returns The shutdown; `shutdown()` starts it by hand.
 * @throws ConfigurationError when a duration, a hook or a signal is invalid.
 * @example
 * ```ts
 * const server = http.createServer(app).listen(3000);
 * createShutdown({
 *   server,
 *   health,
 *   delayMs: 5_000,
 *   cleanup: [
 *     { name: 'redis', run: () => redis.quit() },
 *     { name: 'postgres', run: () => pool.end(), timeoutMs: 3_000 },
 *   ],
 * });
 * ```
 */
export function createShutdown(options: ShutdownOptions = {}): Shutdown {
  const delayMs = checkMs('delayMs', options.delayMs, true) ?? 5000;
  const drainTimeoutMs = checkMs('drainTimeoutMs', options.drainTimeoutMs, true) ?? 10_000;
  const hookTimeoutMs = checkMs('hookTimeoutMs', options.hookTimeoutMs, false) ?? 5000;
  const gracePeriodMs = checkMs('gracePeriodMs', options.gracePeriodMs, false) ?? 30_000;
  const cleanup = options.cleanup ?? [];
  const untypedCleanup: unknown = cleanup;
  if (!Array.isArray(untypedCleanup)) {
    optionError('cleanup', 'an array of { name, run }', cleanup);
  }
  const steps = cleanup.map((hook, index) => {
    const untyped: unknown = hook;
    if (!isObject(untyped) || typeof untyped.run !== 'function') {
      optionError(
        `cleanup[${String(index)}].run`,
        'a function',
        isObject(untyped) ? untyped.run : untyped,
      );
    }
    return {
      name: hook.name,
      run: hook.run.bind(hook),
      timeoutMs:
        checkMs(`cleanup[${String(index)}].timeoutMs`, hook.timeoutMs, false) ?? hookTimeoutMs,
    };
  });
  // A second of slack, so the phases' own deadlines report what ran late before the overall one.
  const plannedMs =
    delayMs +
    drainTimeoutMs +
    steps.reduce((sum, step) => sum + step.timeoutMs, 0) +
    BUDGET_SLACK_MS;
  const budgetMs = checkMs('timeoutMs', options.timeoutMs, false) ?? plannedMs;
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const untypedSignals: unknown = signals;
  if (
    !Array.isArray(untypedSignals) ||
    signals.some((signal) => typeof (signal as unknown) !== 'string' || !signal.startsWith('SIG'))
  ) {
    optionError('signals', 'an array of signal names such as "SIGTERM"', signals);
  }
  const exit = options.exit ?? ((code: number) => process.exit(code));
  if (exit !== false && typeof exit !== 'function')
    optionError('exit', 'a function or false', exit);
  const source: SignalSource = options.process ?? process;
  const { server, health, hooks } = options;

  if (budgetMs > gracePeriodMs) {
    const message =
      `[@arm/health] the shutdown budget of ${String(budgetMs)} ms exceeds the grace period of ` +
      `${String(gracePeriodMs)} ms: the platform will kill the process before it finishes. Lower ` +
      'delayMs, drainTimeoutMs or the hook timeouts, or raise terminationGracePeriodSeconds and gracePeriodMs.';
    emit<ShutdownHooks, 'onBudgetWarning'>(hooks, 'onBudgetWarning', {
      budgetMs,
      gracePeriodMs,
      message,
    });
    source.emitWarning?.(message, { code: 'ARM_HEALTH_SHUTDOWN_BUDGET' });
  }

  // Requests in flight, so draining can mark their responses `Connection: close`.
  const inFlight = new Set<ServerResponse>();
  let draining = false;
  const closeIdle = (): void => {
    server?.closeIdleConnections?.();
  };
  const onRequest = (_request: IncomingMessage, response: ServerResponse): void => {
    inFlight.add(response);
    if (draining) response.setHeader('connection', 'close');
    response.once('close', () => {
      inFlight.delete(response);
      if (draining) setImmediate(closeIdle);
    });
  };
  server?.prependListener('request', onRequest);

  let state: ShutdownState = 'running';
  let running: Promise<ShutdownResult> | undefined;
  let startedAt = 0;
  let finishNow: ((code: 1) => void) | undefined;

  const onSignal = (signal: NodeJS.Signals): void => {
    if (running === undefined) void shutdown(signal);
    else finishNow?.(1);
  };
  for (const signal of signals) source.on(signal, onSignal);

  function phase(next: Exclude<ShutdownState, 'running'>, reason: string): void {
    state = next;
    emit<ShutdownHooks, 'onPhase'>(hooks, 'onPhase', {
      phase: next,
      elapsedMs: Date.now() - startedAt,
      reason,
    });
  }

  async function drain(): Promise<number> {
    if (server === undefined) return 0;
    draining = true;
    for (const response of inFlight) {
      if (!response.headersSent) response.setHeader('connection', 'close');
    }
    const closed = new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
    closeIdle();
    const sweep = setInterval(closeIdle, 100);
    const finished = await within(closed, drainTimeoutMs);
    clearInterval(sweep);
    if (finished) return 0;
    const forced = inFlight.size;
    server.closeAllConnections?.();
    return forced;
  }

  async function runCleanup(reason: string): Promise<string[]> {
    const failed: string[] = [];
    health?.stop?.();
    for (const step of steps) {
      const controller = new AbortController();
      let timedOut = false;
      try {
        const work = Promise.resolve().then(() => step.run({ signal: controller.signal }));
        const done = await within(work, step.timeoutMs);
        if (!done) {
          timedOut = true;
          const error = new TimeoutError(
            `[@arm/health] cleanup hook "${step.name}" did not finish in ${String(step.timeoutMs)} ms (${reason})`,
          );
          controller.abort(error);
          work.catch(() => undefined);
          throw error;
        }
      } catch (error) {
        failed.push(step.name);
        emit<ShutdownHooks, 'onCleanupError'>(hooks, 'onCleanupError', {
          name: step.name,
          error,
          timedOut,
        });
      }
    }
    return failed;
  }

  function shutdown(reason = 'shutdown'): Promise<ShutdownResult> {
    running ??= new Promise<ShutdownResult>((resolve) => {
      startedAt = Date.now();
      let forcedRequests = 0;
      let failedHooks: string[] = [];
      let done = false;
      const over = (): boolean => done;
      const finish = (code: 0 | 1, deadlineExceeded: boolean): void => {
        if (done) return;
        done = true;
        clearTimeout(deadline);
        if (code === 1) server?.closeAllConnections?.();
        phase('exited', reason);
        for (const signal of signals) source.removeListener(signal, onSignal);
        const result: ShutdownResult = {
          code,
          reason,
          forcedRequests,
          failedHooks,
          deadlineExceeded,
          durationMs: Date.now() - startedAt,
        };
        resolve(result);
        if (exit !== false) exit(code);
      };
      finishNow = (code) => {
        finish(code, false);
      };
      const deadline = setTimeout(() => {
        forcedRequests = inFlight.size;
        finish(1, true);
      }, budgetMs);

      if (options.failReadiness !== false) health?.beginShutdown();
      phase('delaying', reason);
      void (async () => {
        await new Promise((wait) => setTimeout(wait, delayMs));
        if (over()) return;
        phase('draining', reason);
        forcedRequests = await drain();
        if (over()) return;
        phase('cleaning', reason);
        failedHooks = await runCleanup(reason);
        finish(forcedRequests === 0 && failedHooks.length === 0 ? 0 : 1, false);
      })();
    });
    return running;
  }

  return {
    shutdown,
    get state() {
      return state;
    },
    budgetMs,
    get inFlight() {
      return inFlight.size;
    },
    dispose() {
      for (const signal of signals) source.removeListener(signal, onSignal);
      server?.removeListener('request', onRequest);
    },
  };
}

/** Whether `work` settles within `ms`. */
async function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(resolve, ms, false);
  });
  const settled = work.then(() => true);
  // Settling after the deadline is no longer anyone's concern.
  settled.catch(() => undefined);
  try {
    return await Promise.race([settled, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
