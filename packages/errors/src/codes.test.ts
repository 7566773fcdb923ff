import { describe, expect, it } from 'vitest';
import { isErrorStatus, statusTitle } from './codes';

describe('statusTitle', () => {
  it('gives the RFC 9110 reason phrase, or that of the status class', () => {
    expect(statusTitle(404)).toBe('Not Found');
    expect(statusTitle(402)).toBe('Payment Required');
    expect(statusTitle(413)).toBe('Content Too Large');
    expect(statusTitle(418)).toBe('Bad Request');
    expect(statusTitle(507)).toBe('Internal Server Error');
  });
});

describe('isErrorStatus', () => {
  it('accepts integers from 400 to 599 only', () => {
    expect([400, 404, 599].every(isErrorStatus)).toBe(true);
    expect([399, 600, 404.1, '404', null, undefined, Number.NaN].some(isErrorStatus)).toBe(false);
  });
});
