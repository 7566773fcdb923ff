import { describe, expect, it } from 'vitest';
import { appendVary } from './vary';

describe('appendVary', () => {
  it.each([
    [undefined, 'Sec-Fetch-Site, Origin', 'Sec-Fetch-Site, Origin'],
    ['', 'Origin', 'Origin'],
    ['Accept-Encoding', 'Sec-Fetch-Site, Origin', 'Accept-Encoding, Sec-Fetch-Site, Origin'],
    [
      'origin, accept-encoding',
      'Sec-Fetch-Site, Origin',
      'origin, accept-encoding, Sec-Fetch-Site',
    ],
    [['Accept', 'Cookie'], 'Cookie', 'Accept, Cookie'],
    ['*', 'Origin', '*'],
    ['Accept', '*', '*'],
    ['Accept,,  ', '', 'Accept'],
  ] as const)('%j + %j = %j', (existing, add, expected) => {
    expect(appendVary(existing, add)).toBe(expected);
  });
});
