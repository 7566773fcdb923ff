import { describe, expect, it } from 'vitest';
import { normaliseStatement, statementFingerprint } from './statement';

describe('normaliseStatement', () => {
  it.each([
    [
      "SELECT * FROM users WHERE id = 42 AND name = 'O''Brien'",
      'SELECT * FROM users WHERE id = ? AND name = ?',
    ],
    ['select  *\n  from t -- trailing comment\n where a = 1.5e3', 'select * from t where a = ?'],
    ['select /* hint */ a from t where b in (1, 2, 3, 4)', 'select a from t where b in (?, ...)'],
    ['select a from t where b IN ( $1,$2, $3 )', 'select a from t where b IN (?, ...)'],
    ['select a from t where b in (42)', 'select a from t where b in (?)'],
    [
      "insert into t (a, b) values (1, 'x'), (2, 'y'), (3, 'z');",
      'insert into t (a, b) values (?, ?), ...',
    ],
    ['select $$dollar quoted$$, $tag$ with $$ inside $tag$, .5, 0x1F', 'select ?, ?, ?, ?'],
    ["select E'it\\'s', x'1f' from t", 'select ?, ? from t'],
    [
      'select * from "Table1" where col2 = :name and t::text = $10',
      'select * from "Table1" where col2 = ? and t::text = ?',
    ],
    ['select a1, b2.c3 from t4 where d5 = -7', 'select a1, b2.c3 from t4 where d5 = -?'],
    ["select 'unterminated", 'select ?'],
    ['select $$unterminated', 'select ?'],
    ['select "unterminated', 'select "unterminated'],
    ['select 1 /* unterminated', 'select ?'],
    ['select ? from t where a = ?', 'select ? from t where a = ?'],
  ])('%s', (input, expected) => {
    expect(normaliseStatement(input)).toBe(expected);
  });

  it('gives calls that differ only in literals one fingerprint', () => {
    const a = statementFingerprint('select * from t where id = 1');
    expect(statementFingerprint('select *  from t where id = 2')).toBe(a);
    expect(statementFingerprint('select * from u where id = 2')).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
  });
});
