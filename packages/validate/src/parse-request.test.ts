import { ConfigurationError, toHttpResponse, ValidationError } from '@arm/errors';
import { describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { createRequestParser, parseRequest, strictify } from './parse-request';
import { queryBoolean, queryInteger, queryList } from './query';

function issuesOf(run: () => unknown): { detail: string; pointer: string }[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return [...(error as ValidationError).issues];
  }
  throw new Error('expected a ValidationError');
}

const user = {
  params: z.object({ id: z.string().regex(/^\d+$/) }),
  body: z.object({ email: z.email(), name: z.string().min(1).max(20) }),
  query: z.object({ dryRun: queryBoolean().default(false), tag: queryList().optional() }),
  headers: z.object({ 'x-api-version': z.enum(['1', '2']) }),
};

describe('parseRequest', () => {
  it('answers the typed parts', () => {
    const parsed = parseRequest(user, {
      params: { id: '42' },
      body: { email: 'ada@example.com', name: 'Ada' },
      query: '?dryRun=false&tag=a&tag=b',
      headers: { 'X-API-Version': '2', 'user-agent': 'test' },
    });
    expect(parsed).toEqual({
      params: { id: '42' },
      body: { email: 'ada@example.com', name: 'Ada' },
      query: { dryRun: false, tag: ['a', 'b'] },
      headers: { 'x-api-version': '2' },
    });
  });

  it('lists every failing field by pointer, without echoing values', () => {
    const secret = 'hunter2-not-an-email';
    let error: unknown;
    try {
      parseRequest(user, {
        params: { id: 'abc' },
        body: { email: secret, name: '' },
        query: 'dryRun=maybe',
        headers: {},
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const { issues, status, message } = error as ValidationError;
    expect(status).toBe(400);
    expect(message).toBe('5 field(s) failed validation');
    expect(issues.map((issue) => issue.pointer)).toEqual([
      '#/body/email',
      '#/body/name',
      '#/query/dryRun',
      '#/params/id',
      '#/headers/x-api-version',
    ]);
    const { body } = toHttpResponse(error);
    expect(JSON.stringify(body)).not.toContain(secret);
    expect(JSON.stringify(body)).not.toContain('maybe');
  });

  it('rejects undeclared fields (mass assignment) unless told to strip them', () => {
    const input = { body: { email: 'ada@example.com', name: 'Ada', isAdmin: true } };
    expect(issuesOf(() => parseRequest({ body: user.body }, input))).toEqual([
      { detail: 'Unknown field', pointer: '#/body/isAdmin' },
    ]);
    const stripped = parseRequest({ body: user.body }, input, { unknownKeys: 'strip' });
    expect(stripped.body).toEqual({ email: 'ada@example.com', name: 'Ada' });
    const loose = parseRequest(
      { body: z.looseObject({ a: z.string() }) },
      { body: { a: 'x', b: 1 } },
    );
    expect(loose.body).toEqual({ a: 'x', b: 1 });
  });

  it('leaves non-object and already strict schemas alone', () => {
    const strict = z.strictObject({ a: z.string() });
    expect(strictify(strict)).toBe(strict);
    const array = z.array(z.string());
    expect(strictify(array)).toBe(array);
    expect(parseRequest({ body: array }, { body: ['a'] }).body).toEqual(['a']);
  });

  it('reads "false" as false and rejects what is not a flag', () => {
    const schemas = { query: z.object({ on: queryBoolean() }) };
    for (const [raw, value] of [
      ['false', false],
      ['0', false],
      ['no', false],
      ['true', true],
      ['1', true],
      ['YES', true],
    ] as const) {
      expect(parseRequest(schemas, { query: { on: raw } }).query.on).toBe(value);
    }
    expect(issuesOf(() => parseRequest(schemas, { query: { on: '' } }))[0]?.pointer).toBe(
      '#/query/on',
    );
  });

  it('rejects a repeated scalar query key, or keeps the first or last when told', () => {
    const schemas = { query: z.object({ page: queryInteger() }) };
    expect(issuesOf(() => parseRequest(schemas, { query: 'page=1&page=2' }))).toEqual([
      { detail: 'Repeated parameter: send it once', pointer: '#/query/page' },
    ]);
    expect(
      parseRequest(schemas, { query: 'page=1&page=2' }, { repeatedQueryKeys: 'first' }).query,
    ).toEqual({ page: 1 });
    expect(
      parseRequest(schemas, { query: { page: ['1', '2'] } }, { repeatedQueryKeys: 'last' }).query,
    ).toEqual({ page: 2 });
  });

  it('turns a single value into a one-item list where the schema wants a list', () => {
    const schemas = { query: z.object({ tag: queryList().default([]) }) };
    expect(parseRequest(schemas, { query: new URLSearchParams('tag=a') }).query.tag).toEqual(['a']);
    expect(parseRequest(schemas, { query: '' }).query.tag).toEqual([]);
    expect(parseRequest(schemas, {}).query.tag).toEqual([]);
  });

  it('treats a __proto__ query key as a plain, unknown key', () => {
    const schemas = { query: z.object({ a: z.string().optional() }) };
    expect(issuesOf(() => parseRequest(schemas, { query: '__proto__=x&a=1' }))).toEqual([
      { detail: 'Unknown field', pointer: '#/query/__proto__' },
    ]);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('bounds the query string and the number of query keys', () => {
    const schemas = { query: z.looseObject({}) };
    expect(
      issuesOf(() =>
        parseRequest(schemas, { query: 'a=' + 'x'.repeat(100) }, { maxQueryLength: 50 }),
      ),
    ).toEqual([{ detail: 'The query string is over 50 characters', pointer: '#/query' }]);
    const many = Array.from({ length: 11 }, (_, i) => `k${i}=1`).join('&');
    expect(issuesOf(() => parseRequest(schemas, { query: many }, { maxQueryKeys: 10 }))).toEqual([
      { detail: 'Too many query parameters: at most 10', pointer: '#/query' },
    ]);
  });

  it('bounds the depth and keys of an already-parsed body and rejects poisoned keys', () => {
    const schemas = { body: z.unknown() };
    const deep = JSON.parse('{"a":'.repeat(40) + '1' + '}'.repeat(40)) as unknown;
    expect(issuesOf(() => parseRequest(schemas, { body: deep }))).toEqual([
      { detail: 'The JSON document is over its depth limit of 32', pointer: '#/body' },
    ]);
    expect(
      issuesOf(() => parseRequest(schemas, { body: { a: 1, b: 2 } }, { maxBodyKeys: 1 })),
    ).toHaveLength(1);
    const poisoned = JSON.parse('{"__proto__":{"isAdmin":true}}') as unknown;
    expect(issuesOf(() => parseRequest(schemas, { body: poisoned }))[0]?.detail).toContain(
      '__proto__',
    );
  });

  it('accepts web Headers and joins repeated Node headers', () => {
    const schemas = { headers: z.object({ accept: z.string(), 'x-n': z.string() }) };
    const headers = new Headers({ Accept: 'text/html', 'X-N': '1' });
    expect(parseRequest(schemas, { headers }).headers).toEqual({ accept: 'text/html', 'x-n': '1' });
    expect(
      parseRequest(schemas, { headers: { accept: ['a', 'b'], 'x-n': 7, skipped: undefined } })
        .headers,
    ).toEqual({ accept: 'a, b', 'x-n': '7' });
    expect(issuesOf(() => parseRequest(schemas, {}))).toHaveLength(2);
  });

  it('caps the issues it lists and can answer 422', () => {
    const schemas = { body: z.object({ a: z.string(), b: z.string(), c: z.string() }) };
    let error: ValidationError | undefined;
    try {
      parseRequest(schemas, { body: {} }, { maxIssues: 2, status: 422 });
    } catch (caught) {
      error = caught as ValidationError;
    }
    expect(error?.status).toBe(422);
    expect(error?.issues).toHaveLength(2);
    expect(error?.message).toBe('3 field(s) failed validation');
  });

  it('caches the compiled parser per schemas object', () => {
    const schemas = { body: z.object({ a: z.string() }) };
    expect(parseRequest(schemas, { body: { a: 'x' } })).toEqual(
      parseRequest(schemas, { body: { a: 'x' } }),
    );
  });

  it('reports injection signals without blocking, and blocks when told', () => {
    const onInjectionSignal = vi.fn<(event: unknown) => void>();
    const onValidationFailed = vi.fn();
    const schemas = { body: z.object({ name: z.string() }), query: z.object({ q: z.string() }) };
    const input = { body: { name: "x' OR '1'='1" }, query: 'q=../../etc/passwd' };
    const parse = createRequestParser(schemas, {
      route: 'POST /search',
      hooks: { onInjectionSignal, onValidationFailed },
    });
    expect(parse(input).body.name).toBe("x' OR '1'='1");
    expect(onInjectionSignal.mock.calls.map(([event]) => event)).toEqual([
      { kind: 'sql', rule: 'sql-tautology', pointer: '#/body/name', route: 'POST /search' },
      { kind: 'path-traversal', rule: 'path-dot-dot', pointer: '#/query/q', route: 'POST /search' },
      {
        kind: 'path-traversal',
        rule: 'path-sensitive-file',
        pointer: '#/query/q',
        route: 'POST /search',
      },
    ]);
    const blocking = createRequestParser(schemas, {
      injection: 'block',
      injectionKinds: ['sql'],
      hooks: {
        onValidationFailed,
        onInjectionSignal: () => {
          throw new Error('hook failure');
        },
      },
    });
    expect(issuesOf(() => blocking(input))).toEqual([
      { detail: 'Rejected: looks like sql injection', pointer: '#/body/name' },
    ]);
    expect(onValidationFailed).toHaveBeenCalledTimes(1);
    const bodyOnly = createRequestParser({ body: schemas.body }, { hooks: { onInjectionSignal } });
    onInjectionSignal.mockClear();
    expect(bodyOnly({ body: { name: 'x' }, query: 'q=1&q=$(id)' }).query).toBeUndefined();
    expect(onInjectionSignal.mock.calls).toEqual([
      [{ kind: 'shell', rule: 'shell-substitution', pointer: '#/query/q/1', route: undefined }],
    ]);
    const off = vi.fn();
    createRequestParser(schemas, { injection: 'off', hooks: { onInjectionSignal: off } })(input);
    expect(off).not.toHaveBeenCalled();
  });

  it('checks its options and schemas at construction', () => {
    expect(() => createRequestParser({}, { status: 500 as 400 })).toThrow(
      'option "status" must be 400 or 422, got 500',
    );
    expect(() => createRequestParser({}, { unknownKeys: 'allow' as 'strip' })).toThrow(
      ConfigurationError,
    );
    expect(() => createRequestParser({ body: { parse: () => 1 } as never })).toThrow(
      'option "schemas.body" must be a zod 4 schema, got "object"',
    );
    expect(() => createRequestParser(null as never)).toThrow(ConfigurationError);
  });
});
