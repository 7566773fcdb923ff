/**
 * Prototype-safe, bounded JSON parsing for request bodies. `JSON.parse` does the parsing (it is
 * native and iterative, so deep input cannot overflow the stack); one iterative walk over the
 * result then enforces the depth and key limits and looks for keys that could poison a
 * prototype when the document is later merged or assigned. The walk checks key names only when
 * the text could hold one (`__proto__`, `constructor` or a `\u` escape), so ordinary bodies pay
 * for the limits and nothing else.
 */
import { PayloadTooLargeError, toJsonPointer } from '@arm/errors';
import { oneOf, positiveInteger } from './_option-error';
import { ForbiddenJsonKeyError, InvalidJsonError, JsonLimitError } from './errors';

/** Limits and policies for {@link parseJson} and {@link createJsonParser}. */
export interface JsonLimits {
  /**
   * The largest document, in UTF-8 bytes; larger ones get a `PayloadTooLargeError` (413).
   * @defaultValue `1_048_576` (1 MiB)
   */
  readonly maxBytes?: number;
  /**
   * The deepest nesting of objects and arrays (`{}` is depth 1, `[{}]` depth 2).
   * @defaultValue `32`
   */
  readonly maxDepth?: number;
  /**
   * The most object keys in the whole document, counted over every object.
   * @defaultValue `10_000`
   */
  readonly maxKeys?: number;
  /**
   * What to do with `__proto__` keys and `constructor` keys holding a `prototype`: `'reject'`
   * throws a `ForbiddenJsonKeyError` (400); `'remove'` deletes them and parses the rest.
   * @defaultValue `'reject'`
   */
  readonly forbiddenKeys?: 'reject' | 'remove';
}

/** Parses one JSON document under the limits it was made with. */
export type JsonParser = (text: string | Uint8Array) => unknown;

/** The limits every parser uses unless told otherwise. */
export const DEFAULT_JSON_LIMITS = {
  /** 1 MiB. */
  maxBytes: 1_048_576,
  /** Objects and arrays nested 32 deep. */
  maxDepth: 32,
  /** Keys over the whole document. */
  maxKeys: 10_000,
  /** Poisoning keys fail the document. */
  forbiddenKeys: 'reject',
} as const satisfies Required<JsonLimits>;

/** One strict decoder for every parser; without `stream` it keeps no state between calls. */
let decoder: TextDecoder | undefined;

/** Text that may hold a forbidden key, directly or through a `\u` escape. */
const SUSPICIOUS = /__proto__|constructor|\\u/;

/**
 * Makes a JSON parser with fixed limits, checked once: the form adapters keep per route.
 *
 * @param limits - Size, depth and key limits and the forbidden-key policy.
 * @returns A parser taking a string or UTF-8 bytes.
 * @throws `ConfigurationError` when a limit is not a positive integer or the
 * policy is unknown.
 * @example
 * ```ts
 * const parse = createJsonParser({ maxBytes: 64 * 1024, maxDepth: 16 });
 * const body = parse('{"name":"Ada"}'); // { name: 'Ada' }
 * ```
 */
export function createJsonParser(limits: JsonLimits = {}): JsonParser {
  const maxBytes = positiveInteger('maxBytes', limits.maxBytes, DEFAULT_JSON_LIMITS.maxBytes);
  const maxDepth = positiveInteger('maxDepth', limits.maxDepth, DEFAULT_JSON_LIMITS.maxDepth);
  const maxKeys = positiveInteger('maxKeys', limits.maxKeys, DEFAULT_JSON_LIMITS.maxKeys);
  const remove =
    oneOf('forbiddenKeys', limits.forbiddenKeys, ['reject', 'remove'], 'reject') === 'remove';

  return (input) => {
    let text: string;
    if (typeof input === 'string') {
      if (
        input.length > maxBytes ||
        (input.length * 3 > maxBytes && utf8Length(input) > maxBytes)
      ) {
        throw tooLarge(maxBytes);
      }
      text = input;
    } else {
      if (input.byteLength > maxBytes) throw tooLarge(maxBytes);
      try {
        decoder ??= new TextDecoder('utf-8', { fatal: true });
        text = decoder.decode(input);
      } catch (cause) {
        throw new InvalidJsonError({ reason: 'encoding' }, { cause });
      }
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      // The engine's message quotes the input: it is dropped on purpose, never the cause.
      throw new InvalidJsonError({ reason: 'syntax' });
    }
    if (typeof value === 'object' && value !== null) {
      inspect(value, maxDepth, maxKeys, SUSPICIOUS.test(text), remove);
    }
    return value;
  };
}

const defaultParser = /* @__PURE__ */ createJsonParser();

