/**
 * `@arm/validate`: HTTP request validation on zod 4, prototype-safe JSON, text hygiene,
 * injection signals and OpenAPI 3.1 from the same schemas. Browser-safe; HTML sanitising is
 * in `@arm/validate/sanitize`.
 *
 * @packageDocumentation
 */
export { createRequestParser, parseRequest } from './parse-request';
export type {
  InjectionSignalEvent,
  ParsedRequest,
  ParseRequestHooks,
  ParseRequestOptions,
  RequestInput,
  RequestParser,
  RequestSchemas,
  Schema,
} from './parse-request';
export { createJsonParser, DEFAULT_JSON_LIMITS, parseJson } from './parse-json';
export type { JsonLimits, JsonParser } from './parse-json';
export { isJsonMediaType } from './media-type';
export { createJsonBodyReader } from './json-body';
export type { JsonBodyReader, JsonBodySource } from './json-body';
export {
  ForbiddenJsonKeyError,
  InvalidJsonError,
  JsonLimitError,
  VALIDATE_ERROR_CODES,
} from './errors';
export { queryBoolean, queryInteger, queryList, queryNumber } from './query';
export { normalizeText, plainText } from './text';
export type { TextOptions } from './text';
export {
  detectInjection,
  INJECTION_RULES,
  isNoSqlOperatorKey,
  scanForInjection,
} from './injection';
export type {
  DetectInjectionOptions,
  InjectionFinding,
  InjectionKind,
  InjectionRule,
  InjectionSignal,
} from './injection';
export { createOpenApiDocument, createRouteRegistry, toOpenApiPath, toRouterPath } from './openapi';
export type {
  HttpMethod,
  JsonSchema,
  OpenApiComponents,
  OpenApiDocument,
  OpenApiInfo,
  OpenApiOptions,
  OpenApiServer,
  ResponseSpec,
  Route,
  RouteRegistry,
  RouteRegistryOptions,
  RouteSpec,
} from './openapi';
export { escapeHtml, renderDocsPage } from './docs-page';
export type { DocsPageOptions } from './docs-page';
