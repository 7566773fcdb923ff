import { ConfigurationError, isAppError, PayloadTooLargeError } from '@arm/errors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ForbiddenJsonKeyError, InvalidJsonError, JsonLimitError } from './errors';
import { createJsonParser, parseJson, utf8Length } from './parse-json';

function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

/** Every object and array in a value has the ordinary prototype. */
function prototypesAreOrdinary(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== Array.prototype) return false;
  return Object.values(value).every(prototypesAreOrdinary);
}

describe('parseJson', () => {
  it('parses ordinary documents like JSON.parse', () => {
    expect(parseJson('{"a":[1,{"b":null}],"c":"d"}')).toEqual({ a: [1, { b: null }], c: 'd' });
    expect(parseJson('"text"')).toBe('text');
    expect(parseJson('42')).toBe(42);
    expect(parseJson(new TextEncoder().encode('{"é":"ü"}'))).toEqual({ é: 'ü' });
  });

  it('rejects syntax errors without quoting the input', () => {
    const error = caught(() => parseJson('{"secret":"hunter2",}'));
    expect(InvalidJsonError.is(error)).toBe(true);
    expect((error as InvalidJsonError).status).toBe(400);
    expect((error as Error).message).toBe('The body is not valid JSON');
    expect((error as Error).message).not.toContain('hunter2');
    expect((error as Error).cause).toBeUndefined();
    expect(InvalidJsonError.is(caught(() => parseJson('')))).toBe(true);
  });

  it('rejects bytes that are not UTF-8', () => {
    const error = caught(() => parseJson(new Uint8Array([0x22, 0xff, 0x22])));
    expect(InvalidJsonError.is(error)).toBe(true);
    expect((error as InvalidJsonError).details).toEqual({ reason: 'encoding' });
  });

  it('answers 413 over maxBytes, counting UTF-8 bytes', () => {
    const error = caught(() => parseJson('"aaaaaaaaaa"', { maxBytes: 8 }));
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect((error as PayloadTooLargeError).status).toBe(413);
    // 4 characters, 9 bytes: the string length alone would let it through.
    expect(caught(() => parseJson('"€€€"', { maxBytes: 8 }))).toBeInstanceOf(PayloadTooLargeError);
    expect(parseJson('"é€"', { maxBytes: 8 })).toBe('é€');
    expect(caught(() => parseJson(new Uint8Array(9).fill(0x20), { maxBytes: 8 }))).toBeInstanceOf(
      PayloadTooLargeError,
    );
  });

  it('counts UTF-8 bytes exactly, surrogate pairs and lone surrogates included', () => {
    for (const text of ['a', 'é', '€', '😀', 'a😀é€', '\uD800', '\uDC00x', '\uD800\uD800']) {
      const expected = new TextEncoder().encode(text).length;
      expect(utf8Length(text)).toBe(expected);
    }
  });

  it('rejects documents nested deeper than maxDepth, without overflowing the stack', () => {
    expect(parseJson('[[1]]', { maxDepth: 2 })).toEqual([[1]]);
    const error = caught(() => parseJson('[[[1]]]', { maxDepth: 2 }));
    expect(JsonLimitError.is(error)).toBe(true);
    expect((error as JsonLimitError).details).toEqual({ limit: 'depth', max: 2 });
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    expect(JsonLimitError.is(caught(() => parseJson(deep)))).toBe(true);
    const deepObject = '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000);
    expect(JsonLimitError.is(caught(() => parseJson(deepObject)))).toBe(true);
  });

  it('rejects documents with more than maxKeys keys in all', () => {
    const keys = (n: number) =>
      `[${Array.from({ length: n }, (_, i) => `{"k${i}":${i}}`).join(',')}]`;
    expect(parseJson(keys(5), { maxKeys: 5 })).toHaveLength(5);
    const error = caught(() => parseJson(keys(6), { maxKeys: 5 }));
    expect((error as JsonLimitError).details).toEqual({ limit: 'keys', max: 5 });
  });

  it.each([
    ['{"__proto__":{"isAdmin":true}}', '__proto__', '#/__proto__'],
    ['{"a":[{"b":{"__proto__":{"x":1}}}]}', '__proto__', '#/a/0/b/__proto__'],
    ['{"\\u005f_proto__":{"x":1}}', '__proto__', '#/__proto__'],
    ['{"\\u005F\\u005Fproto\\u005f\\u005f":1}', '__proto__', '#/__proto__'],
    ['{"constructor":{"prototype":{"isAdmin":true}}}', 'constructor.prototype', '#/constructor'],
    ['[{"constructo\\u0072":{"prototype":{}}}]', 'constructor.prototype', '#/0/constructor'],
  ])('rejects %s', (text, key, pointer) => {
    const error = caught(() => parseJson(text));
    expect(ForbiddenJsonKeyError.is(error)).toBe(true);
    expect((error as ForbiddenJsonKeyError).status).toBe(400);
    expect((error as ForbiddenJsonKeyError).details).toEqual({ key, pointer });
  });

  it('allows a constructor key without a prototype, and prototype elsewhere', () => {
    expect(parseJson('{"constructor":"Ada","prototype":1}')).toEqual({
      constructor: 'Ada',
      prototype: 1,
    });
    expect(parseJson('{"constructor":{"name":"x"}}')).toEqual({ constructor: { name: 'x' } });
  });

  it("removes forbidden keys with forbiddenKeys: 'remove'", () => {
    const parsed = parseJson('{"a":1,"__proto__":{"x":1},"b":{"constructor":{"prototype":{}}}}', {
      forbiddenKeys: 'remove',
    }) as Record<string, unknown>;
    expect(parsed).toEqual({ a: 1, b: {} });
    expect(Object.hasOwn(parsed, '__proto__')).toBe(false);
    expect(Object.assign({}, parsed)).not.toHaveProperty('x');
  });

  it('stays within maxDepth when looking for the pointer in a deep document', () => {
    const text = `[{"__proto__":1},${'['.repeat(100_000)}${']'.repeat(100_000)}]`;
    expect(ForbiddenJsonKeyError.is(caught(() => parseJson(text, { maxDepth: 200_001 })))).toBe(
      true,
    );
  });

  it('checks its limits at construction', () => {
    expect(() => createJsonParser({ maxDepth: 0 })).toThrow(ConfigurationError);
    expect(() => createJsonParser({ maxBytes: 1.5 })).toThrow(
      '[@arm/validate] option "maxBytes" must be a positive integer, got 1.5',
    );
    expect(() => createJsonParser({ forbiddenKeys: 'ignore' as 'remove' })).toThrow(
      'option "forbiddenKeys" must be one of "reject", "remove", got "ignore"',
    );
  });
});

