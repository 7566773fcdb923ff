import { expect, it } from 'vitest';
import { isJsonMediaType } from './media-type';

it('recognises JSON media types and nothing else', () => {
  for (const yes of [
    'application/json',
    'Application/JSON; charset=utf-8',
    'application/merge-patch+json',
    'application/problem+json;charset=UTF-8',
    ' application/json ',
  ]) {
    expect(isJsonMediaType(yes), yes).toBe(true);
  }
  for (const no of [
    undefined,
    '',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/jsonp',
    'text/json',
    'application/json-seq',
    'application',
    'x'.repeat(100_000),
  ]) {
    expect(isJsonMediaType(no), no?.slice(0, 40)).toBe(false);
  }
});
