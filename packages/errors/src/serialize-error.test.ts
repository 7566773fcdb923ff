import { describe, expect, it } from 'vitest';
import { NotFoundError } from './errors';
import { serializeError } from './serialize-error';

describe('serializeError', () => {
  it('keeps name, message, stack, code, status, details and the whole cause chain', () => {
    const root = Object.assign(new Error('connect ECONNREFUSED'), {
      code: 'ECONNREFUSED',
      errno: -111,
      syscall: 'connect',
    });
    const error = new NotFoundError('No user', {
      details: { id: 7 },
      cause: new Error('lookup', { cause: root }),
    });
    const json = serializeError(error);
    expect(json).toMatchObject({
      name: 'NotFoundError',
      message: 'No user',
      code: 'NOT_FOUND',
      status: 404,
      retryable: false,
      details: { id: 7 },
      cause: {
        name: 'Error',
        message: 'lookup',
        cause: {
          message: 'connect ECONNREFUSED',
          code: 'ECONNREFUSED',
          errno: -111,
          syscall: 'connect',
        },
      },
    });
    expect(json.stack).toContain('NotFoundError: No user');
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });

  it('stops at cycles', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    Object.defineProperty(a, 'cause', { value: b });
    const json = serializeError(a);
    expect(json.cause?.cause).toEqual({ name: 'Truncated', message: '[circular]' });
  });

  it('stops at the depth limit', () => {
    let error = new Error('0');
    for (let i = 1; i < 50; i++) error = new Error(String(i), { cause: error });
    let json = serializeError(error, { maxDepth: 3 });
    let depth = 0;
    while (json.cause) {
      json = json.cause;
      depth++;
    }
    expect(depth).toBe(4);
    expect(json).toEqual({ name: 'Truncated', message: '[truncated]' });
  });

  it('serialises the errors of an AggregateError', () => {
    const json = serializeError(new AggregateError([new Error('one'), 'two'], 'both failed'));
    expect(json.errors).toEqual([
      expect.objectContaining({ message: 'one' }),
      { name: 'string', message: 'two' },
    ]);
  });

  it('repeats a shared cause instead of calling it a cycle', () => {
    const shared = new Error('shared');
    const json = serializeError(new AggregateError([shared, shared], 'x'));
    expect(json.errors?.map((item) => item.message)).toEqual(['shared', 'shared']);
  });

  it('describes thrown non-errors', () => {
    expect(serializeError('oops')).toEqual({ name: 'string', message: 'oops' });
    expect(serializeError(null)).toEqual({ name: 'object', message: 'null' });
    expect(serializeError({ reason: 'x' })).toEqual({
      name: 'Object',
      message: '{"reason":"x"}',
      reason: 'x',
    });
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(serializeError(circular).message).toBe('[object Object]');
  });
});
