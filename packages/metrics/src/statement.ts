/**
 * SQL statement normalisation: literals become `?`, IN and VALUES lists collapse, comments and
 * whitespace go, so every call of one statement shares one series and one fingerprint.
 */
import { fingerprintOf } from './_hash';

/**
 * Normalises a SQL statement: comments removed, whitespace collapsed, string, dollar-quoted,
 * numeric and placeholder (`$1`, `?`, `:name`) literals replaced by `?`, and `IN (...)` and
 * multi-row `VALUES` lists collapsed to one element followed by `...`.
 *
 * @param sql - A statement as sent to the database.
 * @returns The normalised statement.
 * @example
 * ```ts
 * normaliseStatement("SELECT * FROM users WHERE id IN (1, 2, 3) AND name = 'x'");
 * // 'SELECT * FROM users WHERE id IN (?, ...) AND name = ?'
 * ```
 */
export function normaliseStatement(sql: string): string {
  let out = '';
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i] as string;
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      while (i < n && sql[i] !== '\n') i++;
      out += ' ';
      continue;
    }
    if (c === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end === -1 ? n : end + 2;
      out += ' ';
      continue;
    }
    if (c === "'") {
      // A string literal; '' inside is an escaped quote. E'' strings: the E was copied already.
      if (/[eEnNbBxXuU]$/.test(out) && !/\w[eEnNbBxXuU]$/.test(out)) out = out.slice(0, -1);
      i++;
      while (i < n) {
        if (sql[i] === '\\' && i + 1 < n) i += 2;
        else if (sql[i] === "'" && sql[i + 1] === "'") i += 2;
        else if (sql[i] === "'") break;
        else i++;
      }
      i++;
      out += '?';
      continue;
    }
    if (c === '$') {
      const tag = /^\$([A-Za-z_]\w*)?\$/.exec(sql.slice(i, i + 64));
      if (tag !== null) {
        const end = sql.indexOf(tag[0], i + tag[0].length);
        i = end === -1 ? n : end + tag[0].length;
        out += '?';
        continue;
      }
      const param = /^\$\d+/.exec(sql.slice(i, i + 12));
      if (param !== null) {
        i += param[0].length;
        out += '?';
        continue;
      }
    }
    if (c === ':' && next !== ':' && sql[i - 1] !== ':' && /[A-Za-z_]/.test(next ?? '')) {
      const name = /^:[A-Za-z_]\w*/.exec(sql.slice(i, i + 64)) as RegExpExecArray;
      i += name[0].length;
      out += '?';
      continue;
    }
    if (/[0-9]/.test(c) && !/[\w$]$/.test(out)) {
      const number = /^(?:0x[0-9a-fA-F]+|\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)/.exec(
        sql.slice(i, i + 64),
      );
      const length = (number as RegExpExecArray)[0].length;
      i += length;
      out += '?';
      continue;
    }
    if (c === '.' && /[0-9]/.test(next ?? '') && !/[\w$)"]$/.test(out)) {
      const number = /^\.\d+(?:[eE][-+]?\d+)?/.exec(sql.slice(i, i + 64)) as RegExpExecArray;
      i += number[0].length;
      out += '?';
      continue;
    }
    if (c === '"') {
      const end = sql.indexOf('"', i + 1);
      const stop = end === -1 ? n : end + 1;
      out += sql.slice(i, stop);
      i = stop;
      continue;
    }
    if (/\s/.test(c)) {
      if (out !== '' && !out.endsWith(' ')) out += ' ';
      i++;
      continue;
    }
    out += c;
    i++;
  }
  return out
    .replace(/\(\s+/g, '(')
    .replace(/\s+\)/g, ')')
    .replace(/\s*,\s*/g, ', ')
    .replace(/\b(IN) ?\(\?(?:, \?)+\)/gi, '$1 (?, ...)')
    .replace(/\b(VALUES)\s*(\([^()]*\))(?:, \([^()]*\))+/gi, '$1 $2, ...')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/;$/, '');
}

/**
 * The fingerprint of a statement: 16 hex digits of its normalised form, equal for every call
 * that differs only in literals.
 *
 * @param sql - A statement, normalised or not.
 * @returns 16 hex digits.
 * @example
 * ```ts
 * statementFingerprint('select 1') === statementFingerprint('SELECT 2'); // false: case counts
 * statementFingerprint('select 1') === statementFingerprint('select 2'); // true
 * ```
 */
export function statementFingerprint(sql: string): string {
  return fingerprintOf(normaliseStatement(sql));
}
