import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DatabaseError } from '@arm/errors';
import { DEFAULT_REDACT_KEYS, createLogger, requestIdFrom, requestLogger } from './logger';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n'))
        if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, destination };
}

describe('createLogger', () => {
  it('redacts secrets at the top level and nested, by default', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ name: 'orders', destination });
    logger.info(
      {
        password: 'hunter2',
        req: {
          headers: {
            authorization: 'Bearer abc',
            cookie: 'sid=1',
            'x-api-key': 'k',
            accept: 'json',
          },
        },
        res: { headers: { 'set-cookie': ['sid=2'] } },
        user: { profile: { credentials: { token: 't', apiKey: 'a' } } },
        body: { refresh_token: 'r', client_secret: 's', name: 'Ada' },
      },
      'called',
    );
    const [line] = lines;
    expect(line).toMatchObject({
      name: 'orders',
      msg: 'called',
      password: '[Redacted]',
      req: {
        headers: {
          authorization: '[Redacted]',
          cookie: '[Redacted]',
          'x-api-key': '[Redacted]',
          accept: 'json',
        },
      },
      res: { headers: { 'set-cookie': '[Redacted]' } },
      user: { profile: { credentials: { token: '[Redacted]', apiKey: '[Redacted]' } } },
      body: { refresh_token: '[Redacted]', client_secret: '[Redacted]', name: 'Ada' },
    });
    expect(JSON.stringify(lines)).not.toMatch(/hunter2|Bearer abc|sid=|"t"|"k"/);
    expect(typeof line?.time).toBe('string');
    expect(DEFAULT_REDACT_KEYS).toContain('authorization');
  });

  it('redacts whole values of any shape at any depth, and nothing inside strings', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ destination });
    logger.info(
      {
        a: { b: { c: { d: { e: { Authorization: 'Bearer deep' } } } } },
        token: { nested: { value: 'x', list: [1, '}', { t: ']' }] } },
        apiKey: ['k1', 'k2'],
        session_id: 42,
        note: 'the text "token":"visible" stays, as does ,"password":"in a string"',
        path: 'C:\\',
        password: null,
      },
      'msg with "secret":"words"',
    );
    expect(lines[0]).toMatchObject({
      a: { b: { c: { d: { e: { Authorization: '[Redacted]' } } } } },
      token: '[Redacted]',
      apiKey: '[Redacted]',
      session_id: '[Redacted]',
      note: 'the text "token":"visible" stays, as does ,"password":"in a string"',
      path: 'C:\\',
      password: '[Redacted]',
      msg: 'msg with "secret":"words"',
    });
  });

  it('serialises err with its cause chain, and takes more paths, a censor or no defaults', () => {
    const { lines, destination } = capture();
    const logger = createLogger({
      destination,
      redact: ['card.number'],
      censor: '***',
      level: 'debug',
      base: { service: 's' },
    });
    const error = new DatabaseError('insert failed', { cause: new Error('unique violation') });
    logger.debug({ err: error, card: { number: '4111' }, token: 'x' }, 'failed');
    expect(lines[0]).toMatchObject({
      service: 's',
      err: {
        name: 'DatabaseError',
        code: 'DATABASE',
        message: 'insert failed',
        cause: { message: 'unique violation' },
      },
      card: { number: '***' },
      token: '***',
    });
    const open = capture();
    createLogger({ destination: open.destination, dangerouslyDisableDefaultRedaction: true }).info({
      token: 'x',
    });
    expect(open.lines[0]?.token).toBe('x');
    expect(createLogger().level).toBe('info');
  });

  it('gives request loggers a request id from a safe header or a new UUID', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ destination });
    const log = requestLogger(logger, {
      requestId: requestIdFrom({ 'x-request-id': 'abc-123' }),
      route: '/a',
    });
    log.info({ headers: { authorization: 'x' } }, 'handled');
    expect(lines[0]).toMatchObject({
      requestId: 'abc-123',
      route: '/a',
      headers: { authorization: '[Redacted]' },
    });
    expect(requestIdFrom({ 'x-request-id': ['list-id'] })).toBe('list-id');
    expect(requestIdFrom({ 'x-request-id': '<script>' })).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdFrom({ 'x-request-id': 'x'.repeat(200) })).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdFrom()).toMatch(/^[0-9a-f-]{36}$/);
  });
});
