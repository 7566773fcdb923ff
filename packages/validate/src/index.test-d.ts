import { expectTypeOf, it } from 'vitest';
import * as z from 'zod';
import {
  createRouteRegistry,
  parseJson,
  parseRequest,
  queryBoolean,
  queryInteger,
  queryList,
} from './index';
import type { InvalidJsonError, ParsedRequest } from './index';
import { richText } from './sanitize/index';

it('types each parsed part from its schema', () => {
  const schemas = {
    body: z.object({ email: z.email(), bio: richText().optional() }),
    query: z.object({ dryRun: queryBoolean(), page: queryInteger(), tag: queryList() }),
  };
  const parsed = parseRequest(schemas, {});
  expectTypeOf(parsed.body).toEqualTypeOf<{ email: string; bio?: string | undefined }>();
  expectTypeOf(parsed.query).toEqualTypeOf<{ dryRun: boolean; page: number; tag: string[] }>();
  expectTypeOf(parsed.params).toEqualTypeOf<undefined>();
  expectTypeOf(parsed.headers).toEqualTypeOf<undefined>();
  expectTypeOf<
    ParsedRequest<{ params: z.ZodObject<{ id: z.ZodString }> }>['params']
  >().toEqualTypeOf<{
    id: string;
  }>();
});

it('types route parsers and JSON', () => {
  const route = createRouteRegistry().route({
    method: 'get',
    path: '/a/:id',
    request: { params: z.object({ id: z.string() }) },
    responses: {},
  });
  expectTypeOf(route.parse({}).params).toEqualTypeOf<{ id: string }>();
  expectTypeOf(parseJson('1')).toEqualTypeOf<unknown>();
  expectTypeOf<InvalidJsonError['code']>().toEqualTypeOf<'INVALID_JSON'>();
});
