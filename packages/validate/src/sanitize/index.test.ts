import { ConfigurationError } from '@arm/errors';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { LIVE, XSS_VECTORS } from '../../test/xss-vectors';
import { createHtmlSanitizer, DEFAULT_ALLOWED_TAGS, richText, sanitizeHtml } from './index';

describe('sanitizeHtml', () => {
  it.each(XSS_VECTORS)('neutralises %s', (vector) => {
    const output = sanitizeHtml(vector);
    expect(output).not.toMatch(LIVE);
    expect(output).not.toContain('//evil.example');
  });

  it('keeps the allowlisted formatting and safe links, with rel added', () => {
    expect(
      sanitizeHtml(
        '<p>Hi <strong>there</strong>, <a href="https://example.com" target="_blank">site</a></p>',
      ),
    ).toBe(
      '<p>Hi <strong>there</strong>, <a href="https://example.com" rel="noopener noreferrer nofollow">site</a></p>',
    );
    expect(sanitizeHtml('<a href="mailto:a@example.com">mail</a>')).toContain('href="mailto:');
    expect(sanitizeHtml('<a href="/relative">r</a>')).toContain('href="/relative"');
    expect(sanitizeHtml('<img src="https://example.com/a.png">')).toBe('');
  });

  it('strips control characters and normalises Unicode first', () => {
    expect(sanitizeHtml('<b>Cafe\u0301\u0000</b>')).toBe('<b>Café</b>');
  });

  it('takes a policy: tags, attributes, schemes, rel', () => {
    const sanitize = createHtmlSanitizer({
      allowedTags: ['a', 'img'],
      allowedAttributes: { a: ['href'], img: ['src', 'alt'] },
      allowedSchemes: ['https'],
      linkRel: false,
    });
    expect(
      sanitize(
        '<a href="http://x.example">x</a><img src="https://x.example/a.png" alt="a"><p>p</p>',
      ),
    ).toBe('<a>x</a><img src="https://x.example/a.png" alt="a" />p');
    expect(sanitizeHtml('<b>b</b><i>i</i>', { allowedTags: ['b'] })).toBe('<b>b</b>i');
    expect(DEFAULT_ALLOWED_TAGS).not.toContain('img');
  });

  it('checks the policy at construction', () => {
    expect(() => createHtmlSanitizer({ allowedTags: 'b' as never })).toThrow(ConfigurationError);
    expect(() => createHtmlSanitizer({ allowedAttributes: { a: [1] as never } })).toThrow(
      'option "allowedAttributes.a" must be an array of strings, got [1]',
    );
    expect(() => createHtmlSanitizer({ linkRel: 1 as never })).toThrow(ConfigurationError);
  });
});

describe('richText', () => {
  it('sanitises inside a zod schema, before the length check', () => {
    const schema = z.object({ bio: richText().max(12) });
    expect(schema.parse({ bio: '<b onclick="x()">hi</b><script>alert(1)</script>' })).toEqual({
      bio: '<b>hi</b>',
    });
    expect(schema.safeParse({ bio: '<p>far too long for this</p>' }).success).toBe(false);
  });
});
