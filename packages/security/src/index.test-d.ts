import { expectTypeOf, it } from 'vitest';
import {
  createApiKeys,
  createCsrf,
  createMemoryApiKeyStore,
  createSecurityHeaders,
  maskIp,
  securityHeaders,
} from './index';
import type {
  ApiKeyFailure,
  ApiKeyRecord,
  CsrfDecision,
  CsrfDenyReason,
  SecurityAuditEvent,
} from './index';

it('types the public API', () => {
  expectTypeOf(securityHeaders()).toEqualTypeOf<Readonly<Record<string, string>>>();
  expectTypeOf(createSecurityHeaders().forRequest().nonce).toEqualTypeOf<string>();
  expectTypeOf(maskIp('1.2.3.4')).toEqualTypeOf<string | undefined>();

  const csrf = createCsrf();
  expectTypeOf(csrf.check({ method: 'POST', headers: {} })).toEqualTypeOf<CsrfDecision>();
  const decision = csrf.check({ method: 'POST', headers: new Headers() });
  if (decision.outcome !== 'allow') expectTypeOf(decision.reason).toEqualTypeOf<CsrfDenyReason>();

  const keys = createApiKeys({ prefix: 'arm_live', store: createMemoryApiKeyStore() });
  void keys.verify('x').then((result) => {
    if (result.valid) expectTypeOf(result.record).toEqualTypeOf<ApiKeyRecord>();
    else expectTypeOf(result.code).toEqualTypeOf<ApiKeyFailure>();
  });

  const onAudit = (event: SecurityAuditEvent) => {
    if (event.type === 'csrf.denied') expectTypeOf(event.reason).toEqualTypeOf<CsrfDenyReason>();
    if (event.type === 'api_key.rejected') expectTypeOf(event.code).toEqualTypeOf<ApiKeyFailure>();
  };
  createCsrf({ hooks: { onAudit } });

  // @ts-expect-error: the prefix is required
  createApiKeys({ store: createMemoryApiKeyStore() });
  // @ts-expect-error: not a frame option
  securityHeaders({ frameOptions: 'ALLOW-FROM' });
});
