/**
 * `@arm/validate/sanitize`: HTML sanitising on sanitize-html (htmlparser2 and allowlists, no
 * DOM), for the few fields that are meant to hold HTML. It lives behind its own subpath
 * because sanitize-html is large (its CSS parser alone is most of a browser bundle): the root
 * entry stays small and browser-safe. In a browser, prefer DOMPurify on the real DOM.
 *
 * @packageDocumentation
 */
import sanitizeHtmlLibrary from 'sanitize-html';
import type { IOptions } from 'sanitize-html';
import * as z from 'zod';
import { optionError } from '../_option-error';
import { normalizeText } from '../text';
import type { TextOptions } from '../text';

/** What HTML survives {@link createHtmlSanitizer}. Everything else is removed. */
export interface HtmlPolicy {
  /**
   * The elements kept. Others are removed with their text kept, except `script`, `style`,
   * `textarea`, `option`, `noscript` and `xmp`, whose content goes too.
   * @defaultValue {@link DEFAULT_ALLOWED_TAGS}
   */
  readonly allowedTags?: readonly string[];
  /**
   * The attributes kept, per element (`'*'` for every element).
   * @defaultValue `{ a: ['href', 'title'], img: ['src', 'alt', 'title', 'width', 'height'] }`
   */
  readonly allowedAttributes?: Readonly<Record<string, readonly string[]>>;
  /**
   * URL schemes allowed in `href` and `src`; `javascript:`, `data:` and `vbscript:` are
   * never in the default. Relative URLs are kept, protocol-relative ones (`//host`) are not.
   * @defaultValue `['http', 'https', 'mailto']`
   */
  readonly allowedSchemes?: readonly string[];
  /**
   * The `rel` every link gets, or `false` to leave links alone.
   * @defaultValue `'noopener noreferrer nofollow'`
   */
  readonly linkRel?: string | false;
  /**
   * Text cleaning applied first: control characters, bidi overrides, Unicode form.
   * @defaultValue `{}` (NFC, controls stripped, newlines kept)
   */
  readonly text?: TextOptions;
}

/** Sanitises one HTML fragment under a fixed policy. */
export type HtmlSanitizer = (html: string) => string;

/**
 * The elements kept by default: text formatting, lists, quotes, code, links and headings. No
 * images, forms, frames, media, `style` or `svg`.
 *
 * @example
 * ```ts
 * createHtmlSanitizer({ allowedTags: [...DEFAULT_ALLOWED_TAGS, 'img'] });
 * ```
 */
export const DEFAULT_ALLOWED_TAGS: readonly string[] = [
  'a',
  'abbr',
  'b',
  'blockquote',
  'br',
  'code',
  'del',
  'em',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'hr',
  'i',
  'ins',
  'kbd',
  'li',
  'mark',
  'ol',
  'p',
  'pre',
  's',
  'small',
  'strong',
  'sub',
  'sup',
  'u',
  'ul',
];

/**
 * Makes an HTML sanitiser with a fixed allowlist policy, checked and compiled once.
 *
 * @param policy - What survives; see {@link HtmlPolicy}.
 * @returns A function from untrusted HTML to safe HTML.
 * @throws `ConfigurationError` when a list option is not an array of strings.
 * @example
 * ```ts
 * const sanitize = createHtmlSanitizer({ allowedTags: ['b', 'i', 'a'] });
 * sanitize('<b onclick="x()">hi</b><script>alert(1)</script>'); // '<b>hi</b>'
 * ```
 */
export function createHtmlSanitizer(policy: HtmlPolicy = {}): HtmlSanitizer {
  const tags = stringList('allowedTags', policy.allowedTags, DEFAULT_ALLOWED_TAGS);
  const schemes = stringList('allowedSchemes', policy.allowedSchemes, ['http', 'https', 'mailto']);
  const attributes: Record<string, string[]> = {};
  const given = policy.allowedAttributes ?? {
    a: ['href', 'title'],
    img: ['src', 'alt', 'title', 'width', 'height'],
  };
  for (const [tag, names] of Object.entries(given)) {
    attributes[tag] = [...stringList(`allowedAttributes.${tag}`, names, [])];
  }
  const rel = policy.linkRel ?? 'noopener noreferrer nofollow';
  if (rel !== false && typeof rel !== 'string') optionError('linkRel', 'a string or false', rel);
  const options: IOptions = {
    allowedTags: [...tags],
    allowedAttributes: attributes,
    allowedSchemes: [...schemes],
    allowedSchemesByTag: {},
    allowedSchemesAppliedToAttributes: [
      'href',
      'src',
      'cite',
      'action',
      'formaction',
      'xlink:href',
    ],
    allowProtocolRelative: false,
    allowVulnerableTags: false,
    disallowedTagsMode: 'discard',
    enforceHtmlBoundary: false,
    parseStyleAttributes: false,
  };
  if (rel !== false) {
    attributes.a = [...new Set([...(attributes.a ?? []), 'rel'])];
    options.transformTags = { a: sanitizeHtmlLibrary.simpleTransform('a', { rel }, true) };
  }
  const textOptions = policy.text ?? {};
  normalizeText('', textOptions);
  return (html) => sanitizeHtmlLibrary(normalizeText(html, textOptions), options);
}

function stringList(
  option: string,
  value: unknown,
  fallback: readonly string[],
): readonly string[] {
  if (value === undefined) return fallback;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    optionError(option, 'an array of strings', value);
  }
  return value;
}

let defaultSanitizer: HtmlSanitizer | undefined;

/**
 * Sanitises untrusted HTML with the default policy (or the one given): allowlisted
 * elements and attributes, safe URL schemes, `rel="noopener noreferrer nofollow"` on links,
 * control characters stripped and Unicode in NFC.
 *
 * @remarks
 * Sanitise where HTML is meant to be kept and rendered as HTML. For everything else, store
 * the text as sent (after `normalizeText`) and encode it at output: sanitising plain text on
 * input corrupts it (ASVS 1.1.2).
 * @param html - Untrusted HTML.
 * @param policy - A policy; for a hot path, make the sanitiser once with
 * {@link createHtmlSanitizer}.
 * @returns Safe HTML.
 * @throws `ConfigurationError` for a bad policy.
 * @example
 * ```ts
 * sanitizeHtml('<a href="javascript:alert(1)">x</a><img src=x onerror=alert(1)>');
 * // '<a rel="noopener noreferrer nofollow">x</a>'
 * ```
 */
export function sanitizeHtml(html: string, policy?: HtmlPolicy): string {
  if (policy !== undefined) return createHtmlSanitizer(policy)(html);
  defaultSanitizer ??= createHtmlSanitizer();
  return defaultSanitizer(html);
}

/**
 * A string schema whose value is sanitised HTML, so a parsed body can be stored and rendered
 * as is. Chain `.max()` to bound what is stored.
 *
 * @param policy - See {@link HtmlPolicy}.
 * @returns A `z.string()` with the sanitiser applied before further checks.
 * @example
 * ```ts
 * const body = z.object({ bio: richText().max(10_000) });
 * ```
 */
export function richText(policy?: HtmlPolicy): z.ZodString {
  const sanitize = createHtmlSanitizer(policy);
  return z.string().overwrite(sanitize);
}
