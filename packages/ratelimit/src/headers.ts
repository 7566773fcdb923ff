/**
 * HTTP answers for a decision: the IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-
 * headers-10, structured-field lists with one item per policy), the legacy `X-RateLimit-*`
 * fields, `Retry-After` on denial, and the `quota-exceeded` problem for a 429.
 */
import { RateLimitError } from '@arm/errors';
import type { RateLimitResult } from './result';

/** The problem type the RateLimit draft registers for a 429 caused by a policy. */
export const QUOTA_EXCEEDED_TYPE = 'https://iana.org/assignments/http-problem-types#quota-exceeded';

/** Options of {@link rateLimitHeaders}. */
export interface RateLimitHeadersOptions {
  /**
   * Which fields to send: `draft` (`RateLimit-Policy` and `RateLimit`), `legacy`
   * (`X-RateLimit-Limit`, `-Remaining` and `-Reset` for the binding policy) or `both`.
   * @defaultValue `'draft'`
   */
  readonly format?: 'draft' | 'legacy' | 'both';
}

/**
 * The response headers for a decision, with lower-case names.
 *
 * @param result - A decision of `consume` (or `peek`).
 * @param options - Which format to send.
 * @returns A plain header record; adapters copy it onto the response.
 * @example
 * ```ts
 * rateLimitHeaders(result);
 * // {
 * //   'ratelimit-policy': '"burst";q=10;w=1, "daily";q=1000;w=86400',
 * //   ratelimit: '"burst";r=9;t=1, "daily";r=999;t=86400',
 * // }
 * ```
 */
export function rateLimitHeaders(
  result: RateLimitResult,
  options: RateLimitHeadersOptions = {},
): Record<string, string> {
  const { format = 'draft' } = options;
  const headers: Record<string, string> = {};
  if (format !== 'legacy') {
    headers['ratelimit-policy'] = result.policies
      .map((p) => `"${p.policy}";q=${p.limit};w=${Math.max(1, Math.ceil(p.windowMs / 1000))}`)
      .join(', ');
    headers.ratelimit = result.policies
      .map((p) => `"${p.policy}";r=${p.remaining};t=${seconds(p.resetMs)}`)
      .join(', ');
  }
  if (format !== 'draft') {
    headers['x-ratelimit-limit'] = String(result.limit);
    headers['x-ratelimit-remaining'] = String(result.remaining);
    headers['x-ratelimit-reset'] = String(seconds(result.resetMs));
  }
  if (!result.allowed) headers['retry-after'] = String(Math.max(1, seconds(result.retryAfterMs)));
  return headers;
}

/**
 * The error for a denied decision: a `RateLimitError` (429, retryable) whose problem body has
 * the draft's `quota-exceeded` type and the `violated-policies`, and whose headers carry
 * `Retry-After` and the RateLimit fields.
 *
 * @param result - A denied decision.
 * @param options - The header format, as for {@link rateLimitHeaders}.
 * @returns The error to throw; adapters render it with `toHttpResponse`.
 * @example
 * ```ts
 * const result = await limiter.consume(key);
 * if (!result.allowed) throw toRateLimitError(result);
 * ```
 */
export function toRateLimitError(
  result: RateLimitResult,
  options: RateLimitHeadersOptions = {},
): InstanceType<typeof RateLimitError> {
  const violated = result.violated.length > 0 ? result.violated : [result.policy];
  return new RateLimitError(
    result.blocked
      ? 'Too many attempts; try again later'
      : `Rate limit exceeded: ${violated.join(', ')}`,
    {
      type: QUOTA_EXCEEDED_TYPE,
      title: 'Request cannot be satisfied as assigned quota has been exceeded',
      details: { 'violated-policies': violated },
      headers: rateLimitHeaders(result, options),
    },
  );
}

function seconds(ms: number): number {
  return Math.ceil(ms / 1000);
}
