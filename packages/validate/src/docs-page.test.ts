import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { escapeHtml, renderDocsPage } from './docs-page';
import { createOpenApiDocument, createRouteRegistry } from './openapi';

describe('renderDocsPage', () => {
  const api = createRouteRegistry();
  api.route({
    method: 'post',
    path: '/notes/:id',
    summary: 'Save a <note>',
    description: 'Saves "it"',
    deprecated: true,
    request: {
      params: z.object({ id: z.string() }),
      body: z.object({ text: z.string().meta({ id: 'NoteText' }) }),
    },
    responses: {
      204: { description: 'Saved' },
      200: { description: 'Echo', body: z.object({ ok: z.boolean() }) },
    },
  });
  api.route({ method: 'get', path: '/ping', responses: { 200: { description: 'pong' } } });
  const document = createOpenApiDocument(api, {
    info: { title: 'Notes <API>', version: '2.0.0', description: 'All & sundry' },
  });

  it('renders every operation, escaped, without any script or external resource', () => {
    const html = renderDocsPage(document, { specUrl: '/openapi.json?x="1"', nonce: 'abc"' });
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<title>Notes &lt;API&gt;</title>');
    expect(html).toContain('Save a &lt;note&gt;');
    expect(html).toContain('Saves &quot;it&quot;');
    expect(html).toContain('All &amp; sundry');
    expect(html).toContain('<em>Deprecated.</em>');
    expect(html).toContain('/notes/{id}');
    expect(html).toContain('href="/openapi.json?x=&quot;1&quot;"');
    expect(html).toContain('<style nonce="abc&quot;">');
    expect(html).toContain('id="schema-NoteText"');
    expect(html).toContain('<strong>204</strong> Saved');
    expect(html).not.toMatch(/<script|<link|@import|https?:\/\/(?!json-schema)/i);
    expect(html).not.toContain('<note>');
  });

  it('works without options', () => {
    const html = renderDocsPage(
      createOpenApiDocument(createRouteRegistry(), { info: { title: 'Empty', version: '0' } }),
    );
    expect(html).toContain('<style>');
    expect(html).not.toContain('OpenAPI document (JSON)');
    expect(html).not.toContain('Schemas');
  });

  it('escapes the five HTML metacharacters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });
});
