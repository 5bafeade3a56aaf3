/**
 * Authorization rules: data, not code. A rules file is YAML or JSON:
 *
 * ```yaml
 * defaults: true          # keep the rules that ship with the service
 * rules:
 *   - id: confidential-needs-purpose
 *     effect: deny
 *     expression: classification == "confidential" && purpose == ""
 *     message: Confidential requests must state a purpose.
 * ```
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { SovraError } from '../../core/errors.js';

/** One rule: a CEL expression and what its being true means. */
export interface PolicyRule {
  /** Stable id, named in 403 answers and in the audit record. */
  readonly id: string;
  /** Sentence shown to the client when the rule denies. */
  readonly message: string;
  /** CEL boolean expression over the request attributes. */
  readonly expression: string;
  /** `deny`: a true expression refuses; `allow`: a request needs at least one true allow rule. */
  readonly effect: 'allow' | 'deny';
}

/** A parsed rules file. */
export interface PolicyFile {
  /** Keep the shipped rules in front of these. @default true */
  readonly defaults: boolean;
  readonly rules: readonly PolicyRule[];
}

function bad(source: string, what: string): SovraError {
  return new SovraError('bad-config', `Policy ${source} (--policy / SOVRA_POLICY): ${what}`);
}

/** Validates parsed YAML/JSON as a rules file; errors name the source and the rule. */
export function parsePolicy(data: unknown, source: string): PolicyFile {
  const doc = Array.isArray(data) ? { rules: data } : data;
  if (typeof doc !== 'object' || doc === null) throw bad(source, 'expected a mapping with `rules` (or a list of rules).');
  const { defaults = true, rules, ...rest } = doc as Record<string, unknown>;
  const unknownKeys = Object.keys(rest);
  if (unknownKeys.length > 0) throw bad(source, `unknown key(s) ${unknownKeys.join(', ')}; expected defaults, rules.`);
  if (typeof defaults !== 'boolean') throw bad(source, '`defaults` must be true or false.');
  if (!Array.isArray(rules)) throw bad(source, '`rules` must be a list.');
  const seen = new Set<string>();
  const parsed = rules.map((r: unknown, i): PolicyRule => {
    if (typeof r !== 'object' || r === null) throw bad(source, `rule ${i} must be a mapping.`);
    const { id, message, expression, effect, ...extra } = r as Record<string, unknown>;
    const name = typeof id === 'string' ? `rule "${id}"` : `rule ${i}`;
    if (typeof id !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/.test(id)) throw bad(source, `${name}: \`id\` must be lower-case letters, digits, ., _ or -.`);
    if (seen.has(id)) throw bad(source, `${name}: duplicate id.`);
    seen.add(id);
    if (typeof message !== 'string' || message === '') throw bad(source, `${name}: \`message\` must be a non-empty string.`);
    if (typeof expression !== 'string' || expression === '') throw bad(source, `${name}: \`expression\` must be a non-empty CEL string.`);
    if (effect !== 'allow' && effect !== 'deny') throw bad(source, `${name}: \`effect\` must be allow or deny, got ${JSON.stringify(effect)}.`);
    if (Object.keys(extra).length > 0) throw bad(source, `${name}: unknown key(s) ${Object.keys(extra).join(', ')}.`);
    return { id, message, expression, effect };
  });
  return { defaults, rules: parsed };
}

/** Reads and validates a rules file (YAML or JSON). */
export async function loadPolicyFile(path: string): Promise<PolicyFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw bad(path, `cannot be read: ${e instanceof Error ? e.message : String(e)}`);
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (e) {
    throw bad(path, `is not valid YAML or JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  return parsePolicy(data, path);
}
