import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { StrictMode, useState } from 'react';
import type { ReactNode } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NotFoundError, ServiceUnavailableError, isAppError } from '@arm/errors';
import type { AppError } from '@arm/errors';
import { markReported } from './_event-ids';
import { RELOAD_KEY } from './chunk-load';
import { ErrorBoundary } from './error-boundary';
import type { BoundaryReporter, FallbackProps, ResetDetails } from './error-boundary';
import { silenceExpectedErrors } from './silence-expected-errors';

beforeEach(() => silenceExpectedErrors(/boom|chunk|unavailable|down/i));
afterEach(() => {
  cleanup();
  vi.useRealTimers();
  sessionStorage.clear();
});

function Bomb({ error = new Error('boom') }: { error?: unknown }): ReactNode {
  throw error;
}

function Fallback({ error, resetErrorBoundary, retryCount, eventId }: FallbackProps) {
  return (
    <div>
      <p data-testid="message">{error.message}</p>
      <p data-testid="code">{error.code}</p>
      <p data-testid="retries">{retryCount}</p>
      <p data-testid="event">{eventId ?? 'none'}</p>
      <button
        onClick={() => {
          resetErrorBoundary('from-button');
        }}
      >
        reset
      </button>
    </div>
  );
}

describe('fallbacks', () => {
  it('renders the children when nothing throws', () => {
    render(
      <ErrorBoundary fallback={<p>fallback</p>}>
        <p>fine</p>
      </ErrorBoundary>,
    );
    expect(screen.getByText('fine')).toBeTruthy();
    expect(screen.queryByText('fallback')).toBeNull();
  });

  it('FallbackComponent gets the error normalised to an AppError with the component stack', () => {
    let props: FallbackProps | undefined;
    function Capture(received: FallbackProps) {
      props = received;
      return <p>captured</p>;
    }
    const thrown = new Error('boom');
    render(
      <ErrorBoundary FallbackComponent={Capture} fallback={<p>loses</p>}>
        <Bomb error={thrown} />
      </ErrorBoundary>,
    );
    expect(screen.getByText('captured')).toBeTruthy();
    expect(isAppError(props?.error)).toBe(true);
    expect(props?.error.code).toBe('INTERNAL');
    expect(props?.error.message).toBe('boom');
    expect(props?.error.cause).toBe(thrown);
    expect(props?.componentStack).toContain('Bomb');
    expect(props?.retryCount).toBe(0);
    expect(props?.nextRetryMs).toBeUndefined();
    expect(props?.production).toBe(false);
  });

  it('keeps an AppError as thrown', () => {
    const thrown = new NotFoundError('No project 42');
    render(
      <ErrorBoundary FallbackComponent={Fallback}>
        <Bomb error={thrown} />
      </ErrorBoundary>,
    );
    expect(screen.getByTestId('code').textContent).toBe('NOT_FOUND');
    expect(screen.getByTestId('message').textContent).toBe('No project 42');
  });

  it('normalises thrown non-errors', () => {
    render(
      <ErrorBoundary FallbackComponent={Fallback}>
        <Bomb error="boom as a string" />
      </ErrorBoundary>,
    );
    expect(screen.getByTestId('message').textContent).toBe('boom as a string');
  });

  it('fallbackRender wins over fallback', () => {
    render(
      <ErrorBoundary
        fallbackRender={({ error }) => <p>render: {error.message}</p>}
        fallback={<p>element</p>}
      >
        <Bomb />
      </ErrorBoundary>,
    );
    expect(screen.getByText('render: boom')).toBeTruthy();
  });

  it('fallback renders an element, and null renders nothing', () => {
    const { container, rerender } = render(
      <ErrorBoundary fallback={<p>element</p>}>
        <Bomb />
      </ErrorBoundary>,
    );
    expect(screen.getByText('element')).toBeTruthy();
    rerender(
      <ErrorBoundary fallback={null} resetKeys={[1]}>
        <Bomb />
      </ErrorBoundary>,
    );
    expect(container.innerHTML).toBe('');
  });

  it('renders the accessible default fallback without a fallback prop', () => {
    render(
      <ErrorBoundary production>
        <Bomb />
      </ErrorBoundary>,
    );
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('An unexpected error occurred.');
    expect(alert.textContent).not.toContain('boom');
    expect(document.activeElement).toBe(alert);
  });
});

