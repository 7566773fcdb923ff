import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSerializer } from './serializer';

const { serialize, deserialize } = createSerializer();
const roundTrip = (value: unknown): unknown => deserialize(serialize(value))?.value;

/** Values of every supported type, nested in any combination. */
const value = fc.letrec((tie) => ({
  leaf: fc.oneof(
    fc.string(),
    fc.double(),
    fc.boolean(),
    fc.bigInt(),
    fc.constant(null),
    fc.constant(undefined),
    fc.date({ noInvalidDate: false }),
  ),
  node: fc.oneof(
    { depthSize: 'small' },
    tie('leaf'),
    fc.array(tie('node'), { maxLength: 4 }),
    fc.dictionary(fc.string(), tie('node'), { maxKeys: 4, noNullPrototype: true }),
    fc.array(fc.tuple(tie('leaf'), tie('node')), { maxLength: 3 }).map((pairs) => new Map(pairs)),
    fc.array(tie('leaf'), { maxLength: 4 }).map((items) => new Set(items)),
  ),
})).node;

describe('createSerializer', () => {
  it('round-trips every supported type, nested', () => {
    fc.assert(
      fc.property(value, (input) => {
        expect(roundTrip(input)).toStrictEqual(input);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps undefined apart from null, in objects and arrays', () => {
    const out = roundTrip({ a: undefined, b: null, list: [undefined, null] }) as Record<
      string,
      unknown
    >;
    expect(Object.keys(out)).toEqual(['a', 'b', 'list']);
    expect(out).toStrictEqual({ a: undefined, b: null, list: [undefined, null] });
    expect(roundTrip(undefined)).toBeUndefined();
    expect(deserialize(serialize(undefined))).toEqual({ value: undefined });
  });

  it('keeps special numbers', () => {
    expect(roundTrip([Number.NaN, Infinity, -Infinity, -0, 0])).toStrictEqual([
      Number.NaN,
      Infinity,
      -Infinity,
      -0,
      0,
    ]);
  });

  it('never turns a plain ISO string into a Date', () => {
    expect(roundTrip('2024-01-01T00:00:00.000Z')).toBe('2024-01-01T00:00:00.000Z');
    expect(roundTrip(new Date(0))).toEqual(new Date(0));
  });

  it('escapes plain objects that look like tags', () => {
    const tricky = { $t: 'D', v: 0 };
    expect(roundTrip(tricky)).toStrictEqual(tricky);
    expect(roundTrip({ nested: { $t: 'B' } })).toStrictEqual({ nested: { $t: 'B' } });
  });

  it('does not let "__proto__" change a prototype', () => {
    const out = roundTrip(JSON.parse('{"__proto__": {"polluted": true}}')) as object;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    expect(Object.keys(out)).toEqual(['__proto__']);
  });

  it('reads a payload of another version or format as a miss', () => {
    const v1 = createSerializer({ version: 'v1' });
    const v2 = createSerializer({ version: 'v2' });
    expect(v2.deserialize(v1.serialize({ a: 1 }))).toBeUndefined();
    expect(v1.deserialize(v1.serialize({ a: 1 }))).toEqual({ value: { a: 1 } });
    expect(deserialize('{"a":1}')).toBeUndefined();
    expect(deserialize('arm1:1:{not json')).toBeUndefined();
    expect(deserialize('arm1:1:{"$t":"Q"}')).toBeUndefined();
  });

  it('refuses functions and symbols', () => {
    expect(() => serialize(() => 1)).toThrow(TypeError);
    expect(() => serialize({ s: Symbol('x') })).toThrow('cannot serialize a symbol');
  });
});
