/**
 * The error tracker: every error an adapter catches, normalised to an AppError and grouped by
 * fingerprint (its code and its normalised top stack frame), with a count, first and last
 * seen times and one serialised sample. Groups live in an LRU, so memory stays bounded.
 */
import { serializeError, toAppError } from '@arm/errors';
import type { SerializedError } from '@arm/errors';
import { fingerprintOf } from './_hash';
import { checkCount } from './_option-error';

/** Options of {@link createErrorTracker}. */
export interface ErrorTrackerOptions {
  /**
   * The most groups kept; the least recently seen group is dropped beyond it.
   * @defaultValue `200`
   */
  readonly maxGroups?: number;
  /**
   * The clock, in epoch milliseconds.
   * @defaultValue `Date.now`
   */
  readonly clock?: () => number;
  /**
   * Called after each tracked error with its group; a hook that throws is ignored.
   * @defaultValue none
   */
  readonly onTrack?: (group: ErrorGroup, isNew: boolean) => void;
}

/** Where an error happened, kept with the group's sample. */
export interface ErrorContext {
  /** The route template. */
  readonly route?: string;
  /** The request method. */
  readonly method?: string;
  /** The request id, to find the log lines of the sample. */
  readonly requestId?: string;
}

/** Errors with the same code thrown from the same place. */
export interface ErrorGroup {
  /** 16 hex digits from the code and the normalised top frame. */
  readonly fingerprint: string;
  /** The AppError code. */
  readonly code: string;
  /** The HTTP status of the code. */
  readonly status: number;
  /** The normalised top stack frame (function and file, no line numbers), or `'<unknown>'`. */
  readonly frame: string;
  /** How many times it was tracked. */
  readonly count: number;
  /** First time seen, epoch milliseconds. */
  readonly firstSeen: number;
  /** Last time seen, epoch milliseconds. */
  readonly lastSeen: number;
  /** The first error of the group, serialised with its cause chain. */
  readonly sample: SerializedError;
  /** The context of the sample. */
  readonly context: ErrorContext;
}

/** What {@link createErrorTracker} returns. */
export interface ErrorTracker {
  /**
   * Tracks one error.
   * @returns its group, updated.
   */
  track(error: unknown, context?: ErrorContext): ErrorGroup;
  /** The groups, most recently seen first, at most `limit` of them. */
  groups(limit?: number): ErrorGroup[];
  /** One group by fingerprint. */
  get(fingerprint: string): ErrorGroup | undefined;
  /** How many groups were dropped to stay within `maxGroups`. */
  readonly evicted: number;
  /** Forgets every group. */
  clear(): void;
}

type MutableGroup = {
  -readonly [K in keyof ErrorGroup]: ErrorGroup[K];
};

/**
 * Creates an error tracker.
 *
 * @param options - Bounds, clock and a hook; see {@link ErrorTrackerOptions}.
 * @returns An {@link ErrorTracker}.
 * @throws ConfigurationError when `maxGroups` is not a positive integer.
 * @example
 * ```ts
 * const tracker = createErrorTracker({ maxGroups: 100 });
 * tracker.track(new NotFoundError('no such order'), { route: '/orders/:id' });
 * console.log(tracker.groups()[0]?.code); // NOT_FOUND
 * ```
 */
export function createErrorTracker(options: ErrorTrackerOptions = {}): ErrorTracker {
  checkCount('errors.maxGroups', options.maxGroups);
  const maxGroups = options.maxGroups ?? 200;
  const clock = options.clock ?? Date.now;
  const groups = new Map<string, MutableGroup>();
  let evicted = 0;

  return {
    track(error, context = {}) {
      const appError = toAppError(error);
      // A normalised error was born inside toAppError; where it was thrown is the original's.
      const origin = appError === error || !(error instanceof Error) ? appError : error;
      const frame = topFrame(origin.stack);
      const fingerprint = fingerprintOf(`${appError.code}\n${frame}`);
      const now = clock();
      let group = groups.get(fingerprint);
      const isNew = group === undefined;
      if (group === undefined) {
        group = {
          fingerprint,
          code: appError.code,
          status: appError.status,
          frame,
          count: 0,
          firstSeen: now,
          lastSeen: now,
          sample: serializeError(appError),
          context: { ...context },
        };
        if (groups.size >= maxGroups) {
          const oldest = groups.keys().next().value as string;
          groups.delete(oldest);
          evicted++;
        }
      } else {
        groups.delete(fingerprint);
      }
      groups.set(fingerprint, group);
      group.count++;
      group.lastSeen = now;
      if (options.onTrack !== undefined) {
        try {
          options.onTrack({ ...group }, isNew);
        } catch {
          // A hook never breaks tracking.
        }
      }
      return { ...group };
    },
    groups(limit = Infinity) {
      const out: ErrorGroup[] = [];
      for (const group of [...groups.values()].reverse()) {
        if (out.length >= limit) break;
        out.push({ ...group });
      }
      return out;
    },
    get(fingerprint) {
      const group = groups.get(fingerprint);
      return group === undefined ? undefined : { ...group };
    },
    get evicted() {
      return evicted;
    },
    clear() {
      groups.clear();
    },
  };
}

/**
 * The first stack frame outside node internals and dependencies, without line and column
 * numbers, query strings or the working directory, so a redeploy keeps the fingerprint.
 *
 * @internal
 */
export function topFrame(stack: string | undefined): string {
  if (stack === undefined) return '<unknown>';
  const cwd = typeof process === 'undefined' ? '' : process.cwd();
  for (const raw of stack.split('\n')) {
    const line = raw.trim();
    if (!line.startsWith('at ')) continue;
    if (/node:internal|node_modules[\\/]|\(native\)|packages[\\/]errors[\\/]/.test(line)) continue;
    let frame = line.slice(3);
    frame = frame.replace(/file:\/\//g, '').replace(/\?[^:)\s]*/g, '');
    if (cwd !== '') frame = frame.split(cwd).join('.');
    frame = frame.replace(/:\d+(?::\d+)?(\)?)$/, '$1');
    return frame;
  }
  return '<unknown>';
}
