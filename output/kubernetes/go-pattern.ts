/**
 * Kubernetes schemas carry `pattern`s written for Go's RE2, and a few of
 * them do not compile as JavaScript `u`-mode regular expressions (which is
 * how Ajv compiles them). Two RE2 forms occur in the shipped schemas and are
 * rewritten to the JavaScript form with the same meaning:
 * - one-letter Unicode classes, `\PC` → `\P{C}` (Cilium's policy CRDs);
 * - a leading case-insensitive flag, `^(?i)(abort|warn)?$` → each letter as
 *   `[aA]` (prometheus-operator's PrometheusRule).
 * Anything else that JavaScript rejects is an error naming the pattern, so a
 * new schema with another RE2 form fails the build instead of validating
 * something else.
 */

/** `pattern` rewritten for JavaScript `u`-mode; throws when it cannot be. */
export function jsPattern(pattern: string): string {
  let out = oneLetterClasses(pattern);
  const flag = /^(\^?)\(\?i\)/.exec(out);
  if (flag) out = flag[1] + caseless(out.slice(flag[0].length), pattern);
  try {
    new RegExp(out, 'u');
  } catch (e) {
    throw new Error(`the schema pattern ${JSON.stringify(pattern)} is not a JavaScript regular expression (${(e as Error).message}); teach output/kubernetes/go-pattern.ts its RE2 form`);
  }
  return out;
}

/** `\pL` and `\PL` (RE2's one-letter Unicode classes) as `\p{L}` and `\P{L}`; escaped backslashes are kept. */
function oneLetterClasses(p: string): string {
  let out = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = p[i + 1] ?? '';
    const letter = p[i + 2] ?? '';
    if ((next === 'p' || next === 'P') && /[A-Za-z]/.test(letter)) {
      out += `\\${next}{${letter}}`;
      i += 2;
    } else {
      out += c + next;
      i += 1;
    }
  }
  return out;
}

/** Letters of `p` as `[xX]` classes; only for patterns without classes or escaped letters, where that is exact. */
function caseless(p: string, original: string): string {
  if (/\[|\\[A-Za-z]|\(\?/.test(p)) {
    throw new Error(`the schema pattern ${JSON.stringify(original)} uses (?i) with classes, escapes or more flags; teach output/kubernetes/go-pattern.ts to rewrite it`);
  }
  return p.replace(/[A-Za-z]/g, (ch) => `[${ch.toLowerCase()}${ch.toUpperCase()}]`);
}
