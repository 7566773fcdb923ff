/**
 * Alerts: threshold rules evaluated in-process over the windowed HTTP figures, the breaker
 * states and the health checks, with notifications when an alert fires or resolves (a webhook
 * in Alertmanager's payload shape, or any function), and the same rules written as a
 * Prometheus alerting-rules file for teams that alert with Alertmanager instead.
 */
import { HTTP_DURATION_METRIC } from './http';
import type { RouteFigures } from './http';
import { checkPositive, optionError } from './_option-error';

/** What every rule has. */
interface RuleBase {
  /** The alert's name (`alertname` in Prometheus); unique among the rules. */
  readonly name: string;
  /**
   * How long the condition must hold before the alert fires, in milliseconds.
   * @defaultValue `0`
   */
  readonly forMs?: number;
  /**
   * The `severity` label.
   * @defaultValue `'warning'`
   */
  readonly severity?: string;
  /**
   * A one-line description for people.
   * @defaultValue a sentence generated from the rule
   */
  readonly summary?: string;
}

/** Fires per route whose share of 5xx responses over the window exceeds `threshold`. */
export interface ErrorRateRule extends RuleBase {
  /** The rule's kind. */
  readonly kind: 'error-rate';
  /** The error share (0 to 1) above which the alert fires. */
  readonly threshold: number;
  /**
   * Only this route.
   * @defaultValue every route
   */
  readonly route?: string;
  /**
   * Fewer requests in the window never fire.
   * @defaultValue `10`
   */
  readonly minRequests?: number;
}

/** Fires per route whose latency quantile over the window exceeds `thresholdMs`. */
export interface LatencyRule extends RuleBase {
  /** The rule's kind. */
  readonly kind: 'latency';
  /** The latency in milliseconds above which the alert fires. */
  readonly thresholdMs: number;
  /**
   * The quantile: 0.5, 0.95 or 0.99.
   * @defaultValue `0.95`
   */
  readonly quantile?: 0.5 | 0.95 | 0.99;
  /**
   * Only this route.
   * @defaultValue every route
   */
  readonly route?: string;
  /**
   * Fewer requests in the window never fire.
   * @defaultValue `10`
   */
  readonly minRequests?: number;
}

/** Fires per failing health check: critical ones, or the one named. */
export interface HealthRule extends RuleBase {
  /** The rule's kind. */
  readonly kind: 'health';
  /**
   * Only this check (critical or not).
   * @defaultValue every critical check
   */
  readonly check?: string;
}

/** Fires per open circuit breaker. */
export interface BreakerOpenRule extends RuleBase {
  /** The rule's kind. */
  readonly kind: 'breaker-open';
  /**
   * Only this dependency.
   * @defaultValue every dependency
   */
  readonly dependency?: string;
}

/** One alerting rule. */
export type AlertRule = ErrorRateRule | LatencyRule | HealthRule | BreakerOpenRule;

/** A firing alert. */
export interface Alert {
  /** The rule's name. */
  readonly name: string;
  /** The rule's kind. */
  readonly kind: AlertRule['kind'];
  /** `severity`, and the route, dependency or check concerned. */
  readonly labels: Readonly<Record<string, string>>;
  /** The rule's summary. */
  readonly summary: string;
  /** The observed value (error share, milliseconds, or 1). */
  readonly value: number;
  /** The rule's threshold. */
  readonly threshold: number;
  /** Since when it fires, epoch milliseconds. */
  readonly since: number;
}

/** What a notifier receives: alerts that started or stopped firing in one evaluation. */
export interface AlertNotification {
  /** Alerts that started firing. */
  readonly firing: readonly Alert[];
  /** Alerts that stopped firing. */
  readonly resolved: readonly Alert[];
  /** When, epoch milliseconds. */
  readonly at: number;
}

/** Receives notifications; a rejected promise or a throw is reported, never thrown. */
export type AlertNotifier = (notification: AlertNotification) => void | Promise<void>;

