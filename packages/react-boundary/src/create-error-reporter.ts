/**
 * `createErrorReporter`: sends problem-shaped error reports from the browser to the
 * application's own endpoint. Each error object is reported once (boundaries and React's root
 * callbacks see the same error; the second gets the first's event id), repeats of the same
 * fingerprint fold into one report, a client-side window limit caps a crash loop, reports
 * travel in batches, and what is queued when the page is hidden leaves with `sendBeacon`.
 */
import { ConfigurationError, serializeError, toAppError, toProblem } from '@arm/errors';
import type { ProblemDetails, SerializedError } from '@arm/errors';
import { eventIdOf, markReported } from './_event-ids';
import type { BoundaryReporter, ReportContext, ReportSource } from './error-boundary';

/** One error report: RFC 9457 problem details of the error plus what the server needs to group it. */
export interface ErrorReport extends ProblemDetails {
  /** The id the fallback shows; the problem's `instance` is `urn:uuid:<eventId>`. */
  readonly eventId: string;
  /** A hash of code, name, message and top stack frame: equal for repeats of one error. */
  readonly fingerprint: string;
  /** Who reported it. */
  readonly source: ReportSource;
  /** When it first occurred, ISO 8601. */
  readonly occurredAt: string;
  /** How many occurrences within the dedupe window this report stands for. */
  readonly count: number;
  /** The page's URL, when there is a page. */
  readonly url?: string;
  /** React's component stack. */
  readonly componentStack?: string;
  /** The name of the boundary that caught it. */
  readonly boundary?: string;
  /** The thrown value, serialized with its stack and cause chain (strings capped at 4,000 chars). */
  readonly error: SerializedError;
}

/** The JSON body of one POST to the endpoint. */
export interface ReportBatch {
  /** The reports. */
  readonly reports: readonly ErrorReport[];
  /** How many reports the client-side limit dropped since the previous batch. */
  readonly dropped: number;
}

/** Why a report was not sent. */
export type DropReason = 'duplicate' | 'rate-limited' | 'before-send';

/** What the reporter tells an operator. Hooks are synchronous; a failing hook is ignored. */
export interface ErrorReporterHooks {
  /**
   * A batch left the page.
   * @param event - The batch and how it travelled.
   */
  onSend(event: { readonly batch: ReportBatch; readonly transport: 'fetch' | 'beacon' }): void;
  /**
   * A report was not sent.
   * @param event - The reason and the event id.
   */
  onDrop(event: { readonly reason: DropReason; readonly eventId: string }): void;
  /**
   * Sending a batch failed (network error or a non-2xx answer); the batch is not retried.
   * @param event - The error and the batch.
   */
  onSendError(event: { readonly error: unknown; readonly batch: ReportBatch }): void;
}

/** Options of {@link createErrorReporter}. */
export interface ErrorReporterOptions {
  /** Where batches are POSTed as JSON ({@link ReportBatch}); same-origin is simplest. */
  readonly endpoint: string;
  /**
   * How many reports a batch holds; a full batch is sent at once.
   * @defaultValue `10`
   */
  readonly batchSize?: number;
  /**
   * How long the first queued report waits for others before the batch is sent.
   * @defaultValue `5000`
   */
  readonly flushIntervalMs?: number;
  /**
   * Within this time after a fingerprint's first report, repeats are folded into it (its
   * `count` grows while it is queued) instead of being sent.
   * @defaultValue `60_000`
   */
  readonly dedupeWindowMs?: number;
  /**
   * At most `max` reports per `windowMs`; the rest are dropped and counted in `dropped`.
   * @defaultValue `{ max: 10, windowMs: 60_000 }`
   */
  readonly rateLimit?: {
    /** Reports allowed per window. */
    readonly max?: number;
    /** The window, in milliseconds. */
    readonly windowMs?: number;
  };
  /**
   * Extra request headers for `fetch` (a beacon cannot carry headers).
   * @defaultValue none
   */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Changes or drops (`null`) a report before it is queued: scrub personal data here.
   * @defaultValue none
   */
  readonly beforeSend?: (report: ErrorReport) => ErrorReport | null;
  /**
   * Whether to flush with `sendBeacon` on `pagehide` and when the page becomes hidden.
   * @defaultValue `true` in a browser
   */
  readonly flushOnPageHide?: boolean;
  /**
   * The fetch to send batches with.
   * @defaultValue `globalThis.fetch`
   */
  readonly fetch?: typeof fetch;
  /**
   * The beacon sender, for tests.
   * @defaultValue `navigator.sendBeacon` when present
   */
  readonly sendBeacon?: ((url: string, data: Blob) => boolean) | undefined;
  /**
   * The clock, in epoch milliseconds.
   * @defaultValue `Date.now`
   */
  readonly now?: () => number;
  /**
   * Makes event ids; they must be UUIDs, as they appear in `urn:uuid:` instances.
   * @defaultValue `crypto.randomUUID()`
   */
  readonly generateId?: () => string;
  /**
   * Observers of sends and drops.
   * @defaultValue none
   */
  readonly hooks?: Partial<ErrorReporterHooks>;
}

