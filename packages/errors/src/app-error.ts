/**
 * The base of ARM's error model. Every error an ARM package throws, and every error an
 * application defines, is an `AppError`: a stable code, the HTTP status to answer with,
 * whether its message may reach a client, safe structured details and whether a retry may help.
 */
import { isErrorStatus, statusTitle } from './codes';

/** Safe, structured data an error carries: it may reach clients when the error is exposed. */
export type ErrorDetails = Readonly<Record<string, unknown>>;

/** Response headers an error asks for (for example `retry-after`), with lower-case names. */
export type ErrorHeaders = Readonly<Record<string, string>>;

/**
 * The brand that marks an AppError. `Symbol.for` makes it one symbol for every copy of this
 * package loaded in a realm (ESM and CJS builds, duplicated installs), so `isAppError` holds
 * across copies where `instanceof` alone would not.
 */
const BRAND: unique symbol = Symbol.for('@arm/errors.AppError') as never;

/** Options every AppError accepts. */
export interface AppErrorOptions<D extends ErrorDetails = ErrorDetails> {
  /**
   * The stable machine code, SCREAMING_SNAKE.
   * @defaultValue `'INTERNAL'`
   */
  readonly code?: string | undefined;
  /**
   * The HTTP status, 400 to 599; anything else becomes 500.
   * @defaultValue `500`
   */
  readonly status?: number | undefined;
  /**
   * Whether the message may reach a client.
   * @defaultValue `true` for 4xx statuses, `false` for 5xx
   */
  readonly expose?: boolean | undefined;
  /** Safe structured data; sent to clients as problem extension members when exposed. */
  readonly details?: D | undefined;
  /**
   * Whether trying the same operation again may succeed.
   * @defaultValue `false`
   */
  readonly retryable?: boolean | undefined;
  /** The error that led to this one (ES2022 `cause`); logged, never sent to clients. */
  readonly cause?: unknown;
  /** Response headers to send with this error; names are lower-cased. */
  readonly headers?: ErrorHeaders | undefined;
  /**
   * How long the client should wait before trying again, sent as `Retry-After` in whole
   * seconds (for 429 and 503 answers).
   */
  readonly retryAfterMs?: number | undefined;
  /** The RFC 9457 problem `type` URI identifying this kind of problem. */
  readonly type?: string | undefined;
  /**
   * A short, human-readable summary of the kind of problem.
   * @defaultValue the HTTP reason phrase of `status`
   */
  readonly title?: string | undefined;
}

/**
 * The options of a built-in subclass: everything but the code and status, which the class fixes.
 */
export type ErrorOptions<D extends ErrorDetails = ErrorDetails> = Omit<
  AppErrorOptions<D>,
  'code' | 'status'
>;

/**
 * An application error with a stable code and an HTTP status.
 *
 * @remarks
 * The message should be safe for the audience `expose` allows: 4xx messages reach clients by
 * default, 5xx messages only reach logs. Never put secrets or raw user input in either.
 * `instanceof AppError` and {@link isAppError} both hold for errors made by another copy of
 * this package.
 *
 * @typeParam C - The code, as a literal type.
 * @typeParam D - The shape of `details`.
 * @example
 * ```ts
 * throw new AppError('Plan limit reached', {
 *   code: 'PLAN_LIMIT',
 *   status: 402,
 *   details: { plan: 'free', limit: 3 },
 * });
 * ```
 */
export class AppError<
  C extends string = string,
  D extends ErrorDetails = ErrorDetails,
> extends Error {
  /** The code every instance of a subclass has; `undefined` on AppError itself. */
  declare static readonly code?: string;

  /** The stable machine code. */
  declare readonly code: C;
  /** The HTTP status to answer with, 400 to 599. */
  declare readonly status: number;
  /** Whether the message may reach a client. */
  declare readonly expose: boolean;
  /** Safe structured data about this occurrence. */
  declare readonly details: D | undefined;
  /** Whether trying the same operation again may succeed. */
  declare readonly retryable: boolean;
  /** Response headers this error asks for, with lower-case names. */
  declare readonly headers: ErrorHeaders;
  /** The RFC 9457 problem type URI, when the error has one. */
  declare readonly type: string | undefined;
  /** A short summary of the kind of problem; the HTTP reason phrase by default. */
  declare readonly title: string;

  /**
   * @param message - What went wrong; defaults to the title.
   * @param options - Code, status and the rest; see {@link AppErrorOptions}.
   */
  constructor(message?: string, options: AppErrorOptions<D> = {}) {
    const status = isErrorStatus(options.status) ? options.status : 500;
    const title = options.title ?? statusTitle(status);
    super(message ?? title, 'cause' in options ? { cause: options.cause } : undefined);
    this.code = (options.code ?? 'INTERNAL') as C;
    this.status = status;
    this.expose = options.expose ?? status < 500;
    this.details = options.details;
    this.retryable = options.retryable ?? false;
    this.headers = responseHeaders(options);
    this.type = options.type;
    this.title = title;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /**
   * Recognises AppErrors from every copy of this package: a subclass matches errors with its
   * code, `AppError` itself matches them all.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    const inherits = Function.prototype[Symbol.hasInstance];
    return (
      inherits.call(this, value) ||
      // An AppError of another copy: AppError matches it, a subclass matches its own code.
      (isAppError(value) &&
        !inherits.call(AppError, value) &&
        (this === AppError || (Object.hasOwn(this, 'code') && value.code === this.code)))
    );
  }

  /** A log-friendly view without the stack or cause; use `serializeError` for the whole chain. */
  toJSON(): Record<string, unknown> {
    const { name, code, status, message, details, retryable } = this;
    return { name, code, status, message, details, retryable };
  }
}
nameClass(AppError, 'APP');

/**
 * Tells whether a value is an AppError, from this copy of the package or any other.
 *
 * @remarks
 * Checks an own, non-enumerable brand plus the shape (`code` string, `status` number), so a
 * plain object that copies an error's fields is not mistaken for one.
 *
 * @param value - Anything, typically a caught value.
 * @returns `true` when `value` is an AppError.
 * @example
 * ```ts
 * try { await work(); } catch (error) {
 *   if (isAppError(error) && error.code === 'NOT_FOUND') return null;
 *   throw error;
 * }
 * ```
 */
export function isAppError(value: unknown): value is AppError {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<AppError>;
  return (
    Object.hasOwn(value, BRAND) &&
    typeof candidate.code === 'string' &&
    typeof candidate.status === 'number'
  );
}

function responseHeaders({ headers = {}, retryAfterMs }: AppErrorOptions): ErrorHeaders {
  const entries = Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]);
  if (retryAfterMs !== undefined && retryAfterMs >= 0) {
    entries.unshift(['retry-after', String(Math.ceil(retryAfterMs / 1000))]);
  }
  return Object.fromEntries(entries) as ErrorHeaders;
}

/**
 * Gives an error class the name that stack traces, logs and `error.name` show, whatever a
 * minifier does to the class: by default its code in PascalCase plus `Error`.
 */
export function nameClass<T extends abstract new (...args: never[]) => unknown>(
  Class: T,
  code: string,
  name = `${code.toLowerCase().replace(/(?:^|_)([a-z0-9])/g, (_, c: string) => c.toUpperCase())}Error`,
): T {
  Object.defineProperty(Class, 'name', { value: name });
  (Class.prototype as { name: string }).name = name;
  return Class;
}
