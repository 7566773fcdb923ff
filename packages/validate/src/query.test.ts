import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { queryBoolean, queryInteger, queryList, queryNumber } from './query';

describe('query schemas', () => {
  it('queryNumber reads decimals and rejects the empty string, hex and Infinity', () => {
    const schema = queryNumber();
    expect(schema.parse('1.5')).toBe(1.5);
    expect(schema.parse('-2e3')).toBe(-2000);
    for (const bad of ['', ' ', '0x10', 'Infinity', 'NaN', '1,5']) {
      expect(schema.safeParse(bad).success).toBe(false);
    }
    expect(queryNumber(z.number().max(10)).safeParse('11').success).toBe(false);
  });

  it('queryInteger reads integers only, then checks the range', () => {
    expect(queryInteger().parse('-7')).toBe(-7);
    expect(queryInteger().safeParse('1.5').success).toBe(false);
    expect(queryInteger(z.int().min(1)).safeParse('0').success).toBe(false);
  });

  it('queryBoolean is a stringbool and queryList bounds its length', () => {
    expect(queryBoolean().parse('off')).toBe(false);
    expect(queryList(z.string(), 2).safeParse(['a', 'b', 'c']).success).toBe(false);
    expect(queryList().parse(['a'])).toEqual(['a']);
  });
});