/** JSON's own characters plus the letters of the forbidden keys. */
const ALPHABET = [
  '{',
  '}',
  '[',
  ']',
  '"',
  ':',
  ',',
  '_',
  '\\',
  ' ',
  '0',
  '1',
  '2',
  '3',
  'p',
  'r',
  'o',
  't',
  'c',
  'n',
  's',
  'u',
  'a',
  'e',
  '-',
];

describe('parseJson properties', () => {
  it('round-trips any JSON value within the limits', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), (value) => {
        const text = JSON.stringify(value);
        fc.pre(!/__proto__|constructor/.test(text));
        expect(parseJson(text)).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it('never returns a document holding a prototype-poisoning key, wherever it is', () => {
    const poison = fc.constantFrom(
      '"__proto__":{"polluted":true}',
      '"\\u005f\\u005fproto\\u005f\\u005f":{"polluted":true}',
      '"constructor":{"prototype":{"polluted":true}}',
    );
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), poison, fc.nat(), (value, key, seed) => {
        // Stringify { v: value } with the key inserted into one of its objects.
        const countObjects = (node: unknown): number =>
          typeof node !== 'object' || node === null
            ? 0
            : (Array.isArray(node) ? 0 : 1) +
              Object.values(node).reduce<number>((n, v) => n + countObjects(v), 0);
        const target = seed % countObjects({ v: value });
        let index = 0;
        const render = (node: unknown): string => {
          if (Array.isArray(node)) return `[${node.map(render).join(',')}]`;
          if (typeof node !== 'object' || node === null) return JSON.stringify(node);
          const mine = index++ === target;
          const members = Object.entries(node).map(([k, v]) => `${JSON.stringify(k)}:${render(v)}`);
          return `{${(mine ? [key, ...members] : members).join(',')}}`;
        };
        const poisoned = render({ v: value });
        expect(poisoned).toContain(key);
        let result: unknown;
        try {
          result = parseJson(poisoned);
        } catch (error) {
          expect(ForbiddenJsonKeyError.is(error)).toBe(true);
          return;
        }
        throw new Error(`accepted ${JSON.stringify(result)}`);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws anything but a typed 4xx error, and never yields an odd prototype', () => {
    fc.assert(
      // Strings over JSON's own alphabet plus the letters of the forbidden keys.
      fc.property(fc.string({ unit: fc.constantFrom(...ALPHABET), maxLength: 64 }), (text) => {
        try {
          const value = parseJson(text, { forbiddenKeys: 'remove', maxDepth: 4 });
          expect(prototypesAreOrdinary(value)).toBe(true);
          expect(Object.getPrototypeOf(Object.assign({}, value))).toBe(Object.prototype);
        } catch (error) {
          expect(isAppError(error)).toBe(true);
          expect((error as { status: number }).status).toBeGreaterThanOrEqual(400);
          expect((error as { status: number }).status).toBeLessThan(500);
        }
      }),
      { numRuns: 500 },
    );
  });
});
