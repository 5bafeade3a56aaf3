/**
 * Waivers: an object allowed to fail a rule, with a written reason. Two
 * sources, one shape: the profile's `policyWaivers` (a site's decision,
 * with an approver and an expiry date), and a component's exceptions (a
 * need by design, stated in its code: a CNI agent runs privileged, a
 * workload that calls the API mounts a token). Both lift the same findings
 * at synth time and become the same exclusions of the rule's binding in
 * the cluster, and both appear in the output.
 */
import type { PolicyWaiver } from '../profiles/profile.generated.js';

/** An object as a waiver names it. */
export interface WaiverObject {
  readonly kind: string;
  /** Omitted for cluster-scoped objects. */
  readonly namespace?: string;
  /** metadata.name; `*` with `selector` (objects whose name a chart derives from a checksum). */
  readonly name: string;
  /**
   * One label that selects the objects of `kind` in `namespace` instead of a
   * name (component exceptions only): for objects a chart names by a
   * checksum of their content, such as a Job's. In the cluster it becomes
   * the binding's object selector in that namespace.
   */
  readonly selector?: Readonly<Record<string, string>>;
}

/** A waiver of one rule for one object. */
export interface Waiver {
  readonly rule: string;
  readonly object: WaiverObject;
  readonly reason: string;
  readonly approvedBy: string;
  /** Last day it holds (ISO date); component exceptions do not expire. */
  readonly expires?: string;
  /** `profile`, or `component <id>` for a component's exception. */
  readonly source: string;
  /**
   * For an exception on an object a chart renders: its Helm release. The
   * synth does not see chart-rendered objects, so it does not report such
   * an exception unused; the chart's conformance test does
   * (test/conformance/support/policy.ts).
   */
  readonly release?: string;
}

/** Shortest reason accepted (the profile schema says the same). */
export const WAIVER_REASON_MIN_LENGTH = 20;

/** The profile's waivers in the common shape. */
export function profileWaivers(waivers: readonly PolicyWaiver[] | undefined): Waiver[] {
  return (waivers ?? []).map((w) => ({
    rule: w.rule,
    object: { kind: w.object.kind, ...(w.object.namespace !== undefined ? { namespace: w.object.namespace } : {}), name: w.object.name },
    reason: w.reason,
    approvedBy: w.approvedBy,
    expires: w.expires,
    source: 'profile',
  }));
}

/** `Kind namespace/name`, `Kind name`, or `Kind namespace/* with label k=v`. */
export function describeObject(o: WaiverObject): string {
  const sel = o.selector ? ` with label ${Object.entries(o.selector).map(([k, v]) => `${k}=${v}`).join(',')}` : '';
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}${sel}`;
}

/** Whether `w` names the object `o` (with its labels) for `rule`. */
export function waiverMatches(w: Waiver, rule: string, o: WaiverObject, labels: Readonly<Record<string, string>> = {}): boolean {
  if (w.rule !== rule || w.object.kind !== o.kind || (w.object.namespace ?? '') !== (o.namespace ?? '')) return false;
  if (w.object.selector) return Object.entries(w.object.selector).every(([k, v]) => labels[k] === v);
  return w.object.name === o.name;
}

/** Whether `w` has expired on `buildDate` (both ISO dates): it holds through its `expires` day. */
export function isExpired(w: Waiver, buildDate: string): boolean {
  return w.expires !== undefined && w.expires < buildDate;
}

/** The build date (UTC, `YYYY-MM-DD`) of a build epoch in seconds. */
export function buildDate(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().slice(0, 10);
}
