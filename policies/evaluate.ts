/**
 * The policy gate of the synth: every rule over every synthesized object in
 * one pass (rules compiled once per process), waivers applied, and what
 * remains reported by rule, object, file, field and control.
 */
import { RULES } from './catalog.js';
import { compileRules, judge, type VariableMemo } from './cel/evaluator.js';
import { toCel } from './cel/json.js';
import { podSpecPath } from './kinds.js';
import type { PolicyParamsObject } from './params.js';
import type { PolicyRule, Severity } from './rule.js';
import { describeObject, isExpired, waiverMatches, WAIVER_REASON_MIN_LENGTH, type Waiver, type WaiverObject } from './waivers.js';

/** An object to judge and the output file it is written to. */
export interface PolicyObject {
  readonly object: Readonly<Record<string, unknown>>;
  /** Output file, e.g. `manifests/control-plane.yaml`. */
  readonly file: string;
}

/** A rule an object failed. */
export interface PolicyFinding {
  readonly rule: string;
  readonly severity: Severity;
  readonly controls: readonly string[];
  readonly object: WaiverObject & { readonly apiVersion: string };
  readonly file: string;
  /** The field the rule is about, with the pod spec path of the object's kind. */
  readonly field: string;
  /** The rule's message. */
  readonly message: string;
  /** What exactly (the message expression), or why evaluation failed. */
  readonly detail?: string;
}

/** A finding a waiver lifted. */
export interface WaivedFinding extends PolicyFinding {
  readonly waiver: Waiver;
}

/** A waiver that fails the gate, and why. */
export interface WaiverProblem {
  readonly waiver: Waiver;
  readonly problem: string;
}

/** What the gate found. */
export interface PolicyResult {
  /** Objects judged. */
  readonly objects: number;
  /** Rule-object pairs a rule applied to. */
  readonly judgements: number;
  /** Failed error rules without a waiver: they stop the synth. */
  readonly violations: readonly PolicyFinding[];
  /** Failed warning rules without a waiver: reported. */
  readonly warnings: readonly PolicyFinding[];
  readonly waived: readonly WaivedFinding[];
  /** Expired, unused, malformed waivers and waivers of unknown rules: they stop the synth. */
  readonly waiverProblems: readonly WaiverProblem[];
}

/** Options of one evaluation. */
export interface EvaluateOptions {
  /** The parameters (`params.data`). */
  readonly params: PolicyParamsObject;
  readonly waivers?: readonly Waiver[];
  /** Build date (`YYYY-MM-DD`, from SOURCE_DATE_EPOCH) expiry dates are compared with. */
  readonly buildDate: string;
  /** @default RULES */
  readonly rules?: readonly PolicyRule[];
  /**
   * Report waivers that lift nothing among these objects. Exceptions of
   * chart-rendered objects (`release` set) are judged unused only when the
   * objects come from that release's render.
   * @default true for every waiver without a release
   */
  readonly unusedCheck?: (w: Waiver) => boolean;
}

type Meta = { name?: string; namespace?: string; labels?: Record<string, string> };

/** Judges every object against every rule, in one pass. */
export function evaluatePolicies(objects: readonly PolicyObject[], options: EvaluateOptions): PolicyResult {
  const rules = options.rules ?? RULES;
  const compiled = compileRules(rules);
  const known = new Set(rules.map((r) => r.id));
  const waiverProblems: WaiverProblem[] = [];
  const live: Waiver[] = [];
  for (const w of options.waivers ?? []) {
    if (!known.has(w.rule)) waiverProblems.push({ waiver: w, problem: `rule ${w.rule} does not exist (rules: policies/README.md)` });
    else if (w.reason.trim().length < WAIVER_REASON_MIN_LENGTH) waiverProblems.push({ waiver: w, problem: `its reason is shorter than ${WAIVER_REASON_MIN_LENGTH} characters` });
    else if (isExpired(w, options.buildDate)) waiverProblems.push({ waiver: w, problem: `it expired on ${w.expires} (build date ${options.buildDate}); renew it with a new approval or fix the object` });
    else live.push(w);
  }
  const params = toCel(options.params);
  const namespaces = new Map<string, unknown>();
  const converted = objects.map((o) => {
    const cel = toCel(o.object);
    if (o.object.kind === 'Namespace') namespaces.set(String((o.object.metadata as Meta | undefined)?.name), cel);
    return cel;
  });
  const violations: PolicyFinding[] = [];
  const warnings: PolicyFinding[] = [];
  const waived: WaivedFinding[] = [];
  const used = new Set<Waiver>();
  let judgements = 0;
  objects.forEach((o, i) => {
    const apiVersion = String(o.object.apiVersion ?? '');
    const kind = String(o.object.kind ?? '');
    const meta = (o.object.metadata ?? {}) as Meta;
    const id: WaiverObject = { kind, ...(meta.namespace ? { namespace: meta.namespace } : {}), name: String(meta.name ?? '') };
    const input = { object: converted[i], params, namespaceObject: meta.namespace ? namespaces.get(meta.namespace) ?? null : null };
    const memo: VariableMemo = new Map();
    for (const c of compiled) {
      const j = judge(c, apiVersion, kind, input, memo);
      if (j.outcome === 'not-applicable') continue;
      judgements++;
      if (j.outcome === 'pass') continue;
      const finding: PolicyFinding = {
        rule: c.rule.id,
        severity: c.rule.severity,
        controls: c.rule.controls,
        object: { apiVersion, ...id },
        file: o.file,
        field: c.rule.fieldByKind?.[kind] ?? c.rule.field.replaceAll('{pod}', podSpecPath(kind)),
        message: c.rule.message,
        ...(j.detail ? { detail: j.detail } : {}),
      };
      const w = live.find((x) => waiverMatches(x, c.rule.id, id, meta.labels ?? {}));
      if (w) {
        used.add(w);
        waived.push({ ...finding, waiver: w });
      } else (c.rule.severity === 'error' ? violations : warnings).push(finding);
    }
  });
  const checkUnused = options.unusedCheck ?? ((w: Waiver) => w.release === undefined);
  for (const w of live) {
    if (!used.has(w) && checkUnused(w)) waiverProblems.push({ waiver: w, problem: `it lifts nothing: ${describeObject(w.object)} is not in the output or does not fail ${w.rule}; remove it` });
  }
  return { objects: objects.length, judgements, violations, warnings, waived, waiverProblems };
}

/** One line about a finding: rule, object, file, field, controls, message and detail. */
export function describeFinding(f: PolicyFinding): string {
  return `rule ${f.rule} (controls ${f.controls.join(', ')}): ${describeObject(f.object)} in ${f.file}, field ${f.field}: ${f.message}${f.detail ? ` (${f.detail})` : ''}`;
}

/** One line about a waiver problem. */
export function describeWaiverProblem(p: WaiverProblem): string {
  return `the waiver of ${p.waiver.rule} for ${describeObject(p.waiver.object)} (${p.waiver.source}) fails: ${p.problem}`;
}
