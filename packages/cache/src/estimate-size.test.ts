import { describe, expect, it } from 'vitest';
import { estimateSize } from './estimate-size';

describe('estimateSize', () => {
  it('grows with the data a value holds', () => {
    expect(estimateSize('a'.repeat(100))).toBeGreaterThan(estimateSize('a'));
    expect(estimateSize({ a: 'x'.repeat(50) })).toBeGreaterThan(50);
    expect(estimateSize([1, 2, 3])).toBeGreaterThan(estimateSize([1]));
    expect(estimateSize(new Map([['k', 'v'.repeat(10)]]))).toBeGreaterThan(estimateSize(new Map()));
    expect(estimateSize(new Set([1, 2]))).toBeGreaterThan(estimateSize(new Set()));
    expect(estimateSize(new Date())).toBe(16);
    expect(estimateSize(null)).toBe(4);
    expect(estimateSize(1n)).toBe(8);
  });

  it('counts shared references and cycles once', () => {
    const shared = { text: 'x'.repeat(100) };
    const cyclic: Record<string, unknown> = { shared };
    cyclic.self = cyclic;
    expect(estimateSize(cyclic)).toBeLessThan(2 * estimateSize(shared) + 64);
  });
});
