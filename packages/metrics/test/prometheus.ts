/**
 * Test helper: parses an exposition strictly. Every line must be a comment or a well-formed
 * sample of a family announced by `# TYPE` before it, then parse-prometheus-text-format (a
 * port of the Prometheus Python client's parser) must read the whole text.
 */
import parsePrometheusTextFormat from 'parse-prometheus-text-format';

/** One metric family as the parser answers it. */
export interface Family {
  name: string;
  help: string;
  type: string;
  metrics: {
    value?: string;
    labels?: Record<string, string>;
    buckets?: Record<string, string>;
    count?: string;
    sum?: string;
  }[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = `[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\n"])*"`;
const VALUE = '(?:[-+]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][-+]?\\d+)?|[-+]?[Ii]nf|[Nn]a[Nn])';
const SAMPLE = new RegExp(
  `^(${NAME})(?:\\{((?:${LABEL}(?:,${LABEL})*)?)\\})? (${VALUE})(?: \\d+)?$`,
);

export function parseExposition(
  text: string,
  format: 'prometheus' | 'openmetrics' = 'prometheus',
): Family[] {
  let body = text;
  if (format === 'openmetrics') {
    if (!text.endsWith('# EOF\n')) throw new Error('OpenMetrics exposition must end with # EOF');
    body = text.slice(0, -'# EOF\n'.length);
  }
  // The library parser validates every line and the grouping of samples into families; its
  // histogram output drops labels, so series are read below from the validated lines.
  const validated = parsePrometheusTextFormat(body) as {
    name: string;
    help: string;
    type: string;
  }[];
  const families = new Map<string, Family>();
  let current: Family | undefined;
  for (const line of body.split('\n')) {
    if (line === '') continue;
    const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped|unknown)$/.exec(line);
    if (type !== null) {
      const name = type[1] as string;
      const known = validated.find((f) => f.name === name);
      if (known === undefined || families.has(name))
        throw new Error(`family ${name} announced twice`);
      current = { name, help: known.help, type: known.type, metrics: [] };
      families.set(name, current);
      continue;
    }
    if (line.startsWith('# HELP ')) continue;
    if (line.startsWith('#')) throw new Error(`unexpected comment: ${line}`);
    const sample = SAMPLE.exec(line);
    if (sample === null) throw new Error(`malformed sample line: ${line}`);
    const name = sample[1] as string;
    const suffix = current === undefined ? undefined : name.slice(current.name.length);
    if (
      current === undefined ||
      !name.startsWith(current.name) ||
      !['', '_bucket', '_sum', '_count', '_total', '_created'].includes(suffix as string)
    ) {
      throw new Error(`sample outside its family: ${line}`);
    }
    const labels = parseLabels(sample[2] ?? '');
    const value = sample[3] as string;
    if (current.type !== 'HISTOGRAM') {
      current.metrics.push({ labels, value });
      continue;
    }
    const { le, ...series } = labels;
    let entry = current.metrics.find((m) => sameLabels(m.labels ?? {}, series));
    if (entry === undefined) {
      entry = { labels: series, buckets: {} };
      current.metrics.push(entry);
    }
    if (suffix === '_bucket') {
      if (le === undefined) throw new Error(`bucket without le: ${line}`);
      (entry.buckets as Record<string, string>)[le] = value;
    } else if (suffix === '_sum') entry.sum = value;
    else if (suffix === '_count') entry.count = value;
  }
  for (const family of families.values()) {
    if (family.type !== 'HISTOGRAM') continue;
    for (const series of family.metrics) {
      const counts = Object.entries(series.buckets ?? {})
        .sort(
          ([a], [b]) =>
            (a === '+Inf' ? Infinity : Number(a)) - (b === '+Inf' ? Infinity : Number(b)),
        )
        .map(([, count]) => Number(count));
      if (counts.some((count, i) => i > 0 && count < (counts[i - 1] as number))) {
        throw new Error(`${family.name}: buckets not cumulative`);
      }
      const inf = series.buckets?.['+Inf'];
      if (inf === undefined || inf !== series.count)
        throw new Error(`${family.name}: +Inf differs from _count`);
      delete series.buckets?.['+Inf'];
    }
  }
  return [...families.values()];
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const pattern = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
  for (const match of text.matchAll(pattern)) {
    labels[match[1] as string] = (match[2] as string).replace(/\\(.)/g, (_, c: string) =>
      c === 'n' ? '\n' : c,
    );
  }
  return labels;
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

/** The family of `name`, or a thrown error. */
export function family(families: Family[], name: string): Family {
  const found = families.find((f) => f.name === name);
  if (found === undefined) throw new Error(`no family ${name}`);
  return found;
}
