/**
 * Schemas for query-string values, which always arrive as strings: booleans where "false" is
 * false (zod's `coerce.boolean` makes every non-empty string true), numbers where "" is an
 * error (`coerce.number` makes it 0), and lists that repeated keys fill.
 */
import * as z from 'zod';

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

/**
 * A query flag: `true`, `1`, `yes`, `on`, `y` and `enabled` read as true, `false`, `0`, `no`,
 * `off`, `n` and `disabled` as false (any case); anything else fails. zod's `stringbool`.
 *
 * @returns A schema from string to boolean.
 * @example
 * ```ts
 * const query = z.object({ dryRun: queryBoolean().default(false) });
 * parseRequest({ query }, { query: 'dryRun=false' }).query.dryRun; // false
 * ```
 */
export function queryBoolean(): z.ZodCodec<z.ZodString, z.ZodBoolean> {
  return z.stringbool();
}

/**
 * A query number: a decimal string (no empty string, no `0x`, no `Infinity`) piped into
 * `schema` for range checks.
 *
 * @param schema - The number schema the value must then pass.
 * @defaultValue `schema`: `z.number()`
 * @returns A schema from string to number; OpenAPI shows a string with a pattern.
 * @example
 * ```ts
 * const query = z.object({ price: queryNumber(z.number().positive()).optional() });
 * ```
 */
export function queryNumber<T extends z.core.$ZodType<unknown, number> = z.ZodNumber>(
  schema?: T,
): z.ZodPipe<z.ZodPipe<z.ZodString, z.ZodTransform<number, string>>, T> {
  return z
    .string()
    .regex(NUMBER, 'Expected a number')
    .transform(Number)
    .pipe(schema ?? z.number()) as z.ZodPipe<
    z.ZodPipe<z.ZodString, z.ZodTransform<number, string>>,
    T
  >;
}

/**
 * A query integer: an optionally signed run of digits, piped into `schema` for range checks.
 *
 * @param schema - The integer schema the value must then pass.
 * @defaultValue `schema`: `z.int()`
 * @returns A schema from string to number.
 * @example
 * ```ts
 * const query = z.object({ page: queryInteger(z.int().min(1)).default(1) });
 * ```
 */
export function queryInteger<T extends z.core.$ZodType<unknown, number> = z.ZodNumber>(
  schema?: T,
): z.ZodPipe<z.ZodPipe<z.ZodString, z.ZodTransform<number, string>>, T> {
  return z
    .string()
    .regex(INTEGER, 'Expected an integer')
    .transform(Number)
    .pipe(schema ?? z.int()) as z.ZodPipe<
    z.ZodPipe<z.ZodString, z.ZodTransform<number, string>>,
    T
  >;
}

/**
 * A query list: `?tag=a&tag=b` gives `['a', 'b']`, and a single `?tag=a` gives `['a']`.
 * Repeated keys become arrays only where the schema is an array like this one.
 *
 * @param item - The schema of each value.
 * @param max - The most values.
 * @defaultValue `item`: `z.string()`; `max`: `100`
 * @returns An array schema.
 * @example
 * ```ts
 * const query = z.object({ tag: queryList(z.string().max(30), 10).default([]) });
 * ```
 */
export function queryList<T extends z.core.$ZodType = z.ZodString>(
  item?: T,
  max = 100,
): z.ZodArray<T> {
  return z.array(item ?? (z.string() as unknown as T)).max(max);
}
