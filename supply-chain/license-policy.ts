/**
 * The license policy, and how the SBOM records what it needs, so that the
 * policy can be evaluated again from sbom.cdx.json alone (`sovra verify`).
 *
 * - Every component carries an SPDX expression, or the property
 *   `sovra:license:status=unknown` (with the declared text as a named license
 *   when there is one).
 * - Denied: SSPL, BUSL, Elastic and RSAL licenses (`SSPL-1.0`, `BUSL-1.1`,
 *   `Elastic-2.0`, `RSAL-*`, also as `LicenseRef-`), wherever the expression
 *   offers no OR-alternative without them.
 * - Needs review: AGPL (`AGPL-3.0`, `-only`, `-or-later`, AGPL-1.0): fails
 *   like a denied license until a waiver records the review.
 * - Unknown: reported; fails only when the profile sets
 *   `licensePolicy.denyUnknown` (recorded as the metadata property
 *   `sovra:license-policy:deny-unknown`).
 * - A waiver (profile `licenseWaivers`: component bom-ref, license, reason)
 *   is written on the component as `sovra:license:waiver:<license>:reason`
 *   (and `:approved-by`). A waiver that changes nothing is stale, an error.
 * - A Sovra component's license is concluded from its parts
 *   (`sovra:license:concluded=from-parts`); the policy judges the parts.
 */
import { LicenseExpression, NamedLicense, Property, type Component } from '@cyclonedx/cyclonedx-library/Models';
import { SovraError } from '../core/errors.js';
import type { Profile } from '../profiles/profile.generated.js';
import { parseSpdx, type SpdxNode } from './spdx-expression.js';

/** Property flagging a component without an SPDX expression: value `unknown`. */
export const LICENSE_STATUS_PROPERTY = 'sovra:license:status';
/** Property of a component whose license is the conjunction of its parts' (value `from-parts`); the policy skips it. */
export const LICENSE_CONCLUDED_PROPERTY = 'sovra:license:concluded';
/** Prefix of waiver properties: `<prefix><license>:reason` and `<prefix><license>:approved-by`. */
export const WAIVER_PROPERTY_PREFIX = 'sovra:license:waiver:';
/** Metadata property: `true` when unknown licenses fail the policy. */
export const DENY_UNKNOWN_PROPERTY = 'sovra:license-policy:deny-unknown';
/** Shortest waiver reason the policy accepts (the profile schema says the same). */
export const WAIVER_REASON_MIN_LENGTH = 20;
/** The `license` of a waiver that accepts an unknown license. */
export const UNKNOWN_LICENSE = 'unknown';

/** The rules: `denied` and `needs-review` fail unless waived; `unknown` fails only under `denyUnknown`. */
export type LicenseRule = 'denied' | 'needs-review' | 'unknown';

const RULE_TEXT: Record<LicenseRule, string> = {
  denied: 'SSPL, BUSL, Elastic and RSAL licenses are not allowed',
  'needs-review': 'AGPL licenses need a recorded review',
  unknown: 'the license is not an SPDX expression and the profile denies unknown licenses',
};

/** One finding about one component. */
export interface LicenseFinding {
  readonly bomRef: string;
  /** `group/name@version` as the SBOM gives it. */
  readonly name: string;
  /** The component's license as declared (expression or name; `''` when none). */
  readonly license: string;
  /** The license ids the rule is about (empty for `unknown`). */
  readonly ids: readonly string[];
  readonly rule: LicenseRule;
}

/** A waiver as written on a component. */
export interface LicenseWaiverRecord {
  readonly license: string;
  readonly reason: string;
  readonly approvedBy?: string;
}

/** A finding a waiver lifted. */
export interface WaivedFinding extends LicenseFinding {
  readonly waiver: LicenseWaiverRecord;
}

/** A waiver that matches nothing (or is malformed). */
export interface StaleWaiver {
  readonly bomRef: string;
  readonly license: string;
  readonly problem: string;
}

