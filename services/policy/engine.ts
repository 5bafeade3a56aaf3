/**
 * Evaluates the authorization rules. Deny overrides: the first true `deny`
 * rule refuses; otherwise at least one `allow` rule must be true (default
 * deny). A rule whose evaluation fails refuses too (fail closed).
 */
import { Environment } from '@marcbachmann/cel-js';
import { SovraError } from '../../core/errors.js';
import { DEFAULT_RULES } from './default-rules.js';
import type { PolicyFile, PolicyRule } from './rules.js';

/** The attributes a rule can read. */
export interface PolicyInput {
  /** OIDC `sub`. */
  readonly subject: string;
  readonly tenant: string;
  readonly scopes: readonly string[];
  /** Data classification the caller declares (`x-sovra-classification`), `` when none. */
  readonly classification: string;
  /** Purpose of processing the caller declares (`x-sovra-purpose`), `` when none. */
  readonly purpose: string;
  /** Requested model, `` when the route has none. */
  readonly model: string;
  /** Route name: `chat`, `embeddings`, `models` or `rag`. */
  readonly route: string;
  /** HTTP method and path, e.g. `POST /v1/rag/ingest`. */
  readonly action: string;
  /** Every claim of the token. */
  readonly claims: Readonly<Record<string, unknown>>;
}

/** Outcome of evaluating the rules. */
export type PolicyDecision = { readonly allowed: true } | { readonly allowed: false; readonly ruleId: string; readonly message: string };

/** Id reported when no allow rule matched. */
export const NO_ALLOW_RULE = 'no-allow-rule';

interface Compiled {
  readonly rule: PolicyRule;
  readonly run: (ctx: Record<string, unknown>) => unknown;
}

function environment(): Environment {
  return new Environment()
    .registerVariable('subject', 'string')
    .registerVariable('tenant', 'string')
    .registerVariable('scopes', 'list<string>')
    .registerVariable('classification', 'string')
    .registerVariable('purpose', 'string')
    .registerVariable('model', 'string')
    .registerVariable('route', 'string')
    .registerVariable('action', 'string')
    .registerVariable('claims', 'map');
}

/** Compiled rules, ready to evaluate per request. */
export class PolicyEngine {
  private readonly deny: Compiled[] = [];
  private readonly allow: Compiled[] = [];

  /** Compiles and type-checks `rules`; a bad rule is a start-up error naming it. */
  constructor(rules: readonly PolicyRule[], source = 'rules') {
    const env = environment();
    for (const rule of rules) {
      let run: Compiled['run'];
      try {
        run = env.parse(rule.expression);
      } catch (e) {
        throw new SovraError('bad-config', `Policy ${source}: rule "${rule.id}" does not parse as CEL: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
      }
      const checked = env.check(rule.expression);
      if (!checked.valid || (checked.type !== 'bool' && checked.type !== 'dyn')) {
        const why = checked.valid ? `it yields ${checked.type}, not bool` : checked.error?.message.split('\n')[0];
        throw new SovraError('bad-config', `Policy ${source}: rule "${rule.id}" does not type-check: ${why}`);
      }
      (rule.effect === 'deny' ? this.deny : this.allow).push({ rule, run });
    }
  }

  /** Engine for the shipped rules plus those of `file`. */
  static fromFile(file: PolicyFile | undefined, source = 'rules'): PolicyEngine {
    const rules = [...(file?.defaults === false ? [] : DEFAULT_RULES), ...(file?.rules ?? [])];
    return new PolicyEngine(rules, source);
  }

  /** Decides one request. */
  evaluate(input: PolicyInput): PolicyDecision {
    const ctx = input as unknown as Record<string, unknown>;
    for (const c of this.deny) {
      if (this.holds(c, ctx) !== false) return { allowed: false, ruleId: c.rule.id, message: c.rule.message };
    }
    for (const c of this.allow) {
      if (this.holds(c, ctx) === true) return { allowed: true };
    }
    return { allowed: false, ruleId: NO_ALLOW_RULE, message: 'No allow rule matched this request.' };
  }

  /** True, false, or undefined when evaluation failed (treated as deny by deny rules, not-allow by allow rules). */
  private holds(c: Compiled, ctx: Record<string, unknown>): boolean | undefined {
    try {
      const v = c.run(ctx);
      return typeof v === 'boolean' ? v : undefined;
    } catch {
      return undefined;
    }
  }
}