/** Options of the alerts (`createMetrics({ alerts })`). */
export interface AlertsOptions {
  /** The rules. */
  readonly rules: readonly AlertRule[];
  /**
   * Where notifications go.
   * @defaultValue `[]`
   */
  readonly notify?: readonly AlertNotifier[];
  /**
   * Evaluate every so many milliseconds on an unref'd timer; without it, call `evaluate()`.
   * @defaultValue none
   */
  readonly intervalMs?: number;
  /**
   * Called when a notifier fails.
   * @defaultValue none
   */
  readonly onNotifyError?: (error: unknown) => void;
}

/** The alerts of a {@link Metrics} object. */
export interface Alerts {
  /**
   * Evaluates every rule now, notifies about alerts that started or stopped firing, and waits
   * for the notifiers.
   * @returns The alerts firing now.
   */
  evaluate(): Promise<Alert[]>;
  /** The alerts firing at the last evaluation. */
  active(): Alert[];
  /**
   * The rules as a Prometheus alerting-rules file (YAML) over the series this package emits.
   * @param options - The rule group's name.
   */
  prometheusRules(options?: { readonly group?: string }): string;
}

/** @internal What the alerts read. */
export interface AlertSources {
  readonly clock: () => number;
  readonly windowMs: number;
  routes(): RouteFigures[];
  breakers(): ReadonlyMap<string, string>;
  checks(): ReadonlyMap<string, { readonly status: string; readonly critical: boolean }>;
}

interface Candidate {
  readonly key: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

/**
 * A notifier that POSTs each notification as JSON in the shape of Alertmanager's webhook
 * (`{ version: '4', status, alerts: [{ status, labels, annotations, startsAt, endsAt }] }`).
 *
 * @param url - Where to POST.
 * @param options - Extra headers and a timeout in milliseconds (default 5000).
 * @returns An {@link AlertNotifier}; it rejects on a non-2xx answer.
 * @example
 * ```ts
 * const metrics = createMetrics({
 *   alerts: { rules, notify: [webhookNotifier('http://127.0.0.1:9093/hook')] },
 * });
 * ```
 */
export function webhookNotifier(
  url: string,
  options: {
    readonly headers?: Readonly<Record<string, string>>;
    readonly timeoutMs?: number;
  } = {},
): AlertNotifier {
  checkPositive('webhook.timeoutMs', options.timeoutMs);
  return async (notification) => {
    const toWire = (status: 'firing' | 'resolved') => (alert: Alert) => ({
      status,
      labels: { alertname: alert.name, ...alert.labels },
      annotations: { summary: alert.summary, value: String(alert.value) },
      startsAt: new Date(alert.since).toISOString(),
      ...(status === 'resolved' ? { endsAt: new Date(notification.at).toISOString() } : {}),
    });
    const alerts = [
      ...notification.firing.map(toWire('firing')),
      ...notification.resolved.map(toWire('resolved')),
    ];
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...options.headers },
      body: JSON.stringify({
        version: '4',
        status: notification.firing.length > 0 ? 'firing' : 'resolved',
        alerts,
      }),
      signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
    });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`[@arm/metrics] webhook answered ${response.status}`);
  };
}

