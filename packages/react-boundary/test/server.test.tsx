// @vitest-environment node
/**
 * The server side: importing the package and rendering a tree with boundaries must not crash
 * (boundaries do not run during server rendering), and every built file, ESM and CJS, must
 * open with "use client" so React Server Components treat it as a client module.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { renderToString } from 'react-dom/server';
import { build } from 'tsup';
import { toAppError } from '@arm/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DefaultFallback, ErrorBoundary, useErrorBoundary, withErrorBoundary } from '../src/index';
import { useOptimisticMutation } from '../src/optimistic';
import { createErrorReporter, createRootOptions } from '../src/reporter';
import { silenceExpectedErrors } from '../src/testing';

const run = promisify(execFile);
const packageDir = new URL('..', import.meta.url).pathname;

describe('rendering on the server', () => {
  it('renders boundaries, hooks and wrapped components to HTML', () => {
    function Child() {
      useErrorBoundary();
      const { value } = useOptimisticMutation({
        value: 1,
        apply: (current, by: number) => current + by,
        mutation: () => Promise.resolve(0),
      });
      return <p>value {value}</p>;
    }
    const Wrapped = withErrorBoundary(Child);
    const html = renderToString(
      <ErrorBoundary captureUnhandledRejections retry>
        <Child />
        <Wrapped />
      </ErrorBoundary>,
    );
    expect(html).toBe('<p>value <!-- -->1</p><p>value <!-- -->1</p>');
  });

  it('renders the default fallback', () => {
    const html = renderToString(
      <DefaultFallback
        error={toAppError(new Error('x'))}
        componentStack={undefined}
        eventId="ev"
        retryCount={0}
        nextRetryMs={undefined}
        production
        resetErrorBoundary={() => undefined}
      />,
    );
    expect(html).toContain('role="alert"');
  });

  it('creates a reporter and root options without a window', async () => {
    const reporter = createErrorReporter({ endpoint: 'http://127.0.0.1:1/x', flushIntervalMs: 0 });
    expect(reporter.report(new Error('on the server'))).toMatch(/^[0-9a-f-]{36}$/);
    expect(Object.keys(createRootOptions(reporter))).toHaveLength(3);
    await reporter.flush();
    reporter.dispose();
    silenceExpectedErrors()();
  });
});

describe('the build', () => {
  let outDir: string;
  beforeAll(async () => {
    outDir = mkdtempSync(join(packageDir, '.server-test-'));
    // The real tsup config, imported by path so that the type check does not follow it.
    const configFile = pathToFileURL(join(packageDir, 'tsup.config.ts')).href;
    const { default: config } = (await import(/* @vite-ignore */ configFile)) as {
      default: Record<string, unknown>;
    };
    await build({
      ...config,
      entry: (config.entry as string[]).map((entry) => join(packageDir, entry)),
      outDir,
      dts: false,
      sourcemap: false,
      silent: true,
      // Bundle @arm/errors from its sources, so no build of it is needed.
      noExternal: ['@arm/errors'],
      esbuildOptions(options) {
        options.conditions = ['@arm/source'];
      },
    });
  }, 30_000);
  afterAll(() => {
    rmSync(outDir, { recursive: true, force: true });
  });

  it('opens every ESM and CJS file with "use client"', () => {
    const files = readdirSync(outDir).filter((file) => /\.(c?js)$/.test(file));
    expect(files.sort()).toEqual(
      ['index', 'optimistic', 'reporter', 'testing'].flatMap((name) => [
        `${name}.cjs`,
        `${name}.js`,
      ]),
    );
    for (const file of files) {
      expect(readFileSync(join(outDir, file), 'utf8').startsWith('"use client";'), file).toBe(true);
    }
  });

  it.each([
    ['ESM', `const b = await import('./index.js');`],
    ['CJS', `const b = require('./index.cjs');`],
  ])('imports and server-renders from plain Node (%s)', async (kind, load) => {
    const script = `
      const { createElement: h } = require('react');
      const { renderToString } = require('react-dom/server');
      ${load}
      console.log(renderToString(h(b.ErrorBoundary, { resetKeys: [1] }, h('p', null, 'ok'))));
    `;
    const wrapped =
      kind === 'ESM'
        ? `import { createRequire } from 'node:module'; const require = createRequire(import.meta.url); ${script}`
        : `(async () => { ${script} })();`;
    const { stdout } = await run(
      process.execPath,
      [kind === 'ESM' ? '--input-type=module' : '--input-type=commonjs', '-e', wrapped],
      {
        cwd: outDir,
      },
    );
    expect(stdout.trim()).toBe('<p>ok</p>');
  });
});
