/**
 * Every header helmet 8 sets by default is covered by `securityHeaders()`, with the same value
 * or a stricter one that the README's "Differences from helmet" table explains. Helmet runs
 * here as it would in Express, against a recording response.
 */
import helmet from 'helmet';
import { expect, it } from 'vitest';
import { createSecurityHeaders, securityHeaders } from '../src/index';

function helmetDefaults() {
  const set: Record<string, string> = {};
  const removed: string[] = [];
  const response = {
    setHeader: (name: string, value: string) => {
      set[name.toLowerCase()] = value;
    },
    removeHeader: (name: string) => {
      removed.push(name.toLowerCase());
    },
  };
  helmet()({} as never, response as never, () => undefined);
  return { set, removed };
}

/** The headers whose value we change on purpose; each has a row in the README. */
const DELIBERATE: Record<string, string> = {
  'content-security-policy': "base-uri 'none' and frame-ancestors 'none' (ASVS 5.0 3.4.3, 3.4.6)",
  'x-frame-options': 'DENY, matching frame-ancestors',
};

it('covers every header helmet sets by default', () => {
  const ours = securityHeaders();
  const { set } = helmetDefaults();
  const missing = Object.keys(set).filter((name) => !(name in ours));
  expect(missing).toEqual([]);
});

it('sends helmet’s values except the documented, stricter ones', () => {
  const ours = securityHeaders();
  const { set } = helmetDefaults();
  const differing = Object.keys(set).filter((name) => ours[name] !== set[name]);
  expect(differing.sort()).toEqual(Object.keys(DELIBERATE).sort());
  expect(ours['x-frame-options']).toBe('DENY');
});

it('keeps helmet’s CSP directives, each the same or stricter', () => {
  const parse = (policy: string) =>
    new Map(
      policy
        .split(';')
        .map((part) => part.trim().split(/\s+/))
        .map(([name, ...sources]) => [name as string, sources.join(' ')]),
    );
  const theirs = parse(helmetDefaults().set['content-security-policy'] as string);
  const ours = parse(securityHeaders()['content-security-policy'] as string);
  for (const [name, sources] of theirs) {
    if (name === 'base-uri' || name === 'frame-ancestors') {
      expect(ours.get(name)).toBe("'none'");
    } else {
      expect(ours.get(name)).toBe(sources);
    }
  }
});

it('removes X-Powered-By as helmet does', () => {
  expect(helmetDefaults().removed).toEqual(['x-powered-by']);
  expect(createSecurityHeaders().removeHeaders).toEqual(['x-powered-by']);
});

it('adds what helmet leaves out: Permissions-Policy', () => {
  const ours = securityHeaders();
  expect(helmetDefaults().set['permissions-policy']).toBeUndefined();
  expect(ours['permissions-policy']).toContain('camera=()');
});
