/**
 * @arm/validate against its anchors, in one process and one run:
 *
 * 1. JSON bodies: ARM's `createJsonParser()` (size, depth and key limits plus prototype-key
 *    checks) against secure-json-parse 4 (`parse` with its defaults: prototype checks only)
 *    and bare `JSON.parse`, on a 0.5 KB and a 12 KB body, a 1 MB body, and a body whose text
 *    contains "constructor" (both must walk it). Target: within 1.5x of secure-json-parse.
 * 2. HTML sanitising, the choice behind `@arm/validate/sanitize`: sanitize-html (through ARM's
 *    policy), js-xss (`filterXSS`) and DOMPurify on a shared jsdom window, on the same inputs:
 *    a 0.6 KB payload of XSS vectors and a 6 KB benign rich-text post. Also checks that each
 *    output is free of the vectors, and prints heap growth for DOMPurify.
 *
 * Several rounds, interleaved; the best round of each (the least disturbed by other load on a
 * shared machine) and the median are printed, with ratios of the best.
 * Run: `pnpm --filter @arm/bench run validate` (tsx reads the workspace sources through the
 * `@arm/source` condition of tsconfig.base.json, so no build is needed).
 */
import { createJsonParser } from '@arm/validate';
import { createHtmlSanitizer } from '@arm/validate/sanitize';
import createDOMPurify from 'dompurify';
import { JSDOM } from 'jsdom';
import sjp from 'secure-json-parse';
import { filterXSS } from 'xss';

const ROUNDS = 9;

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const format = (value: number): string => Math.round(value).toLocaleString('en-US');

/** Calls per second of `run`, over at least `ms` milliseconds. */
function opsPerSecond(run: () => unknown, ms = 250): number {
  let calls = 0;
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let i = 0; i < 50; i++) run();
    calls += 50;
    elapsed = performance.now() - started;
  }
  return (calls / elapsed) * 1000;
}

function compare(title: string, contenders: Record<string, () => unknown>, baseline: string): void {
  const results: Record<string, number[]> = {};
  for (const name of Object.keys(contenders)) results[name] = [];
  for (const run of Object.values(contenders)) for (let i = 0; i < 200; i++) run(); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of Object.entries(contenders)) results[name]?.push(opsPerSecond(run));
  }
  console.log(`\n${title}`);
  const base = Math.max(...(results[baseline] ?? []));
  for (const [name, values] of Object.entries(results)) {
    const ops = Math.max(...values);
    const us = 1e6 / ops;
    console.log(
      `  ${name.padEnd(34)} ${format(ops).padStart(10)} ops/s best  ${us.toFixed(2).padStart(9)} µs/op  (median ${format(median(values))} ops/s)  ${(ops / base).toFixed(2)}x ${baseline}`,
    );
  }
}

// 1. JSON
const item = (i: number) => ({
  id: `0b7d0b5e-1d8e-4c43-9d3a-${String(i).padStart(12, '0')}`,
  name: `Item ${i}`,
  price: i * 1.5,
  tags: ['a', 'b', 'c'],
  active: i % 2 === 0,
  owner: { id: i, email: `user${i}@example.com` },
});
const small = JSON.stringify({
  order: { id: 1, lines: [item(1), item(2), item(3)] },
  note: 'hello',
});
const medium = JSON.stringify({ items: Array.from({ length: 70 }, (_, i) => item(i)) });
const large = JSON.stringify({ items: Array.from({ length: 6_000 }, (_, i) => item(i)) });
const suspicious = JSON.stringify({
  constructor: 'Ada',
  items: Array.from({ length: 70 }, (_, i) => item(i)),
});
const arm = createJsonParser({ maxBytes: 4 * 1_048_576, maxKeys: 1_000_000 });
for (const [label, text] of [
  ['0.5 KB body', small],
  ['12 KB body', medium],
  ['1 MB body', large],
  ['12 KB body whose text contains "constructor"', suspicious],
] as const) {
  compare(
    `JSON: ${label} (${format(text.length)} bytes)`,
    {
      '@arm/validate createJsonParser': () => arm(text),
      'secure-json-parse parse': (): unknown => sjp.parse(text),
      'JSON.parse (no protection)': (): unknown => JSON.parse(text),
    },
    'secure-json-parse parse',
  );
}

// 2. HTML
const vectors = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<a href="javascript:alert(1)">click</a>',
  '<a href="jav&#x09;ascript:alert(1)">tab</a>',
  '<svg><script>alert(1)</script></svg>',
  '<iframe src="javascript:alert(1)"></iframe>',
  '<xmp><img src=x onerror=alert(1)></xmp>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '<p style="background:url(javascript:alert(1))">styled</p>',
  '<form action="javascript:alert(1)"><button>go</button></form>',
  '<b onclick="alert(1)">bold</b> and <i>italic</i>',
];
const payload = vectors.join('\n');
const post = Array.from(
  { length: 24 },
  (_, i) =>
    `<h2>Part ${i}</h2><p>Some <strong>bold</strong> and <em>emphasis</em>, a <a href="https://example.com/${i}">link</a>, and <code>code()</code>.</p><ul><li>one</li><li>two</li></ul>`,
).join('');

const armSanitize = createHtmlSanitizer();
const xssOptions = {
  whiteList: {
    a: ['href', 'title'],
    b: [],
    i: [],
    em: [],
    strong: [],
    p: [],
    h2: [],
    ul: [],
    li: [],
    code: [],
  },
  stripIgnoreTag: true,
  stripIgnoreTagBody: ['script', 'style', 'xmp', 'iframe'],
};
const { window } = new JSDOM('');
const purify = createDOMPurify(window);
const purifyConfig = {
  ALLOWED_TAGS: ['a', 'b', 'i', 'em', 'strong', 'p', 'h2', 'ul', 'li', 'code'],
  ALLOWED_ATTR: ['href', 'title'],
};

const sanitizers: Record<string, (html: string) => string> = {
  'sanitize-html (ARM policy)': armSanitize,
  'xss filterXSS': (html) => filterXSS(html, xssOptions),
  'DOMPurify + jsdom (shared window)': (html) => purify.sanitize(html, purifyConfig),
};
console.log(
  '\nHTML: does the output still hold a live vector? (script element, on* handler, javascript: URL)',
);
const live = /<script|<img[^>]*onerror|<[^>]*\son\w+=|href="?\s*javascript:|<iframe|<svg|<math/i;
for (const [name, sanitize] of Object.entries(sanitizers)) {
  const bad = vectors.filter((vector) => live.test(sanitize(vector)));
  console.log(`  ${name.padEnd(34)} ${bad.length === 0 ? 'clean' : `LIVE: ${bad.join(' | ')}`}`);
}

for (const [label, html] of [
  [`0.6 KB of XSS vectors (${payload.length} chars)`, payload],
  [`6 KB benign rich text (${post.length} chars)`, post],
] as const) {
  compare(
    `HTML: ${label}`,
    Object.fromEntries(Object.entries(sanitizers).map(([name, fn]) => [name, () => fn(html)])),
    'sanitize-html (ARM policy)',
  );
}

const before = process.memoryUsage().heapUsed;
for (let i = 0; i < 5_000; i++) purify.sanitize(payload, purifyConfig);
globalThis.gc?.();
console.log(
  `\nDOMPurify heap after 5,000 more calls on one jsdom window: +${format((process.memoryUsage().heapUsed - before) / 1e6)} MB`,
);
