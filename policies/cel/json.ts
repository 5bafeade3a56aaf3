/**
 * JSON objects as CEL values, the way the Kubernetes API server hands them
 * to admission CEL: integers are CEL `int` (JavaScript `bigint`), other
 * numbers `double`; strings, booleans, lists and maps as they are. A map
 * entry whose value is null is left out: the API server decodes a typed
 * object's null field as unset (and prunes nulls from custom resources
 * whose schema is not nullable), so admission never sees `env: null`, which
 * a Helm template can render; `has()` on it would be true here and the
 * comprehension over it would fail.
 */

/** A deep copy of `value` with every integral number as a bigint. */
export function toCel(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCel);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (v !== undefined && v !== null) out[k] = toCel(v);
    return out;
  }
  return value;
}
