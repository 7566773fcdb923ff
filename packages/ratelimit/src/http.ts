/**
 * The whole per-request rate-limit step that every framework adapter runs, in one place: who
 * the client is, which limiter applies, the decision, the response headers and the 429. An
 * adapter only copies `headers` onto its response and passes `error` to its error handler.
 */
import type { RateLimitError } from '@arm/errors';
import { createClientIdentity } from './client-identity';
import type { ClientIdentity, ClientIdentityOptions, ClientRequest } from './client-identity';
import { rateLimitHeaders, toRateLimitError } from './headers';
import type { RateLimitHeadersOptions } from './headers';
import { createRateLimiter } from './limiter';
import type { RateLimiter, RateLimiterOptions } from './limiter';

/** A request as the HTTP step needs it: the client description plus method and route. */
export interface HttpRateLimitRequest extends ClientRequest {
  /** The HTTP method, upper-case. */
  readonly method?: string;
  /** The route template (`/users/:id`), when the framework knows it. */
  readonly route?: string | undefined;
  /** The request path, without the query. */
  readonly path?: string | undefined;
}

/**
 * Options of {@link createHttpRateLimit}: a limiter (or its options) and how to key requests.
 * Without `limiter`, `policies` or `tier`, the `standard` tier applies.
 */
export interface HttpRateLimitOptions extends RateLimiterOptions {
  /** A limiter made elsewhere; when given, the limiter options beside it are ignored. */
  readonly limiter?: RateLimiter;
  /**
   * Who the client is: a helper from `createClientIdentity`, or its options.
   * @defaultValue `createClientIdentity()` (no trusted proxies)
   */
  readonly identity?: ClientIdentity | ClientIdentityOptions;
  /**
   * The key of a request; for example an API key's id or a user id.
   * @defaultValue the client's address, from `identity`
   */
  readonly key?: (request: HttpRateLimitRequest) => string;
  /**
   * Requests to let through without counting (health probes, metrics scrapes).
   * @defaultValue none
   */
  readonly skip?: (request: HttpRateLimitRequest) => boolean;
  /**
   * The cost of a request.
   * @defaultValue `1`
   */
  readonly cost?: (request: HttpRateLimitRequest) => number;
  /**
   * Which header fields to send.
   * @defaultValue `'draft'`
   */
  readonly headers?: RateLimitHeadersOptions['format'];
}

/** What the HTTP step decided. */
export interface HttpRateLimitDecision {
  /** Headers to set on the response, whether allowed or not (lower-case names). */
  readonly headers: Readonly<Record<string, string>>;
  /** The 429 to answer with; `undefined` when the request may go on. */
  readonly error: RateLimitError | undefined;
}

/** The HTTP rate-limit step; see {@link createHttpRateLimit}. */
export interface HttpRateLimit {
  /** The limiter it consumes from. */
  readonly limiter: RateLimiter;
  /** Decides one request. Never rejects for store trouble; the limiter's failure mode applies. */
  check(request: HttpRateLimitRequest, signal?: AbortSignal): Promise<HttpRateLimitDecision>;
}

const SKIPPED: HttpRateLimitDecision = { headers: {}, error: undefined };

/**
 * Creates the per-request rate-limit step adapters run, checking every option at start-up.
 *
 * @param options - The limiter (or its options: tier, policies, store...), the client
 * identity, and optional key, skip and cost functions.
 * @returns `check(request)`, resolving to the headers to send and the error to answer with.
 * @throws `ConfigurationError` for invalid limiter or identity options.
 * @example
 * ```ts
 * const step = createHttpRateLimit({ tier: 'standard', identity: { trustProxy: 1 } });
 * const { headers, error } = await step.check({
 *   method: 'GET',
 *   remoteAddress: '10.0.0.2',
 *   headers: { 'x-forwarded-for': '203.0.113.7' },
 * });
 * // copy headers onto the response; if error, answer with toHttpResponse(error)
 * ```
 */
export function createHttpRateLimit(options: HttpRateLimitOptions = {}): HttpRateLimit {
  const limiter =
    options.limiter ??
    createRateLimiter(
      options.policies === undefined && options.tier === undefined
        ? { ...options, tier: 'standard' }
        : options,
    );
  const identity =
    options.identity !== undefined && 'key' in options.identity
      ? options.identity
      : createClientIdentity(options.identity);
  const keyOf = options.key ?? ((request: HttpRateLimitRequest) => identity.key(request));
  const { skip, cost } = options;
  const format = { format: options.headers ?? 'draft' } as const;
  return {
    limiter,
    async check(request, signal) {
      if (skip?.(request)) return SKIPPED;
      const result = await limiter.consume(keyOf(request), {
        cost: cost?.(request) ?? 1,
        ...(signal ? { signal } : {}),
      });
      return {
        headers: rateLimitHeaders(result, format),
        error: result.allowed ? undefined : toRateLimitError(result, format),
      };
    },
  };
}
