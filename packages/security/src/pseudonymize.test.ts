import { ConfigurationError } from '@arm/errors';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createPseudonymizer } from './pseudonymize';

const SECRET = 'a-pseudonymisation-secret-of-32-bytes';

describe('createPseudonymizer', () => {
  it('is stable for one secret and domain, and unrelated across domains and secrets', () => {
    const analytics = createPseudonymizer({ secret: SECRET, domain: 'analytics' });
    const support = createPseudonymizer({ secret: SECRET, domain: 'support' });
    const rotated = createPseudonymizer({ secret: `${SECRET}!`, domain: 'analytics' });
    const value = analytics('203.0.113.7');
    expect(value).toMatch(/^[\w-]{22}$/);
    expect(analytics('203.0.113.7')).toBe(value);
    expect(support('203.0.113.7')).not.toBe(value);
    expect(rotated('203.0.113.7')).not.toBe(value);
    expect(analytics('203.0.113.8')).not.toBe(value);
  });

  it('is never a plain hash of the value', () => {
    const pseudonym = createPseudonymizer({ secret: SECRET, domain: 'd', length: 43 })(
      'ann@example.com',
    );
    expect(pseudonym).toHaveLength(43);
    expect(pseudonym).not.toBe(createHash('sha256').update('ann@example.com').digest('base64url'));
  });

  it.each([
    ['a short secret', { secret: 'short', domain: 'd' }],
    ['an empty domain', { secret: SECRET, domain: '' }],
    ['a domain with spaces', { secret: SECRET, domain: 'a b' }],
    ['a short length', { secret: SECRET, domain: 'd', length: 8 }],
    ['a long length', { secret: SECRET, domain: 'd', length: 44 }],
  ])('rejects %s', (_name, options) => {
    expect(() => createPseudonymizer(options)).toThrow(ConfigurationError);
  });
});
