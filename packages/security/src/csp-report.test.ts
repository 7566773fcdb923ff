import {
  BadRequestError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '@arm/errors';
import { describe, expect, it } from 'vitest';
import { parseCspReport } from './csp-report';

const legacy = {
  'csp-report': {
    'document-uri': 'https://example.com/page',
    referrer: '',
    'violated-directive': 'script-src-elem',
    'effective-directive': 'script-src-elem',
    'original-policy': "default-src 'self'; report-uri /csp",
    disposition: 'enforce',
    'blocked-uri': 'https://evil.example/x.js',
    'line-number': 12,
    'column-number': 3,
    'source-file': 'https://example.com/app.js',
    'status-code': 200,
    'script-sample': '',
  },
};

const reportingApi = [
  {
    type: 'csp-violation',
    age: 10,
    url: 'https://example.com/page',
    user_agent: 'Mozilla/5.0',
    body: {
      documentURL: 'https://example.com/page',
      referrer: null,
      blockedURL: 'inline',
      effectiveDirective: 'script-src-elem',
      originalPolicy: "default-src 'self'; report-to csp",
      sourceFile: null,
      sample: 'alert(1)',
      disposition: 'report',
      statusCode: 200,
      lineNumber: null,
      columnNumber: null,
    },
  },
  { type: 'deprecation', url: 'https://example.com/', body: { id: 'x' } },
];

describe('parseCspReport', () => {
  it('reads a report-uri body (application/csp-report), string or parsed', () => {
    const expected = {
      format: 'report-uri',
      documentUrl: 'https://example.com/page',
      effectiveDirective: 'script-src-elem',
      blockedUrl: 'https://evil.example/x.js',
      disposition: 'enforce',
      originalPolicy: "default-src 'self'; report-uri /csp",
      referrer: '',
      sourceFile: 'https://example.com/app.js',
      lineNumber: 12,
      columnNumber: 3,
      statusCode: 200,
      sample: '',
    };
    expect(
      parseCspReport(JSON.stringify(legacy), { contentType: 'application/csp-report' }),
    ).toEqual([expected]);
    expect(parseCspReport(legacy)).toEqual([expected]);
  });

  it('falls back to the first word of violated-directive in old browsers', () => {
    const body = {
      'csp-report': { 'document-uri': 'https://e.com/', 'violated-directive': "img-src 'self'" },
    };
    expect(parseCspReport(body)[0]?.effectiveDirective).toBe('img-src');
  });

  it('reads a Reporting API body (application/reports+json), keeping csp-violation reports only', () => {
    const violations = parseCspReport(JSON.stringify(reportingApi), {
      contentType: 'application/reports+json; charset=utf-8',
    });
    expect(violations).toEqual([
      {
        format: 'report-to',
        documentUrl: 'https://example.com/page',
        effectiveDirective: 'script-src-elem',
        blockedUrl: 'inline',
        disposition: 'report',
        originalPolicy: "default-src 'self'; report-to csp",
        referrer: undefined,
        sourceFile: undefined,
        lineNumber: undefined,
        columnNumber: undefined,
        statusCode: 200,
        sample: 'alert(1)',
      },
    ]);
    expect(parseCspReport([])).toEqual([]);
  });

  it('refuses another content type with 415', () => {
    expect(() => parseCspReport('{}', { contentType: 'text/html' })).toThrow(
      UnsupportedMediaTypeError,
    );
  });

  it('refuses an oversized body or too many reports with 413', () => {
    expect(() => parseCspReport('x'.repeat(70_000))).toThrow(PayloadTooLargeError);
    expect(() => parseCspReport('"é"', { maxBytes: 3 })).toThrow(PayloadTooLargeError);
    const many = Array.from({ length: 101 }, () => reportingApi[1]);
    expect(() => parseCspReport(many)).toThrow(PayloadTooLargeError);
  });

  it('refuses a body that is not JSON with 400', () => {
    expect(() => parseCspReport('{"csp-report":')).toThrow(BadRequestError);
  });

  it.each([
    ['an empty object', {}],
    ['a missing document-uri', { 'csp-report': { 'effective-directive': 'img-src' } }],
    ['no directive at all', { 'csp-report': { 'document-uri': 'https://e.com/' } }],
    ['a wrong type', { 'csp-report': { 'document-uri': 5 } }],
    [
      'a negative line number',
      { 'csp-report': { 'document-uri': 'x', 'effective-directive': 'a', 'line-number': -1 } },
    ],
    ['a string of 5000 characters', { 'csp-report': { 'document-uri': 'x'.repeat(5000) } }],
    ['a report without a body', [{ type: 'csp-violation' }]],
    ['a report array holding a number', [1]],
    ['null', null],
  ])('refuses %s with a ValidationError naming the field', (_name, body) => {
    const error = (() => {
      try {
        parseCspReport(body);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).status).toBe(400);
    expect((error as ValidationError).issues.length).toBeGreaterThan(0);
    for (const issue of (error as ValidationError).issues) expect(issue.pointer).toMatch(/^#/);
  });
});
