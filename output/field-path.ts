/** Reads a field of a synthesized document by a dotted path. */
import { parseYaml } from '../core/yaml.js';

/** Segments of `a.b[0].c`: `['a', 'b', 0, 'c']`. */
export function parseFieldPath(path: string): Array<string | number> {
  const out: Array<string | number> = [];
  for (const part of path.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) throw new Error(`bad field path "${path}"`);
    if (m[1]) out.push(m[1]);
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}

/**
 * The value at `path` in `doc`, or undefined. A string met before the end of
 * the path is parsed as YAML and entered (Helm values are embedded that way).
 */
export function readField(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const seg of parseFieldPath(path)) {
    if (typeof cur === 'string') {
      cur = embedded(cur);
      if (cur === FAILED) return undefined;
    }
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}

const FAILED = Symbol('unparsable');
/** Embedded YAML documents parsed lately: evidence reads many fields of one chart's values. */
const EMBEDDED = new Map<string, unknown>();
const EMBEDDED_MAX = 64;

/** `text` parsed as YAML (FAILED when it is not YAML), from the cache of recent ones; callers only read it. */
function embedded(text: string): unknown {
  if (EMBEDDED.has(text)) return EMBEDDED.get(text);
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch {
    value = FAILED;
  }
  if (EMBEDDED.size >= EMBEDDED_MAX) EMBEDDED.delete(EMBEDDED.keys().next().value as string);
  EMBEDDED.set(text, value);
  return value;
}

/** Deep equality of JSON values. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((v, i) => jsonEqual(v, (b as unknown[])[i]));
  const ka = Object.keys(a as object).filter((k) => (a as Record<string, unknown>)[k] !== undefined).sort();
  const kb = Object.keys(b as object).filter((k) => (b as Record<string, unknown>)[k] !== undefined).sort();
  return jsonEqual(ka, kb) && ka.every((k) => jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
