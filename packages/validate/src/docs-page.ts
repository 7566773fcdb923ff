/**
 * A self-contained HTML page that documents an OpenAPI document: no script, no CDN, no
 * external font, so it works offline and under a strict CSP (pass the response's nonce for
 * its one `<style>`). Adapters serve it next to the JSON document.
 */
import type { JsonSchema, OpenApiDocument } from './openapi';

/** Options of {@link renderDocsPage}. */
export interface DocsPageOptions {
  /**
   * Where the JSON document is served, linked from the page.
   * @defaultValue no link
   */
  readonly specUrl?: string;
  /**
   * A CSP nonce for the page's `<style>` element.
   * @defaultValue none (the style needs `style-src 'unsafe-inline'` or a hash)
   */
  readonly nonce?: string;
  /**
   * The page title.
   * @defaultValue the document's `info.title`
   */
  readonly title?: string;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes text for HTML element content and quoted attribute values.
 *
 * @param value - Any text.
 * @returns The text with `& < > " '` escaped.
 * @example
 * ```ts
 * escapeHtml('<b>"hi"</b>'); // '&lt;b&gt;&quot;hi&quot;&lt;/b&gt;'
 * ```
 */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => ESCAPES[char] as string);
}

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:960px;padding:1rem 2rem;color:#1b1b1b}
h1{margin-bottom:0}section{border:1px solid #ddd;border-radius:6px;margin:1rem 0;padding:.5rem 1rem}
h2{font-size:1.05rem;font-family:ui-monospace,monospace}.m{display:inline-block;min-width:4.5rem;font-weight:700;text-transform:uppercase}
.get{color:#0b6e2e}.post{color:#0a4fa3}.put,.patch{color:#8a5300}.delete{color:#a11}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #eee;padding:.25rem .5rem;text-align:left;vertical-align:top}
pre{background:#f6f8fa;border-radius:4px;overflow:auto;padding:.5rem;font-size:13px}`;

/**
 * Renders an OpenAPI document as one readable HTML page: every operation with its
 * parameters, request body and responses, schemas shown as JSON.
 *
 * @remarks
 * Everything taken from the document is HTML-escaped; the page has no script at all.
 * @param document - The document from `createOpenApiDocument`.
 * @param options - A link to the JSON, a CSP nonce, a title.
 * @returns The page, a complete `<!doctype html>` document.
 * @example
 * ```ts
 * const html = renderDocsPage(document, { specUrl: '/openapi.json' });
 * // serve with content-type: text/html; charset=utf-8
 * ```
 */
export function renderDocsPage(document: OpenApiDocument, options: DocsPageOptions = {}): string {
  const title = escapeHtml(options.title ?? document.info.title);
  const nonce = options.nonce === undefined ? '' : ` nonce="${escapeHtml(options.nonce)}"`;
  const parts: string[] = [
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">`,
    `<title>${title}</title><style${nonce}>${STYLE}</style></head><body>`,
    `<h1>${title}</h1><p>Version ${escapeHtml(document.info.version)}`,
    options.specUrl === undefined
      ? ''
      : ` · <a href="${escapeHtml(options.specUrl)}">OpenAPI document (JSON)</a>`,
    '</p>',
    document.info.description === undefined
      ? ''
      : `<p>${escapeHtml(document.info.description)}</p>`,
  ];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      parts.push(renderOperation(method, path, operation));
    }
  }
  const schemas = Object.entries(document.components.schemas);
  if (schemas.length > 0) {
    parts.push('<h2>Schemas</h2>');
    for (const [name, schema] of schemas) {
      parts.push(`<h3 id="schema-${escapeHtml(name)}">${escapeHtml(name)}</h3>${json(schema)}`);
    }
  }
  parts.push('</body></html>');
  return parts.join('');
}

function json(value: unknown): string {
  return `<pre>${escapeHtml(JSON.stringify(value, null, 2))}</pre>`;
}

function text(value: unknown): string {
  return typeof value === 'string' ? escapeHtml(value) : '';
}

function renderOperation(method: string, path: string, operation: JsonSchema): string {
  const out: string[] = [
    `<section><h2><span class="m ${escapeHtml(method)}">${escapeHtml(method)}</span> ${escapeHtml(path)}</h2>`,
  ];
  if (operation.summary !== undefined)
    out.push(`<p><strong>${text(operation.summary)}</strong></p>`);
  if (operation.description !== undefined) out.push(`<p>${text(operation.description)}</p>`);
  if (operation.deprecated === true) out.push('<p><em>Deprecated.</em></p>');
  const parameters = (operation.parameters ?? []) as JsonSchema[];
  if (parameters.length > 0) {
    out.push(
      '<h3>Parameters</h3><table><tr><th>name</th><th>in</th><th>required</th><th>schema</th></tr>',
    );
    for (const p of parameters) {
      out.push(
        `<tr><td><code>${text(p.name)}</code></td><td>${text(p.in)}</td><td>${p.required === true ? 'yes' : 'no'}</td><td><code>${escapeHtml(JSON.stringify(p.schema))}</code></td></tr>`,
      );
    }
    out.push('</table>');
  }
  const body = operation.requestBody as
    { content?: Record<string, { schema?: unknown }> } | undefined;
  for (const [type, media] of Object.entries(body?.content ?? {})) {
    out.push(`<h3>Request body <code>${escapeHtml(type)}</code></h3>${json(media.schema)}`);
  }
  const responses = (operation.responses ?? {}) as Record<string, JsonSchema>;
  out.push('<h3>Responses</h3>');
  for (const [status, response] of Object.entries(responses)) {
    out.push(`<p><strong>${escapeHtml(status)}</strong> ${text(response.description)}</p>`);
    const content = (response.content ?? {}) as Record<string, { schema?: unknown }>;
    for (const [type, media] of Object.entries(content)) {
      out.push(`<p><code>${escapeHtml(type)}</code></p>${json(media.schema)}`);
    }
  }
  out.push('</section>');
  return out.join('');
}
