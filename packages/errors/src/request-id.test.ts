import { describe, expect, it } from 'vitest';
import { requestId, requestInstance } from './request-id';

describe('requestId', () => {
  it('keeps a well-formed id from upstream', () => {
    expect(requestId('lb-7f3a.9:x@y_z')).toBe('lb-7f3a.9:x@y_z');
    expect(requestId(['first', 'second'])).toBe('first');
  });

  it('replaces a missing, empty, oversized or hostile id with a fresh UUID', () => {
    for (const incoming of [undefined, '', 'a'.repeat(129), '<script>', 'a b', 'line\nbreak', []]) {
      const id = requestId(incoming);
      expect(id).toMatch(/^[\da-f]{8}-[\da-f]{4}-4[\da-f]{3}-[89ab][\da-f]{3}-[\da-f]{12}$/);
    }
    expect(requestId(undefined)).not.toBe(requestId(undefined));
  });
});

describe('requestInstance', () => {
  it('makes a urn:uuid of a UUID and keeps other ids as relative references', () => {
    expect(requestInstance('5f0c2a9e-3b1d-4c6f-9a7e-2d8b1c0e4f6a')).toBe(
      'urn:uuid:5f0c2a9e-3b1d-4c6f-9a7e-2d8b1c0e4f6a',
    );
    expect(requestInstance('lb-7f3a')).toBe('lb-7f3a');
  });
});
