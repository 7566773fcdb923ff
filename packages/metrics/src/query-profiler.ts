/**
 * The query profiler: times statements (through a wrapped query function, a pg client or
 * pool, or a postgres.js `sql`), reports each to `onQuery` for the duration histogram, keeps
 * the N slowest distinct statements with their fingerprint and a sample, and for PostgreSQL
 * captures the plan of a slow statement with `EXPLAIN (FORMAT JSON)` (never ANALYZE, so the
 * statement does not run again) and flags sequential scans with a filter as index candidates.
 */
import { checkCount, checkPositive } from './_option-error';
import { normaliseStatement } from './statement';
import { fingerprintOf } from './_hash';

/** Runs `EXPLAIN (FORMAT JSON)` of a statement and answers the JSON plan. */
export type Explainer = (text: string, params: readonly unknown[]) => Promise<unknown>;

/** Options of {@link createQueryProfiler}. */
export interface QueryProfilerOptions {
  /**
   * Statements taking at least this long, in milliseconds, are slow.
   * @defaultValue `100`
   */
  readonly slowMs?: number;
  /**
   * How many of the slowest distinct statements to keep.
   * @defaultValue `10`
   */
  readonly keep?: number;
  /**
   * Capture the plan of slow statements where an explainer is known (PostgreSQL).
   * @defaultValue `true`
   */
  readonly explain?: boolean;
  /**
   * At most one EXPLAIN per fingerprint per this many milliseconds.
   * @defaultValue `60_000`
   */
  readonly explainIntervalMs?: number;
  /**
   * Keep the parameters of a slow statement's sample; off by default, as they may hold
   * personal data (only their types are kept).
   * @defaultValue `false`
   */
  readonly captureParams?: boolean;
  /**
   * The wall clock for `at` times, in epoch milliseconds.
   * @defaultValue `Date.now`
   */
  readonly clock?: () => number;
  /**
   * The monotonic timer for durations, in milliseconds.
   * @defaultValue `performance.now`
   */
  readonly now?: () => number;
  /**
   * Called after each statement; `createMetrics` feeds its histogram from here.
   * @defaultValue none
   */
  readonly onQuery?: (event: QueryEvent) => void;
  /**
   * Called when a statement is slow, before its plan is known.
   * @defaultValue none
   */
  readonly onSlowQuery?: (event: QueryEvent) => void;
}

/** One timed statement. */
export interface QueryEvent {
  /** The database system, as OpenTelemetry's `db.system.name` (`postgresql`, ...). */
  readonly system: string;
  /** The normalised statement. */
  readonly statement: string;
  /** Its fingerprint. */
  readonly fingerprint: string;
  /** How long it took, in milliseconds. */
  readonly durationMs: number;
  /** Whether it failed. */
  readonly failed: boolean;
}

/** One statement as reported to {@link QueryProfiler.record}. */
export interface QueryRecord {
  /** The statement as sent. */
  readonly text: string;
  /** Its parameters. */
  readonly params?: readonly unknown[];
  /** How long it took, in milliseconds. */
  readonly durationMs: number;
  /**
   * The database system.
   * @defaultValue `'other_sql'`
   */
  readonly system?: string;
  /** The error it failed with, if it failed. */
  readonly error?: unknown;
  /** How to EXPLAIN it when slow. */
  readonly explain?: Explainer;
}

/** A sequential scan with a filter: an index on the filtered columns may help. */
export interface IndexCandidate {
  /** The table scanned. */
  readonly table: string;
  /** The filter the scan applied, as PostgreSQL prints it. */
  readonly filter: string;
  /** The planner's estimate of the rows the scan returns. */
  readonly estimatedRows: number;
}

/** One of the slowest statements. */
export interface SlowQuery {
  /** The statement's fingerprint. */
  readonly fingerprint: string;
  /** The normalised statement. */
  readonly statement: string;
  /** The database system. */
  readonly system: string;
  /** The slowest duration seen, in milliseconds. */
  readonly durationMs: number;
  /** How many times it was slow since it entered the list. */
  readonly count: number;
  /** When the slowest run happened, epoch milliseconds. */
  readonly at: number;
  /** The slowest run as sent: its text and its parameters (types only, unless `captureParams`). */
  readonly sample: {
    /** The statement as sent (cut at 4000 characters). */
    readonly text: string;
    /** Its parameters, or their types (`[number]`) unless `captureParams`. */
    readonly params: readonly unknown[];
  };
  /** The JSON plan from `EXPLAIN (FORMAT JSON)`, once captured. */
  readonly plan?: unknown;
  /** Sequential scans with a filter in the plan. */
  readonly indexCandidates?: readonly IndexCandidate[];
}

