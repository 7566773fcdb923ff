import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, expect, it, vi } from 'vitest';
import { AppError, NotFoundError, toAppError } from '@arm/errors';
import { DefaultFallback } from './default-fallback';
import type { FallbackProps } from './error-boundary';

afterEach(cleanup);

function props(error: AppError, overrides: Partial<FallbackProps> = {}): FallbackProps {
  return {
    error,
    componentStack: '\n    at Widget',
    eventId: undefined,
    retryCount: 0,
    nextRetryMs: undefined,
    production: true,
    resetErrorBoundary: vi.fn(),
    ...overrides,
  };
}

it('is an alert that takes focus and retries with its button', () => {
  const reset = vi.fn();
  render(
    <DefaultFallback {...props(toAppError(new Error('secret')), { resetErrorBoundary: reset })} />,
  );
  const alert = screen.getByRole('alert');
  expect(document.activeElement).toBe(alert);
  expect(alert.getAttribute('tabindex')).toBe('-1');
  expect(screen.getByRole('heading').textContent).toBe('Something went wrong');
  fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
  expect(reset).toHaveBeenCalledTimes(1);
});

it('hides the message of an unexposed error and every stack in production', () => {
  render(<DefaultFallback {...props(toAppError(new Error('secret db password')))} />);
  const text = screen.getByRole('alert').textContent;
  expect(text).toContain('An unexpected error occurred.');
  expect(text).not.toContain('secret');
  expect(text).not.toContain('Widget');
  expect(document.querySelector('details')).toBeNull();
});

it('shows the message of an exposed error in production, and the event id', () => {
  render(<DefaultFallback {...props(new NotFoundError('No project 42'), { eventId: 'ev-1' })} />);
  const text = screen.getByRole('alert').textContent;
  expect(text).toContain('No project 42');
  expect(text).toContain('Reference: ev-1');
});

it('shows the message and the stacks outside production', () => {
  const thrown = new Error('secret');
  render(<DefaultFallback {...props(toAppError(thrown), { production: false })} />);
  const details = document.querySelector('details pre')?.textContent ?? '';
  expect(screen.getByRole('alert').textContent).toContain('secret');
  expect(details).toContain(thrown.stack?.split('\n')[1] ?? 'missing');
  expect(details).toContain('at Widget');
});

it('shows the own stack of an error without an Error cause', () => {
  const error = new AppError('plain', { cause: 'a string' });
  render(<DefaultFallback {...props(error, { production: false, componentStack: undefined })} />);
  expect(document.querySelector('details pre')?.textContent).toContain(
    error.stack?.split('\n')[1] ?? 'missing',
  );
});

it('says an automatic retry is scheduled, in the labels given', () => {
  render(
    <DefaultFallback
      {...props(toAppError(new Error('x')), { nextRetryMs: 500 })}
      labels={{ retrying: 'Nouvel essai…', retry: 'Réessayer', title: 'Oups' }}
    />,
  );
  expect(screen.getByText('Nouvel essai…')).toBeTruthy();
  expect(screen.getByRole('button').textContent).toBe('Réessayer');
  expect(screen.getByRole('heading').textContent).toBe('Oups');
});
