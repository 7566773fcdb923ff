import { act } from 'react';
import type { ReactNode } from 'react';
import { flushSync } from 'react-dom';
import { createRoot, hydrateRoot } from 'react-dom/client';
import type { Root } from 'react-dom/client';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { createErrorReporter } from './create-error-reporter';
import { createRootOptions } from './create-root-options';
import { ErrorBoundary } from './error-boundary';
import type { BoundaryReporter, FallbackProps } from './error-boundary';

let container: HTMLDivElement;
let root: Root | undefined;
let error: ReturnType<typeof vi.spyOn>;
let warn: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  container = document.createElement('div');
  document.body.append(container);
  error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterEach(() => {
  act(() => root?.unmount());
  root = undefined;
  container.remove();
  vi.unstubAllGlobals();
});

function Bomb({ error: thrown }: { error: unknown }): ReactNode {
  throw thrown;
}

function ShowEvent({ eventId }: FallbackProps) {
  return <p>event {eventId}</p>;
}

it('reports an error caught by a boundary once, even when the boundary has the reporter too', async () => {
  const sent: string[] = [];
  const reporter = createErrorReporter({
    endpoint: '/client-errors',
    fetch: (_url, init) => {
      sent.push(init?.body as string);
      return Promise.resolve(new Response(null, { status: 204 }));
    },
  });
  const report = vi.spyOn(reporter, 'report');
  const thrown = new Error('caught boom');
  root = createRoot(container, createRootOptions(reporter, { production: false }));
  act(() => {
    root?.render(
      <ErrorBoundary reporter={reporter} FallbackComponent={ShowEvent}>
        <Bomb error={thrown} />
      </ErrorBoundary>,
    );
  });
  expect(report).toHaveBeenCalledTimes(2);
  expect(report.mock.calls[0]).toEqual([
    thrown,
    { source: 'caught', componentStack: expect.stringContaining('Bomb') },
  ]);
  const eventId = report.mock.results[0]?.value as string;
  expect(report.mock.results[1]?.value).toBe(eventId);
  expect(container.textContent).toBe(`event ${eventId}`);
  await reporter.flush();
  expect(sent).toHaveLength(1);
  expect((JSON.parse(sent[0] ?? '{}') as { reports: unknown[] }).reports).toHaveLength(1);
  // React's default logging is kept: the error, and outside production the component stack.
  expect(error).toHaveBeenCalledWith(thrown);
  expect(warn).toHaveBeenCalledWith(
    expect.stringContaining('an error boundary caught it'),
    expect.stringContaining('Bomb'),
  );
  reporter.dispose();
});

it('lets a boundary without a reporter show the event id the root reported', () => {
  const reporter = createErrorReporter({ endpoint: '/client-errors', flushOnPageHide: false });
  const thrown = new Error('caught boom');
  root = createRoot(container, createRootOptions(reporter));
  act(() => {
    root?.render(
      <ErrorBoundary FallbackComponent={ShowEvent}>
        <Bomb error={thrown} />
      </ErrorBoundary>,
    );
  });
  const eventId = reporter.report(thrown);
  expect(eventId).toMatch(/^[0-9a-f-]{36}$/);
  expect(container.textContent).toBe(`event ${eventId}`);
  reporter.dispose();
});

it('reports uncaught errors, logs them like React (reportError) and chains the callbacks', () => {
  const report = vi.fn<BoundaryReporter['report']>(() => 'id');
  const reporter: BoundaryReporter = { report };
  const reportError = vi.fn();
  vi.stubGlobal('reportError', reportError);
  const onUncaughtError = vi.fn();
  const thrown = new Error('uncaught boom');
  // Outside act, React hands uncaught errors to onUncaughtError instead of rethrowing them.
  root = createRoot(container, createRootOptions(reporter, { production: false, onUncaughtError }));
  flushSync(() => {
    root?.render(<Bomb error={thrown} />);
  });
  expect(report).toHaveBeenCalledWith(thrown, {
    source: 'uncaught',
    componentStack: expect.stringContaining('Bomb'),
  });
  expect(reportError).toHaveBeenCalledWith(thrown);
  expect(warn).toHaveBeenCalledWith(
    expect.stringContaining('Consider adding an error boundary'),
    expect.any(String),
  );
  expect(onUncaughtError).toHaveBeenCalledWith(
    thrown,
    expect.objectContaining({ componentStack: expect.any(String) }),
  );
});

it('falls back to console.error without reportError, and logs nothing with log: false', () => {
  const report = vi.fn<BoundaryReporter['report']>(() => 'id');
  const reporter: BoundaryReporter = { report };
  vi.stubGlobal('reportError', undefined);
  const options = createRootOptions(reporter, { production: true });
  const thrown = new Error('uncaught boom');
  options.onUncaughtError(thrown, { componentStack: '\n at X' });
  expect(error).toHaveBeenCalledWith(thrown);
  expect(warn).not.toHaveBeenCalled();
  error.mockClear();
  const quiet = createRootOptions(reporter, { log: false });
  quiet.onUncaughtError(thrown, {});
  quiet.onCaughtError(thrown, {});
  quiet.onRecoverableError(thrown, {});
  expect(error).not.toHaveBeenCalled();
  expect(report).toHaveBeenCalledTimes(4);
});

it('reports recoverable errors such as a hydration mismatch', () => {
  const report = vi.fn<BoundaryReporter['report']>(() => 'id');
  const reporter: BoundaryReporter = { report };
  const reportError = vi.fn();
  vi.stubGlobal('reportError', reportError);
  const onRecoverableError = vi.fn();
  container.innerHTML = '<p>server text</p>';
  act(() => {
    root = hydrateRoot(
      container,
      <p>client text</p>,
      createRootOptions(reporter, { onRecoverableError }),
    );
  });
  expect(container.textContent).toBe('client text');
  expect(report).toHaveBeenCalledWith(
    expect.any(Error),
    expect.objectContaining({ source: 'recoverable' }),
  );
  expect(reportError).toHaveBeenCalledTimes(1);
  expect(onRecoverableError).toHaveBeenCalledTimes(1);
});

it('chains onCaughtError', () => {
  const onCaughtError = vi.fn();
  const options = createRootOptions(
    { report: () => undefined },
    { onCaughtError, production: true },
  );
  options.onCaughtError('thrown', { componentStack: 'stack' });
  expect(onCaughtError).toHaveBeenCalledWith('thrown', { componentStack: 'stack' });
  expect(warn).not.toHaveBeenCalled();
});
