/**
 * A parser for CSP violation reports, in both shapes browsers send: the legacy `report-uri`
 * body (`application/csp-report`, one `{"csp-report": {...}}` object) and the Reporting API
 * body (`application/reports+json`, an array of reports of which `csp-violation` ones are
 * kept). Bodies are bounded in size and count and checked with zod; both shapes come out as
 * one normalised violation type.
 */
import {
  BadRequestError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '@arm/errors';
import * as z from 'zod/mini';

/** One CSP violation, normalised from either report format. */
export interface CspViolation {
  /** The page on which the violation happened. */
  readonly documentUrl: string;
  /** The directive that was violated (`script-src-elem`, ...). */
  readonly effectiveDirective: string;
  /** What was blocked: a URL, or `inline`, `eval`, ... */
  readonly blockedUrl: string | undefined;
  /** Whether the policy was enforced or report-only. */
  readonly disposition: 'enforce' | 'report' | undefined;
  /** The whole policy that was violated. */
  readonly originalPolicy: string | undefined;
  /** The page's referrer. */
  readonly referrer: string | undefined;
  /** The script or style file that caused it. */
  readonly sourceFile: string | undefined;
  /** The line in `sourceFile`. */
  readonly lineNumber: number | undefined;
  /** The column in `sourceFile`. */
  readonly columnNumber: number | undefined;
  /** The HTTP status of the document. */
  readonly statusCode: number | undefined;
  /** The first characters of the blocked inline code, with `'report-sample'`. */
  readonly sample: string | undefined;
  /** The report's format. */
  readonly format: 'report-uri' | 'report-to';
}

/** Options of {@link parseCspReport}. */
export interface ParseCspReportOptions {
  /**
   * The request's `Content-Type`; when given it must be `application/csp-report`,
   * `application/reports+json` or `application/json`.
   * @defaultValue not checked
   */
  readonly contentType?: string | undefined;
  /**
   * The largest body accepted, in bytes (string bodies only: limit parsed bodies when reading
   * them).
   * @defaultValue `65536`
   */
  readonly maxBytes?: number;
  /**
   * The most reports accepted in one Reporting API body.
   * @defaultValue `100`
   */
  readonly maxReports?: number;
}

const MAX_STRING = 4096;
const text = z.optional(z.string().check(z.maxLength(MAX_STRING)));
const int = z.optional(z.number().check(z.int(), z.minimum(0)));
const disposition = z.optional(z.enum(['enforce', 'report']));

const legacySchema = z.object({
  'csp-report': z.object({
    'document-uri': z.string().check(z.maxLength(MAX_STRING)),
    'violated-directive': text,
    'effective-directive': text,
    'blocked-uri': text,
    'original-policy': text,
    referrer: text,
    'source-file': text,
    'line-number': int,
    'column-number': int,
    'status-code': int,
    'script-sample': text,
    disposition,
  }),
});

const reportingSchema = z.array(
  z.object({
    type: z.string().check(z.maxLength(64)),
    url: z.optional(z.string().check(z.maxLength(MAX_STRING))),
    body: z.optional(z.unknown()),
  }),
);

const violationBodySchema = z.object({
  documentURL: z.string().check(z.maxLength(MAX_STRING)),
  effectiveDirective: z.string().check(z.maxLength(256)),
  blockedURL: text,
  originalPolicy: text,
  referrer: z.optional(z.nullable(z.string().check(z.maxLength(MAX_STRING)))),
  sourceFile: z.optional(z.nullable(z.string().check(z.maxLength(MAX_STRING)))),
  lineNumber: z.optional(z.nullable(z.number().check(z.int(), z.minimum(0)))),
  columnNumber: z.optional(z.nullable(z.number().check(z.int(), z.minimum(0)))),
  statusCode: int,
  sample: text,
  disposition,
});

const CONTENT_TYPES = ['application/csp-report', 'application/reports+json', 'application/json'];

/**
 * Parses a CSP violation report body into normalised violations.
 *
 * @remarks
 * Accepts the raw body (a string) or a body the framework already parsed. Reporting API bodies
 * may carry other report types (deprecation, intervention): those are skipped, so the result
 * may be empty. Answer the browser with 204 either way.
 *
 * @param body - The request body: a JSON string, or the parsed value.
 * @param options - The content type and the size and count limits.
 * @returns The violations the body reports.
 * @throws `UnsupportedMediaTypeError` (415) for another content type.
 * @throws `PayloadTooLargeError` (413) for a body over `maxBytes` or `maxReports`.
 * @throws `BadRequestError` (400) for a body that is not JSON.
 * @throws `ValidationError` (400) for JSON that is not a CSP report.
 * @example
 * ```ts
 * const [violation] = parseCspReport(
 *   '{"csp-report":{"document-uri":"https://example.com/","effective-directive":"script-src-elem","blocked-uri":"inline"}}',
 *   { contentType: 'application/csp-report' },
 * );
 * // violation.effectiveDirective === 'script-src-elem'
 * ```
 */
export function parseCspReport(body: unknown, options: ParseCspReportOptions = {}): CspViolation[] {
  const { contentType, maxBytes = 65_536, maxReports = 100 } = options;
  if (contentType !== undefined) {
    const type = contentType.split(';', 1)[0]?.trim().toLowerCase() ?? '';
    if (!CONTENT_TYPES.includes(type)) {
      throw new UnsupportedMediaTypeError(
        'CSP reports are sent as application/csp-report or application/reports+json',
      );
    }
  }
  let value = body;
  if (typeof body === 'string') {
    if (body.length > maxBytes || new TextEncoder().encode(body).byteLength > maxBytes) {
      throw new PayloadTooLargeError(`The report body is over ${maxBytes} bytes`, {
        details: { limitBytes: maxBytes },
      });
    }
    try {
      value = JSON.parse(body) as unknown;
    } catch (cause) {
      throw new BadRequestError('The report body is not JSON', { cause });
    }
  }

  if (Array.isArray(value)) {
    if (value.length > maxReports) {
      throw new PayloadTooLargeError(`The body holds more than ${maxReports} reports`, {
        details: { limitReports: maxReports },
      });
    }
    const reports = check(reportingSchema, value);
    const violations: CspViolation[] = [];
    reports.forEach((report, index) => {
      if (report.type !== 'csp-violation') return;
      const b = check(violationBodySchema, report.body, `#/${index}/body`);
      violations.push({
        format: 'report-to',
        documentUrl: b.documentURL,
        effectiveDirective: b.effectiveDirective,
        blockedUrl: b.blockedURL,
        disposition: b.disposition,
        originalPolicy: b.originalPolicy,
        referrer: b.referrer ?? undefined,
        sourceFile: b.sourceFile ?? undefined,
        lineNumber: b.lineNumber ?? undefined,
        columnNumber: b.columnNumber ?? undefined,
        statusCode: b.statusCode,
        sample: b.sample,
      });
    });
    return violations;
  }

  const r = check(legacySchema, value)['csp-report'];
  const directive = r['effective-directive'] ?? r['violated-directive']?.split(' ', 1)[0];
  if (directive === undefined || directive === '') {
    throw new ValidationError('The CSP report names no directive', {
      issues: [{ pointer: '#/csp-report/effective-directive', detail: 'Required' }],
    });
  }
  return [
    {
      format: 'report-uri',
      documentUrl: r['document-uri'],
      effectiveDirective: directive,
      blockedUrl: r['blocked-uri'],
      disposition: r.disposition,
      originalPolicy: r['original-policy'],
      referrer: r.referrer,
      sourceFile: r['source-file'],
      lineNumber: r['line-number'],
      columnNumber: r['column-number'],
      statusCode: r['status-code'],
      sample: r['script-sample'],
    },
  ];
}

function check<T>(schema: z.ZodMiniType<T>, value: unknown, base = '#'): T {
  const result = z.safeParse(schema, value);
  if (result.success) return result.data;
  throw new ValidationError('The body is not a CSP violation report', {
    issues: result.error.issues.map((issue) => ({
      pointer: `${base}${issue.path.map((key) => `/${String(key).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('')}`,
      detail: issue.message,
    })),
  });
}