/** What {@link createErrorReporter} returns; pass it to boundaries and `createRootOptions`. */
export interface ErrorReporter extends BoundaryReporter {
  /**
   * Reports an error once and returns its event id at once; sending happens later, batched.
   * Reporting the same error object again returns the same id and sends nothing.
   *
   * @param error - The thrown value.
   * @param context - Where it comes from.
   * @returns The event id.
   */
  report(error: unknown, context?: ReportContext): string;
  /**
   * Sends what is queued now, with `fetch` (`keepalive`).
   * @returns A promise that settles when the request does; it never rejects.
   */
  flush(): Promise<void>;
  /** Sends what is queued with a beacon, removes the page listeners and stops the timer. */
  dispose(): void;
}

const MAX_STRING = 4_000;

/**
 * Creates a batched, deduplicating, rate-limited error reporter.
 *
 * @param options - The endpoint, batching, dedupe and limit settings.
 * @returns The reporter.
 * @throws `ConfigurationError` when an option is out of range.
 * @example
 * ```ts
 * const reporter = createErrorReporter({ endpoint: '/api/client-errors' });
 * const root = createRoot(container, createRootOptions(reporter));
 * root.render(
 *   <ErrorBoundary reporter={reporter}>
 *     <App />
 *   </ErrorBoundary>,
 * );
 * ```
 */
export function createErrorReporter(options: ErrorReporterOptions): ErrorReporter {
  const {
    endpoint,
    batchSize = 10,
    flushIntervalMs = 5_000,
    dedupeWindowMs = 60_000,
    headers,
    beforeSend,
    now = Date.now,
    generateId = () => crypto.randomUUID(),
    hooks = {},
  } = options;
  const { max = 10, windowMs = 60_000 } = options.rateLimit ?? {};
  if (typeof endpoint !== 'string' || endpoint === '') {
    optionError('endpoint', 'a non-empty URL string', endpoint);
  }
  checkCount('batchSize', batchSize, 1);
  checkCount('flushIntervalMs', flushIntervalMs, 0);
  checkCount('dedupeWindowMs', dedupeWindowMs, 0);
  checkCount('rateLimit.max', max, 0);
  checkCount('rateLimit.windowMs', windowMs, 1);

  const browser = typeof document === 'object' && typeof addEventListener === 'function';
  const send = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
  const beacon =
    'sendBeacon' in options
      ? options.sendBeacon
      : typeof navigator === 'object' && typeof navigator.sendBeacon === 'function'
        ? navigator.sendBeacon.bind(navigator)
        : undefined;

  let queue: { -readonly [K in keyof ErrorReport]: ErrorReport[K] }[] = [];
  let dropped = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let windowStart = -Infinity;
  let windowCount = 0;
  /** fingerprint -> first report's event id and time, pruned as windows pass. */
  const recent = new Map<string, { eventId: string; at: number }>();

  const hook = <K extends keyof ErrorReporterHooks>(
    name: K,
    event: Parameters<ErrorReporterHooks[K]>[0],
  ): void => {
    try {
      (hooks[name] as ((event: unknown) => void) | undefined)?.(event);
    } catch {
      // A failing hook never breaks reporting.
    }
  };

  const takeBatch = (): ReportBatch | undefined => {
    clearTimeout(timer);
    timer = undefined;
    if (queue.length === 0 && dropped === 0) return undefined;
    const batch = { reports: queue, dropped };
    queue = [];
    dropped = 0;
    return batch;
  };

  const viaFetch = async (batch: ReportBatch): Promise<void> => {
    try {
      const response = await send(endpoint, {
        method: 'POST',
        keepalive: true,
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(batch),
      });
      if (!response.ok)
        throw new Error(`[@arm/react-boundary] ${endpoint} answered ${response.status}`);
      hook('onSend', { batch, transport: 'fetch' });
    } catch (error) {
      hook('onSendError', { error, batch });
    }
  };

  const flush = async (): Promise<void> => {
    const batch = takeBatch();
    if (batch) await viaFetch(batch);
  };

  const flushWithBeacon = (): void => {
    const batch = takeBatch();
    if (!batch) return;
    const body = new Blob([JSON.stringify(batch)], { type: 'application/json' });
    let sent = false;
    try {
      sent = beacon?.(endpoint, body) ?? false;
    } catch {
      // Some browsers throw for a non-safelisted type to another origin: fall back to fetch.
    }
    if (sent) hook('onSend', { batch, transport: 'beacon' });
    else void viaFetch(batch);
  };

  const onHide = (event: Event): void => {
    if (event.type === 'pagehide' || document.visibilityState === 'hidden') flushWithBeacon();
  };
  const listening = browser && options.flushOnPageHide !== false;
  if (listening) {
    addEventListener('pagehide', onHide);
    document.addEventListener('visibilitychange', onHide);
  }

  const report = (thrown: unknown, context: ReportContext = { source: 'manual' }): string => {
    const known = eventIdOf(thrown);
    if (known !== undefined) {
      // React's root callback reports before the boundary: let the boundary name the report.
      const queued = queue.find((item) => item.eventId === known);
      if (queued && context.boundary !== undefined) queued.boundary ??= context.boundary;
      return known;
    }
    const at = now();
    const fingerprint = fingerprintOf(thrown);
    for (const [key, entry] of recent) if (at - entry.at >= dedupeWindowMs) recent.delete(key);

    const first = recent.get(fingerprint);
    if (first) {
      markReported(thrown, first.eventId);
      const queued = queue.find((item) => item.eventId === first.eventId);
      if (queued) queued.count += 1;
      else hook('onDrop', { reason: 'duplicate', eventId: first.eventId });
      return first.eventId;
    }

    const eventId = generateId();
    markReported(thrown, eventId);
    recent.set(fingerprint, { eventId, at });
    if (at - windowStart >= windowMs) {
      windowStart = at;
      windowCount = 0;
    }
    if (windowCount >= max) {
      dropped += 1;
      hook('onDrop', { reason: 'rate-limited', eventId });
      return eventId;
    }
    windowCount += 1;

    const built = buildReport(thrown, context, { eventId, fingerprint, at, browser });
    const final = beforeSend ? beforeSend(built) : built;
    if (final === null) {
      hook('onDrop', { reason: 'before-send', eventId });
      return eventId;
    }
    queue.push({ ...final });
    if (queue.length >= batchSize) void flush();
    else timer ??= setTimeout(() => void flush(), flushIntervalMs);
    return eventId;
  };

  return {
    report,
    flush,
    dispose: () => {
      flushWithBeacon();
      if (listening) {
        removeEventListener('pagehide', onHide);
        document.removeEventListener('visibilitychange', onHide);
      }
    },
  };
}

