/**
 * The audit events `@arm/security` emits through its hooks: who was refused what, and why.
 * They are plain, log-ready values (no secrets, no raw keys) for an audit stream.
 */
import type { ApiKeyFailure } from './api-keys';
import type { CsrfDenyReason } from './csrf';

/** A CSRF check refused a request (or, in report-only mode, would have). */
export interface CsrfDeniedEvent {
  /** The event type. */
  readonly type: 'csrf.denied';
  /** When it happened, in epoch milliseconds. */
  readonly at: number;
  /** Why the request was refused. */
  readonly reason: CsrfDenyReason;
  /** True when report-only mode let the request through. */
  readonly reportOnly: boolean;
  /** The request method. */
  readonly method: string;
  /** The request path, without the query string, when the request gave one. */
  readonly path: string | undefined;
  /** The `Origin` header, when present. */
  readonly origin: string | undefined;
  /** The `Sec-Fetch-Site` header, when present. */
  readonly secFetchSite: string | undefined;
}

/** An API key was presented and refused. */
export interface ApiKeyRejectedEvent {
  /** The event type. */
  readonly type: 'api_key.rejected';
  /** When it happened, in epoch milliseconds. */
  readonly at: number;
  /** Why the key was refused. */
  readonly code: ApiKeyFailure;
  /** The key's id, when the key was found in the store. */
  readonly keyId: string | undefined;
  /** The key's display prefix (never the secret part), when it was well formed. */
  readonly start: string | undefined;
}

/** An API key was created, revoked or rotated. */
export interface ApiKeyLifecycleEvent {
  /** The event type. */
  readonly type: 'api_key.created' | 'api_key.revoked' | 'api_key.rotated';
  /** When it happened, in epoch milliseconds. */
  readonly at: number;
  /** The key's id (for a rotation, the old key's). */
  readonly keyId: string;
  /** The key's display prefix. */
  readonly start: string;
  /** For a rotation, the id of the new key. */
  readonly replacedBy?: string;
}

/** Every audit event `@arm/security` emits. Switch on `type`. */
export type SecurityAuditEvent = CsrfDeniedEvent | ApiKeyRejectedEvent | ApiKeyLifecycleEvent;
