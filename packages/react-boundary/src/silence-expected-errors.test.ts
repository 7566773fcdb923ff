import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { silenceExpectedErrors } from './silence-expected-errors';

let error: ReturnType<typeof vi.fn<(...args: unknown[]) => void>>;
let warn: ReturnType<typeof vi.fn<(...args: unknown[]) => void>>;
beforeEach(() => {
  error = vi.fn<(...args: unknown[]) => void>();
  warn = vi.fn<(...args: unknown[]) => void>();
  console.error = error;
  console.warn = warn;
});
const { error: realError, warn: realWarn } = console;
afterEach(() => {
  console.error = realError;
  console.warn = realWarn;
});

it('drops logs of the expected errors and React lines about them, and nothing else', () => {
  const restore = silenceExpectedErrors('boom', /kaput/, (value) => value instanceof RangeError);
  console.error(
    '%o\n\n%s',
    new Error('a boom here'),
    'The above error occurred in the <Bomb> component.',
  );
  console.error(new Error('it went kaput'));
  console.error(new RangeError('out of range'));
  console.error('Error: Uncaught [Error: boom]', new Error('boom'));
  console.warn('An error occurred. Consider adding an error boundary to your tree.');
  console.error('text mentioning boom');
  console.error(new Error('unexpected'));
  console.error('plain text');
  console.error({ message: 42 });
  console.warn('a warning');
  expect(error.mock.calls).toEqual([[new Error('unexpected')], ['plain text'], [{ message: 42 }]]);
  expect(warn.mock.calls).toEqual([['a warning']]);
  restore();
  expect(console.error).toBe(error);
  expect(console.warn).toBe(warn);
});

it('treats every error object as expected without arguments', () => {
  const restore = silenceExpectedErrors();
  console.error(new Error('anything'));
  console.error('text is not an error');
  expect(error.mock.calls).toEqual([['text is not an error']]);
  restore();
});

it('cancels window error events of expected errors only, until restored', () => {
  const restore = silenceExpectedErrors(/boom/);
  // Registered after the helper's listener, so it sees what the helper decided; it then
  // cancels every event itself so that the test runner does not report them as uncaught.
  const seen: boolean[] = [];
  const after = (event: ErrorEvent) => {
    seen.push(event.defaultPrevented);
    event.preventDefault();
  };
  addEventListener('error', after);
  dispatchEvent(new ErrorEvent('error', { error: new Error('boom'), cancelable: true }));
  dispatchEvent(new ErrorEvent('error', { error: new Error('other'), cancelable: true }));
  const remove = vi.spyOn(globalThis, 'removeEventListener');
  restore();
  expect(remove).toHaveBeenCalledWith('error', expect.any(Function));
  dispatchEvent(new ErrorEvent('error', { error: new Error('boom'), cancelable: true }));
  removeEventListener('error', after);
  expect(seen).toEqual([true, false, false]);
});