function buildReport(
  thrown: unknown,
  context: ReportContext,
  meta: { eventId: string; fingerprint: string; at: number; browser: boolean },
): ErrorReport {
  const { eventId, fingerprint, at, browser } = meta;
  const problem = toProblem(toAppError(thrown), {
    production: false,
    instance: `urn:uuid:${eventId}`,
  });
  const serialized = JSON.parse(
    JSON.stringify(serializeError(thrown, { maxDepth: 5 }), (_, value: unknown) =>
      typeof value === 'string' && value.length > MAX_STRING
        ? `${value.slice(0, MAX_STRING)}…`
        : value,
    ),
  ) as SerializedError;
  return {
    ...problem,
    eventId,
    fingerprint,
    source: context.source,
    occurredAt: new Date(at).toISOString(),
    count: 1,
    ...(browser && { url: location.href }),
    ...(context.componentStack !== undefined && {
      componentStack: context.componentStack.slice(0, MAX_STRING),
    }),
    ...(context.boundary !== undefined && { boundary: context.boundary }),
    error: serialized,
  };
}

/** FNV-1a (32 bit) over code, name, message and the first stack frame. */
function fingerprintOf(thrown: unknown): string {
  const { code } = toAppError(thrown);
  const { name, message, stack } = (
    typeof thrown === 'object' && thrown !== null ? thrown : { message: String(thrown) }
  ) as { name?: unknown; message?: unknown; stack?: unknown };
  const frame = typeof stack === 'string' ? (/^\s*at .*$|^.*@.*$/m.exec(stack)?.[0] ?? '') : '';
  const text = `${code}|${String(name)}|${String(message)}|${frame.trim()}`;
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

function checkCount(option: string, value: number, min: number): void {
  if (!Number.isFinite(value) || value < min) {
    optionError(option, `a finite number >= ${min}`, value);
  }
}

function optionError(option: string, accepted: string, got: unknown): never {
  throw new ConfigurationError(
    `[@arm/react-boundary] option "${option}" must be ${accepted}, got ${JSON.stringify(got)}`,
  );
}
