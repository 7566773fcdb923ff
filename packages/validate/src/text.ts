/**
 * Plain-text hygiene for untrusted strings: Unicode normalisation, control characters and
 * bidirectional overrides removed, lone surrogates replaced. Browser-safe; HTML sanitising
 * lives in `@arm/validate/sanitize`.
 */
import * as z from 'zod';
import { oneOf } from './_option-error';

/** Options of {@link normalizeText} and {@link plainText}. */
export interface TextOptions {
  /**
   * The Unicode normalisation form, or `false` for none. NFC keeps what the user typed;
   * NFKC also folds compatibility forms (full-width letters, ligatures), useful for
   * identifiers.
   * @defaultValue `'NFC'`
   */
  readonly form?: 'NFC' | 'NFKC' | false;
  /**
   * Keep `\n`, `\r` and `\t`; other C0 and C1 control characters and DEL are always removed.
   * @defaultValue `true`
   */
  readonly allowNewlines?: boolean;
  /**
   * Remove bidirectional embedding, override and isolate characters (U+202A–U+202E,
   * U+2066–U+2069), which can make text display differently from what it is.
   * @defaultValue `true`
   */
  readonly stripBidi?: boolean;
  /**
   * Trim whitespace at both ends.
   * @defaultValue `false`
   */
  readonly trim?: boolean;
}

// The character classes are escapes, so this file holds no raw control characters.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;
// eslint-disable-next-line no-control-regex -- as above, with the line breaks and tab
const CONTROL_ALL = /[\u0000-\u001F\u007F-\u009F]/g;
const BIDI = /[\u202A-\u202E\u2066-\u2069]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Cleans an untrusted string for storage or display as text: control characters out, bidi
 * overrides out, lone surrogates replaced by U+FFFD, then Unicode normalisation.
 *
 * @remarks
 * This is not HTML escaping: encode at output (your template engine does), and use
 * `sanitizeHtml` from `@arm/validate/sanitize` where HTML is meant to be kept.
 * @param value - The string.
 * @param options - See {@link TextOptions}.
 * @returns The cleaned string.
 * @throws `ConfigurationError` for an unknown normalisation form.
 * @example
 * ```ts
 * normalizeText('Cafe\u0301\u0000'); // 'Café' (one code point for é, the NUL removed)
 * ```
 */
export function normalizeText(value: string, options: TextOptions = {}): string {
  const form = options.form === false ? false : oneOf('form', options.form, ['NFC', 'NFKC'], 'NFC');
  let text = value.replace(options.allowNewlines === false ? CONTROL_ALL : CONTROL, '');
  if (options.stripBidi !== false) text = text.replace(BIDI, '');
  text = text.replace(LONE_SURROGATE, '\uFFFD');
  if (form) text = text.normalize(form);
  return options.trim === true ? text.trim() : text;
}

/**
 * A string schema that cleans its value with {@link normalizeText} before any further
 * checks, so `.max()` counts what will be stored. It stays a `z.string()` in OpenAPI.
 *
 * @param options - See {@link TextOptions}.
 * @returns A `z.string()` with the cleaning applied; chain `.min()`, `.max()` and the rest.
 * @example
 * ```ts
 * const body = z.object({ displayName: plainText({ trim: true }).min(1).max(80) });
 * ```
 */
export function plainText(options: TextOptions = {}): z.ZodString {
  normalizeText('', options);
  return z.string().overwrite((value) => normalizeText(value, options));
}