/** A pg `Client` or `Pool`, structurally. */
export interface PgQueryable {
  /** pg's `query`. */
  query: (...args: never[]) => unknown;
}

/** Options of {@link QueryProfiler.pg}. */
export interface PgProfileOptions {
  /**
   * Where to run EXPLAIN: a pool, so a plan never runs inside the caller's transaction.
   * @defaultValue the wrapped object when it is a pool, else none (no plans)
   */
  readonly explainWith?: PgQueryable | false;
}

/** What {@link createQueryProfiler} returns. */
export interface QueryProfiler {
  /** Records one statement timed elsewhere. */
  record(query: QueryRecord): void;
  /**
   * Wraps a query function `(text, params?) => Promise` so each call is timed.
   * @typeParam F - The function's type, kept by the wrapper.
   * @param fn - The function to time.
   * @param options - The system name and an explainer for slow statements.
   */
  wrap<F extends (text: string, params?: readonly unknown[]) => Promise<unknown>>(
    fn: F,
    options?: { readonly system?: string; readonly explain?: Explainer },
  ): F;
  /**
   * Wraps a pg `Client` or `Pool`: its `query` (promise or callback form) is timed; every
   * other member is the original's. Clients checked out of a wrapped pool are not wrapped.
   */
  pg<T extends PgQueryable>(client: T, options?: PgProfileOptions): T;
  /**
   * Wraps a postgres.js `sql`: tagged-template queries and `sql.unsafe` are timed when they
   * are awaited (fragments never are). `sql.begin` transactions are not wrapped.
   * @typeParam T - The `sql` function's type, kept by the wrapper.
   */
  postgres<T extends (...args: never[]) => unknown>(sql: T): T;
  /** The slowest distinct statements, slowest first. */
  slowest(): SlowQuery[];
  /** Resolves when every EXPLAIN started so far has finished. */
  whenIdle(): Promise<void>;
  /** Forgets the slowest statements and the explain times. */
  reset(): void;
}

type MutableSlow = {
  -readonly [K in keyof SlowQuery]: SlowQuery[K];
};

