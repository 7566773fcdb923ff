import { ConfigurationError } from '@arm/errors';
import { describe, expect, it } from 'vitest';
import { normalizeText, plainText } from './text';

describe('normalizeText', () => {
  it('normalises to NFC and strips control characters, keeping line breaks and tabs', () => {
    expect(normalizeText('Cafe\u0301')).toBe('Café');
    expect(normalizeText('a\u0000b\u0007c\u001Bd\u007Fe\u0085f')).toBe('abcdef');
    expect(normalizeText('line 1\r\nline 2\tend')).toBe('line 1\r\nline 2\tend');
    expect(normalizeText('line 1\r\nline 2\tend', { allowNewlines: false })).toBe(
      'line 1line 2end',
    );
  });

  it('removes bidi overrides unless told not to, and replaces lone surrogates', () => {
    const trojan = 'access\u202E\u2066 admin\u2069';
    expect(normalizeText(trojan)).toBe('access admin');
    expect(normalizeText(trojan, { stripBidi: false })).toBe(trojan);
    expect(normalizeText('a\uD800b\uDC00c😀')).toBe('a\uFFFDb\uFFFDc😀');
  });

  it('offers NFKC, no normalisation, and trimming', () => {
    expect(normalizeText('ｆｕｌｌ ﬁ', { form: 'NFKC' })).toBe('full fi');
    expect(normalizeText('e\u0301', { form: false })).toBe('e\u0301');
    expect(normalizeText('  x  ', { trim: true })).toBe('x');
    expect(() => normalizeText('x', { form: 'NFD' as 'NFC' })).toThrow(ConfigurationError);
  });
});

describe('plainText', () => {
  it('cleans before the length checks', () => {
    const schema = plainText({ trim: true }).min(1).max(4);
    expect(schema.parse('  Cafe\u0301\u0000 ')).toBe('Café');
    expect(schema.safeParse(' \u0000 ').success).toBe(false);
    expect(() => plainText({ form: 'X' as 'NFC' })).toThrow(ConfigurationError);
  });
});