/** @internal Builds the alerts over their sources. */
export function createAlerts(
  options: AlertsOptions,
  sources: AlertSources,
): Alerts & { close(): void } {
  const given = options as Partial<AlertsOptions> | null;
  if (typeof given !== 'object' || given === null || !Array.isArray(given.rules)) {
    optionError('alerts.rules', 'an array of rules', given?.rules);
  }
  const names = new Set<string>();
  for (const rule of options.rules as readonly unknown[]) validateRule(rule as AlertRule, names);
  checkPositive('alerts.intervalMs', options.intervalMs);
  const pending = new Map<string, number>();
  let active = new Map<string, Alert>();

  const candidates = (rule: AlertRule): Candidate[] => {
    switch (rule.kind) {
      case 'error-rate':
      case 'latency': {
        const out: Candidate[] = [];
        for (const figures of sources.routes()) {
          if (rule.route !== undefined && figures.route !== rule.route) continue;
          if (figures.requests < (rule.minRequests ?? 10)) continue;
          const value =
            rule.kind === 'error-rate'
              ? figures.errorRate
              : figures[`p${String(Math.round((rule.quantile ?? 0.95) * 100))}Ms` as 'p95Ms'];
          const threshold = rule.kind === 'error-rate' ? rule.threshold : rule.thresholdMs;
          if (value > threshold) {
            out.push({ key: figures.route, labels: { http_route: figures.route }, value });
          }
        }
        return out;
      }
      case 'health': {
        const out: Candidate[] = [];
        for (const [check, result] of sources.checks()) {
          const watched = rule.check === undefined ? result.critical : check === rule.check;
          if (watched && result.status === 'fail')
            out.push({ key: check, labels: { check }, value: 1 });
        }
        return out;
      }
      case 'breaker-open': {
        const out: Candidate[] = [];
        for (const [dependency, state] of sources.breakers()) {
          if (rule.dependency !== undefined && dependency !== rule.dependency) continue;
          if (state === 'open') out.push({ key: dependency, labels: { dependency }, value: 1 });
        }
        return out;
      }
    }
  };

  const evaluate = async (): Promise<Alert[]> => {
    const now = sources.clock();
    const next = new Map<string, Alert>();
    const seen = new Set<string>();
    for (const rule of options.rules) {
      for (const candidate of candidates(rule)) {
        const key = `${rule.name}\u0000${candidate.key}`;
        seen.add(key);
        const since = pending.get(key) ?? now;
        pending.set(key, since);
        if (now - since < (rule.forMs ?? 0)) continue;
        next.set(key, {
          name: rule.name,
          kind: rule.kind,
          labels: { severity: rule.severity ?? 'warning', ...candidate.labels },
          summary: rule.summary ?? summaryOf(rule),
          value: candidate.value,
          threshold: thresholdOf(rule),
          since,
        });
      }
    }
    for (const key of pending.keys()) if (!seen.has(key)) pending.delete(key);
    const firing = [...next].filter(([key]) => !active.has(key)).map(([, alert]) => alert);
    const resolved = [...active].filter(([key]) => !next.has(key)).map(([, alert]) => alert);
    active = next;
    if (firing.length > 0 || resolved.length > 0) {
      const notification: AlertNotification = { firing, resolved, at: now };
      await Promise.all(
        (options.notify ?? []).map(async (notifier) => {
          try {
            await notifier(notification);
          } catch (error) {
            try {
              options.onNotifyError?.(error);
            } catch {
              // A hook never breaks evaluation.
            }
          }
        }),
      );
    }
    return [...active.values()];
  };

  const timer =
    options.intervalMs === undefined
      ? undefined
      : setInterval(() => void evaluate(), options.intervalMs);
  timer?.unref();

  return {
    evaluate,
    active: () => [...active.values()],
    prometheusRules: (ruleOptions = {}) =>
      toPrometheusRules(options.rules, ruleOptions.group ?? 'arm', sources.windowMs),
    close: () => {
      if (timer !== undefined) clearInterval(timer);
    },
  };
}

const KINDS = new Set(['error-rate', 'latency', 'health', 'breaker-open']);

function validateRule(rule: AlertRule, names: Set<string>): void {
  const given = rule as AlertRule | null;
  if (typeof given !== 'object' || given === null || !KINDS.has(given.kind)) {
    optionError(
      'alerts.rules[].kind',
      `one of ${[...KINDS].join(', ')}`,
      (rule as { kind?: unknown } | null)?.kind,
    );
  }
  if (
    typeof rule.name !== 'string' ||
    !/^[A-Za-z_][\w]*$/.test(rule.name) ||
    names.has(rule.name)
  ) {
    optionError('alerts.rules[].name', 'a unique name of letters, digits and _', rule.name);
  }
  names.add(rule.name);
  if (rule.forMs !== undefined && !(rule.forMs >= 0))
    optionError('alerts.rules[].forMs', 'a number >= 0', rule.forMs);
  if (rule.kind === 'error-rate' && !(rule.threshold >= 0 && rule.threshold <= 1)) {
    optionError('alerts.rules[].threshold', 'a share between 0 and 1', rule.threshold);
  }
  if (rule.kind === 'latency') {
    checkPositive('alerts.rules[].thresholdMs', rule.thresholdMs);
    if (typeof rule.thresholdMs !== 'number')
      optionError('alerts.rules[].thresholdMs', 'a positive number', rule.thresholdMs);
    if (rule.quantile !== undefined && ![0.5, 0.95, 0.99].includes(rule.quantile)) {
      optionError('alerts.rules[].quantile', '0.5, 0.95 or 0.99', rule.quantile);
    }
  }
}

