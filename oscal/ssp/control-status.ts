/**
 * The status of every control of a profile's baseline (and of every control
 * a component claims beyond it), derived from the claims, the components'
 * customer responsibilities, the profile's `responsibilities` and its
 * leveraged authorizations. The SSP, the coverage, the POA&M and the report
 * are all written from this one list, so they cannot disagree.
 */
import type { ImplementationStatus } from '../../constructs/kit/claims.js';
import { catalog, type CatalogControl } from '../../controls/catalog.js';
import { SovraError } from '../../core/errors.js';
import type { ComponentView, ResolvedClaim, SynthModel } from '../../output/model.js';
import type { Profile } from '../../profiles/profile.generated.js';

/** Where a control stands. `not-addressed`: no claim, no responsibility, no leveraged authorization. */
export type CoverageStatus = 'implemented' | 'partial' | 'planned' | 'inherited' | 'not-applicable' | 'not-addressed';

/** Every coverage status, in the order reports show them. */
export const COVERAGE_STATUSES: readonly CoverageStatus[] = ['implemented', 'partial', 'planned', 'inherited', 'not-applicable', 'not-addressed'];

/** A profile responsibility entry. */
export type ProfileResponsibility = NonNullable<Profile['responsibilities']>[string];

/** A leveraged authorization of the profile. */
export type LeveragedAuthorization = NonNullable<Profile['leveragedAuthorizations']>[number];

/** One control and everything that speaks to it. */
export interface ControlEntry {
  readonly control: CatalogControl;
  /** Whether the profile's baseline selects it (claims may go beyond the baseline). */
  readonly inBaseline: boolean;
  readonly status: CoverageStatus;
  /** Claims by component, in component order. */
  readonly claims: ReadonlyArray<{ readonly component: ComponentView; readonly claims: readonly ResolvedClaim[] }>;
  /** What components hand to the customer for this control. */
  readonly componentDuties: ReadonlyArray<{ readonly component: ComponentView; readonly statement: string; readonly procedure?: string }>;
  /** The profile's responsibility entry. */
  readonly responsibility?: ProfileResponsibility;
  /** The leveraged authorization it is inherited from (only when nothing else implements it). */
  readonly inheritedFrom?: LeveragedAuthorization;
  /** Parameter values the claims set, by parameter id; components that set the same parameter each add their value (joined by `; `). */
  readonly parameters: Readonly<Record<string, string>>;
  /** Why, for not-applicable and not-addressed. */
  readonly reason?: string;
}

function combine(statuses: readonly ImplementationStatus[]): ImplementationStatus {
  if (statuses.every((s) => s === 'implemented')) return 'implemented';
  if (statuses.every((s) => s === 'planned')) return 'planned';
  return 'partial';
}

/** Not addressed: said plainly, with what would change it. */
export const NOT_ADDRESSED_REASON = 'No component claims this control, the profile states no responsibility for it and no leveraged authorization covers it.';

function entryFor(model: SynthModel, c: CatalogControl, inBaseline: boolean): ControlEntry {
  const claims = model.components.map((component) => ({ component, claims: component.claims.filter((x) => x.control === c.id) })).filter((x) => x.claims.length > 0);
  const componentDuties = model.components.flatMap((component) =>
    component.responsibilities.filter((r) => r.control === c.id).map((r) => ({ component, statement: r.statement, ...(r.procedure ? { procedure: r.procedure } : {}) })),
  );
  const responsibility = model.profile.responsibilities?.[c.id];
  const collected = new Map<string, string[]>();
  for (const { component, claims: list } of claims) {
    for (const claim of list) {
      for (const [id, value] of Object.entries(claim.parameters ?? {})) {
        if (!c.params.includes(id)) throw new Error(`component ${component.id}: claim on ${c.id} sets parameter ${id}, which ${c.label} does not have (${c.params.join(', ') || 'none'})`);
        // Each component sets the parameter for what it runs; the system-level value lists them all.
        const values = collected.get(id) ?? [];
        if (!values.includes(`${component.id}: ${value}`)) values.push(`${component.id}: ${value}`);
        collected.set(id, values);
      }
    }
  }
  const parameters = Object.fromEntries([...collected].map(([id, values]) => [id, values.length === 1 ? values[0]!.replace(/^[^:]+: /, '') : values.join('; ')]));
  const base = { control: c, inBaseline, claims, componentDuties, parameters, ...(responsibility ? { responsibility } : {}) };
  if (responsibility?.status === 'not-applicable') {
    if (!responsibility.reason) throw new SovraError('bad-profile', `profile ${model.profile.name}: /responsibilities/${c.id} has status not-applicable but no reason; add \`reason\` saying why ${c.label} does not apply.`);
    if (claims.length > 0) throw new SovraError('bad-profile', `profile ${model.profile.name}: /responsibilities/${c.id} says ${c.label} does not apply, but ${claims.map((x) => x.component.id).join(', ')} claim it; drop the entry or give it another status.`);
    return { ...base, status: 'not-applicable', reason: responsibility.reason };
  }
  const statuses: ImplementationStatus[] = [
    ...claims.flatMap((x) => x.claims.map((cl) => cl.status)),
    // A duty left to the customer is planned until the customer states otherwise in the profile.
    ...(componentDuties.length > 0 && !responsibility ? ['planned' as const] : []),
    ...(responsibility ? [responsibility.status as ImplementationStatus] : []),
  ];
  if (statuses.length > 0) return { ...base, status: combine(statuses) };
  const inheritedFrom = (model.profile.leveragedAuthorizations ?? []).find((a) => a.controls.includes(c.id));
  if (inheritedFrom) return { ...base, status: 'inherited', inheritedFrom };
  return { ...base, status: 'not-addressed', reason: NOT_ADDRESSED_REASON };
}

/**
 * Every control of the profile's baseline, then every control claimed
 * outside it, each in catalog order, with its status.
 */
export function controlEntries(model: SynthModel): ControlEntry[] {
  const baseline = model.profile.baseline;
  const claimed = new Set<string>();
  for (const v of model.components) {
    for (const c of v.claims) claimed.add(c.control);
    for (const r of v.responsibilities) claimed.add(r.control);
  }
  const known = new Set(catalog().controls.map((c) => c.id));
  for (const id of Object.keys(model.profile.responsibilities ?? {})) {
    if (!known.has(id as CatalogControl['id'])) throw new SovraError('bad-profile', `profile ${model.profile.name}: /responsibilities/${id} is not an SP 800-53 rev5 control id; use the OSCAL form, e.g. "at-2" or "ac-2.1".`);
  }
  for (const a of model.profile.leveragedAuthorizations ?? []) {
    for (const id of a.controls) if (!known.has(id as CatalogControl['id'])) throw new SovraError('bad-profile', `profile ${model.profile.name}: leveraged authorization ${a.id} lists ${id}, which is not an SP 800-53 rev5 control id.`);
  }
  const out: ControlEntry[] = [];
  const extra: ControlEntry[] = [];
  for (const c of catalog().controls) {
    if (c.withdrawn) continue;
    if (c.baselines.includes(baseline)) out.push(entryFor(model, c, true));
    else if (claimed.has(c.id)) extra.push(entryFor(model, c, false));
  }
  return [...out, ...extra];
}
