import { describe, expect, it } from 'vitest';
import { reduceUserAgent } from './user-agent';

describe('reduceUserAgent', () => {
  it.each([
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.86 Safari/537.36',
      'Chrome 131 (Windows)',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86',
      'Edge 131 (Windows)',
    ],
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
      'Safari 18 (macOS)',
    ],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
      'Safari 18 (iOS)',
    ],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1',
      'Chrome 131 (iOS)',
    ],
    [
      'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
      'Firefox 133 (Linux)',
    ],
    [
      'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
      'Chrome 131 (Android)',
    ],
    [
      'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36',
      'Samsung Internet 26 (Android)',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36 OPR/114.0.0.0',
      'Opera 114 (Windows)',
    ],
    [
      'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
      'Chrome 131 (ChromeOS)',
    ],
    ['Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', 'Bot (Other)'],
    ['curl/8.5.0', 'curl 8 (Other)'],
    ['node', 'Node.js (Other)'],
    ['undici/6.0', 'Node.js 6 (Other)'],
    ['python-requests/2.32.3', 'Python 2 (Other)'],
    ['', 'Other (Other)'],
    ['something else entirely', 'Other (Other)'],
  ])('%s -> %s', (ua, label) => {
    expect(reduceUserAgent(ua).label).toBe(label);
  });

  it('returns the parts, and handles values that are not strings', () => {
    expect(
      reduceUserAgent('Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0'),
    ).toEqual({
      browser: 'Firefox',
      major: '133',
      os: 'Linux',
      label: 'Firefox 133 (Linux)',
    });
    expect(reduceUserAgent(undefined).browser).toBe('Other');
    expect(reduceUserAgent(['a']).browser).toBe('Other');
  });

  it('reads only the first 512 characters, in linear time', () => {
    const start = performance.now();
    for (const filler of [
      'Chrome/'.repeat(20_000),
      ' '.repeat(100_000),
      'Version/1'.repeat(10_000),
      'a'.repeat(100_000),
    ]) {
      expect(reduceUserAgent(filler).label).toBeTypeOf('string');
    }
    expect(performance.now() - start).toBeLessThan(200);
  });
});
