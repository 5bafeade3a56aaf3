/**
 * Sovra's policy rules over the objects a chart renders: the same rules the
 * synth's gate runs on Sovra's own objects and the cluster runs as
 * admission policies, judged with the parameters the synth judged with
 * (the output's `sovra-policy-params` ConfigMap) and the waivers the
 * output records (policy-report.json: the profile's, and the component's
 * exceptions for objects of this release). Each rendered object is judged
 * as `helm install` writes it (with the release's annotations, and the
 * release namespace on namespaced objects that do not name one), which is
 * what the API server sees.
 *
 * For a component's chart conformance test:
 *
 *   const result = policyCheck({ outDir: dirs[profile], release: 'cilium', namespace: 'kube-system', objects: render.objects });
 *   expect(policyProblems(result)).toEqual([]);   // violations, and exceptions of this release that lift nothing
 *
 * A chart pod that cannot meet a rule gets an exception in its component
 * (`this.exceptPolicy({ rule, object: { kind, namespace, name }, reason, release })`),
 * which lifts the finding here and in the cluster (the rule's binding
 * excludes the object); an exception that lifts nothing fails this check.
 */
import { describeFinding, describeWaiverProblem, evaluatePolicies, type PolicyResult } from '../../../policies/evaluate.js';
import type { PolicyParamsObject } from '../../../policies/params.js';
import type { Waiver } from '../../../policies/waivers.js';
import { Admission, asHelmInstalled } from '../../support/admission.js';
import { readJson, writtenObjects, type K8sObject } from '../../support/synth-output.js';

/** Kinds that have no namespace (those charts of the stack render). */
export const CLUSTER_SCOPED_KINDS = new Set([
  'Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration',
  'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'PriorityClass', 'StorageClass', 'PersistentVolume', 'APIService', 'IngressClass',
  'RuntimeClass', 'CSIDriver', 'CiliumClusterwideNetworkPolicy', 'ClusterIssuer', 'ClusterSecretStore', 'ClusterExternalSecret', 'GatewayClass',
]);

/** What to check. */
export interface PolicyCheckOptions {
  /** The synth output of the profile the values were written for. */
  readonly outDir: string;
  /** Helm release of the render. */
  readonly release: string;
  /** Namespace the release is installed in. */
  readonly namespace: string;
  /** The rendered objects (`renderChart(...).objects`). */
  readonly objects: readonly K8sObject[];
}

/** The rendered objects as `helm install` writes them. */
export function asInstalled(objects: readonly K8sObject[], release: string, namespace: string): K8sObject[] {
  return objects.map((o) => {
    const withNs = o.metadata.namespace || CLUSTER_SCOPED_KINDS.has(o.kind) ? o : { ...o, metadata: { ...o.metadata, namespace } };
    return asHelmInstalled(withNs as never, release, namespace) as unknown as K8sObject;
  });
}

/**
 * Whether `helm install` and `helm upgrade` create the object: test hooks
 * (`helm.sh/hook: test`, and the older test-success/test-failure) exist
 * only while someone runs `helm test`, which neither the K3s Helm
 * controller nor Terraform's helm_release does, so they are not judged.
 */
export function isInstalled(o: K8sObject): boolean {
  const hooks = (o.metadata.annotations?.['helm.sh/hook'] ?? '').split(',').map((h) => h.trim()).filter((h) => h !== '');
  return !(hooks.length > 0 && hooks.every((h) => h.startsWith('test')));
}

/** Judges a render with every rule; exceptions of this release must each lift something. */
export function policyCheck(o: PolicyCheckOptions): PolicyResult {
  const cm = writtenObjects(o.outDir).find((x) => x.object.kind === 'ConfigMap' && x.object.metadata.name === 'sovra-policy-params');
  if (!cm) throw new Error(`${o.outDir} has no sovra-policy-params ConfigMap: the profile does not install the admission component`);
  const params: PolicyParamsObject = { data: (cm.object as unknown as { data: Record<string, string> }).data };
  const report = readJson<{ buildDate: string; waivers: Waiver[] }>(o.outDir, 'policy-report.json');
  const waivers = report.waivers.filter((w) => w.release === o.release || w.source === 'profile');
  return evaluatePolicies(
    asInstalled(o.objects.filter(isInstalled), o.release, o.namespace).map((object) => ({ object: object as unknown as Record<string, unknown>, file: `chart ${o.release}` })),
    { params, waivers, buildDate: report.buildDate, unusedCheck: (w) => w.release === o.release },
  );
}

/** Violations and waiver problems of a check, one line each (warnings are not problems). */
export function policyProblems(r: PolicyResult): string[] {
  return [...r.violations.map(describeFinding), ...r.waiverProblems.map(describeWaiverProblem)];
}

/** The findings the exceptions lifted, as `rule Kind/name`, sorted and unique (to assert that each exception is needed). */
export function liftedFindings(r: PolicyResult): string[] {
  return [...new Set(r.waived.map((f) => `${f.rule} ${f.object.kind}/${f.object.name}`))].sort();
}

/**
 * What the cluster would refuse of a render (`Kind/name: policy`), judged by
 * the model of the admission chain (test/support/admission.ts) over the
 * policies and bindings the synth wrote to `outDir`: empty when the cluster
 * admits exactly what policyCheck admitted (the exceptions are the
 * bindings' exclusions). Namespaces are those of the output (or a bare one).
 */
export function clusterRefusals(o: PolicyCheckOptions): string[] {
  type Obj = Parameters<Admission['decide']>[0];
  const written = writtenObjects(o.outDir).map((x) => x.object as unknown as Obj);
  const admission = new Admission(written);
  const namespaceOf = (name: string): Obj => written.find((x) => x.kind === 'Namespace' && x.metadata.name === name) ?? ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } } as Obj);
  return asInstalled(o.objects.filter(isInstalled), o.release, o.namespace).flatMap((x) => {
    const obj = x as unknown as Obj;
    const ns = x.metadata.namespace ? namespaceOf(x.metadata.namespace) : undefined;
    return admission.decide(obj, ns).denied.map((d) => `${x.kind}/${x.metadata.name}: ${d}`);
  });
}