/** What the policy found in one SBOM. */
export interface LicensePolicyResult {
  /** Findings that fail the policy. */
  readonly violations: readonly LicenseFinding[];
  /** Findings lifted by a waiver, with the waiver. */
  readonly waived: readonly WaivedFinding[];
  /** Every `needs-review` finding, waived or not. */
  readonly review: readonly LicenseFinding[];
  /** Every component without an SPDX expression, waived or not. */
  readonly unknown: readonly LicenseFinding[];
  /** Waivers that lift nothing; they fail the policy too. */
  readonly stale: readonly StaleWaiver[];
  /** Whether unknown licenses fail (from the SBOM metadata). */
  readonly denyUnknown: boolean;
}

/** Sets the license of `c` from a declared text: an SPDX expression, or a named license (when there is text) flagged unknown. */
export function applyLicense(c: Component, declared: string | undefined): void {
  const text = declared?.trim() ?? '';
  if (text !== '' && parseSpdx(text).valid) {
    c.licenses.add(new LicenseExpression(text));
    return;
  }
  if (text !== '') c.licenses.add(new NamedLicense(text));
  c.properties.add(new Property(LICENSE_STATUS_PROPERTY, UNKNOWN_LICENSE));
}

/** The waiver properties of one waiver. */
export function waiverProperties(w: LicenseWaiverRecord): Property[] {
  const out = [new Property(`${WAIVER_PROPERTY_PREFIX}${w.license}:reason`, w.reason)];
  if (w.approvedBy !== undefined) out.push(new Property(`${WAIVER_PROPERTY_PREFIX}${w.license}:approved-by`, w.approvedBy));
  return out;
}

/** The rule a license id falls under, if any. `LicenseRef-` and `DocumentRef-…:` prefixes are looked through. */
export function licenseIdRule(id: string): Exclude<LicenseRule, 'unknown'> | undefined {
  const core = id.replace(/^DocumentRef-[^:]*:/i, '').replace(/^LicenseRef-/i, '');
  if (/^(SSPL|BUSL|Elastic|RSAL)(?=$|[-.v\d])/i.test(core)) return 'denied';
  if (/^AGPL(?=$|[-.\d])/i.test(core)) return 'needs-review';
  return undefined;
}

/** Licenses named in words rather than ids (`Server Side Public License`), mapped to the ids the rules know. */
const NAMED: Array<[RegExp, string]> = [
  [/server[\s-]*side[\s-]*public[\s-]*license/i, 'SSPL-1.0'],
  [/business[\s-]*source[\s-]*license/i, 'BUSL-1.1'],
  [/elastic[\s-]*license/i, 'Elastic-2.0'],
  [/redis[\s-]*source[\s-]*available/i, 'RSAL'],
  [/affero/i, 'AGPL-3.0'],
];

/** Alternatives of an expression: each the problem ids one choice of OR-branches leaves. */
function alternatives(node: SpdxNode, waived: ReadonlySet<string>): string[][] {
  if (node.kind === 'license') return [licenseIdRule(node.id) && !waived.has(node.id.toLowerCase()) ? [node.id] : []];
  const l = alternatives(node.left, waived);
  const r = alternatives(node.right, waived);
  if (node.kind === 'or') return [...l, ...r];
  const out = new Map<string, string[]>();
  for (const a of l) {
    for (const b of r) {
      const u = [...new Set([...a, ...b])].sort();
      out.set(u.join('\n'), u);
    }
  }
  return [...out.values()];
}

function rank(ids: readonly string[]): number {
  return ids.some((id) => licenseIdRule(id) === 'denied') ? 2 : ids.length > 0 ? 1 : 0;
}

interface ComponentLicense {
  readonly bomRef: string;
  readonly name: string;
  readonly text: string;
  readonly unknown: boolean;
  readonly waivers: Map<string, { license: string; reason?: string; approvedBy?: string }>;
}

