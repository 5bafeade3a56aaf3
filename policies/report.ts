/**
 * The policy gate's result as the view model and `policy-report.json` hold
 * it: the rules, the warnings, and every waiver with what it lifted, so an
 * SSP states them and a POA&M lists them, and a reviewer reads them
 * without running the synth.
 */
import type { ObjectId, PolicyPoamItemView, PolicyView, PolicyWaiverView } from '../output/model.js';
import type { PolicyFinding, PolicyResult } from './evaluate.js';
import type { PolicyRule } from './rule.js';
import type { Waiver } from './waivers.js';

const key = (w: Waiver) => JSON.stringify([w.rule, w.object.kind, w.object.namespace ?? '', w.object.name, w.source]);

function objectId(f: PolicyFinding): ObjectId {
  return { apiVersion: f.object.apiVersion, kind: f.object.kind, ...(f.object.namespace ? { namespace: f.object.namespace } : {}), name: f.object.name };
}

/** The view of one gate run over `rules` with `waivers` (all of them, used or not). */
export function policyView(rules: readonly PolicyRule[], waivers: readonly Waiver[], result: PolicyResult): PolicyView {
  const lifted = new Map<string, string[]>();
  for (const f of result.waived) lifted.set(key(f.waiver), [...(lifted.get(key(f.waiver)) ?? []), `${f.field}: ${f.detail ?? f.message}`]);
  const controls = new Map(rules.map((r) => [r.id, r.controls]));
  const views: PolicyWaiverView[] = waivers.map((w) => ({
    rule: w.rule,
    controls: controls.get(w.rule) ?? [],
    object: w.object,
    reason: w.reason,
    approvedBy: w.approvedBy,
    ...(w.expires ? { expires: w.expires } : {}),
    source: w.source,
    ...(w.release ? { release: w.release } : {}),
    lifted: lifted.get(key(w)) ?? [],
  }));
  return {
    rules: rules.map((r) => ({ id: r.id, severity: r.severity, controls: r.controls })),
    objects: result.objects,
    judgements: result.judgements,
    warnings: result.warnings.map((f) => ({ rule: f.rule, controls: f.controls, object: objectId(f), file: f.file, field: f.field, message: `${f.message}${f.detail ? ` (${f.detail})` : ''}` })),
    waivers: views,
    poamItems: views.filter((w) => w.source === 'profile' && w.expires !== undefined).map(poamItem),
  };
}

/** A profile waiver as a POA&M item. */
function poamItem(w: PolicyWaiverView): PolicyPoamItemView {
  const o = w.object;
  const where = `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
  return {
    id: `policy-waiver:${w.rule}:${o.kind}:${o.namespace ?? ''}:${o.name}`,
    title: `Waived policy rule ${w.rule} for ${where}`,
    description: w.reason,
    controls: w.controls,
    object: w.object,
    approvedBy: w.approvedBy,
    scheduledCompletion: w.expires!,
    lifted: w.lifted,
  };
}

/** The content of `policy-report.json` (written with stable key order by the synth). */
export function policyReport(profile: string, buildDate: string, params: Readonly<Record<string, string>>, view: PolicyView): Record<string, unknown> {
  return {
    profile,
    buildDate,
    params,
    summary: { rules: view.rules.length, objects: view.objects, judgements: view.judgements, warnings: view.warnings.length, waivers: view.waivers.length },
    rules: view.rules,
    warnings: view.warnings,
    waivers: view.waivers,
    poamItems: view.poamItems,
  };
}
