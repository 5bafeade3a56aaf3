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
  readonly name: string;
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

/** `Kind namespace/name` or `Kind name`. */
export function describeObject(o: WaiverObject): string {
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
}

/** Whether `w` names the object `o`. */
export function waiverMatches(w: Waiver, rule: string, o: WaiverObject): boolean {
  return w.rule === rule && w.object.kind === o.kind && w.object.name === o.name && (w.object.namespace ?? '') === (o.namespace ?? '');
}

/** Whether `w` has expired on `buildDate` (both ISO dates): it holds through its `expires` day. */
export function isExpired(w: Waiver, buildDate: string): boolean {
  return w.expires !== undefined && w.expires < buildDate;
}

/** The build date (UTC, `YYYY-MM-DD`) of a build epoch in seconds. */
export function buildDate(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().slice(0, 10);
}
