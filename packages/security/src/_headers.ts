/**
 * Reads request headers in the shapes adapters have at hand: Node's lower-cased record (with
 * arrays for repeated headers), any record, or a Web `Headers` object.
 */

/** Request headers: a record (Node, Fastify, plain objects) or a Web `Headers` object. */
export type HeaderInput =
  Readonly<Record<string, string | readonly string[] | undefined>> | WebHeaders;

/** The part of a Web `Headers` object that is read. */
export interface WebHeaders {
  /**
   * One header's value, or null when absent.
   * @param name - The header name.
   */
  get(name: string): string | null;
}

const MAX_HEADER_LENGTH = 8192;

/**
 * One header's value: undefined when absent, `false` when it cannot be trusted (repeated,
 * oversized or not a string). `name` is lower case.
 */
export function readHeader(
  headers: HeaderInput | undefined,
  name: string,
): string | undefined | false {
  if ((headers as unknown) == null) return undefined;
  let value: unknown;
  if (typeof (headers as { get?: unknown }).get === 'function') {
    value = (headers as { get(name: string): string | null }).get(name);
  } else {
    const record = headers as Readonly<Record<string, unknown>>;
    value = Object.prototype.hasOwnProperty.call(record, name) ? record[name] : undefined;
    if (value === undefined) {
      for (const key of Object.keys(record)) {
        if (key.toLowerCase() === name) {
          value = record[key];
          break;
        }
      }
    }
  }
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) value = value.length === 1 ? (value[0] as unknown) : false;
  if (typeof value !== 'string' || value.length > MAX_HEADER_LENGTH) return false;
  return value;
}
