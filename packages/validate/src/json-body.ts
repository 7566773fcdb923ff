/**
 * Reading a JSON request body from a byte stream, the step every framework adapter needs and
 * none should write twice: the media type is checked (415 for anything but JSON), a declared
 * `Content-Length` over the limit is refused before a byte is read, the stream is cut off as
 * soon as it passes the limit (413), and the bytes go through the bounded, prototype-safe
 * parser. Works on any async iterable of bytes: a Node request, a web `ReadableStream`.
 */
import { UnsupportedMediaTypeError } from '@arm/errors';
import { isJsonMediaType } from './media-type';
import { createJsonParser, DEFAULT_JSON_LIMITS, tooLarge } from './parse-json';
import type { JsonLimits } from './parse-json';

/** A request body as the reader needs it. */
export interface JsonBodySource {
  /** The body's bytes, in chunks (a Node `IncomingMessage` is one). */
  readonly body: AsyncIterable<Uint8Array | string>;
  /** The `Content-Type` header. */
  readonly contentType: string | undefined;
  /** The `Content-Length` header, when the client declared one. */
  readonly contentLength?: string | number | undefined;
  /**
   * The `Transfer-Encoding` header. With neither it nor `Content-Length`, an HTTP/1.1 request
   * has no body, and the stream is not read at all.
   */
  readonly transferEncoding?: string | undefined;
}

/** Reads and parses one JSON body; `undefined` for an empty body. */
export type JsonBodyReader = (source: JsonBodySource) => Promise<unknown>;

/**
 * Makes a JSON body reader with fixed limits, checked once.
 *
 * @param limits - Size, depth and key limits and the forbidden-key policy, as for
 * `createJsonParser`.
 * @returns The reader. It rejects with `UnsupportedMediaTypeError` (415) for a non-JSON body,
 * `PayloadTooLargeError` (413) over `maxBytes`, and the parser's 400 errors.
 * @throws `ConfigurationError` for bad limits.
 * @example
 * ```ts
 * const readJson = createJsonBodyReader({ maxBytes: 64 * 1024 });
 * // in a Node handler:
 * const body = await readJson({
 *   body: req,
 *   contentType: req.headers['content-type'],
 *   contentLength: req.headers['content-length'],
 * });
 * ```
 */
export function createJsonBodyReader(limits: JsonLimits = {}): JsonBodyReader {
  const parse = createJsonParser(limits);
  const maxBytes = limits.maxBytes ?? DEFAULT_JSON_LIMITS.maxBytes;
  return async ({ body, contentType, contentLength, transferEncoding }) => {
    if (contentLength === undefined && transferEncoding === undefined) return undefined;
    const declared = contentLength === undefined ? undefined : Number(contentLength);
    if (declared === 0) return undefined;
    if (declared !== undefined && declared > maxBytes) throw tooLarge(maxBytes);
    const chunks: Uint8Array[] = [];
    let size = 0;
    let json: boolean | undefined;
    const encoder = new TextEncoder();
    for await (const chunk of body) {
      if (chunk.length === 0) continue;
      // The media type is judged only once there is a body, so bodiless requests pass.
      json ??= isJsonMediaType(contentType);
      if (!json) throw new UnsupportedMediaTypeError('The request body must be JSON');
      const bytes = typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
      size += bytes.byteLength;
      if (size > maxBytes) throw tooLarge(maxBytes);
      chunks.push(bytes);
    }
    if (size === 0) return undefined;
    return parse(chunks.length === 1 ? (chunks[0] as Uint8Array) : concat(chunks, size));
  };
}

function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  const all = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return all;
}