function thresholdOf(rule: AlertRule): number {
  if (rule.kind === 'error-rate') return rule.threshold;
  if (rule.kind === 'latency') return rule.thresholdMs;
  return 1;
}

function summaryOf(rule: AlertRule): string {
  switch (rule.kind) {
    case 'error-rate':
      return `More than ${String(rule.threshold * 100)}% of requests fail with 5xx`;
    case 'latency':
      return `p${String(Math.round((rule.quantile ?? 0.95) * 100))} latency above ${String(rule.thresholdMs)} ms`;
    case 'health':
      return rule.check === undefined
        ? 'A critical health check fails'
        : `Health check ${rule.check} fails`;
    case 'breaker-open':
      return rule.dependency === undefined
        ? 'A circuit breaker is open'
        : `The circuit breaker of ${rule.dependency} is open`;
  }
}

function selector(matchers: Record<string, string | undefined>): string {
  const parts = Object.entries(matchers)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([label, value]) =>
      label.endsWith('=~')
        ? `${label.slice(0, -2)}=~${JSON.stringify(value)}`
        : `${label}=${JSON.stringify(value)}`,
    );
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

/** @internal The PromQL expression of a rule. */
export function promqlOf(rule: AlertRule, range: string): string {
  const count = `${HTTP_DURATION_METRIC}_count`;
  switch (rule.kind) {
    case 'error-rate': {
      const route = { http_route: rule.route };
      const errors = `sum by (http_route) (rate(${count}${selector({ ...route, 'http_response_status_code=~': '5..' })}[${range}]))`;
      const all = `sum by (http_route) (rate(${count}${selector(route)}[${range}]))`;
      const volume = `sum by (http_route) (increase(${count}${selector(route)}[${range}])) >= ${String(rule.minRequests ?? 10)}`;
      return `(${errors} / ${all} > ${String(rule.threshold)}) and (${volume})`;
    }
    case 'latency': {
      const route = { http_route: rule.route };
      const q = `histogram_quantile(${String(rule.quantile ?? 0.95)}, sum by (le, http_route) (rate(${HTTP_DURATION_METRIC}_bucket${selector(route)}[${range}])))`;
      const volume = `sum by (http_route) (increase(${count}${selector(route)}[${range}])) >= ${String(rule.minRequests ?? 10)}`;
      return `(${q} > ${String(rule.thresholdMs / 1000)}) and (${volume})`;
    }
    case 'health':
      return rule.check === undefined
        ? `max by (check) (arm_health_check_status{critical="true"}) == 2`
        : `max by (check) (arm_health_check_status${selector({ check: rule.check })}) == 2`;
    case 'breaker-open':
      return `max by (dependency) (arm_circuit_breaker_state${selector({ dependency: rule.dependency })}) == 2`;
  }
}

function duration(ms: number): string {
  return ms % 60_000 === 0
    ? `${String(ms / 60_000)}m`
    : `${String(Math.max(1, Math.round(ms / 1000)))}s`;
}

function toPrometheusRules(rules: readonly AlertRule[], group: string, windowMs: number): string {
  const range = duration(windowMs);
  const lines = ['groups:', `  - name: ${JSON.stringify(group)}`, '    rules:'];
  for (const rule of rules) {
    lines.push(
      `      - alert: ${rule.name}`,
      `        expr: ${JSON.stringify(promqlOf(rule, range))}`,
    );
    if (rule.forMs !== undefined && rule.forMs > 0)
      lines.push(`        for: ${duration(rule.forMs)}`);
    lines.push(
      '        labels:',
      `          severity: ${JSON.stringify(rule.severity ?? 'warning')}`,
      '        annotations:',
      `          summary: ${JSON.stringify(rule.summary ?? summaryOf(rule))}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
