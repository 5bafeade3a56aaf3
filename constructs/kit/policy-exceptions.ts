/**
 * A component's exceptions to the policy rules (policies/): an object of
 * its own, or one its chart renders, that cannot meet a rule by design,
 * with the reason. They lift the same findings a profile's waivers lift,
 * become exclusions of the rule's binding in the cluster, and appear in
 * policy-report.json and the view model.
 */
import { ApiObject } from 'cdk8s';
import type { Waiver, WaiverObject } from '../../policies/waivers.js';

/** An exception as a component states it. */
export interface PolicyException {
  /** Rule id, e.g. `pod-security/privileged`. */
  readonly rule: string;
  /** The object: one of the component's ApiObjects, or (for what its chart renders) kind, namespace and name. */
  readonly object: ApiObject | WaiverObject;
  /** Why the object cannot meet the rule, and what limits the risk. */
  readonly reason: string;
  /** Helm release that renders the object, when it is not one of the component's own objects. */
  readonly release?: string;
}

/** The object an ApiObject is, as waivers name objects (`clusterScoped` drops its namespace). */
export function objectOf(obj: ApiObject, clusterScoped: boolean): WaiverObject {
  const ns = obj.metadata.namespace;
  return { kind: obj.kind, ...(ns && !clusterScoped ? { namespace: ns } : {}), name: obj.metadata.name! };
}

/** The exception as a waiver of component `component`. */
export function exceptionWaiver(component: string, e: PolicyException, clusterScoped: (o: ApiObject) => boolean): Waiver {
  if (!(e.object instanceof ApiObject) && e.object.selector) {
    if (Object.keys(e.object.selector).length !== 1 || !e.object.namespace) throw new Error(`component ${component}: an exception by label names one label and a namespace (${e.rule})`);
  }
  const object = e.object instanceof ApiObject ? objectOf(e.object, clusterScoped(e.object)) : e.object;
  return { rule: e.rule, object, reason: e.reason, approvedBy: `Sovra (component ${component}, by design)`, source: `component ${component}`, ...(e.release ? { release: e.release } : {}) };
}
