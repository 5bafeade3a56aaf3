/**
 * The implemented requirements of one component: one per claimed control,
 * with every claim's statement, status and resolved evidence written as
 * grouped props and links, so an accreditor (or a tool) can find the exact
 * object, field and value that prove the claim.
 */
import { posix } from 'node:path';
import { canonicalJson } from '../core/canonical.js';
import type { ImplementationStatus } from '../constructs/kit/claims.js';
import type { ComponentView, ResolvedClaim, ResolvedEvidence } from '../output/model.js';
import { catalog } from '../controls/catalog.js';
import { PLATFORM_ROLE_ID, SOVRA_OSCAL_NS, platformPartyUuid, requirementUuid } from './component-definition-ids.js';
import type { ControlImplementation, Link, Property } from './types/component-definition.generated.js';

/**
 * A Sovra prop; the value is made a valid OSCAL string (no line breaks, no
 * outer blanks). Blanks inside a line are kept: evidence values are JSON, and
 * collapsing the spaces inside a JSON string would change the recorded value.
 */
export function sovraProp(name: string, value: string, extra: Partial<Omit<Property, 'name' | 'value' | 'ns'>> = {}): Property {
  const v = value.replace(/\s*[\r\n\u2028\u2029]+\s*/g, ' ').trim();
  return { name, ns: SOVRA_OSCAL_NS, value: v === '' ? '(empty)' : v, ...extra };
}

/** `file` (relative to the output root) as seen from the document at `docPath` (also relative to the output root). */
export function hrefFrom(docPath: string, file: string): string {
  return posix.relative(posix.dirname(docPath), file);
}

/** Status of a control from its claims: implemented (or planned) only when every claim is; partial otherwise. */
export function combinedStatus(statuses: readonly ImplementationStatus[]): ImplementationStatus {
  if (statuses.every((s) => s === 'implemented')) return 'implemented';
  if (statuses.every((s) => s === 'planned')) return 'planned';
  return 'partial';
}

let order: Map<string, number> | undefined;

/** Position of a control in catalog order (ac-1, ac-2, ac-2.1, …, sr-12). */
function catalogIndex(control: string): number {
  order ??= new Map(catalog().controls.map((c, i) => [c.id, i]));
  return order.get(control) ?? Number.MAX_SAFE_INTEGER;
}

/** The props that record one resolved piece of evidence (file, object, path, expectation, actual value), grouped by `group`. */
export function evidenceProps(ev: ResolvedEvidence, group: string): Property[] {
  const props = [sovraProp('evidence-file', ev.file, { group, class: 'evidence' })];
  if (ev.object) {
    props.push(
      sovraProp('evidence-api-version', ev.object.apiVersion, { group, class: 'evidence' }),
      sovraProp('evidence-kind', ev.object.kind, { group, class: 'evidence' }),
    );
    if (ev.object.namespace !== undefined) props.push(sovraProp('evidence-namespace', ev.object.namespace, { group, class: 'evidence' }));
    props.push(sovraProp('evidence-name', ev.object.name, { group, class: 'evidence' }));
  }
  props.push(
    sovraProp('evidence-path', ev.path, { group, class: 'evidence' }),
    sovraProp('evidence-expectation', ev.expectation, { group, class: 'evidence' }),
    // JSON.stringify of undefined is undefined; a missing value is written as null.
    sovraProp('evidence-actual', ev.actual === undefined ? 'null' : canonicalJson(ev.actual), { group, class: 'evidence' }),
    sovraProp('evidence-description', ev.description, { group, class: 'evidence' }),
  );
  return props;
}

function requirement(component: ComponentView, control: string, claims: readonly ResolvedClaim[], docPath: string): ControlImplementation {
  const statuses = claims.map((c) => c.status);
  const duties = component.responsibilities.filter((r) => r.control === control);
  // A control the component only hands to the customer is planned until the customer does it.
  const props: Property[] = [sovraProp('implementation-status', claims.length > 0 ? combinedStatus(statuses) : 'planned')];
  const links: Link[] = [];
  claims.forEach((claim, i) => {
    const claimGroup = `claim-${i + 1}`;
    props.push(sovraProp('claim-status', claim.status, { group: claimGroup, class: 'claim', remarks: claim.statement }));
    claim.evidence.forEach((ev, j) => {
      props.push(...evidenceProps(ev, `${claimGroup}-evidence-${j + 1}`));
      links.push({ href: hrefFrom(docPath, ev.file), rel: 'evidence', text: ev.description });
    });
  });
  duties.forEach((d, i) => props.push(sovraProp('customer-responsibility', d.procedure ?? 'see statement', { group: `responsibility-${i + 1}`, class: 'responsibility', remarks: d.statement })));
  return {
    uuid: requirementUuid(component.id, control),
    'control-id': control,
    description: [...claims.map((c) => c.statement), ...duties.map((d) => `Customer responsibility: ${d.statement}`)].join('\n\n'),
    props: props as [Property, ...Property[]],
    ...(links.length > 0 ? { links: links as [Link, ...Link[]] } : {}),
    'responsible-roles': [{ 'role-id': PLATFORM_ROLE_ID, 'party-uuids': [platformPartyUuid()] }],
  };
}

/** One implemented requirement per claimed control of `component`, in catalog order; hrefs are relative to `docPath`. */
export function implementedRequirements(component: ComponentView, docPath: string): ControlImplementation[] {
  const byControl = new Map<string, ResolvedClaim[]>();
  for (const claim of component.claims) {
    const list = byControl.get(claim.control) ?? [];
    list.push(claim);
    byControl.set(claim.control, list);
  }
  for (const r of component.responsibilities) if (!byControl.has(r.control)) byControl.set(r.control, []);
  return [...byControl.keys()]
    .sort((a, b) => catalogIndex(a) - catalogIndex(b) || (a < b ? -1 : a > b ? 1 : 0))
    .map((control) => requirement(component, control, byControl.get(control)!, docPath));
}
