/**
 * `@arm/express/errors`: request ids in and out, a problem+json error handler (masked in
 * production, the request id in `instance`) and a 404 problem for unknown routes.
 */
import { NotFoundError, requestId, requestInstance, toAppError, toHttpResponse } from '@arm/errors';
import type { AppError } from '@arm/errors';
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';

declare global {
  // Express's own augmentation point for its Request type.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The request's id, echoed in `x-request-id` and named in problem responses. */
      requestId?: string;
    }
  }
}

/** Options of {@link requestIds}. */
export interface RequestIdOptions {
  /**
   * The header that carries request ids in and out.
   * @defaultValue `'x-request-id'`
   */
  readonly header?: string;
}

/**
 * Gives every request an id (the upstream one when well formed) and echoes it in the response.
 *
 * @param options - The header name.
 * @returns Middleware; mount it first.
 * @example
 * ```ts
 * app.use(requestIds());
 * app.get('/', (req, res) => res.json({ id: req.requestId }));
 * ```
 */
export function requestIds(options: RequestIdOptions = {}): RequestHandler {
  const header = (options.header ?? 'x-request-id').toLowerCase();
  return (req, res, next) => {
    req.requestId = requestId(req.headers[header]);
    res.setHeader(header, req.requestId);
    next();
  };
}

/** Options of {@link errorHandler}. */
export interface ErrorHandlerOptions {
  /**
   * Mask the message of errors that are not exposed (5xx). Pass `false` only in development.
   * @defaultValue `true`
   */
  readonly production?: boolean;
  /**
   * Base URL for problem types (`typeBaseUrl + code in kebab-case`).
   * @defaultValue none: such problems use `about:blank`
   */
  readonly typeBaseUrl?: string;
  /**
   * Called with every error answered, after it is normalised; for logging and tracking.
   * @defaultValue none
   */
  readonly onError?: (error: AppError, req: Request) => void;
}

/**
 * The error handler: any error (or thrown non-error) becomes a problem+json response.
 *
 * @param options - Masking, problem type base and an error callback.
 * @returns Express error middleware; mount it last.
 * @example
 * ```ts
 * app.use(requestIds());
 * app.get('/boom', () => {
 *   throw new Error('secret detail');
 * });
 * app.use(notFound());
 * app.use(errorHandler({ production: true })); // -> 500 problem, detail masked
 * ```
 */
export function errorHandler(options: ErrorHandlerOptions = {}): ErrorRequestHandler {
  const { production = true, typeBaseUrl, onError } = options;
  return (thrown: unknown, req, res, next) => {
    if (res.headersSent) {
      next(thrown);
      return;
    }
    const error = toAppError(thrown);
    try {
      onError?.(error, req);
    } catch {
      // a failing tracker never changes the answer
    }
    const response = toHttpResponse(error, {
      production,
      instance: requestInstance(req.requestId ?? requestId(undefined)),
      ...(typeBaseUrl === undefined ? {} : { typeBaseUrl }),
    });
    res.status(response.status).set(response.headers).send(JSON.stringify(response.body));
  };
}

/**
 * Answers requests no route matched with a 404 problem.
 *
 * @returns Middleware; mount it after every route, before {@link errorHandler}.
 * @example
 * ```ts
 * app.use(notFound());
 * ```
 */
export function notFound(): RequestHandler {
  return (_req, _res, next) => {
    next(new NotFoundError('No route matches this method and path'));
  };
}
