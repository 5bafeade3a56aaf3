/**
 * SPDX license expressions (SPDX 2.3 annex D): a parser for the syntax and a
 * check of every identifier against the SPDX license list that
 * `@cyclonedx/cyclonedx-library` ships (the list its schema enumerates).
 * The license policy reads expressions through this module, the SBOM decides
 * with it whether a declared license is an SPDX expression or `unknown`.
 */
import { fixupSpdxId } from '@cyclonedx/cyclonedx-library/SPDX';

/** A parsed expression: a license (optionally `+` and `WITH` an exception) or an AND/OR of two. */
export type SpdxNode =
  | { readonly kind: 'license'; readonly id: string; readonly orLater: boolean; readonly exception?: string }
  | { readonly kind: 'and' | 'or'; readonly left: SpdxNode; readonly right: SpdxNode };

/** Result of reading a declared license. */
export interface ParsedLicense {
  /** The tree, when the text follows the expression syntax. */
  readonly tree?: SpdxNode;
  /** License identifiers in the expression (without `+` and exceptions), in order of appearance. */
  readonly ids: readonly string[];
  /** True when the syntax holds and every identifier is on the SPDX list (or a `LicenseRef-`). */
  readonly valid: boolean;
}

const REF = /^(DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.-]+$/;

/** True when `id` is on the SPDX list (case-insensitively, as the specification allows) or is a `LicenseRef-`. */
export function isKnownSpdxId(id: string): boolean {
  return REF.test(id) || fixupSpdxId(id) !== undefined;
}

type Token = { readonly t: '(' | ')' | 'AND' | 'OR' | 'WITH' } | { readonly t: 'id'; readonly v: string };

function tokenize(text: string): Token[] | undefined {
  const out: Token[] = [];
  const re = /\s*(?:(\()|(\))|([A-Za-z0-9.+:-]+))/y;
  let end = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    end = re.lastIndex;
    if (m[1]) out.push({ t: '(' });
    else if (m[2]) out.push({ t: ')' });
    else {
      const w = m[3]!;
      // Operators are matched case-sensitively (SPDX 2.3 D.3).
      out.push(w === 'AND' || w === 'OR' || w === 'WITH' ? { t: w } : { t: 'id', v: w });
    }
  }
  return out.length > 0 && text.slice(end).trim() === '' ? out : undefined;
}

/** Recursive descent: or := and ('OR' and)*; and := with ('AND' with)*; with := simple ['WITH' id] | '(' or ')'. */
function parseTokens(tokens: Token[]): SpdxNode | undefined {
  let i = 0;
  const peek = (): Token | undefined => tokens[i];
  const orExpr = (): SpdxNode | undefined => {
    let left = andExpr();
    while (left && peek()?.t === 'OR') {
      i++;
      const right = andExpr();
      if (!right) return undefined;
      left = { kind: 'or', left, right };
    }
    return left;
  };
  const andExpr = (): SpdxNode | undefined => {
    let left = primary();
    while (left && peek()?.t === 'AND') {
      i++;
      const right = primary();
      if (!right) return undefined;
      left = { kind: 'and', left, right };
    }
    return left;
  };
  const primary = (): SpdxNode | undefined => {
    const tok = tokens[i++];
    if (!tok) return undefined;
    if (tok.t === '(') {
      const inner = orExpr();
      if (!inner || tokens[i++]?.t !== ')') return undefined;
      return inner;
    }
    if (tok.t !== 'id' || !/^[A-Za-z0-9.:-]+\+?$/.test(tok.v)) return undefined;
    const orLater = tok.v.endsWith('+');
    const id = orLater ? tok.v.slice(0, -1) : tok.v;
    if (peek()?.t === 'WITH') {
      i++;
      const ex = tokens[i++];
      if (!ex || ex.t !== 'id' || !/^[A-Za-z0-9.-]+$/.test(ex.v)) return undefined;
      return { kind: 'license', id, orLater, exception: ex.v };
    }
    return { kind: 'license', id, orLater };
  };
  const tree = orExpr();
  return tree && i === tokens.length ? tree : undefined;
}

function licensesOf(node: SpdxNode, out: Array<Extract<SpdxNode, { kind: 'license' }>>): typeof out {
  if (node.kind === 'license') out.push(node);
  else {
    licensesOf(node.left, out);
    licensesOf(node.right, out);
  }
  return out;
}

/**
 * Reads `text` as an SPDX license expression. A text that does not follow
 * the syntax (`Public Domain`, `SEE LICENSE IN LICENSE`) has no tree and no
 * ids; one that does but names an id off the list (`RSAL-2.0`) has both and
 * is not valid.
 */
export function parseSpdx(text: string): ParsedLicense {
  let parsed = parsedCache.get(text);
  if (!parsed) {
    parsed = parse(text);
    if (parsedCache.size >= 10_000) parsedCache.clear();
    parsedCache.set(text, parsed);
  }
  return parsed;
}

// A few distinct texts are read thousands of times (one per npm package).
const parsedCache = new Map<string, ParsedLicense>();

function parse(text: string): ParsedLicense {
  const tokens = tokenize(text);
  const tree = tokens && parseTokens(tokens);
  if (!tree) return { ids: [], valid: false };
  const leaves = licensesOf(tree, []);
  const valid = leaves.every((l) => isKnownSpdxId(l.id) && (l.exception === undefined || fixupSpdxId(l.exception) !== undefined));
  return { tree, ids: leaves.map((l) => l.id), valid };
}