/** Findings of one component with the licenses in `waived` (lower case) lifted. */
function findings(c: ComponentLicense, waived: ReadonlySet<string>): LicenseFinding[] {
  const parsed = parseSpdx(c.text);
  let alts: string[][];
  if (parsed.tree) alts = alternatives(parsed.tree, waived);
  else alts = [NAMED.filter(([re]) => re.test(c.text)).map(([, id]) => id).filter((id) => !waived.has(id.toLowerCase()))];
  const best = Math.min(...alts.map(rank));
  const out: LicenseFinding[] = [];
  const base = { bomRef: c.bomRef, name: c.name, license: c.text };
  if (best > 0) {
    const ids = [...new Set(alts.filter((a) => rank(a) === best).flat())];
    const denied = ids.filter((id) => licenseIdRule(id) === 'denied');
    const review = ids.filter((id) => licenseIdRule(id) === 'needs-review');
    if (denied.length > 0) out.push({ ...base, ids: denied, rule: 'denied' });
    if (review.length > 0) out.push({ ...base, ids: review, rule: 'needs-review' });
  }
  if ((c.unknown || !parsed.valid) && !waived.has(UNKNOWN_LICENSE)) out.push({ ...base, ids: [], rule: 'unknown' });
  return out;
}

function key(fs: readonly LicenseFinding[]): string {
  return fs.map((f) => `${f.rule}:${f.ids.join(',')}`).join(';');
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function propertiesOf(c: Json): Array<{ name: string; value: string }> {
  return (Array.isArray(c.properties) ? c.properties : []).filter(isObj).map((p) => ({ name: str(p.name) ?? '', value: str(p.value) ?? '' }));
}

/** License text of a CycloneDX `licenses` array: its expression, or its ids and names joined with AND. */
function licenseText(licenses: unknown): string {
  const parts: string[] = [];
  for (const l of Array.isArray(licenses) ? licenses : []) {
    if (!isObj(l)) continue;
    const text = str(l.expression) ?? (isObj(l.license) ? str(l.license.id) ?? str(l.license.name) : undefined);
    if (text !== undefined && text.trim() !== '') parts.push(text.trim());
  }
  return parts.length <= 1 ? parts[0] ?? '' : parts.map((p) => (/\s/.test(p) ? `(${p})` : p)).join(' AND ');
}

function readComponent(c: Json): ComponentLicense | undefined {
  const props = propertiesOf(c);
  if (props.some((p) => p.name === LICENSE_CONCLUDED_PROPERTY && p.value === 'from-parts')) return undefined;
  const name = `${str(c.group) ? `${str(c.group)}/` : ''}${str(c.name) ?? '(unnamed)'}${str(c.version) ? `@${str(c.version)}` : ''}`;
  const waivers = new Map<string, { license: string; reason?: string; approvedBy?: string }>();
  for (const p of props) {
    if (!p.name.startsWith(WAIVER_PROPERTY_PREFIX)) continue;
    const rest = p.name.slice(WAIVER_PROPERTY_PREFIX.length);
    const colon = rest.lastIndexOf(':');
    const license = rest.slice(0, colon);
    const field = rest.slice(colon + 1);
    const w = waivers.get(license.toLowerCase()) ?? { license };
    if (field === 'reason') w.reason = p.value;
    else if (field === 'approved-by') w.approvedBy = p.value;
    waivers.set(license.toLowerCase(), w);
  }
  return {
    bomRef: str(c['bom-ref']) ?? name,
    name,
    text: licenseText(c.licenses),
    unknown: props.some((p) => p.name === LICENSE_STATUS_PROPERTY && p.value === UNKNOWN_LICENSE),
    waivers,
  };
}

function allComponents(bom: Json): Json[] {
  const out: Json[] = [];
  const walk = (list: unknown) => {
    for (const c of Array.isArray(list) ? list : []) {
      if (!isObj(c)) continue;
      out.push(c);
      walk(c.components);
    }
  };
  const md = isObj(bom.metadata) ? bom.metadata : {};
  if (isObj(md.component)) out.push(md.component);
  walk(bom.components);
  return out;
}

/**
 * Evaluates the license policy on a parsed CycloneDX SBOM (the JSON of
 * sbom.cdx.json), using only what the SBOM says: licenses, the unknown
 * flags, the waivers on components and the `deny-unknown` metadata
 * property. Pure; throws nothing for a well-formed object.
 */
export function evaluateLicensePolicy(bom: unknown): LicensePolicyResult {
  const doc = isObj(bom) ? bom : {};
  const md = isObj(doc.metadata) ? doc.metadata : {};
  const denyUnknown = propertiesOf(md).some((p) => p.name === DENY_UNKNOWN_PROPERTY && p.value === 'true');
  const violations: LicenseFinding[] = [];
  const waived: WaivedFinding[] = [];
  const review: LicenseFinding[] = [];
  const unknown: LicenseFinding[] = [];
  const stale: StaleWaiver[] = [];
  for (const json of allComponents(doc)) {
    const c = readComponent(json);
    if (!c) continue;
    const raw = findings(c, new Set());
    review.push(...raw.filter((f) => f.rule === 'needs-review'));
    unknown.push(...raw.filter((f) => f.rule === 'unknown'));
    const applied = new Set<string>();
    for (const [lower, w] of [...c.waivers].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (w.reason === undefined || w.reason.trim().length < WAIVER_REASON_MIN_LENGTH) {
        stale.push({ bomRef: c.bomRef, license: w.license, problem: `its reason is missing or shorter than ${WAIVER_REASON_MIN_LENGTH} characters` });
        continue;
      }
      if (key(findings(c, new Set([lower]))) === key(raw)) {
        stale.push({ bomRef: c.bomRef, license: w.license, problem: `the component's license "${c.text}" raises no finding that waiving ${w.license} lifts` });
        continue;
      }
      applied.add(lower);
      const rule: LicenseRule = lower === UNKNOWN_LICENSE ? 'unknown' : licenseIdRule(w.license) ?? 'denied';
      waived.push({ bomRef: c.bomRef, name: c.name, license: c.text, ids: lower === UNKNOWN_LICENSE ? [] : [w.license], rule, waiver: { license: w.license, reason: w.reason, ...(w.approvedBy !== undefined ? { approvedBy: w.approvedBy } : {}) } });
    }
    violations.push(...findings(c, applied).filter((f) => f.rule !== 'unknown' || denyUnknown));
  }
  return { violations, waived, review, unknown, stale, denyUnknown };
}

/** One line about a finding, naming component, license and rule. */
export function describeFinding(f: LicenseFinding): string {
  const which = f.ids.length > 0 ? ` (${f.ids.join(', ')})` : '';
  return `component ${f.bomRef} (${f.name}) has license "${f.license || 'none declared'}"${which}: rule "${f.rule}": ${RULE_TEXT[f.rule]}`;
}

/**
 * Runs the policy on the synthesized SBOM `json` of `profile` and throws
 * `SovraError('failed-policy')` naming every violation, every stale waiver
 * and every waiver whose component is not in the SBOM. Returns the result
 * (unknown licenses and waived findings are reported, not fatal).
 */
export function enforceLicensePolicy(json: string, profile: Profile): LicensePolicyResult {
  const result = evaluateLicensePolicy(JSON.parse(json) as unknown);
  const problems = result.violations.map(describeFinding);
  for (const s of result.stale) problems.push(`the waiver of ${s.license} for component ${s.bomRef} is stale: ${s.problem}; remove it from licenseWaivers`);
  // A waiver naming an image by tag also matches it locked by digest (sbom.ts attaches it so).
  const found = new Set([...result.waived, ...result.stale].flatMap((w) => [w.bomRef, w.bomRef.replace(/@sha256:[0-9a-f]{64}$/, '')].map((ref) => `${ref}\n${('waiver' in w ? w.waiver.license : w.license).toLowerCase()}`)));
  for (const w of profile.licenseWaivers ?? []) {
    if (!found.has(`${w.component}\n${w.license.toLowerCase()}`)) {
      problems.push(`the waiver of ${w.license} for component ${w.component} matches no component of the SBOM (waivers name a component by its bom-ref, as sbom.cdx.json and this message write it); remove or correct it`);
    }
  }
  if (problems.length > 0) {
    const fix = result.violations.length > 0 ? ' Replace the component, or add a waiver with a written reason to the profile (licenseWaivers: component = bom-ref, license, reason).' : '';
    throw new SovraError('failed-policy', `The license policy of profile "${profile.name}" failed:\n  - ${problems.join('\n  - ')}\n${fix}`.trimEnd());
  }
  return result;
}
