import { isAppError } from '@arm/errors';
import { describe, expect, it } from 'vitest';
import { createJsonBodyReader } from './json-body';

async function* chunks(...parts: (string | Uint8Array)[]): AsyncGenerator<string | Uint8Array> {
  for (const part of parts) yield await Promise.resolve(part);
}

const JSON_TYPE = 'application/json; charset=utf-8';

async function failure(promise: Promise<unknown>): Promise<{ status: number; code: string }> {
  try {
    await promise;
  } catch (error) {
    if (isAppError(error)) return { status: error.status, code: error.code };
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('createJsonBodyReader', () => {
  const read = createJsonBodyReader({ maxBytes: 32 });

  it('parses a body that arrives in several chunks, strings or bytes', async () => {
    const bytes = new TextEncoder().encode('"Ada"}');
    expect(
      await read({
        body: chunks('{"name":', bytes),
        contentType: JSON_TYPE,
        transferEncoding: 'chunked',
      }),
    ).toEqual({
      name: 'Ada',
    });
    expect(
      await read({
        body: chunks('[1,2]'),
        contentType: 'application/merge-patch+json',
        transferEncoding: 'chunked',
      }),
    ).toEqual([1, 2]);
  });

  it('does not read a request that declares no body (no Content-Length, no Transfer-Encoding)', async () => {
    let pulled = false;
    async function* body(): AsyncGenerator<string> {
      pulled = true;
      yield await Promise.resolve('{}');
    }
    expect(await read({ body: body(), contentType: 'text/plain' })).toBeUndefined();
    expect(pulled).toBe(false);
  });

  it('answers undefined for an empty body, whatever its media type', async () => {
    expect(
      await read({ body: chunks(), contentType: undefined, transferEncoding: 'chunked' }),
    ).toBeUndefined();
    expect(
      await read({ body: chunks(''), contentType: 'text/plain', transferEncoding: 'chunked' }),
    ).toBeUndefined();
    expect(
      await read({ body: chunks('{}'), contentType: JSON_TYPE, contentLength: 0 }),
    ).toBeUndefined();
  });

  it('refuses a non-JSON body with 415', async () => {
    expect(
      await failure(
        read({
          body: chunks('a=1'),
          contentType: 'application/x-www-form-urlencoded',
          transferEncoding: 'chunked',
        }),
      ),
    ).toEqual({
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    });
    expect(
      await failure(read({ body: chunks('{}'), contentType: undefined, contentLength: 2 })),
    ).toMatchObject({
      status: 415,
    });
  });

  it('refuses a declared or streamed body over the limit with 413, before reading it all', async () => {
    let pulled = 0;
    async function* endless(): AsyncGenerator<string> {
      for (;;) {
        pulled++;
        yield await Promise.resolve('[1,1,1,1,1,1,1,1,1,1]');
      }
    }
    expect(
      await failure(read({ body: endless(), contentType: JSON_TYPE, transferEncoding: 'chunked' })),
    ).toEqual({
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
    });
    expect(pulled).toBe(2);
    expect(
      await failure(read({ body: endless(), contentType: JSON_TYPE, contentLength: '33' })),
    ).toMatchObject({
      status: 413,
    });
    expect(pulled).toBe(2);
  });

  it('passes the parser errors on: syntax, prototype keys, depth', async () => {
    expect(
      await failure(read({ body: chunks('{"a":'), contentType: JSON_TYPE, contentLength: 5 })),
    ).toMatchObject({
      status: 400,
    });
    expect(
      await failure(
        read({ body: chunks('{"__proto__":{"x":1}}'), contentType: JSON_TYPE, contentLength: 21 }),
      ),
    ).toMatchObject({
      status: 400,
    });
    const shallow = createJsonBodyReader({ maxDepth: 2 });
    expect(
      await failure(
        shallow({ body: chunks('[[[1]]]'), contentType: JSON_TYPE, transferEncoding: 'chunked' }),
      ),
    ).toMatchObject({ status: 400 });
  });
});
