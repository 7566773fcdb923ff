/* eslint-disable @typescript-eslint/no-explicit-any -- these tests walk the generated document */
import { ConfigurationError, ValidationError } from '@arm/errors';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { createOpenApiDocument, createRouteRegistry, toOpenApiPath, toRouterPath } from './openapi';
import { queryBoolean, queryInteger, queryList } from './query';

const User = z
  .object({ id: z.uuid(), email: z.email(), createdAt: z.iso.datetime() })
  .meta({ id: 'User', description: 'A user' });

function usersApi() {
  const api = createRouteRegistry();
  const list = api.route({
    method: 'GET',
    path: '/users',
    operationId: 'listUsers',
    summary: 'List users',
    tags: ['users'],
    request: {
      query: z.object({
        page: queryInteger(z.int().min(1)).default(1),
        active: queryBoolean().optional().meta({ description: 'Only active users' }),
        tag: queryList().optional(),
      }),
      headers: z.object({ 'x-api-version': z.enum(['1', '2']).optional() }),
    },
    responses: { 200: { description: 'A page of users', body: z.array(User) } },
  });
  const get = api.route({
    method: 'get',
    path: '/users/:id',
    request: { params: z.object({ id: z.uuid() }) },
    responses: {
      200: { description: 'The user', body: User },
      404: { description: 'No such user' },
    },
  });
  const create = api.route({
    method: 'post',
    path: '/users',
    description: 'Creates a user.',
    deprecated: true,
    security: [{ apiKey: [] }],
    request: {
      body: z.object({ email: z.email(), name: z.string().max(100), manager: User.optional() }),
    },
    responses: { 201: { description: 'Created', body: User } },
  });
  const health = api.route({
    method: 'get',
    path: '/orgs/{org}/health',
    responses: {
      200: {
        description: 'OK',
        body: z.object({ ok: z.boolean() }),
        contentType: 'application/health+json',
      },
    },
  });
  return { api, list, get, create, health };
}

describe('createRouteRegistry', () => {
  it('parses each route with its own schemas', () => {
    const { get, list, create } = usersApi();
    const id = '0b7d0b5e-1d8e-4c43-9d3a-8f6f3c1e2a10';
    expect(get.parse({ params: { id } }).params.id).toBe(id);
    expect(list.parse({ query: 'page=2&active=false' }).query).toEqual({ page: 2, active: false });
    expect(() => create.parse({ body: { email: 'x', name: 'n', role: 'admin' } })).toThrow(
      ValidationError,
    );
    expect(get.openApiPath).toBe('/users/{id}');
    expect(get.pathParams).toEqual(['id']);
  });

  it('rejects duplicate routes, bad methods and params that do not match the path', () => {
    const api = createRouteRegistry();
    api.route({ method: 'get', path: '/a/:id', responses: {} });
    expect(() => api.route({ method: 'get', path: '/a/{other}', responses: {} })).toThrow(
      ConfigurationError,
    );
    expect(() => api.route({ method: 'fetch' as 'get', path: '/b', responses: {} })).toThrow(
      'option "method" must be one of get, put, post, delete, options, head, patch, got "fetch"',
    );
    expect(() => api.route({ method: 'get', path: 'b', responses: {} })).toThrow(
      ConfigurationError,
    );
    expect(() =>
      api.route({
        method: 'get',
        path: '/c/:id',
        request: { params: z.object({ slug: z.string() }) },
        responses: {},
      }),
    ).toThrow('option "request.params of /c/:id" must be an object with exactly the keys [id]');
    expect(() =>
      api.route({ method: 'get', path: '/d/:id', request: { params: z.string() }, responses: {} }),
    ).toThrow('option "request.params" must be an object schema, got "string"');
  });

  it('converts between router and OpenAPI paths', () => {
    expect(toOpenApiPath('/a/:id/b/:b_2')).toBe('/a/{id}/b/{b_2}');
    expect(toRouterPath('/a/{id}/b/{b_2}')).toBe('/a/:id/b/:b_2');
  });
});