describe('onError and reporting', () => {
  it('calls onError once with the normalised error, the component stack and the thrown value', () => {
    const onError = vi.fn();
    const thrown = new Error('boom');
    render(
      <ErrorBoundary onError={onError} fallback={<p>fallback</p>}>
        <Bomb error={thrown} />
      </ErrorBoundary>,
    );
    expect(onError).toHaveBeenCalledTimes(1);
    const [error, info] = onError.mock.calls[0] as [AppError, Record<string, unknown>];
    expect(error.cause).toBe(thrown);
    expect(info.thrown).toBe(thrown);
    expect(info.componentStack).toContain('Bomb');
    expect(info.eventId).toBeUndefined();
  });

  it('reports through the reporter prop with the boundary name and shows the event id', () => {
    const report = vi.fn<BoundaryReporter['report']>(() => 'event-1');
    const onError = vi.fn();
    const thrown = new Error('boom');
    render(
      <ErrorBoundary
        reporter={{ report }}
        name="checkout"
        onError={onError}
        FallbackComponent={Fallback}
      >
        <Bomb error={thrown} />
      </ErrorBoundary>,
    );
    expect(report).toHaveBeenCalledTimes(1);
    expect(report).toHaveBeenCalledWith(thrown, {
      source: 'boundary',
      boundary: 'checkout',
      componentStack: expect.stringContaining('Bomb'),
    });
    expect(screen.getByTestId('event').textContent).toBe('event-1');
    expect(onError.mock.calls[0]?.[1]).toMatchObject({ eventId: 'event-1' });
  });

  it('shows the event id of a report made elsewhere (React root callbacks) without a reporter', () => {
    const thrown = new Error('boom');
    markReported(thrown, 'event-from-root');
    render(
      <ErrorBoundary FallbackComponent={Fallback}>
        <Bomb error={thrown} />
      </ErrorBoundary>,
    );
    expect(screen.getByTestId('event').textContent).toBe('event-from-root');
  });
});

describe('reset', () => {
  it('resetErrorBoundary renders the children again and calls onReset with the arguments', () => {
    const onReset = vi.fn<(details: ResetDetails) => void>();
    let explode = true;
    function Maybe() {
      if (explode) throw new Error('boom');
      return <p>recovered</p>;
    }
    render(
      <ErrorBoundary FallbackComponent={Fallback} onReset={onReset}>
        <Maybe />
      </ErrorBoundary>,
    );
    explode = false;
    fireEvent.click(screen.getByText('reset'));
    expect(screen.getByText('recovered')).toBeTruthy();
    expect(onReset).toHaveBeenCalledExactlyOnceWith({
      reason: 'imperative-api',
      args: ['from-button'],
    });
  });

  it('resetErrorBoundary without an error does nothing', () => {
    const onReset = vi.fn();
    let boundary: ErrorBoundary | null = null;
    render(
      <ErrorBoundary
        ref={(instance) => {
          boundary = instance;
        }}
        onReset={onReset}
      >
        <p>fine</p>
      </ErrorBoundary>,
    );
    act(() => {
      boundary?.resetErrorBoundary();
    });
    expect(onReset).not.toHaveBeenCalled();
  });

  it('resets on the first change of resetKeys after an error thrown on mount', () => {
    const onReset = vi.fn();
    function Page({ id }: { id: number }) {
      if (id === 1) throw new Error('boom on mount');
      return <p>page {id}</p>;
    }
    const view = (id: number) => (
      <ErrorBoundary resetKeys={[id]} onReset={onReset} fallback={<p>fallback</p>}>
        <Page id={id} />
      </ErrorBoundary>
    );
    const { rerender } = render(view(1));
    expect(screen.getByText('fallback')).toBeTruthy();
    rerender(view(2));
    expect(screen.getByText('page 2')).toBeTruthy();
    expect(onReset).toHaveBeenCalledExactlyOnceWith({ reason: 'keys', prev: [1], next: [2] });
  });

  it('resets on the first change of resetKeys after an error thrown on update', () => {
    function App() {
      const [id, setId] = useState(0);
      return (
        <>
          <button
            onClick={() => {
              setId((value) => value + 1);
            }}
          >
            next
          </button>
          <ErrorBoundary resetKeys={[id]} fallback={<p>fallback {id}</p>}>
            {id === 1 ? <Bomb /> : <p>page {id}</p>}
          </ErrorBoundary>
        </>
      );
    }
    render(<App />);
    fireEvent.click(screen.getByText('next'));
    expect(screen.getByText('fallback 1')).toBeTruthy();
    fireEvent.click(screen.getByText('next'));
    expect(screen.getByText('page 2')).toBeTruthy();
  });

  it('does not reset while the keys stay equal, and resets when their length changes', () => {
    const view = (keys: unknown[], ok: boolean) => (
      <ErrorBoundary resetKeys={keys} fallback={<p>fallback</p>}>
        {ok ? <p>ok</p> : <Bomb />}
      </ErrorBoundary>
    );
    const { rerender } = render(view(['a', Number.NaN], false));
    rerender(view(['a', Number.NaN], true));
    expect(screen.getByText('fallback')).toBeTruthy();
    rerender(view(['a', Number.NaN, 'b'], true));
    expect(screen.getByText('ok')).toBeTruthy();
  });

  it('resets when resetKeys appear after an error caught without them', () => {
    const view = (keys: unknown[] | undefined, ok: boolean) => (
      <ErrorBoundary resetKeys={keys} fallback={<p>fallback</p>}>
        {ok ? <p>ok</p> : <Bomb />}
      </ErrorBoundary>
    );
    const { rerender } = render(view(undefined, false));
    rerender(view(undefined, true));
    expect(screen.getByText('fallback')).toBeTruthy();
    rerender(view([1], true));
    expect(screen.getByText('ok')).toBeTruthy();
  });
});

