/**
 * The structured logger: pino with ARM's defaults. JSON lines, `err` serialised with its whole
 * cause chain by `serializeError`, secrets redacted at any of the first four levels of nesting,
 * and request-scoped child loggers carrying a request id.
 */
import { requestId, serializeError } from '@arm/errors';
import { pino } from 'pino';
import type { DestinationStream, Logger, LoggerOptions } from 'pino';

/** Keys whose values are secrets wherever they appear. */
const SECRET_KEYS = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'x-auth-token',
  'x-csrf-token',
  'password',
  'passwd',
  'secret',
  'clientSecret',
  'client_secret',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'idToken',
  'id_token',
  'apiKey',
  'api_key',
  'privateKey',
  'private_key',
  'sessionId',
  'session_id',
] as const;

/** The secret keys redacted by default, at any depth, whatever their case. */
export const DEFAULT_REDACT_KEYS: readonly string[] = Object.freeze([...SECRET_KEYS]);

/** A secret key where a JSON object member starts (after `{` or `,`, never inside a string). */
const SECRET_MEMBER = new RegExp(
  `[{,]"(?:${SECRET_KEYS.map((key) => key.replace(/[-_]/g, '[-_]?')).join('|')})":`,
  'gi',
);

/** Where the JSON value starting at `start` ends (exclusive). Linear; strings are skipped whole. */
function valueEnd(line: string, start: number): number {
  let depth = 0;
  let i = start;
  for (; i < line.length; i++) {
    const char = line[i];
    if (char === '"') {
      for (i++; i < line.length && line[i] !== '"'; i++) if (line[i] === '\\') i++;
      if (depth === 0) return i + 1;
    } else if (char === '{' || char === '[') depth++;
    else if (char === '}' || char === ']') {
      if (depth === 0) return i;
      if (--depth === 0) return i + 1;
    } else if (char === ',' && depth === 0) return i;
  }
  return i;
}

/**
 * Redacts the values of secret keys in one JSON log line, at any depth: the default redaction.
 * One pass of a regular expression over the finished line, so it costs next to nothing on
 * lines without secrets (pino's own path redaction, with wildcards at four depths, made each
 * line about 30 times slower).
 */
function redactLine(line: string, censor: string): string {
  SECRET_MEMBER.lastIndex = 0;
  if (!SECRET_MEMBER.test(line)) return line;
  SECRET_MEMBER.lastIndex = 0;
  let out = '';
  let copied = 0;
  for (let match = SECRET_MEMBER.exec(line); match !== null; match = SECRET_MEMBER.exec(line)) {
    const start = match.index + match[0].length;
    if (start < copied) continue;
    const end = valueEnd(line, start);
    out += line.slice(copied, start) + censor;
    copied = end;
    SECRET_MEMBER.lastIndex = end;
  }
  return out + line.slice(copied);
}

/** Options of {@link createLogger}. */
export interface CreateLoggerOptions {
  /**
   * The lowest level written.
   * @defaultValue `'info'`
   */
  readonly level?: LoggerOptions['level'];
  /**
   * The service name, written on every line as `name`.
   * @defaultValue none
   */
  readonly name?: string;
  /**
   * More paths to redact, in pino's path syntax, beside the default redaction of {@link DEFAULT_REDACT_KEYS}.
   * @defaultValue `[]`
   */
  readonly redact?: readonly string[];
  /**
   * What redacted values become.
   * @defaultValue `'[Redacted]'`
   */
  readonly censor?: string;
  /**
   * Turns off the default redaction (the `redact` paths still apply).
   * @defaultValue `false`
   */
  readonly dangerouslyDisableDefaultRedaction?: boolean;
  /**
   * Fields written on every line.
   * @defaultValue `{ pid, hostname }` as pino writes them
   */
  readonly base?: Record<string, unknown>;
  /**
   * Where lines go.
   * @defaultValue standard output
   */
  readonly destination?: DestinationStream;
}

/** A pino logger, as {@link createLogger} returns it. */
export type ArmLogger = Logger;

/**
 * Creates a pino logger with ARM's defaults: redaction of secrets, `err` and `error`
 * serialised with their cause chains, ISO timestamps.
 *
 * @param options - Level, name, redaction and destination; see {@link CreateLoggerOptions}.
 * @returns A pino logger.
 * @example
 * ```ts
 * const logger = createLogger({ name: 'orders' });
 * logger.info({ headers: { authorization: 'Bearer abc' } }, 'called'); // authorization: [Redacted]
 * ```
 */
export function createLogger(options: CreateLoggerOptions = {}): ArmLogger {
  const paths = options.redact ?? [];
  const censor = options.censor ?? '[Redacted]';
  const censorJson = JSON.stringify(censor);
  const config: LoggerOptions = {
    level: options.level ?? 'info',
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { err: serializeError, error: serializeError },
    ...(paths.length === 0 ? {} : { redact: { paths: [...paths], censor } }),
    ...(options.dangerouslyDisableDefaultRedaction === true
      ? {}
      : { hooks: { streamWrite: (line: string) => redactLine(line, censorJson) } }),
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(options.base === undefined ? {} : { base: options.base }),
  };
  return options.destination === undefined ? pino(config) : pino(config, options.destination);
}

/**
 * A request id: the incoming `x-request-id` header when it is well formed, else a new random
 * UUID (the rule of `requestId` in `@arm/errors`, which the adapters use too).
 *
 * @param headers - The request headers (lower-case names), or nothing.
 * @returns The request id.
 * @example
 * ```ts
 * requestIdFrom({ 'x-request-id': 'abc-123' }); // 'abc-123'
 * requestIdFrom({ 'x-request-id': '<script>' }); // a new UUID
 * ```
 */
export function requestIdFrom(
  headers?: Readonly<Record<string, string | readonly string[] | undefined>>,
): string {
  return requestId(headers?.['x-request-id']);
}

/**
 * A child logger for one request, carrying its `requestId` (and any other bindings) on every line.
 *
 * @param logger - The parent logger.
 * @param request - The request id (see {@link requestIdFrom}) and more bindings.
 * @returns The child logger.
 * @example
 * ```ts
 * const log = requestLogger(logger, { requestId: requestIdFrom(req.headers), route: '/orders' });
 * log.info('handled'); // {"requestId":"...","route":"/orders","msg":"handled",...}
 * ```
 */
export function requestLogger(
  logger: ArmLogger,
  request: { readonly requestId: string } & Record<string, unknown>,
): ArmLogger {
  return logger.child(request);
}
