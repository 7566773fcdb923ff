/**
 * `@arm/express/ratelimit`: the `@arm/ratelimit` HTTP step as middleware, for the whole app
 * or one route. The client is `req.ip`, so Express's `trust proxy` setting decides which
 * proxies are believed; pass `identity` to decide from the socket and headers instead.
 */
import { createHttpRateLimit } from '@arm/ratelimit';
import type { HttpRateLimitOptions } from '@arm/ratelimit';
import type { RequestHandler } from 'express';

/**
 * Rate-limit middleware: sets the RateLimit headers and passes a 429 `RateLimitError` on.
 *
 * @param options - As `createHttpRateLimit` takes them (tier, policies, store, key...).
 * @returns Middleware; mount it before the routes it limits.
 * @throws `ConfigurationError` for invalid options, when called.
 * @example
 * ```ts
 * app.set('trust proxy', 1);
 * app.use(rateLimit({ tier: 'standard' }));
 * app.post('/login', rateLimit({ tier: 'strict', name: 'login' }), login);
 * ```
 */
export function rateLimit(options: HttpRateLimitOptions = {}): RequestHandler {
  const step = createHttpRateLimit(options);
  const fromSocket = options.identity !== undefined;
  return (req, res, next) => {
    const route = (req.route as { path?: string } | undefined)?.path;
    const { method, path } = req;
    step
      .check(
        fromSocket
          ? { method, route, path, remoteAddress: req.socket.remoteAddress, headers: req.headers }
          : { method, route, path, remoteAddress: req.ip },
      )
      .then(({ headers, error }) => {
        res.set(headers);
        next(error);
      }, next);
  };
}
