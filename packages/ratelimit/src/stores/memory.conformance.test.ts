import { describeRateLimitStore } from '../testing/describe-store';
import { createMemoryStore } from './memory';

let now = 1_764_000_000_000;
describeRateLimitStore('memory', () => ({
  store: createMemoryStore({ now: () => now }),
  advance: (ms) => {
    now += ms;
    return Promise.resolve();
  },
}));
