/**
 * The synth's CEL evaluator: each rule compiled once per process on
 * @marcbachmann/cel-js (with the Kubernetes library functions it lacks),
 * type-checked at compile time, then judged against objects the way an
 * admission policy is: match conditions, variables in order, the
 * expression, and the message expression when it fails. An evaluation
 * error fails the rule (admission's `failurePolicy: Fail`).
 */
import { Environment } from '@marcbachmann/cel-js';
import { matchesKind } from '../kinds.js';
import type { PolicyRule, RuleOutcome } from '../rule.js';
import { registerKubernetesLibrary } from './kubernetes-library.js';

type Program = (ctx: Record<string, unknown>) => unknown;

/** A rule ready to judge objects. */
export interface CompiledRule {
  readonly rule: PolicyRule;
  readonly conditions: ReadonlyArray<{ readonly name: string; readonly run: Program }>;
  /** Variables in order; `key` identifies a variable with every one before it, so rules that share them share their values per object. */
  readonly variables: ReadonlyArray<{ readonly name: string; readonly run: Program; readonly key: string }>;
  readonly expression: Program;
  readonly message?: Program;
}

/** What one rule decided about one object. */
export interface Judgement {
  readonly outcome: RuleOutcome;
  /** On `fail`: the message expression's text, or why evaluation failed. */
  readonly detail?: string;
}

/** The variables every admission expression may read (Kubernetes' names). */
export function admissionEnvironment(): Environment {
  const env = new Environment({ homogeneousAggregateLiterals: false })
    .registerVariable('object', 'map')
    .registerVariable('oldObject', 'dyn')
    .registerVariable('params', 'map')
    .registerVariable('namespaceObject', 'dyn')
    .registerVariable('request', 'map')
    .registerVariable('variables', 'map');
  return registerKubernetesLibrary(env);
}

let sharedEnv: Environment | undefined;
const compiledSets = new WeakMap<readonly PolicyRule[], CompiledRule[]>();
/** Parsed programs by expression text: the pod variables are shared by most rules and parsed once. */
const programs = new Map<string, Program>();

/** How a rule is compiled. */
export interface CompileOptions {
  /**
   * Type-check every expression as well (about twice the parse time). The
   * synth only parses; the rule tests type-check every shipped rule.
   * @default false
   */
  readonly typeCheck?: boolean;
}

function program(env: Environment, rule: PolicyRule, what: string, expression: string, want: readonly string[], options: CompileOptions): Program {
  let run = programs.get(expression);
  if (!run) {
    try {
      run = env.parse(expression) as Program;
    } catch (e) {
      throw new Error(`policy rule ${rule.id}: ${what} does not parse as CEL: ${(e as Error).message}`);
    }
    programs.set(expression, run);
  }
  if (options.typeCheck) {
    const checked = env.check(expression);
    if (!checked.valid) throw new Error(`policy rule ${rule.id}: ${what} does not type-check: ${checked.error?.message}`);
    if (!want.includes(checked.type ?? '')) throw new Error(`policy rule ${rule.id}: ${what} yields ${checked.type}, not ${want.join(' or ')}`);
  }
  return run;
}

const VALUE_TYPES = ['dyn', 'map', 'list', 'list<dyn>', 'list<string>', 'string', 'bool', 'int', 'map<dyn, dyn>', 'map<string, dyn>'];

/** Compiles one rule (parses every expression); a rule that does not compile is a bug, thrown with its id. */
export function compileRule(rule: PolicyRule, options: CompileOptions = {}): CompiledRule {
  const env = (sharedEnv ??= admissionEnvironment());
  return {
    rule,
    conditions: (rule.matchConditions ?? []).map((c) => ({ name: c.name, run: program(env, rule, `match condition ${c.name}`, c.expression, ['bool', 'dyn'], options) })),
    variables: (rule.variables ?? []).map((v, i, all) => ({
      name: v.name,
      run: program(env, rule, `variable ${v.name}`, v.expression, VALUE_TYPES, options),
      key: all.slice(0, i + 1).map((x) => `${x.name}=${x.expression}`).join('\n'),
    })),
    expression: program(env, rule, 'expression', rule.expression, ['bool', 'dyn'], options),
    ...(rule.messageExpression ? { message: program(env, rule, 'message expression', rule.messageExpression, ['string', 'dyn'], options) } : {}),
  };
}

/** The compiled form of `rules`, compiled once per process for each rule set. */
export function compileRules(rules: readonly PolicyRule[]): readonly CompiledRule[] {
  let c = compiledSets.get(rules);
  if (!c) {
    c = rules.map((r) => compileRule(r));
    compiledSets.set(rules, c);
  }
  return c;
}

/** What a rule is evaluated against: the object (as CEL values, see `toCel`) and the parameters. */
export interface AdmissionInput {
  readonly object: unknown;
  readonly params: unknown;
  readonly namespaceObject?: unknown;
}

function errorText(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
}

/** The request as the synth presents it: every object is created. */
const REQUEST = Object.freeze({ operation: 'CREATE' });

/** Values of variables already evaluated for one object, by variable key (see `CompiledRule.variables`). */
export type VariableMemo = Map<string, { readonly value?: unknown; readonly failed?: true }>;

/**
 * Judges `input.object` (apiVersion and kind given plainly, to match kinds
 * without CEL). Pass the same `memo` for every rule of one object so shared
 * variables are evaluated once.
 */
export function judge(c: CompiledRule, apiVersion: string, kind: string, input: AdmissionInput, memo: VariableMemo = new Map()): Judgement {
  if (!matchesKind(c.rule.match, apiVersion, kind)) return { outcome: 'not-applicable' };
  const variables: Record<string, unknown> = {};
  const ctx: Record<string, unknown> = { object: input.object, oldObject: null, params: input.params, namespaceObject: input.namespaceObject ?? null, request: REQUEST, variables };
  for (const cond of c.conditions) {
    try {
      if (cond.run(ctx) !== true) return { outcome: 'not-applicable' };
    } catch (e) {
      return { outcome: 'fail', detail: `match condition ${cond.name} failed to evaluate: ${errorText(e)}` };
    }
  }
  // Variables are evaluated in order; one that fails is left out, so only an expression that reads it fails (admission evaluates them lazily).
  for (const v of c.variables) {
    let m = memo.get(v.key);
    if (!m) {
      try {
        m = { value: v.run(ctx) };
      } catch {
        m = { failed: true }; // read later: "no such key"
      }
      memo.set(v.key, m);
    }
    if (!m.failed) variables[v.name] = m.value;
  }
  let ok: unknown;
  try {
    ok = c.expression(ctx);
  } catch (e) {
    return { outcome: 'fail', detail: `evaluation failed: ${errorText(e)}` };
  }
  if (ok === true) return { outcome: 'pass' };
  if (ok !== false) return { outcome: 'fail', detail: `the expression yielded ${String(ok)}, not a bool` };
  if (!c.message) return { outcome: 'fail' };
  try {
    const m = c.message(ctx);
    return { outcome: 'fail', detail: typeof m === 'string' ? m : String(m) };
  } catch (e) {
    return { outcome: 'fail', detail: `(message expression failed: ${errorText(e)})` };
  }
}
