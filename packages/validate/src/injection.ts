/**
 * Injection *detection*: a signal for logs and metrics, not a control. The controls are
 * parameterised queries, allowlist schemas, argument arrays instead of shells, and resolved
 * paths checked against a root. Every pattern here runs in linear time: no nested
 * quantifiers, every repetition bounded, so each start position costs a constant and a
 * 100 KB string costs a few milliseconds, never seconds. Patterns aim at the shapes attacks
 * take, not at words: "O'Brien", "please drop me a line" and "select a plan" stay quiet.
 */
import { toJsonPointer } from '@arm/errors';

/** What an injection pattern looks for. */
export type InjectionKind = 'sql' | 'nosql' | 'shell' | 'path-traversal';

/** One pattern, with a stable name for metrics labels. */
export interface InjectionRule {
  /** The kind of injection. */
  readonly kind: InjectionKind;
  /** A stable, low-cardinality name, such as `sql-union-select`. */
  readonly rule: string;
  /** The linear-time pattern. */
  readonly pattern: RegExp;
}

/** A string that matched a rule. */
export interface InjectionSignal {
  /** The kind of injection. */
  readonly kind: InjectionKind;
  /** The rule that matched. */
  readonly rule: string;
}

/** A signal and where it was found in a structure. */
export interface InjectionFinding extends InjectionSignal {
  /** A JSON Pointer to the value or key, such as `#/body/name`. Never the value itself. */
  readonly pointer: string;
}

/** Options of {@link detectInjection} and {@link scanForInjection}. */
export interface DetectInjectionOptions {
  /**
   * The kinds to look for.
   * @defaultValue all four
   */
  readonly kinds?: readonly InjectionKind[] | undefined;
}

// The MongoDB query operators, spelled out in both patterns below (literals tree-shake).
/**
 * The rules, in the order they are tried. Each quantifier is bounded (`{0,20}`) so that the
 * work per start position is constant.
 */
