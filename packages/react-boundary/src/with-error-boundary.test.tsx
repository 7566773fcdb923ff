import { cleanup, render, screen } from '@testing-library/react';
import { createRef, forwardRef } from 'react';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { silenceExpectedErrors } from './silence-expected-errors';
import { withErrorBoundary } from './with-error-boundary';

beforeEach(() => silenceExpectedErrors(/chart/));
afterEach(cleanup);

function Chart({ points }: { points: number[] }) {
  if (points.length === 0) throw new Error('chart without points');
  return <p>{points.length} points</p>;
}

it('renders the component with its props, and the fallback when it throws', () => {
  const onError = vi.fn();
  const SafeChart = withErrorBoundary(Chart, { fallback: <p>unavailable</p>, onError });
  const { rerender } = render(<SafeChart points={[1, 2]} />);
  expect(screen.getByText('2 points')).toBeTruthy();
  rerender(<SafeChart points={[]} />);
  expect(screen.getByText('unavailable')).toBeTruthy();
  expect(onError).toHaveBeenCalledTimes(1);
});

it('names itself after the component and forwards a ref', () => {
  const Input = forwardRef<HTMLInputElement, { label: string }>(function Input({ label }, ref) {
    return <input aria-label={label} ref={ref} />;
  });
  const SafeInput = withErrorBoundary(Input);
  const ref = createRef<HTMLInputElement>();
  render(<SafeInput label="name" ref={ref} />);
  expect(ref.current).toBe(screen.getByLabelText('name'));
  expect(SafeInput.displayName).toBe('withErrorBoundary(Input)');
  expect(withErrorBoundary(Chart).displayName).toBe('withErrorBoundary(Chart)');
  expect(withErrorBoundary(() => null).displayName).toBe('withErrorBoundary(Component)');
});