describe('retry', () => {
  // React renders a failing tree twice before it gives up, so the test decides when it heals.
  function Flaky({ failing }: { failing: { now: boolean } }) {
    if (failing.now) throw new ServiceUnavailableError('unavailable for now');
    return <p>loaded</p>;
  }

  it('retries a retryable error with backoff and passes the retry count to the fallback', () => {
    vi.useFakeTimers();
    const onReset = vi.fn();
    const failing = { now: true };
    let shown: FallbackProps | undefined;
    render(
      <ErrorBoundary
        retry
        onReset={onReset}
        fallbackRender={(props) => {
          shown = props;
          return <p>retrying {props.retryCount}</p>;
        }}
      >
        <Flaky failing={failing} />
      </ErrorBoundary>,
    );
    expect(screen.getByText('retrying 0')).toBeTruthy();
    expect(shown?.nextRetryMs).toBe(500);
    act(() => {
      vi.advanceTimersByTime(499);
    });
    expect(screen.getByText('retrying 0')).toBeTruthy();
    act(() => {
      vi.advanceTimersByTime(1);
    });
    expect(screen.getByText('retrying 1')).toBeTruthy();
    expect(shown?.nextRetryMs).toBe(1000);
    failing.now = false;
    act(() => {
      vi.advanceTimersByTime(1000);
    });
    expect(screen.getByText('loaded')).toBeTruthy();
    expect(onReset.mock.calls).toEqual([
      [{ reason: 'retry', attempt: 1 }],
      [{ reason: 'retry', attempt: 2 }],
    ]);
  });

  it('stops after max retries, with a custom delay', () => {
    vi.useFakeTimers();
    const failing = { now: true };
    const delayMs = vi.fn((attempt: number) => attempt * 10);
    let shown: FallbackProps | undefined;
    render(
      <ErrorBoundary
        retry={{ max: 1, delayMs }}
        fallbackRender={(props) => {
          shown = props;
          return <p>retries {props.retryCount}</p>;
        }}
      >
        <Flaky failing={failing} />
      </ErrorBoundary>,
    );
    act(() => {
      vi.advanceTimersByTime(10);
    });
    expect(screen.getByText('retries 1')).toBeTruthy();
    expect(shown?.nextRetryMs).toBeUndefined();
    act(() => {
      vi.advanceTimersByTime(60_000);
    });
    expect(screen.getByText('retries 1')).toBeTruthy();
    expect(delayMs.mock.calls).toEqual([[1]]);
  });

  it('does not retry errors that are not retryable, nor without the prop', () => {
    vi.useFakeTimers();
    const { rerender } = render(
      <ErrorBoundary retry fallbackRender={(props) => <p>next {String(props.nextRetryMs)}</p>}>
        <Bomb error={new NotFoundError('boom')} />
      </ErrorBoundary>,
    );
    expect(screen.getByText('next undefined')).toBeTruthy();
    rerender(
      <ErrorBoundary
        resetKeys={[1]}
        fallbackRender={(props) => <p>next {String(props.nextRetryMs)}</p>}
      >
        <Bomb error={new ServiceUnavailableError('unavailable')} />
      </ErrorBoundary>,
    );
    expect(screen.getByText('next undefined')).toBeTruthy();
  });

  it('cancels a scheduled retry on a reset by keys', () => {
    vi.useFakeTimers();
    const onReset = vi.fn();
    const view = (key: number) => (
      <ErrorBoundary retry resetKeys={[key]} onReset={onReset} fallback={<p>fallback</p>}>
        {key === 1 ? <Bomb error={new ServiceUnavailableError('unavailable')} /> : <p>ok</p>}
      </ErrorBoundary>
    );
    const { rerender } = render(view(1));
    rerender(view(2));
    act(() => {
      vi.advanceTimersByTime(10_000);
    });
    expect(onReset.mock.calls).toEqual([[{ reason: 'keys', prev: [1], next: [2] }]]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does not retry after unmount', () => {
    vi.useFakeTimers();
    const onReset = vi.fn();
    const { unmount } = render(
      <ErrorBoundary retry onReset={onReset} fallback={<p>fallback</p>}>
        <Bomb error={new ServiceUnavailableError('unavailable')} />
      </ErrorBoundary>,
    );
    unmount();
    act(() => {
      vi.advanceTimersByTime(10_000);
    });
    expect(onReset).not.toHaveBeenCalled();
  });

  it('retries an error thrown on mount under StrictMode, which remounts the boundary', () => {
    vi.useFakeTimers();
    const failing = { now: true };
    render(
      <StrictMode>
        <ErrorBoundary retry fallbackRender={({ retryCount }) => <p>retries {retryCount}</p>}>
          <Flaky failing={failing} />
        </ErrorBoundary>
      </StrictMode>,
    );
    expect(screen.getByText('retries 0')).toBeTruthy();
    failing.now = false;
    act(() => {
      vi.advanceTimersByTime(500);
    });
    expect(screen.getByText('loaded')).toBeTruthy();
  });
});

describe('chunk-load failures', () => {
  const chunkError = () =>
    Object.assign(new Error('Loading chunk 42 failed. (missing: /42.js)'), {
      name: 'ChunkLoadError',
    });

  it('reloads once, then shows the fallback without reloading again', () => {
    const reload = vi.fn();
    const view = (key: number) => (
      <ErrorBoundary reloadOnChunkError={reload} resetKeys={[key]} fallback={<p>fallback</p>}>
        <Bomb error={chunkError()} />
      </ErrorBoundary>
    );
    const { rerender } = render(view(1));
    expect(reload).toHaveBeenCalledTimes(1);
    expect(Number(sessionStorage.getItem(RELOAD_KEY))).toBeGreaterThan(0);
    rerender(view(2));
    expect(reload).toHaveBeenCalledTimes(1);
    expect(screen.getByText('fallback')).toBeTruthy();
  });

  it('does not reload when turned off', () => {
    render(
      <ErrorBoundary reloadOnChunkError={false} fallback={<p>fallback</p>}>
        <Bomb error={chunkError()} />
      </ErrorBoundary>,
    );
    expect(sessionStorage.getItem(RELOAD_KEY)).toBeNull();
  });

  it('reloads the page by default', () => {
    const reload = vi.fn();
    vi.stubGlobal('location', { href: location.href, reload });
    render(
      <ErrorBoundary fallback={<p>fallback</p>}>
        <Bomb error={chunkError()} />
      </ErrorBoundary>,
    );
    vi.unstubAllGlobals();
    expect(reload).toHaveBeenCalledTimes(1);
  });
});

describe('captureUnhandledRejections', () => {
  function rejection(reason: unknown): Event {
    return Object.assign(new Event('unhandledrejection', { cancelable: true }), { reason });
  }

  it('routes an unhandled rejection to the boundary and prevents the default log', () => {
    render(
      <ErrorBoundary captureUnhandledRejections FallbackComponent={Fallback}>
        <p>page</p>
      </ErrorBoundary>,
    );
    const event = rejection(new Error('network down'));
    act(() => {
      dispatchEvent(event);
    });
    expect(event.defaultPrevented).toBe(true);
    expect(screen.getByTestId('message').textContent).toBe('network down');
  });

  it('gives the rejection to the deepest registered boundary that accepts it', () => {
    render(
      <ErrorBoundary captureUnhandledRejections fallback={<p>outer</p>}>
        <ErrorBoundary
          captureUnhandledRejections={(reason) => reason instanceof TypeError}
          fallback={<p>inner</p>}
        >
          <p>page</p>
        </ErrorBoundary>
      </ErrorBoundary>,
    );
    act(() => {
      dispatchEvent(rejection(new TypeError('down')));
    });
    expect(screen.getByText('inner')).toBeTruthy();
    act(() => {
      dispatchEvent(rejection(new Error('down')));
    });
    expect(screen.getByText('outer')).toBeTruthy();
  });

  it('leaves rejections alone when no boundary accepts them, after unmount and when turned off', () => {
    const view = (capture: boolean) => (
      <ErrorBoundary captureUnhandledRejections={capture} fallback={<p>fallback</p>}>
        <p>page</p>
      </ErrorBoundary>
    );
    const { rerender, unmount } = render(view(true));
    rerender(view(false));
    let event = rejection(new Error('down'));
    act(() => {
      dispatchEvent(event);
    });
    expect(event.defaultPrevented).toBe(false);
    expect(screen.getByText('page')).toBeTruthy();
    rerender(view(true));
    unmount();
    event = rejection(new Error('down'));
    dispatchEvent(event);
    expect(event.defaultPrevented).toBe(false);

    render(
      <ErrorBoundary captureUnhandledRejections={() => false} fallback={<p>fallback</p>}>
        <p>page</p>
      </ErrorBoundary>,
    );
    event = rejection(new Error('down'));
    act(() => {
      dispatchEvent(event);
    });
    expect(event.defaultPrevented).toBe(false);
  });
});