export const INJECTION_RULES: readonly InjectionRule[] = [
  {
    kind: 'sql',
    rule: 'sql-union-select',
    pattern: /\bunion\s{1,20}(?:all\s{1,20}|distinct\s{1,20})?select\b/i,
  },
  {
    kind: 'sql',
    rule: 'sql-tautology',
    pattern:
      /(?:^|[\w)])['"`]\s{0,20}\){0,3}\s{0,20}(?:or|and|\|\||&&)\s{1,20}\(?\s{0,20}['"]?\w{0,40}['"]?\s{0,20}(?:=|<>|!=|\blike\b)/i,
  },
  {
    kind: 'sql',
    rule: 'sql-comment-after-quote',
    pattern: /['"`]\s{0,20}\){0,3}\s{0,20}(?:--|#|\/\*)/,
  },
  {
    kind: 'sql',
    rule: 'sql-stacked-query',
    pattern:
      /;\s{0,20}(?:(?:drop|truncate|alter|create)\s{1,20}(?:table|database|schema|user|index|view)\b|delete\s{1,20}from\b|insert\s{1,20}into\b|update\s{1,20}\w{1,64}\s{1,20}set\b|exec(?:ute)?\s{1,20}(?:xp_|sp_)|shutdown\b)/i,
  },
  {
    kind: 'sql',
    rule: 'sql-time-delay',
    pattern: /\b(?:sleep|pg_sleep|benchmark)\s{0,20}\(\s{0,20}\d|\bwaitfor\s{1,20}delay\s{1,20}'/i,
  },
  {
    kind: 'sql',
    rule: 'sql-system-object',
    pattern:
      /\b(?:xp_cmdshell|information_schema|sysobjects|pg_catalog|sqlite_master)\b|\bload_file\s{0,20}\(|\binto\s{1,20}(?:out|dump)file\b|@@version\b/i,
  },
  {
    kind: 'sql',
    rule: 'sql-select-from',
    pattern:
      /\bselect\s{1,20}(?:\*|null|\d{1,5})(?:\s{0,20},\s{0,20}(?:\*|null|\d{1,5})){0,20}\s{1,20}from\b/i,
  },
  {
    kind: 'nosql',
    rule: 'nosql-operator',
    pattern:
      /(?:^|[^\w$])\$(?:where|ne|eq|gt|gte|lt|lte|in|nin|regex|exists|expr|or|and|not|nor|all|size|type|mod|elemMatch|function|accumulator|jsonSchema|text)\b/,
  },
  {
    kind: 'shell',
    rule: 'shell-command-chain',
    pattern:
      /(?:;|&&|\|\|?|`|\$\()\s{0,20}(?:(?:whoami|uname|curl|wget|ncat|netcat|nc|bash|zsh|sh|python[23]?|perl|php|chmod|chown|nslookup|powershell|ifconfig|ipconfig|base64|telnet|tftp)\b|(?:cat|ls|rm|echo|sleep|ping|kill|id)\s{1,20}[-/$\d])/i,
  },
  {
    kind: 'shell',
    rule: 'shell-substitution',
    pattern: /\$\(\s{0,20}[\w./-]{1,64}[^()]{0,200}\)|\$\{IFS\}/,
  },
  {
    kind: 'path-traversal',
    rule: 'path-dot-dot',
    pattern: /(?:^|[\\/]|%2f|%5c)(?:\.|%2e){2}(?:[\\/]|%2f|%5c|$)|%c0%ae|%c0%af|%252e%252e|%u002e/i,
  },
  {
    kind: 'path-traversal',
    rule: 'path-sensitive-file',
    pattern:
      /\/etc\/(?:passwd|shadow|group|hosts)\b|\/proc\/self\/|\b[a-z]:\\(?:windows|winnt)\\|\bboot\.ini\b/i,
  },
  // eslint-disable-next-line no-control-regex -- a NUL, raw or percent-encoded, is the signal
  { kind: 'path-traversal', rule: 'path-null-byte', pattern: /%00|\u0000/ },
];

const OPERATOR_KEY =
  /^\$(?:where|ne|eq|gt|gte|lt|lte|in|nin|regex|exists|expr|or|and|not|nor|all|size|type|mod|elemMatch|function|accumulator|jsonSchema|text)$/;

/**
 * Looks for injection patterns in one string: SQL, NoSQL operators, shell metacharacters
 * followed by commands, and path traversal.
 *
 * @remarks
 * A signal for logs, metrics and rate limits, never the defence: the controls are
 * parameterised queries (ASVS 1.2.4), allowlist validation, no shell, and paths resolved and
 * checked against a root. Linear time on any input.
 * @param value - The string to look at.
 * @param options - Which kinds to look for.
 * @returns One signal per rule that matched; empty when none did.
 * @example
 * ```ts
 * detectInjection("' OR '1'='1"); // [{ kind: 'sql', rule: 'sql-tautology' }]
 * detectInjection("O'Brien");     // []
 * ```
 */
export function detectInjection(
  value: string,
  options: DetectInjectionOptions = {},
): InjectionSignal[] {
  const signals: InjectionSignal[] = [];
  const { kinds } = options;
  for (const { kind, rule, pattern } of INJECTION_RULES) {
    if (kinds && !kinds.includes(kind)) continue;
    if (pattern.test(value)) signals.push({ kind, rule });
  }
  return signals;
}

/**
 * Whether an object key is a MongoDB query operator (`$ne`, `$where`, `$gt` ...): the shape
 * of NoSQL injection through JSON bodies and `?user[$ne]=` query strings.
 *
 * @param key - An object key.
 * @returns True for an operator key.
 * @example
 * ```ts
 * isNoSqlOperatorKey('$where'); // true
 * ```
 */
export function isNoSqlOperatorKey(key: string): boolean {
  return key.length < 16 && OPERATOR_KEY.test(key);
}

/**
 * Walks a value (a parsed body, query or params) and reports each string or key that looks
 * like an injection, with a JSON Pointer to it.
 *
 * @param value - Any value; objects and arrays are walked to depth 64.
 * @param options - Which kinds to look for, and the path of `value` itself (for pointers).
 * @returns The findings, in document order.
 * @example
 * ```ts
 * scanForInjection({ user: { $ne: null } }, { path: ['body'] });
 * // [{ kind: 'nosql', rule: 'nosql-operator-key', pointer: '#/body/user/$ne' }]
 * ```
 */
export function scanForInjection(
  value: unknown,
  options: DetectInjectionOptions & { readonly path?: readonly (string | number)[] } = {},
): InjectionFinding[] {
  const findings: InjectionFinding[] = [];
  const nosql = !options.kinds || options.kinds.includes('nosql');
  const path: (string | number)[] = [...(options.path ?? [])];
  const visit = (node: unknown, depth: number): void => {
    if (typeof node === 'string') {
      for (const signal of detectInjection(node, options)) {
        findings.push({ ...signal, pointer: toJsonPointer(path) });
      }
      return;
    }
    if (typeof node !== 'object' || node === null || depth > 64) return;
    const isArray = Array.isArray(node);
    for (const key of Object.keys(node)) {
      path.push(isArray ? Number(key) : key);
      if (!isArray) {
        // Keys are attacker-chosen too: `{"$ne": null}` bodies and `user[$ne]=` query keys.
        if (nosql && isNoSqlOperatorKey(key)) {
          findings.push({
            kind: 'nosql',
            rule: 'nosql-operator-key',
            pointer: toJsonPointer(path),
          });
        } else {
          for (const signal of detectInjection(key, options)) {
            findings.push({ ...signal, pointer: toJsonPointer(path) });
          }
        }
      }
      visit((node as Record<string, unknown>)[key], depth + 1);
      path.pop();
    }
  };
  visit(value, 0);
  return findings;
}
