/**
 * The media-type check adapters make before parsing a body as JSON, so a form post or a
 * `text/plain` body (a CSRF favourite: no preflight) is refused with 415 instead of parsed.
 */

/** `type/subtype` then optional parameters; bounded, so linear on any header. */
const MEDIA_TYPE = /^\s{0,8}([a-z0-9!#$&^_.+-]{1,64})\/([a-z0-9!#$&^_.+-]{1,64})\s{0,8}(?:;|$)/i;

/**
 * Whether a `Content-Type` header names JSON: `application/json` or any
 * `application/<name>+json` (such as `application/merge-patch+json`), parameters allowed.
 *
 * @param contentType - The header value, or `undefined` when absent.
 * @returns True for a JSON media type.
 * @example
 * ```ts
 * isJsonMediaType('application/json; charset=utf-8'); // true
 * isJsonMediaType('text/plain'); // false: answer 415 (UnsupportedMediaTypeError)
 * ```
 */
export function isJsonMediaType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const match = MEDIA_TYPE.exec(contentType);
  if (!match) return false;
  const type = (match[1] as string).toLowerCase();
  const subtype = (match[2] as string).toLowerCase();
  return type === 'application' && (subtype === 'json' || subtype.endsWith('+json'));
}
