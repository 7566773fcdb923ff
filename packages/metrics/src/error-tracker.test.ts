import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '@arm/errors';
import { createErrorTracker, topFrame } from './error-tracker';

function notFoundHere(): NotFoundError {
  return new NotFoundError('no such order');
}
function notFoundThere(): NotFoundError {
  return new NotFoundError('no such order');
}

describe('createErrorTracker', () => {
  it('groups errors by code and throwing place, with count, first and last seen', () => {
    const clock = { now: 1000 };
    const tracker = createErrorTracker({ clock: () => clock.now });
    const first = tracker.track(notFoundHere(), { route: '/orders/:id', requestId: 'r1' });
    clock.now = 2000;
    const second = tracker.track(notFoundHere(), { route: '/other' });
    expect(second.fingerprint).toBe(first.fingerprint);
    expect(second).toMatchObject({
      code: 'NOT_FOUND',
      status: 404,
      count: 2,
      firstSeen: 1000,
      lastSeen: 2000,
    });
    expect(second.context).toEqual({ route: '/orders/:id', requestId: 'r1' });
    expect(second.frame).toMatch(/^notFoundHere \(.*error-tracker\.test\.ts\)$/);
    const elsewhere = tracker.track(notFoundThere());
    expect(elsewhere.fingerprint).not.toBe(first.fingerprint);
    const conflict = tracker.track(new ConflictError());
    expect(tracker.groups().map((g) => g.fingerprint)).toEqual([
      conflict.fingerprint,
      elsewhere.fingerprint,
      first.fingerprint,
    ]);
    expect(tracker.groups(1)).toHaveLength(1);
    expect(tracker.get(first.fingerprint)?.count).toBe(2);
    expect(tracker.get('nope')).toBeUndefined();
  });

  it('keeps one sample serialised with its cause chain; a plain error groups where it was thrown', () => {
    const tracker = createErrorTracker();
    const cause = new Error('connection refused');
    const group = tracker.track(new ValidationError('bad input', { cause }));
    expect(group.sample).toMatchObject({
      name: 'ValidationError',
      code: 'VALIDATION_FAILED',
      cause: { message: 'connection refused' },
    });
    const plain = tracker.track(new TypeError('x is undefined'));
    expect(plain.code).toBe('INTERNAL');
    expect(plain.frame).toContain('error-tracker.test.ts');
    expect(tracker.track('a string').frame).not.toBe('');
  });

  it('stays within maxGroups, dropping the least recently seen group', () => {
    const tracker = createErrorTracker({ maxGroups: 2 });
    const a = tracker.track(notFoundHere());
    const b = tracker.track(notFoundThere());
    tracker.track(notFoundHere());
    const c = tracker.track(new ConflictError());
    expect(tracker.groups().map((g) => g.fingerprint)).toEqual([c.fingerprint, a.fingerprint]);
    expect(tracker.get(b.fingerprint)).toBeUndefined();
    expect(tracker.evicted).toBe(1);
    tracker.clear();
    expect(tracker.groups()).toEqual([]);
  });

  it('survives a throwing hook and reports new groups', () => {
    const news: boolean[] = [];
    const tracker = createErrorTracker({
      onTrack: (_, isNew) => {
        news.push(isNew);
        throw new Error('hook');
      },
    });
    tracker.track(notFoundHere());
    tracker.track(notFoundHere());
    expect(news).toEqual([true, false]);
    expect(() => createErrorTracker({ maxGroups: 0 })).toThrow(/"errors.maxGroups"/);
  });

  it('normalises top frames: no line numbers, query strings, cwd or internals', () => {
    const stack = [
      'Error: x',
      '    at new AppError (/app/node_modules/@arm/errors/dist/index.js:10:5)',
      '    at node:internal/process/task_queues:95:5',
      `    at loadOrder (file://${process.cwd()}/src/orders.ts?v=123:42:7)`,
    ].join('\n');
    expect(topFrame(stack)).toBe('loadOrder (./src/orders.ts)');
    expect(topFrame('Error: x\n    at /srv/app.js:1:2')).toBe('/srv/app.js');
    expect(topFrame(undefined)).toBe('<unknown>');
    expect(topFrame('Error: no frames')).toBe('<unknown>');
  });
});
