/**
 * Merging `Vary` values: a response that varies on `Accept-Encoding` and on the CSRF inputs
 * must list both, once each, whatever their case.
 */

/**
 * Adds header names to a `Vary` value, keeping each name once (case-insensitively) and `*` as
 * it is.
 *
 * @param existing - The response's current `Vary` value (a string, a list, or nothing).
 * @param add - The value to add, such as a CSRF decision's `headers.vary`.
 * @returns The merged value.
 * @example
 * ```ts
 * appendVary('Accept-Encoding', 'Sec-Fetch-Site, Origin'); // 'Accept-Encoding, Sec-Fetch-Site, Origin'
 * ```
 */
export function appendVary(existing: string | readonly string[] | undefined, add: string): string {
  const names: string[] = [];
  const seen = new Set<string>();
  const current = typeof existing === 'string' ? [existing] : (existing ?? []);
  for (const value of [...current, add]) {
    for (const raw of value.split(',')) {
      const name = raw.trim();
      if (name === '') continue;
      if (name === '*') return '*';
      const key = name.toLowerCase();
      if (!seen.has(key)) {
        seen.add(key);
        names.push(name);
      }
    }
  }
  return names.join(', ');
}
