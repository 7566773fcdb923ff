/**
 * The Redis tier's serializer: JSON with type tags, so what comes back is what went in.
 * `Date`, `BigInt`, `Map`, `Set`, `undefined` (in objects and arrays), `NaN`, `±Infinity`
 * and `-0` round-trip, nested in any combination; a plain ISO string stays a string. Every
 * payload starts with a format tag and the caller's schema version: a payload written by
 * another format or version decodes as a miss, never as garbage.
 */

/** The tag of this encoding; bump it when the encoding changes. */
const FORMAT = 'arm1';
/** The property that marks a tagged value; a plain object that has it is escaped. */
const TAG = '$t';

interface Tagged {
  readonly [TAG]: string;
  readonly v?: unknown;
}

/**
 * Turns values into strings for the Redis tier and back. Write your own to use another
 * format; `deserialize` must return `undefined` for anything it cannot read.
 *
 * @example
 * ```ts
 * const serializer = createSerializer({ version: 'user-v2' });
 * serializer.deserialize(serializer.serialize(new Map([[1, new Date(0)]])));
 * ```
 */
export interface Serializer {
  /**
   * Encodes a value.
   *
   * @param value - Any value of the supported types.
   * @returns The payload to store.
   * @throws TypeError for values that cannot be encoded (functions, symbols).
   */
  readonly serialize: (value: unknown) => string;
  /**
   * Decodes a payload.
   *
   * @param payload - A stored payload.
   * @returns `{ value }`, or `undefined` when the payload has another format or version or is
   * not readable: the caller treats that as a miss.
   */
  readonly deserialize: (payload: string) => Decoded | undefined;
}

/**
 * A decoded payload. A box, so that a stored `undefined` differs from "could not decode".
 *
 * @example
 * ```ts
 * const decoded: Decoded | undefined = serializer.deserialize(payload);
 * if (decoded !== undefined) use(decoded.value);
 * ```
 */
export interface Decoded {
  /** The value that was serialized. */
  readonly value: unknown;
}

/** Options of {@link createSerializer}. */
export interface SerializerOptions {
  /**
   * Your schema version. Change it when the shape of the cached values changes, so that
   * instances of the new deploy read what the old one wrote as misses.
   *
   * @defaultValue `'1'`
   */
  readonly version?: string;
}

function encode(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (Number.isFinite(value) && !Object.is(value, -0)) return value;
      return { [TAG]: 'N', v: String(Object.is(value, -0) ? '-0' : value) };
    case 'bigint':
      return { [TAG]: 'B', v: value.toString() };
    case 'undefined':
      return { [TAG]: 'U' };
    case 'object':
      return encodeObject(value);
    default:
      throw new TypeError(`[@arm/cache] cannot serialize a ${typeof value}`);
  }
}

function encodeObject(value: object | null): unknown {
  if (value === null) return null;
  if (Array.isArray(value)) return value.map(encode);
  if (value instanceof Date) return { [TAG]: 'D', v: value.getTime() };
  if (value instanceof Map) {
    return { [TAG]: 'M', v: [...value].map(([key, item]) => [encode(key), encode(item)]) };
  }
  if (value instanceof Set) return { [TAG]: 'S', v: [...value].map(encode) };
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) define(out, key, encode(item));
  return TAG in out ? { [TAG]: 'O', v: out } : out;
}

function decode(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(decode);
  const record = value as Record<string, unknown>;
  if (!(TAG in record)) return decodeFields(record);
  const { [TAG]: tag, v } = record as unknown as Tagged;
  switch (tag) {
    case 'N':
      return Number(v);
    case 'B':
      return BigInt(v as string);
    case 'U':
      return undefined;
    case 'D':
      return new Date(v as number);
    case 'M':
      return new Map((v as [unknown, unknown][]).map(([key, item]) => [decode(key), decode(item)]));
    case 'S':
      return new Set((v as unknown[]).map(decode));
    case 'O':
      return decodeFields(v as Record<string, unknown>);
    default:
      throw new TypeError(`[@arm/cache] unknown type tag ${tag}`);
  }
}

function decodeFields(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(record)) define(out, key, decode(item));
  return out;
}

/** Assigning "__proto__" would change the prototype; define every field as a plain one. */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/**
 * Creates the versioned, type-tagged JSON serializer the Redis tier uses by default.
 *
 * @param options - The schema version; see {@link SerializerOptions}.
 * @returns A {@link Serializer}.
 * @throws Nothing itself; the returned `serialize` throws TypeError for functions and symbols.
 * @example
 * ```ts
 * const { serialize, deserialize } = createSerializer({ version: 'user-v2' });
 * const payload = serialize({ at: new Date(), id: 10n, tags: new Set(['a']) });
 * deserialize(payload)?.value; // the same shape, with a Date, a BigInt and a Set
 * ```
 */
export function createSerializer(options: SerializerOptions = {}): Serializer {
  const header = `${FORMAT}:${options.version ?? '1'}:`;
  return {
    serialize: (value) => header + JSON.stringify(encode(value)),
    deserialize: (payload) => {
      if (!payload.startsWith(header)) return undefined;
      try {
        return { value: decode(JSON.parse(payload.slice(header.length))) };
      } catch {
        return undefined;
      }
    },
  };
}
