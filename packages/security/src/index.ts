/**
 * `@arm/security`: security headers with CSP nonces and a violation-report parser, CSRF
 * protection from Fetch Metadata plus signed tokens, checksummed API keys, and anonymisation
 * and redaction for logs.
 */
export {
  createSecurityHeaders,
  DEFAULT_CSP_DIRECTIVES,
  DEFAULT_PERMISSIONS_POLICY,
  securityHeaders,
} from './headers';
export type {
  CspDirectives,
  CspOptions,
  CspReportOptions,
  HeaderRecord,
  HstsOptions,
  PermissionsPolicy,
  SecurityHeaders,
  SecurityHeadersForRequest,
  SecurityHeadersOptions,
} from './headers';
export { parseCspReport } from './csp-report';
export type { CspViolation, ParseCspReportOptions } from './csp-report';
export { createCsrf } from './csrf';
export type {
  Csrf,
  CsrfAllowReason,
  CsrfDecision,
  CsrfDenyReason,
  CsrfHooks,
  CsrfOptions,
  CsrfRequest,
  CsrfTokenIssue,
  CsrfTokenOptions,
} from './csrf';
export type { HeaderInput, WebHeaders } from './_headers';
export { appendVary } from './vary';
export type { SecretInput } from './_secret';
export {
  API_KEY_CHECKSUM_LENGTH,
  API_KEY_PATTERN,
  API_KEY_RANDOM_LENGTH,
  apiKeyStart,
  checkApiKeyFormat,
  crc32,
  isValidApiKeyPrefix,
} from './api-key-format';
export type { ApiKeyFormat } from './api-key-format';
export { createApiKeys, scopeAllows } from './api-keys';
export type {
  ApiKeyFailure,
  ApiKeyHooks,
  ApiKeys,
  ApiKeysOptions,
  ApiKeyVerifyResult,
  CreateApiKeyInput,
  CreatedApiKey,
  RotatedApiKey,
} from './api-keys';
export { createMemoryApiKeyStore } from './api-key-store';
export type { ApiKeyPatch, ApiKeyRecord, ApiKeyStore } from './api-key-store';
export { IP_MASK_PRESETS, maskIp } from './ip';
export type { IpMaskBits, IpMaskPreset, MaskIpOptions } from './ip';
export { reduceUserAgent } from './user-agent';
export type { ReducedUserAgent } from './user-agent';
export { createPseudonymizer } from './pseudonymize';
export type { PseudonymizerOptions } from './pseudonymize';
export { REDACT_PATHS, redactSecrets, redactValue } from './redact';
export type { RedactOptions, SecretKind } from './redact';
export type {
  ApiKeyLifecycleEvent,
  ApiKeyRejectedEvent,
  CsrfDeniedEvent,
  SecurityAuditEvent,
} from './audit';
