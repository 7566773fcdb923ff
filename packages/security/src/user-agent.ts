/**
 * User-agent reduction: browser family, major version and OS family, the shape Chrome's own UA
 * reduction converges on. Enough for analytics and support, too little to fingerprint. Only
 * the first 512 characters are read, with linear patterns.
 */

/** A user agent reduced to what analytics needs. */
export interface ReducedUserAgent {
  /** The browser or client family: `Chrome`, `Firefox`, `Safari`, `Edge`, `curl`, `Bot`, `Other`. */
  readonly browser: string;
  /** Its major version, when known. */
  readonly major: string | undefined;
  /** The OS family: `Windows`, `macOS`, `iOS`, `Android`, `Linux`, `ChromeOS`, `Other`. */
  readonly os: string;
  /** `"<browser> <major> (<os>)"`, or without the version when unknown. */
  readonly label: string;
}

const MAX_LENGTH = 512;

/** Browser families by token, first match wins (order matters: Edge and Opera say Chrome too). */
const BROWSERS: readonly (readonly [string, RegExp])[] = [
  ['Bot', /\b(?:bot|crawler|spider|slurp)\b|bot\//i],
  ['Edge', /\bEdg(?:e|A|iOS)?\/(\d{1,4})/],
  ['Opera', /\b(?:OPR|Opera)\/(\d{1,4})/],
  ['Samsung Internet', /\bSamsungBrowser\/(\d{1,4})/],
  ['Firefox', /\b(?:Firefox|FxiOS)\/(\d{1,4})/],
  ['Chrome', /\b(?:Chrome|CriOS|Chromium)\/(\d{1,4})/],
  ['Safari', /\bVersion\/(\d{1,4})[.\d]* (?:Mobile\/\w+ )?Safari\//],
  ['curl', /^curl\/(\d{1,4})/],
  ['Node.js', /^(?:node|undici|node-fetch)(?:\/(\d{1,4}))?/i],
  ['Python', /^python-(?:requests|urllib3|httpx)\/(\d{1,4})/i],
];

const SYSTEMS: readonly (readonly [string, RegExp])[] = [
  ['Windows', /\bWindows\b/],
  ['iOS', /\b(?:iPhone|iPad|iPod)\b/],
  ['macOS', /\bMac OS X\b|\bMacintosh\b/],
  ['Android', /\bAndroid\b/],
  ['ChromeOS', /\bCrOS\b/],
  ['Linux', /\bLinux\b/],
];

/**
 * Reduces a user-agent string to browser family, major version and OS family.
 *
 * @param userAgent - The `User-Agent` header, untrusted; anything else gives `Other`.
 * @returns The reduced user agent and a label for logs.
 * @example
 * ```ts
 * reduceUserAgent(
 *   'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.86 Safari/537.36',
 * ).label; // 'Chrome 131 (Windows)'
 * ```
 */
export function reduceUserAgent(userAgent: unknown): ReducedUserAgent {
  const ua = typeof userAgent === 'string' ? userAgent.slice(0, MAX_LENGTH) : '';
  let browser = 'Other';
  let major: string | undefined;
  for (const [family, pattern] of BROWSERS) {
    const match = pattern.exec(ua);
    if (match !== null) {
      browser = family;
      major = family === 'Bot' ? undefined : match[1];
      break;
    }
  }
  let os = 'Other';
  for (const [family, pattern] of SYSTEMS) {
    if (pattern.test(ua)) {
      os = family;
      break;
    }
  }
  const label = `${browser}${major === undefined ? '' : ` ${major}`} (${os})`;
  return { browser, major, os, label };
}
