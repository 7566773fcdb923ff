/**
 * `fromProblem` rebuilds a typed AppError from an RFC 9457 problem a server sent, so clients
 * (fetch wrappers, React) handle the same classes and codes the server threw.
 */
import type { AppError, ErrorDetails } from './app-error';
import type { DefinedErrorOptions } from './define-error';
import { isErrorStatus } from './codes';
import { codeForStatus, ExternalServiceError, rebuildError } from './errors';
import { RESERVED_MEMBERS } from './problem';
import type { ValidationIssue } from './errors';

/** A class made by `defineError`, as `fromProblem`'s catalog takes it. */
export interface CatalogEntry {
  /** The code the class stands for. */
  readonly code: string;
  /** Makes an error of this code. */
  new (details: never, options?: DefinedErrorOptions): AppError;
}

/** Options of {@link fromProblem}. */
export interface FromProblemOptions {
  /** The application's own error classes (from `defineError`), matched by code. */
  readonly catalog?: readonly CatalogEntry[];
  /** The HTTP status of the response, used when the body has none. */
  readonly status?: number;
  /**
   * The response headers (a `Headers` object or a plain record); `retry-after`,
   * `www-authenticate` and `allow` are kept on the error.
   */
  readonly headers?: Headers | Readonly<Record<string, string>>;
}

const UNSAFE_NAMES = new Set(['__proto__', 'constructor', 'prototype']);
const KEPT_HEADERS = ['retry-after', 'www-authenticate', 'allow'];

/**
 * Rebuilds a typed AppError from problem details received over HTTP.
 *
 * @remarks
 * Built-in codes come back as their classes (`NotFoundError`, `ValidationError` with its
 * issues, `RateLimitError` with `Retry-After`), catalog codes as the application's classes,
 * other codes as a plain AppError. Extension members become `details`. The result is
 * exposed: it came from the server, which already decided what to show.
 *
 * @param input - The parsed JSON body of a problem response.
 * @param options - The catalog of application errors, the response status and headers.
 * @returns The typed error.
 * @throws {@link ExternalServiceError} when `input` is not problem details: not an object, no
 * error status in the body or the options, or a member of the wrong type. The message names
 * the member.
 * @example
 * ```ts
 * const response = await fetch('/api/projects/42');
 * if (!response.ok) {
 *   throw fromProblem(await response.json(), {
 *     status: response.status,
 *     headers: response.headers,
 *     catalog: [PaymentDeclined],
 *   });
 * }
 * ```
 */
export function fromProblem(input: unknown, options: FromProblemOptions = {}): AppError {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) malformed('body');
  const problem = input as Loose;
  const { type, title, detail, code, status = options.status, errors } = problem;
  if (!isErrorStatus(status)) malformed('status');
  for (const [member, value] of Object.entries({ type, title, detail, code })) {
    if (value !== undefined && typeof value !== 'string') malformed(member);
  }
  const issues = errors === undefined ? undefined : toIssues(errors);
  const details = extensionMembers(problem);
  const received = new Headers(options.headers);
  const headers: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const value = received.get(name);
    if (value !== null) headers[name] = value;
  }
  const message = (detail ?? title) as string | undefined;
  const theCode = (code as string | undefined) ?? codeForStatus(status);

  const entry = options.catalog?.find((candidate) => candidate.code === theCode);
  if (entry) return new entry(details as never, { message, headers });
  return rebuildError(theCode, status, message, {
    expose: true,
    headers,
    details,
    issues,
    type: type === 'about:blank' ? undefined : (type as string | undefined),
    title: title as string | undefined,
  });
}

type Loose = Record<string, unknown>;

function toIssues(value: unknown): ValidationIssue[] {
  if (!Array.isArray(value)) malformed('errors');
  return (value as unknown[]).map((item) => {
    const { detail, pointer } = (item ?? {}) as Loose;
    if (typeof detail !== 'string' || typeof pointer !== 'string') malformed('errors');
    return { detail, pointer };
  });
}

function extensionMembers(problem: Loose): ErrorDetails | undefined {
  const entries = Object.entries(problem).filter(
    ([name]) => !RESERVED_MEMBERS.has(name) && !UNSAFE_NAMES.has(name),
  );
  if (typeof problem.instance === 'string') entries.push(['instance', problem.instance]);
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

function malformed(member: string): never {
  throw new ExternalServiceError(
    `[@arm/errors] fromProblem: not RFC 9457 problem details (bad "${member}")`,
    { retryable: false },
  );
}
