/**
 * Log redaction in two layers. Key paths in pino's syntax (`REDACT_PATHS`) catch secrets in
 * known places; value detectors (`redactValue`) catch them anywhere in free text: ARM API
 * keys (checksum-verified), third-party tokens by prefix, JWTs, bearer credentials, emails and
 * Luhn-valid card numbers. Every pattern is linear in its input.
 */
import { API_KEY_PATTERN, checkApiKeyFormat } from './api-key-format';

/** What a detector finds. */
export type SecretKind =
  | 'api_key'
  | 'github_token'
  | 'stripe_key'
  | 'slack_token'
  | 'aws_access_key'
  | 'jwt'
  | 'bearer'
  | 'url_credential'
  | 'email'
  | 'card_number';

/**
 * Paths for pino's `redact` option: credentials in request and response headers and the
 * usual secret field names one level down.
 *
 * @example
 * ```ts
 * const logger = pino({ redact: { paths: [...REDACT_PATHS], censor: '[REDACTED]' } });
 * ```
 */
export const REDACT_PATHS: readonly string[] = Object.freeze([
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  'password',
  'token',
  'secret',
  'apiKey',
  '*.password',
  '*.passwd',
  '*.secret',
  '*.token',
  '*.accessToken',
  '*.access_token',
  '*.refreshToken',
  '*.refresh_token',
  '*.idToken',
  '*.apiKey',
  '*.api_key',
  '*.clientSecret',
  '*.client_secret',
  '*.privateKey',
  '*.private_key',
  '*.authorization',
  '*.cookie',
  '*.cardNumber',
  '*.cvv',
]);

const SENSITIVE_KEY =
  /^(?:password|passwd|pwd|secret|token|api[-_]?key|x-api-key|access[-_]?token|refresh[-_]?token|id[-_]?token|client[-_]?secret|private[-_]?key|authorization|proxy-authorization|cookie|set-cookie|x-csrf-token|card[-_]?number|cvv|cvc)$/i;

interface Detector {
  readonly kind: SecretKind;
  readonly pattern: RegExp;
  readonly confirm?: (match: string) => boolean;
  /** Replace only this capture group (keeps `Bearer ` or `password=`). */
  readonly group?: boolean;
}

const DETECTORS: readonly Detector[] = [
  { kind: 'jwt', pattern: /\beyJ[\w-]{4,}\.eyJ[\w-]{4,}\.[\w-]{8,}/g },
  {
    kind: 'github_token',
    pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,251})\b/g,
  },
  { kind: 'stripe_key', pattern: /\b(?:sk|rk|whsec)_(?:live|test)_[0-9A-Za-z]{10,247}\b/g },
  { kind: 'slack_token', pattern: /\bxox[abposr]-[0-9A-Za-z-]{10,250}/g },
  { kind: 'aws_access_key', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g },
  {
    kind: 'api_key',
    pattern: API_KEY_PATTERN,
    confirm: (match) => checkApiKeyFormat(match) === 'ok',
  },
  {
    kind: 'bearer',
    pattern: /(\b(?:Bearer|Basic|Token)\s{1,4})[A-Za-z0-9._~+/-]{8,4096}=*/g,
    group: true,
  },
  {
    kind: 'url_credential',
    pattern:
      /([?&;\s](?:password|passwd|pwd|secret|token|api_?key|access_token|refresh_token|client_secret)=)[^&\s"';]{1,4096}/gi,
    group: true,
  },
  {
    kind: 'email',
    pattern: /\b[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8}\b/g,
  },
  { kind: 'card_number', pattern: /\b\d(?:[ -]?\d){12,18}\b/g, confirm: luhn },
];

/** Options of {@link redactValue} and {@link redactSecrets}. */
export interface RedactOptions {
  /**
   * The detectors to run.
   * @defaultValue every {@link SecretKind}
   */
  readonly kinds?: readonly SecretKind[];
  /**
   * What replaces a finding.
   * @defaultValue `` (kind) => `[REDACTED:${kind}]` ``
   */
  readonly censor?: (kind: SecretKind) => string;
}

const defaultCensor = (kind: SecretKind) => `[REDACTED:${kind}]`;
const MAX_TEXT = 1_000_000;

/**
 * Replaces secrets and personal data found in free text.
 *
 * @param text - Any text (a log message, an error message, a URL).
 * @param options - The detectors to run and the censor.
 * @returns The text with each finding replaced; text over 1 MB is replaced whole.
 * @example
 * ```ts
 * redactValue('token ghp_' + 'a'.repeat(36) + ' for ann@example.com');
 * // 'token [REDACTED:github_token] for [REDACTED:email]'
 * ```
 */
export function redactValue(text: string, options: RedactOptions = {}): string {
  const censor = options.censor ?? defaultCensor;
  if (text.length > MAX_TEXT) return '[REDACTED:oversized]';
  const kinds = options.kinds === undefined ? undefined : new Set(options.kinds);
  let out = text;
  for (const detector of DETECTORS) {
    if (kinds !== undefined && !kinds.has(detector.kind)) continue;
    out = out.replace(detector.pattern, (match: string, group: unknown) => {
      if (detector.confirm !== undefined && !detector.confirm(match)) return match;
      return detector.group === true
        ? `${group as string}${censor(detector.kind)}`
        : censor(detector.kind);
    });
  }
  return out;
}

/**
 * Copies a value for logging with secrets removed: sensitive keys (`password`, `token`,
 * `authorization`, ...) are censored whole and every string goes through
 * {@link redactValue}. Cycles and depth past 10 are cut.
 *
 * @param value - Anything (a log object, an error, a request summary).
 * @param options - The detectors to run and the censor.
 * @returns A redacted plain copy.
 * @example
 * ```ts
 * redactSecrets({ user: 'ann', password: 'hunter2', note: 'mail ann@example.com' });
 * // { user: 'ann', password: '[REDACTED]', note: 'mail [REDACTED:email]' }
 * ```
 */
export function redactSecrets(value: unknown, options: RedactOptions = {}): unknown {
  const seen = new WeakSet();
  const walk = (item: unknown, depth: number): unknown => {
    if (typeof item === 'string') return redactValue(item, options);
    if (typeof item !== 'object' || item === null) return item;
    if (item instanceof Date) return item;
    if (seen.has(item)) return '[Circular]';
    if (depth >= 10) return '[Truncated]';
    seen.add(item);
    if (Array.isArray(item)) return item.map((entry) => walk(entry, depth + 1));
    const out: Record<string, unknown> = {};
    if (item instanceof Error) {
      out.name = item.name;
      out.message = redactValue(item.message, options);
      if (item.stack !== undefined) out.stack = redactValue(item.stack, options);
    }
    for (const [key, entry] of Object.entries(item)) {
      if (key === '__proto__') continue;
      out[key] =
        SENSITIVE_KEY.test(key) && entry !== undefined && entry !== null
          ? '[REDACTED]'
          : walk(entry, depth + 1);
    }
    return out;
  };
  return walk(value, 0);
}

/** The Luhn checksum over the digits of a candidate card number. */
function luhn(candidate: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = candidate.length - 1; i >= 0; i--) {
    const code = candidate.charCodeAt(i) - 48;
    if (code < 0 || code > 9) continue;
    let digit = code;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}
