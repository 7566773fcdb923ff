/**
 * The README's examples run as written: each TypeScript block is written next to this file
 * with the package imports pointed at the sources (and `/api/…` at a loopback server), then
 * imported and exercised.
 */
import { once } from 'node:events';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import type { ComponentType } from 'react';
import type { Root } from 'react-dom/client';
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  onTestFinished,
  vi,
} from 'vitest';
import { ErrorBoundary } from '../src/index';
import type { ErrorReporter, ReportBatch } from '../src/reporter';
import { silenceExpectedErrors } from '../src/testing';
import { reportsPage } from './reports-page';

const here = dirname(fileURLToPath(import.meta.url));
const readme = readFileSync(join(here, '../README.md'), 'utf8');
const blocks = [...readme.matchAll(/```tsx?\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
const generated: string[] = [];

let server: Server;
let origin: string;
const batches: ReportBatch[] = [];
let batchArrived: () => void = () => undefined;

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      if (request.url === '/api/client-errors') {
        batches.push(JSON.parse(body) as ReportBatch);
        response.writeHead(204).end();
        batchArrived();
      } else if (request.url === '/api/save') {
        response.writeHead(503, { 'content-type': 'application/problem+json' }).end(
          JSON.stringify({
            type: 'about:blank',
            title: 'Service Unavailable',
            status: 503,
            code: 'SERVICE_UNAVAILABLE',
            detail: 'Storage is down',
          }),
        );
      } else {
        response.writeHead(500).end('not json');
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.close();
  for (const file of generated) rmSync(file, { force: true });
});
beforeEach(() =>
  silenceExpectedErrors(
    /Storage is down|cursed|not json|JSON|No data to chart|warming up|conflict|down/i,
  ),
);
afterEach(cleanup);

/**
 * Writes README block `index` as a module beside this file and imports it; in browser code,
 * `/api/…` requests go to the loopback server.
 */
async function load<T>(index: number, edit: (code: string) => string = toLoopback): Promise<T> {
  const file = join(here, `readme-${index}.generated.tsx`);
  generated.push(file);
  const code = edit(blocks[index] ?? '')
    .replace(/'@arm\/react-boundary\/(reporter|optimistic|testing)'/g, "'../src/$1'")
    .replace(/'@arm\/react-boundary'/g, "'../src/index'");
  writeFileSync(file, code);
  return (await import(/* @vite-ignore */ pathToFileURL(file).href)) as T;
}

function toLoopback(code: string): string {
  return code.replace(/'\/api\//g, `'${origin}/api/`);
}

function nextBatch(): Promise<void> {
  return new Promise((resolve) => (batchArrived = resolve));
}

it('has the examples this test knows', () => {
  expect(blocks).toHaveLength(9);
});

it('Usage: a failing async handler shows the default fallback and one report reaches the server', async () => {
  const rootElement = document.createElement('div');
  rootElement.id = 'root';
  document.body.append(rootElement);
  onTestFinished(() => {
    rootElement.remove();
  });
  await act(async () => {
    await load(0);
  });
  fireEvent.click(screen.getByRole('button', { name: 'Save' }));
  const alert = await screen.findByRole('alert');
  expect(alert.textContent).toContain('Something went wrong');
  expect(alert.textContent).toContain('Storage is down');
  const eventId = /Reference: ([0-9a-f-]{36})/.exec(alert.textContent)?.[1];
  expect(eventId).toMatch(/^[0-9a-f-]{36}$/);
  expect(document.activeElement).toBe(alert);
  // Hiding the page flushes the queue (jsdom has no sendBeacon, so fetch with keepalive).
  const arrived = nextBatch();
  dispatchEvent(new Event('pagehide'));
  await arrived;
  expect(batches.at(-1)).toMatchObject({
    dropped: 0,
    reports: [
      {
        status: 503,
        code: 'SERVICE_UNAVAILABLE',
        eventId,
        boundary: 'editor',
        detail: 'Storage is down',
      },
    ],
  });
});

it('Fallbacks: the fallback, onError, and resetKeys resetting on the first change after a mount error', async () => {
  const { Projects } = await load<{ Projects: ComponentType }>(1);
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  render(<Projects />);
  expect(screen.getByRole('alert').textContent).toContain('INTERNAL: Something went wrong.');
  expect(warn).toHaveBeenCalledWith('caught', 'INTERNAL', undefined);
  fireEvent.click(screen.getByText('Next project'));
  expect(screen.getByRole('heading').textContent).toBe('Project 14');
  expect(log).toHaveBeenCalledWith('reset', 'keys');
});

describe('Async work', () => {
  it('run sends a failed fetch to the boundary', async () => {
    const { Page } = await load<{ Page: ComponentType }>(2);
    render(<Page />);
    fireEvent.click(screen.getByText('Search'));
    expect(await screen.findByText('Search failed')).toBeTruthy();
  });

  it('showBoundary shows an error caught by hand', async () => {
    const { Page } = await load<{ Page: ComponentType }>(2);
    render(<Page />);
    fireEvent.click(screen.getByText('Parse'));
    expect(screen.getByText('Search failed')).toBeTruthy();
  });

  it('the bridge takes unhandled rejections the predicate accepts', async () => {
    const { Page } = await load<{ Page: ComponentType }>(2);
    render(<Page />);
    const ignored = Object.assign(new Event('unhandledrejection', { cancelable: true }), {
      reason: 'a string',
    });
    act(() => {
      dispatchEvent(ignored);
    });
    expect(screen.getByText('Search')).toBeTruthy();
    act(() => {
      dispatchEvent(
        Object.assign(new Event('unhandledrejection', { cancelable: true }), {
          reason: new Error('down'),
        }),
      );
    });
    expect(screen.getByText('Search failed')).toBeTruthy();
  });
});

it('Retries: a retryable error is retried with backoff until the page renders', async () => {
  const { Dashboard } = await load<{ Dashboard: ComponentType }>(3);
  reportsPage.failing = true;
  render(<Dashboard />);
  expect(await screen.findByText('Retrying (1)…')).toBeTruthy();
  reportsPage.failing = false;
  expect(await screen.findByRole('heading', {}, { timeout: 3_000 })).toBeTruthy();
  expect(screen.getByRole('heading').textContent).toBe('Reports');
});

it('withErrorBoundary: the wrapped component or its fallback', async () => {
  const { SafeChart } = await load<{ SafeChart: ComponentType<{ points: number[] }> }>(4);
  const { rerender } = render(<SafeChart points={[1, 2]} />);
  expect(screen.getByLabelText('2 points')).toBeTruthy();
  rerender(<SafeChart points={[]} />);
  expect(screen.getByText('The chart is unavailable.')).toBeTruthy();
});

it('Reporting: createRoot options and a reporter that scrubs and posts', async () => {
  const { mount, reporter } = await load<{
    mount: (container: HTMLElement) => Root;
    reporter: ErrorReporter;
  }>(5);
  const container = document.createElement('div');
  let root: Root | undefined;
  act(() => {
    root = mount(container);
  });
  expect(container.textContent).toBe('app');
  const eventId = reporter.report(new Error('down for maintenance'));
  const arrived = nextBatch();
  await reporter.flush();
  await arrived;
  expect(batches.at(-1)?.reports[0]).toMatchObject({
    eventId,
    url: location.href.split('?')[0],
    detail: 'down for maintenance',
  });
  act(() => root?.unmount());
  reporter.dispose();
});

it('Reporting: the Node receiver logs one line per report', async () => {
  const { receiver } = await load<{ receiver: Server }>(6, (code) => code);
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/client-errors`;
  const batch = { reports: [{ eventId: 'e-1', code: 'INTERNAL', count: 2 }], dropped: 3 };
  const response = await fetch(url, { method: 'POST', body: JSON.stringify(batch) });
  expect(response.status).toBe(204);
  expect((await fetch(url.replace('client-errors', 'other'))).status).toBe(404);
  expect(log.mock.calls).toEqual([
    ['{"level":"error","eventId":"e-1","code":"INTERNAL","count":2}'],
    ['{"level":"warn","dropped":3}'],
  ]);
  receiver.close();
});

it('Optimistic updates: shown at once, rolled back with the error inline, 5xx to the boundary', async () => {
  type Like = (by: number, signal: AbortSignal) => Promise<number>;
  const { Likes } = await load<{ Likes: ComponentType<{ likes: number; like: Like }> }>(7);
  let settle: { resolve: (value: number) => void; reject: (error: unknown) => void } | undefined;
  const like: Like = () => new Promise((resolve, reject) => (settle = { resolve, reject }));
  render(
    <ErrorBoundary fallback={<p>boundary</p>}>
      <Likes likes={1} like={like} />
    </ErrorBoundary>,
  );
  fireEvent.click(screen.getByRole('button'));
  expect(screen.getByRole('button').textContent).toBe('2 likes');
  await act(async () => {
    settle?.reject(Object.assign(new Error('Edit conflict'), { status: 409 }));
    await Promise.resolve();
  });
  expect(screen.getByRole('button').textContent).toBe('1 likes');
  expect(screen.getByRole('status').textContent).toBe('Edit conflict');
  fireEvent.click(screen.getByRole('button'));
  await act(async () => {
    settle?.resolve(7);
    await Promise.resolve();
  });
  expect(screen.getByRole('button').textContent).toBe('7 likes');
  fireEvent.click(screen.getByRole('button'));
  await act(async () => {
    settle?.reject(Object.assign(new Error('Storage is down'), { status: 503 }));
    await Promise.resolve();
  });
  expect(screen.getByText('boundary')).toBeTruthy();
});

it('Tests: the silencing hook drops the expected errors and restores the console', async () => {
  const { hook } = await load<{ hook: () => () => void }>(8, (code) =>
    code
      .replace("import { beforeEach } from 'vitest';\n", '')
      .replace('beforeEach(', 'export const hook = ('),
  );
  const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  const restore = hook();
  console.error(new Error('Project 13 is cursed'));
  console.error(new Error('No data to chart'));
  console.error(new Error('something else'));
  restore();
  expect(error.mock.calls).toEqual([[new Error('something else')]]);
});