/**
 * Parses untrusted JSON: bounded in size, depth and keys, and never yielding a document that
 * could poison a prototype.
 *
 * @remarks
 * `JSON.parse` turns `{"__proto__": {...}}` into an object with an *own* `__proto__` key; the
 * object is harmless until code copies it with `Object.assign`, a spread into a class or a
 * deep merge, which then swaps the copy's prototype for the attacker's object. This parser
 * rejects such keys (or removes them, with `forbiddenKeys: 'remove'`), wherever they are
 * nested and however they are escaped. For a hot path, make the parser once with
 * {@link createJsonParser}.
 * @param text - The document, as a string or as UTF-8 bytes (a `Uint8Array` or `Buffer`).
 * @param limits - Limits and the forbidden-key policy; see {@link JsonLimits}.
 * @returns The parsed value.
 * @throws `PayloadTooLargeError` (413) over `maxBytes`; {@link InvalidJsonError} (400) for a
 * syntax error or bytes that are not UTF-8; {@link JsonLimitError} (400) over `maxDepth` or
 * `maxKeys`; {@link ForbiddenJsonKeyError} (400) for a `__proto__` or `constructor.prototype`
 * key; `ConfigurationError` for bad limits.
 * @example
 * ```ts
 * parseJson('{"email":"ada@example.com"}'); // { email: 'ada@example.com' }
 * parseJson('{"__proto__":{"isAdmin":true}}'); // throws ForbiddenJsonKeyError (400)
 * ```
 */
export function parseJson(text: string | Uint8Array, limits?: JsonLimits): unknown {
  return limits === undefined ? defaultParser(text) : createJsonParser(limits)(text);
}

/** The 413 for a body over `maxBytes`, the same from the parser and the body reader. */
export function tooLarge(maxBytes: number): Error {
  return new PayloadTooLargeError(`The JSON document is over ${maxBytes} bytes`, {
    details: { limitBytes: maxBytes },
  });
}

/** The UTF-8 length of a string, without allocating. Lone surrogates count as 3 bytes. */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) bytes += 1;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      // A surrogate pair: two code units, four bytes.
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 2;
        i++;
      } else bytes += 2;
    } else bytes += 2;
  }
  return bytes;
}

/**
 * Walks a parsed document once: depth, key count and, when `checkKeys`, forbidden keys.
 * Throws the typed error for the first problem found. Recursion is bounded by `maxDepth`
 * (checked before descending); past {@link RECURSION_LIMIT} an explicit stack takes over.
 */
export function inspect(
  root: object,
  maxDepth: number,
  maxKeys: number,
  checkKeys: boolean,
  remove: boolean,
): void {
  const state = { keys: 0 };
  const fail = (parent: object, key: string): never => {
    const name = key === '__proto__' ? '__proto__' : 'constructor.prototype';
    throw new ForbiddenJsonKeyError({ key: name, pointer: pointerTo(root, parent, key, maxDepth) });
  };
  const visit = (value: object, depth: number): void => {
    if (depth > maxDepth) throw new JsonLimitError({ limit: 'depth', max: maxDepth });
    if (Array.isArray(value)) {
      for (const item of value as unknown[]) {
        if (typeof item === 'object' && item !== null) visit(item, depth + 1);
      }
      return;
    }
    const record = value as Record<string, unknown>;
    for (const key in record) {
      if (++state.keys > maxKeys) throw new JsonLimitError({ limit: 'keys', max: maxKeys });
      const child = record[key];
      if (checkKeys && forbidden(key, child)) {
        if (!remove) fail(record, key);
        // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- that is the point
        delete record[key];
        continue;
      }
      if (typeof child === 'object' && child !== null) visit(child, depth + 1);
    }
  };
  if (maxDepth <= RECURSION_LIMIT) {
    visit(root, 1);
    return;
  }
  const values: object[] = [root];
  const depths: number[] = [1];
  while (values.length > 0) {
    const value = values.pop() as Record<string, unknown>;
    const depth = depths.pop() as number;
    if (depth > maxDepth) throw new JsonLimitError({ limit: 'depth', max: maxDepth });
    const isArray = Array.isArray(value);
    for (const key in value) {
      const child = value[key];
      if (!isArray) {
        if (++state.keys > maxKeys) throw new JsonLimitError({ limit: 'keys', max: maxKeys });
        if (checkKeys && forbidden(key, child)) {
          if (!remove) fail(value, key);
          // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- as above
          delete value[key];
          continue;
        }
      }
      if (typeof child === 'object' && child !== null) {
        values.push(child);
        depths.push(depth + 1);
      }
    }
  }
}

/** The deepest `maxDepth` walked by recursion; deeper limits use an explicit stack. */
const RECURSION_LIMIT = 1_000;

function forbidden(key: string, child: unknown): boolean {
  if (key === '__proto__') return true;
  return (
    key === 'constructor' &&
    typeof child === 'object' &&
    child !== null &&
    Object.prototype.hasOwnProperty.call(child, 'prototype')
  );
}

/** The JSON Pointer of `key` in `parent`, searched from the root (only ever on the error path). */
function pointerTo(root: object, parent: object, key: string, maxDepth: number): string {
  const path: (string | number)[] = [];
  // The parent passed the depth check, so a search as deep as maxDepth finds it, and the
  // recursion stays bounded even where the rest of the document is deeper.
  const search = (node: unknown): boolean => {
    if (node === parent) return true;
    if (typeof node !== 'object' || node === null || path.length >= maxDepth) return false;
    for (const [name, child] of Object.entries(node)) {
      path.push(Array.isArray(node) ? Number(name) : name);
      if (search(child)) return true;
      path.pop();
    }
    return false;
  };
  search(root);
  return toJsonPointer([...path, key]);
}