const EXPLAINABLE = /^\(*\s*(select|insert|update|delete|with|values|table)\b/i;

/**
 * Creates a query profiler.
 *
 * @param options - Thresholds, bounds and hooks; see {@link QueryProfilerOptions}.
 * @returns A {@link QueryProfiler}.
 * @throws ConfigurationError when a numeric option is out of range.
 * @example
 * ```ts
 * const profiler = createQueryProfiler({ slowMs: 50 });
 * const pool = profiler.pg(new pg.Pool());
 * await pool.query('select * from orders where customer = $1', [42]);
 * console.log(profiler.slowest());
 * ```
 */
export function createQueryProfiler(options: QueryProfilerOptions = {}): QueryProfiler {
  checkPositive('queries.slowMs', options.slowMs);
  checkCount('queries.keep', options.keep);
  checkPositive('queries.explainIntervalMs', options.explainIntervalMs);
  const slowMs = options.slowMs ?? 100;
  const keep = options.keep ?? 10;
  const explainEnabled = options.explain ?? true;
  const explainIntervalMs = options.explainIntervalMs ?? 60_000;
  const clock = options.clock ?? Date.now;
  const now = options.now ?? (() => performance.now());
  const slow = new Map<string, MutableSlow>();
  const explainedAt = new Map<string, number>();
  const pending = new Set<Promise<void>>();
  const normalised = new Map<string, [string, string]>();

  const normalise = (text: string): [string, string] => {
    let entry = normalised.get(text);
    if (entry === undefined) {
      const statement = normaliseStatement(text);
      entry = [statement, fingerprintOf(statement)];
      if (normalised.size >= 1000) normalised.delete(normalised.keys().next().value as string);
      normalised.set(text, entry);
    }
    return entry;
  };

  const safely = (hook: ((event: QueryEvent) => void) | undefined, event: QueryEvent) => {
    if (hook === undefined) return;
    try {
      hook(event);
    } catch {
      // A hook never breaks a query.
    }
  };

  const record = (query: QueryRecord): void => {
    const [statement, fingerprint] = normalise(query.text);
    const system = query.system ?? 'other_sql';
    const event: QueryEvent = {
      system,
      statement,
      fingerprint,
      durationMs: query.durationMs,
      failed: query.error !== undefined,
    };
    safely(options.onQuery, event);
    if (!(query.durationMs >= slowMs)) return;
    safely(options.onSlowQuery, event);
    const params = query.params ?? [];
    const sample = {
      text: query.text.length > 4000 ? `${query.text.slice(0, 4000)}...` : query.text,
      params: options.captureParams === true ? [...params] : params.map(describeParam),
    };
    const at = clock();
    let entry = slow.get(fingerprint);
    if (entry !== undefined) {
      entry.count++;
      if (query.durationMs > entry.durationMs) {
        entry.durationMs = query.durationMs;
        entry.sample = sample;
        entry.at = at;
      }
    } else {
      if (slow.size >= keep) {
        let fastest: MutableSlow | undefined;
        for (const candidate of slow.values()) {
          if (fastest === undefined || candidate.durationMs < fastest.durationMs)
            fastest = candidate;
        }
        if ((fastest as MutableSlow).durationMs >= query.durationMs) return;
        slow.delete((fastest as MutableSlow).fingerprint);
      }
      entry = {
        fingerprint,
        statement,
        system,
        durationMs: query.durationMs,
        count: 1,
        at,
        sample,
      };
      slow.set(fingerprint, entry);
    }
    const explain = query.explain;
    if (!explainEnabled || explain === undefined || !EXPLAINABLE.test(statement)) return;
    const last = explainedAt.get(fingerprint);
    if (last !== undefined && at - last < explainIntervalMs) return;
    explainedAt.set(fingerprint, at);
    const target = entry;
    const run = (async () => {
      try {
        const plan = await explain(query.text, params);
        target.plan = plan;
        target.indexCandidates = indexCandidates(plan);
      } catch {
        // A statement that cannot be explained keeps no plan.
      }
    })();
    pending.add(run);
    void run.finally(() => pending.delete(run));
  };

  const timed = <R>(
    text: string,
    params: readonly unknown[],
    system: string,
    explain: Explainer | undefined,
    run: () => Promise<R>,
  ): Promise<R> => {
    const started = now();
    const finish = (error?: unknown) => {
      const base = { text, params, durationMs: now() - started, system };
      const withError = error === undefined ? base : { ...base, error };
      record(explain === undefined ? withError : { ...withError, explain });
    };
    return run().then(
      (result) => {
        finish();
        return result;
      },
      (error: unknown) => {
        finish(error ?? new Error('query failed'));
        throw error;
      },
    );
  };

  return {
    record,
    wrap(fn, wrapOptions = {}) {
      const system = wrapOptions.system ?? 'other_sql';
      const wrapped = function (this: unknown, text: string, params?: readonly unknown[]) {
        return timed(text, params ?? [], system, wrapOptions.explain, () =>
          params === undefined ? fn.call(this, text) : fn.call(this, text, params),
        );
      };
      return wrapped as typeof fn;
    },
    pg(client, pgOptions = {}) {
      const raw = client as unknown as Record<string, unknown>;
      const original = raw.query as (...args: unknown[]) => unknown;
      const explainWith =
        pgOptions.explainWith === false
          ? undefined
          : (pgOptions.explainWith ?? (typeof raw.totalCount === 'number' ? client : undefined));
      const explain: Explainer | undefined =
        explainWith === undefined
          ? undefined
          : async (text, params) => {
              const query = explainWith.query as unknown as (config: object) => Promise<{
                rows: Record<string, unknown>[];
              }>;
              const result = await query.call(explainWith, {
                text: `EXPLAIN (FORMAT JSON) ${text}`,
                values: params,
              });
              return result.rows[0]?.['QUERY PLAN'];
            };
      const query = function (...args: unknown[]): unknown {
        const first = args[0] as { text?: unknown; values?: unknown; submit?: unknown } | string;
        const text = typeof first === 'string' ? first : (first as typeof first | undefined)?.text;
        if (
          typeof text !== 'string' ||
          (typeof first === 'object' && typeof first.submit === 'function')
        ) {
          return original.apply(client, args);
        }
        const params = (
          Array.isArray(args[1])
            ? args[1]
            : typeof first === 'object' && Array.isArray(first.values)
              ? first.values
              : []
        ) as unknown[];
        const callbackAt = args.findIndex((arg) => typeof arg === 'function');
        if (callbackAt >= 0) {
          const callback = args[callbackAt] as (error: unknown, result: unknown) => void;
          const started = now();
          args[callbackAt] = (error: unknown, result: unknown) => {
            const base = { text, params, durationMs: now() - started, system: 'postgresql' };
            const withError = error === null || error === undefined ? base : { ...base, error };
            record(explain === undefined ? withError : { ...withError, explain });
            callback(error, result);
          };
          return original.apply(client, args);
        }
        return timed(
          text,
          params,
          'postgresql',
          explain,
          () => original.apply(client, args) as Promise<unknown>,
        );
      };
      return new Proxy(client, {
        get(target, property, receiver) {
          if (property === 'query') return query;
          return Reflect.get(target, property, receiver) as unknown;
        },
      });
    },
    postgres(sql) {
      const raw = sql as unknown as ((...args: unknown[]) => unknown) & {
        unsafe: (text: string, params?: unknown[], options?: unknown) => unknown;
      };
      const explain: Explainer = async (text, params) => {
        const rows = await (raw.unsafe(`EXPLAIN (FORMAT JSON) ${text}`, [...params]) as Promise<
          Record<string, unknown>[]
        >);
        return rows[0]?.['QUERY PLAN'];
      };
      const instrument = (query: unknown, text: string, params: readonly unknown[]): unknown => {
        if (typeof query !== 'object' || query === null) return query;
        const promise = query as Promise<unknown>;
        const originalThen = promise.then.bind(promise);
        const explainable = params.every(isPlainParam);
        let result: Promise<unknown> | undefined;
        Object.defineProperty(query, 'then', {
          configurable: true,
          value(
            onFulfilled?: (value: unknown) => unknown,
            onRejected?: (error: unknown) => unknown,
          ) {
            result ??= timed(text, params, 'postgresql', explainable ? explain : undefined, () =>
              originalThen((value) => value),
            );
            return result.then(onFulfilled, onRejected);
          },
        });
        return query;
      };
      const unsafe = (text: string, params?: unknown[], ...rest: unknown[]) =>
        instrument(raw.unsafe(text, params, ...rest), text, params ?? []);
      return new Proxy(sql, {
        apply(target, self, args: unknown[]) {
          const result = Reflect.apply(target, self, args) as unknown;
          const strings = args[0];
          if (!Array.isArray(strings) || !('raw' in strings)) return result;
          const text = (strings as string[]).reduce((acc, part, i) => `${acc}$${i}${part}`);
          return instrument(result, text, args.slice(1));
        },
        get(target, property, receiver) {
          if (property === 'unsafe') return unsafe;
          return Reflect.get(target, property, receiver) as unknown;
        },
      });
    },
    slowest() {
      return [...slow.values()]
        .sort((a, b) => b.durationMs - a.durationMs)
        .map((entry) => ({ ...entry }));
    },
    async whenIdle() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    reset() {
      slow.clear();
      explainedAt.clear();
    },
  };
}

function isPlainParam(value: unknown): boolean {
  return (
    value === null ||
    value instanceof Date ||
    /string|number|boolean|bigint|undefined/.test(typeof value)
  );
}

function describeParam(value: unknown): string {
  if (value === null) return '[null]';
  if (value instanceof Date) return '[date]';
  if (Array.isArray(value)) return '[array]';
  return `[${typeof value}]`;
}

/**
 * The sequential scans with a filter in a PostgreSQL JSON plan: where an index may help.
 *
 * @param plan - The value of `EXPLAIN (FORMAT JSON)`'s `QUERY PLAN` column.
 * @returns One candidate per such scan, in plan order.
 * @example
 * ```ts
 * const [{ 'QUERY PLAN': plan }] = (await pool.query('EXPLAIN (FORMAT JSON) select ...')).rows;
 * indexCandidates(plan); // [{ table: 'orders', filter: '(customer = 42)', estimatedRows: 3 }]
 * ```
 */
export function indexCandidates(plan: unknown): IndexCandidate[] {
  const found: IndexCandidate[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const record = node as Record<string, unknown>;
    if (record['Node Type'] === 'Seq Scan' && typeof record.Filter === 'string') {
      found.push({
        table: String(record['Relation Name']),
        filter: record.Filter,
        estimatedRows: Number(record['Plan Rows'] ?? 0),
      });
    }
    visit(record.Plan);
    visit(record.Plans);
  };
  visit(plan);
  return found;
}
