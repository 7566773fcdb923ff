/**
 * `serializeError` turns an error into plain JSON for logs. `JSON.stringify(error)` loses the
 * message, the stack and the non-enumerable ES2022 `cause`; this keeps all of them, follows the
 * whole cause chain (and AggregateError's `errors`), and stops at cycles and a depth limit.
 */

/** An error as plain JSON, for logs. */
export interface SerializedError {
  /** The error's name (`TypeError`, `NotFoundError`), or the type of a thrown non-error. */
  readonly name: string;
  /** The message, or the thrown value as text. */
  readonly message: string;
  /** The stack trace, when there is one. */
  readonly stack?: string;
  /** The machine code: an AppError's, or a library's (`ECONNREFUSED`, a SQLSTATE). */
  readonly code?: string;
  /** The HTTP status of an AppError. */
  readonly status?: number;
  /** Whether an AppError may be retried. */
  readonly retryable?: boolean;
  /** The structured details of an AppError. */
  readonly details?: unknown;
  /** The serialized cause. */
  readonly cause?: SerializedError;
  /** The serialized errors of an AggregateError. */
  readonly errors?: readonly SerializedError[];
  /** Other own fields with primitive values (`errno`, `syscall`, `severity`…). */
  readonly [field: string]: unknown;
}

/** Options of {@link serializeError}. */
export interface SerializeErrorOptions {
  /**
   * How many causes deep to follow before writing `[truncated]`.
   * @defaultValue `10`
   */
  readonly maxDepth?: number;
}

/**
 * Serializes an error and its whole cause chain for a log line.
 *
 * @param error - Any thrown value.
 * @param options - The depth limit.
 * @returns Plain JSON: name, message, stack, code, status, details, cause and more.
 * @example
 * ```ts
 * logger.error({ err: serializeError(caught) }, 'checkout failed');
 * ```
 */
export function serializeError(
  error: unknown,
  options: SerializeErrorOptions = {},
): SerializedError {
  return serialize(error, options.maxDepth ?? 10, new WeakSet());
}

function serialize(value: unknown, depth: number, seen: WeakSet<object>): SerializedError {
  if (typeof value !== 'object' || value === null) {
    return { name: typeof value, message: String(value) };
  }
  if (seen.has(value) || depth < 0) {
    return { name: 'Truncated', message: seen.has(value) ? '[circular]' : '[truncated]' };
  }
  seen.add(value);
  const error = value as Record<string, unknown>;
  const result: Record<string, unknown> = {};
  // Own primitive fields first (code, status, errno, syscall, severity...), so that the
  // standard members below win over any own field of the same name.
  for (const [field, item] of Object.entries(error)) {
    if (item === null || !/object|function/.test(typeof item)) result[field] = item;
  }
  result.name = typeof error.name === 'string' ? error.name : 'Object';
  result.message = typeof error.message === 'string' ? error.message : safeString(value);
  if (typeof error.stack === 'string') result.stack = error.stack;
  if (error.details !== undefined) result.details = error.details;
  if (error.cause !== undefined) result.cause = serialize(error.cause, depth - 1, seen);
  if (Array.isArray(error.errors)) {
    result.errors = (error.errors as unknown[]).map((item) => serialize(item, depth - 1, seen));
  }
  seen.delete(value);
  return result as SerializedError;
}

function safeString(value: object): string {
  try {
    return JSON.stringify(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
