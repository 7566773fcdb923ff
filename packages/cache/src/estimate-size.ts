/**
 * A rough byte size of a value, for the in-process tier's `maxSize` bound when no
 * `sizeCalculation` is given. It walks the value once and counts what V8 roughly keeps:
 * two bytes per string character, eight per number, a small overhead per object.
 */

/**
 * Estimates how many bytes a value holds in memory.
 *
 * @param value - Any value; shared references and cycles are counted once.
 * @returns A positive integer.
 * @example
 * ```ts
 * estimateSize({ id: 1, name: 'Ada' }); // about 40
 * ```
 */
export function estimateSize(value: unknown): number {
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  let size = 0;
  while (stack.length > 0) {
    const item = stack.pop();
    switch (typeof item) {
      case 'string':
        size += 2 * item.length + 8;
        break;
      case 'object':
        if (item === null) {
          size += 4;
        } else if (!seen.has(item)) {
          seen.add(item);
          size += 16;
          pushChildren(item, stack);
        }
        break;
      default:
        size += 8;
    }
  }
  return Math.max(1, size);
}

function pushChildren(item: object, stack: unknown[]): void {
  if (item instanceof Map) {
    for (const [key, child] of item) stack.push(key, child);
  } else if (item instanceof Set || Array.isArray(item)) {
    for (const child of item as Iterable<unknown>) stack.push(child);
  } else if (!(item instanceof Date)) {
    for (const [key, child] of Object.entries(item)) stack.push(key, child);
  }
}
