/**
 * Request ids: every problem response carries the id of the request that failed, in
 * `instance`, so a user's bug report leads straight to the logs. An id from an upstream proxy
 * is kept when it looks like one; anything else is replaced, so a client cannot write
 * arbitrary text into logs and responses.
 */

const WELL_FORMED_ID = /^[\w.:@-]{1,128}$/;

/**
 * The id of a request: the one an upstream proxy sent, when it is well formed (1 to 128
 * letters, digits, `_`, `.`, `:`, `@` or `-`), else a fresh UUID.
 *
 * @param incoming - The value of the request's id header (usually `x-request-id`), if any.
 * @returns The id to log and to send back in the response's `x-request-id` header.
 * @example
 * ```ts
 * requestId('lb-7f3a'); // 'lb-7f3a'
 * requestId('<script>'); // a fresh UUID such as '5f0c2a9e-…'
 * requestId(undefined); // a fresh UUID
 * ```
 */
export function requestId(incoming: string | readonly string[] | undefined): string {
  const value = typeof incoming === 'string' ? incoming : incoming?.[0];
  return value !== undefined && WELL_FORMED_ID.test(value) ? value : crypto.randomUUID();
}

/**
 * The problem `instance` for a request id: `urn:uuid:<id>` for a UUID, the id itself (a
 * relative URI reference) otherwise.
 *
 * @param id - A request id from {@link requestId}.
 * @returns A URI reference for the problem's `instance` member.
 * @example
 * ```ts
 * requestInstance('5f0c2a9e-3b1d-4c6f-9a7e-2d8b1c0e4f6a'); // 'urn:uuid:5f0c2a9e-…'
 * requestInstance('lb-7f3a'); // 'lb-7f3a'
 * ```
 */
export function requestInstance(id: string): string {
  return UUID.test(id) ? `urn:uuid:${id}` : id;
}

const UUID = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/i;
