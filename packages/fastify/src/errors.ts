/**
 * `@arm/fastify/errors`: every error becomes an RFC 9457 problem response, unknown routes a
 * 404 problem, and every request carries an id (kept from `x-request-id` when well formed)
 * that the response echoes and the problem names in `instance`.
 */
import { NotFoundError, requestId, requestInstance, toAppError, toHttpResponse } from '@arm/errors';
import type { AppError } from '@arm/errors';
import type { IncomingMessage } from 'node:http';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's id, echoed in `x-request-id` and named in problem responses. */
    requestId: string;
  }
}

const ID = Symbol('arm.requestId');

/**
 * Fastify's `genReqId` option giving requests ARM's ids, so Fastify's request logs and
 * `armErrors` agree: the upstream `x-request-id` when well formed, else a fresh UUID.
 *
 * @param raw - The raw request Fastify passes.
 * @returns The request id.
 * @example
 * ```ts
 * const app = Fastify({ logger: true, genReqId });
 * ```
 */
export function genReqId(raw: IncomingMessage): string {
  const id = requestId(raw.headers['x-request-id']);
  (raw as IncomingMessage & { [ID]?: string })[ID] = id;
  return id;
}

/** Options of {@link armErrors}. */
export interface ArmErrorsOptions {
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
   * The header that carries request ids in and out.
   * @defaultValue `'x-request-id'`
   */
  readonly requestIdHeader?: string;
  /**
   * Called with every error answered, after it is normalised; for error tracking.
   * @defaultValue none
   */
  readonly onError?: (error: AppError, request: FastifyRequest) => void;
}

const plugin: FastifyPluginAsync<ArmErrorsOptions> = (app, options) => {
  const { production = true, typeBaseUrl, onError } = options;
  const header = (options.requestIdHeader ?? 'x-request-id').toLowerCase();
  app.decorateRequest('requestId', '');
  app.addHook('onRequest', (request, reply, done) => {
    request.requestId =
      (request.raw as IncomingMessage & { [ID]?: string })[ID] ??
      requestId(request.headers[header]);
    void reply.header(header, request.requestId);
    done();
  });
  app.setNotFoundHandler(() => {
    throw new NotFoundError('No route matches this method and path');
  });
  app.setErrorHandler((thrown, request, reply) => {
    const error = toAppError(thrown);
    if (error.status >= 500) request.log.error({ err: thrown }, error.message);
    try {
      onError?.(error, request);
    } catch {
      // a failing tracker never changes the answer
    }
    const response = toHttpResponse(error, {
      production,
      instance: requestInstance(request.requestId || requestId(undefined)),
      ...(typeBaseUrl === undefined ? {} : { typeBaseUrl }),
    });
    return reply.code(response.status).headers(response.headers).send(response.body);
  });
  return Promise.resolve();
};

/**
 * The error plugin: problem+json for every error and unknown route, request ids in and out.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { armErrors } from '@arm/fastify/errors';
 *
 * const app = Fastify();
 * await app.register(armErrors, { production: process.env.NODE_ENV === 'production' });
 * app.get('/boom', () => {
 *   throw new Error('secret detail'); // -> 500 problem, detail masked
 * });
 * ```
 */
export const armErrors = fp(plugin, { name: '@arm/fastify/errors', fastify: '5.x' });
