/**
 * JSON objects as CEL values, the way the Kubernetes API server hands them
 * to admission CEL: integers are CEL `int` (JavaScript `bigint`), other
 * numbers `double`; strings, booleans, lists and maps as they are.
 */

/** A deep copy of `value` with every integral number as a bigint. */
export function toCel(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCel);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (v !== undefined) out[k] = toCel(v);
    return out;
  }
  return value;
}
