/** Reads a field of a synthesized document by a dotted path. */
import { parseYaml } from '../core/yaml.js';

/**
 * Segments of `a.b[0].c`: `['a', 'b', 0, 'c']`. A key that holds dots (the
 * Tekton operator's `artifacts.taskrun.format`, a ConfigMap's file names)
 * is written in brackets and double quotes: `spec.chain["artifacts.taskrun.format"]`.
 */
export function parseFieldPath(path: string): Array<string | number> {
  const out: Array<string | number> = [];
  const bad = () => new Error(`bad field path "${path}"`);
  let i = 0;
  let expectKey = true;
  while (i < path.length) {
    const c = path[i]!;
    if (c === '[') {
      const quoted = /^\["((?:[^"\\]|\\.)*)"\]/.exec(path.slice(i));
      const index = /^\[(\d+)\]/.exec(path.slice(i));
      if (quoted) {
        out.push(JSON.parse(`"${quoted[1]!}"`) as string);
        i += quoted[0].length;
      } else if (index) {
        out.push(Number(index[1]));
        i += index[0].length;
      } else throw bad();
      expectKey = false;
    } else if (c === '.') {
      if (expectKey) throw bad();
      expectKey = true;
      i++;
    } else {
      const key = /^[^.[\]]+/.exec(path.slice(i));
      if (!key || !expectKey) throw bad();
      out.push(key[0]);
      i += key[0].length;
      expectKey = false;
    }
  }
  if (expectKey && path !== '') throw bad();
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
