/**
 * An HTTP dependency: one request with the run's abort signal, passing on the expected status.
 */
import { optionError } from '../_internal';
import type { CheckDefinition, CheckSettings } from '../check';

/**
 * Options of {@link httpCheck}.
 *
 * @example
 * ```ts
 * const options: HttpCheckOptions = { expectedStatus: [200, 204], critical: false };
 * ```
 */
export interface HttpCheckOptions extends CheckSettings {
  /**
   * The statuses that pass.
   * @defaultValue any 2xx or 3xx
   */
  readonly expectedStatus?: number | readonly number[];
  /**
   * The request method.
   * @defaultValue `'GET'`
   */
  readonly method?: string;
  /**
   * Request headers (an API key, `accept`...).
   * @defaultValue none
   */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * The fetch implementation.
   * @defaultValue `globalThis.fetch`
   */
  readonly fetch?: typeof fetch;
}

/**
 * A check that requests `url` and passes when the status is expected. Its output names the
 * origin and path, never the query or credentials of the URL.
 *
 * @param url - What to request.
 * @param options - Expected status, method, headers, and the check settings.
 * @returns A check definition for `createHealth({ checks })`.
 * @throws ConfigurationError when `url` is not an absolute http(s) URL.
 * @example
 * ```ts
 * const health = createHealth({
 *   checks: { payments: httpCheck('http://payments.internal/healthz', { critical: false }) },
 * });
 * ```
 */
export function httpCheck(url: string | URL, options: HttpCheckOptions = {}): CheckDefinition {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    optionError('url', 'an absolute http(s) URL', String(url));
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    optionError('url', 'an absolute http(s) URL', parsed.href);
  }
  const { expectedStatus, method = 'GET', headers, fetch: fetchImpl, ...settings } = options;
  const expected = expectedStatus === undefined ? undefined : [expectedStatus].flat();
  if (expected?.some((status) => !Number.isInteger(status) || status < 100 || status > 599)) {
    optionError('expectedStatus', 'an HTTP status or an array of them', expectedStatus);
  }
  const target = `${parsed.origin}${parsed.pathname}`;
  return {
    ...settings,
    async check({ signal }) {
      const response = await (fetchImpl ?? fetch)(parsed, {
        method,
        ...(headers === undefined ? {} : { headers }),
        signal,
        redirect: 'manual',
      });
      await response.body?.cancel();
      const ok =
        expected === undefined
          ? response.status >= 200 && response.status < 400
          : expected.includes(response.status);
      if (!ok) throw new Error(`${method} ${target} answered ${String(response.status)}`);
    },
  };
}