describe('createOpenApiDocument', () => {
  it('produces a valid OpenAPI 3.1 document from the same schemas', async () => {
    const { api } = usersApi();
    const document = createOpenApiDocument(api, {
      info: { title: 'Users', version: '1.0.0', description: 'People' },
      servers: [{ url: 'http://127.0.0.1:3000' }],
      securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' } },
      security: [],
    });
    const result = await new Validator().validate(structuredClone(document) as never);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);

    expect(document.openapi).toBe('3.1.1');
    const list = document.paths['/users']?.get as Record<string, any>;
    expect(list.operationId).toBe('listUsers');
    expect(list.parameters).toEqual([
      {
        name: 'page',
        in: 'query',
        required: false,
        schema: { type: 'string', pattern: '^[+-]?\\d+$' },
      },
      {
        name: 'active',
        in: 'query',
        required: false,
        description: 'Only active users',
        schema: { type: 'string', description: 'Only active users' },
      },
      {
        name: 'tag',
        in: 'query',
        required: false,
        schema: { type: 'array', items: { type: 'string' }, maxItems: 100 },
      },
      {
        name: 'x-api-version',
        in: 'header',
        required: false,
        schema: { type: 'string', enum: ['1', '2'] },
      },
    ]);
    expect(list.responses['200'].content['application/json'].schema).toEqual({
      type: 'array',
      items: { $ref: '#/components/schemas/User' },
    });
    expect(list.responses['400'].content['application/problem+json'].schema).toEqual({
      $ref: '#/components/schemas/Problem',
    });
    const get = document.paths['/users/{id}']?.get as Record<string, any>;
    expect(get.parameters[0]).toMatchObject({ name: 'id', in: 'path', required: true });
    const create = document.paths['/users']?.post as Record<string, any>;
    expect(create.requestBody.required).toBe(true);
    expect(create.deprecated).toBe(true);
    expect(create.security).toEqual([{ apiKey: [] }]);
    // Bodies are strict at runtime, and the document says so.
    expect(create.requestBody.content['application/json'].schema.additionalProperties).toBe(false);
    const health = document.paths['/orgs/{org}/health']?.get as Record<string, any>;
    expect(health.parameters).toEqual([
      { name: 'org', in: 'path', required: true, schema: { type: 'string' } },
    ]);
    expect(health.responses['400']).toBeUndefined();
    expect(document.components.schemas.User).toMatchObject({
      type: 'object',
      description: 'A user',
    });
    expect(document.components.schemas.Problem).toBeDefined();
  });

  it('names input and output forms apart when they differ', async () => {
    const Money = z
      .object({ cents: z.string().transform(Number).pipe(z.int()) })
      .meta({ id: 'Money' });
    const api = createRouteRegistry();
    api.route({
      method: 'post',
      path: '/pay',
      request: { body: z.object({ amount: Money }) },
      responses: { 200: { description: 'Paid', body: z.object({ amount: Money }) } },
    });
    const document = createOpenApiDocument(api.routes, {
      info: { title: 'Pay', version: '1' },
      problemResponses: false,
    });
    expect(Object.keys(document.components.schemas).sort()).toEqual(['Money', 'MoneyOutput']);
    const post = document.paths['/pay']?.post as Record<string, any>;
    expect(post.responses['200'].content['application/json'].schema.properties.amount).toEqual({
      $ref: '#/components/schemas/MoneyOutput',
    });
    expect(post.responses['400']).toBeUndefined();
    expect((await new Validator().validate(structuredClone(document) as never)).valid).toBe(true);
  });

  it('handles recursive schemas and rejects duplicate operation ids', async () => {
    interface Node {
      name: string;
      children: Node[];
    }
    const Tree: z.ZodType<Node> = z.object({
      name: z.string(),
      get children() {
        return z.array(Tree);
      },
    });
    const api = createRouteRegistry();
    api.route({
      method: 'get',
      path: '/a',
      operationId: 'x',
      responses: { 200: { description: 'A', body: Tree } },
    });
    api.route({ method: 'get', path: '/b', operationId: 'x', responses: {} });
    expect(() => createOpenApiDocument(api, { info: { title: 'T', version: '1' } })).toThrow(
      'option "operationId" must be unique, got "x"',
    );
    const one = createOpenApiDocument(api.routes.slice(0, 1), {
      info: { title: 'T', version: '1' },
    });
    const schema = (one.paths['/a']?.get as Record<string, any>).responses['200'].content[
      'application/json'
    ].schema;
    expect(schema).toEqual({ $ref: '#/components/schemas/Schema1' });
    expect(JSON.stringify(one.components.schemas.Schema1)).toContain(
      '"items":{"$ref":"#/components/schemas/Schema1"}',
    );
    expect((await new Validator().validate(structuredClone(one) as never)).valid).toBe(true);
    expect(() =>
      createOpenApiDocument(
        [
          createRouteRegistry().route({
            method: 'get',
            path: '/q',
            request: { query: z.string() },
            responses: {},
          }),
        ],
        { info: { title: 'T', version: '1' } },
      ),
    ).toThrow('option "request.query of /q" must be an object schema, got "string"');
  });
});
