/**
 * The second, independent CEL implementation: @bufbuild/cel (a CEL
 * evaluator checked against the cel-spec conformance suite; a
 * devDependency, used by tests and the benchmark only). It judges the same
 * rules, and the emitted ValidatingAdmissionPolicies, with admission's
 * semantics, so a disagreement with the synth's evaluator
 * (@marcbachmann/cel-js) is found on every fixture.
 *
 * The Kubernetes quantity library is registered here on @bufbuild/cel's
 * own function interface over the same quantity arithmetic
 * (policies/cel/quantity.ts, tested on its own against Kubernetes'
 * examples): @bufbuild/cel's custom types are protobuf messages, so a
 * Quantity is carried as a one-entry map. The strings extension
 * (`split`, `join`…) is @bufbuild/cel's own.
 */
import { celFunc, celMethod, celEnv, CelScalar, isCelError, mapType, parse, plan, type CelEnv, type CelFunc } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { matchesKind } from '../../policies/kinds.js';
import type { MatchKind, NamedExpression, PolicyRule, RuleOutcome } from '../../policies/rule.js';
import { quantity } from '../../policies/cel/quantity.js';

const QUANTITY = mapType(CelScalar.STRING, CelScalar.STRING);
const KEY = 'k8s.io/quantity';
type QMap = ReadonlyMap<unknown, unknown>;
const q = (m: QMap) => quantity(String(m.get(KEY)));

/** The quantity library on @bufbuild/cel. */
export const QUANTITY_FUNCS: CelFunc[] = [
  celFunc('quantity', [CelScalar.STRING], QUANTITY, (s) => new Map([[KEY, quantity(s).text]])),
  celFunc('isQuantity', [CelScalar.STRING], CelScalar.BOOL, (s) => {
    try {
      quantity(s);
      return true;
    } catch {
      return false;
    }
  }),
  celMethod('compareTo', QUANTITY, [QUANTITY], CelScalar.INT, function (o) {
    return BigInt(q(this).compareTo(q(o)));
  }),
  celMethod('isGreaterThan', QUANTITY, [QUANTITY], CelScalar.BOOL, function (o) {
    return q(this).compareTo(q(o)) > 0;
  }),
  celMethod('isLessThan', QUANTITY, [QUANTITY], CelScalar.BOOL, function (o) {
    return q(this).compareTo(q(o)) < 0;
  }),
  celMethod('sign', QUANTITY, [], CelScalar.INT, function () {
    return BigInt(q(this).sign());
  }),
];

let env: CelEnv | undefined;
const programs = new Map<string, (ctx: Record<string, unknown>) => unknown>();

/** A program of `expression`, planned once; it returns the value or throws the CelError. */
export function secondProgram(expression: string): (ctx: Record<string, unknown>) => unknown {
  let p = programs.get(expression);
  if (!p) {
    env ??= celEnv({ funcs: [...strings, ...QUANTITY_FUNCS] });
    const run = plan(env, parse(expression));
    p = (ctx) => {
      const r = run(ctx as never);
      if (isCelError(r)) throw r;
      return r;
    };
    programs.set(expression, p);
  }
  return p;
}

/** The expressions of an admission policy (or a rule): what the second implementation runs. */
export interface AdmissionExpressions {
  readonly match: readonly MatchKind[] | 'all';
  readonly conditions: readonly NamedExpression[];
  readonly variables: readonly NamedExpression[];
  readonly expression: string;
  readonly messageExpression?: string;
}

/** A rule's expressions. */
export function ruleExpressions(rule: PolicyRule): AdmissionExpressions {
  return { match: rule.match, conditions: rule.matchConditions ?? [], variables: rule.variables ?? [], expression: rule.expression, ...(rule.messageExpression ? { messageExpression: rule.messageExpression } : {}) };
}

/** What the second implementation decided. */
export interface SecondJudgement {
  readonly outcome: RuleOutcome;
  readonly detail?: string;
}

const text = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
const plain = (v: unknown): unknown => (v !== null && typeof v === 'object' && Symbol.iterator in v && !(typeof v === 'string') ? [...(v as Iterable<unknown>)] : v);

/** Judges an object (already CEL values, see policies/cel/json.ts) with admission's semantics. */
export function secondJudge(x: AdmissionExpressions, apiVersion: string, kind: string, input: { object: unknown; params: unknown; namespaceObject?: unknown }): SecondJudgement {
  if (!matchesKind(x.match, apiVersion, kind)) return { outcome: 'not-applicable' };
  const variables = new Map<string, unknown>();
  const ctx = () => ({ object: input.object, oldObject: null, params: input.params, namespaceObject: input.namespaceObject ?? null, request: { operation: 'CREATE' }, variables });
  for (const c of x.conditions) {
    try {
      if (secondProgram(c.expression)(ctx()) !== true) return { outcome: 'not-applicable' };
    } catch (e) {
      return { outcome: 'fail', detail: `match condition ${c.name} failed to evaluate: ${text(e)}` };
    }
  }
  for (const v of x.variables) {
    try {
      variables.set(v.name, secondProgram(v.expression)(ctx()));
    } catch {
      /* left out: an expression reading it fails, as admission's lazy variables do */
    }
  }
  let ok: unknown;
  try {
    ok = secondProgram(x.expression)(ctx());
  } catch (e) {
    return { outcome: 'fail', detail: `evaluation failed: ${text(e)}` };
  }
  if (ok === true) return { outcome: 'pass' };
  if (ok !== false) return { outcome: 'fail', detail: `the expression yielded ${String(plain(ok))}, not a bool` };
  if (!x.messageExpression) return { outcome: 'fail' };
  try {
    return { outcome: 'fail', detail: String(secondProgram(x.messageExpression)(ctx())) };
  } catch (e) {
    return { outcome: 'fail', detail: `(message expression failed: ${text(e)})` };
  }
}
