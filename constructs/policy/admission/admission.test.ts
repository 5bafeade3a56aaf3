/**
 * The admission component: every rule as a ValidatingAdmissionPolicy
 * (valid against the Kubernetes 1.30 schema) with bindings that Deny on
 * edge and cluster and Warn+Audit on dev, and waivers as exact exclusions.
 * The cluster admits exactly what the synth admitted: a model of the
 * admission chain (test/support/admission.ts), evaluating the emitted
 * expressions with the second CEL implementation, decides every object of
 * every output and every rule fixture as the synth did.
 */
import { ApiObject } from 'cdk8s';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateKubernetesObjects } from '../../../output/kubernetes/validate-objects.js';
import { RULES } from '../../../policies/catalog.js';
import { loadProfile } from '../../../profiles/load.js';
import { Admission, asHelmInstalled } from '../../../test/support/admission.js';
import { FIXTURES, PARAMS } from '../../../test/policies/fixtures.js';
import { PROFILES, removeDir, synthAll, synthProfile, tempDir, writtenObjects, type ProfileName } from '../../../test/support/synth-output.js';
import { DELIVERED_BY_SOVRA, policyName } from './validating-policy.js';
import { pluralOf } from './bindings.js';

type Obj = Parameters<Admission['decide']>[0];
let root: string | undefined;
let dirs: Record<ProfileName, string>;
let waived: string;
beforeAll(async () => {
  ({ root, dirs } = await synthAll());
  waived = join(root, 'edge-waived');
  await synthProfile('edge', waived, {
    profile: {
      ...loadProfile('edge'),
      policyWaivers: [
        {
          rule: 'pod-security/read-only-root-fs',
          object: { kind: 'Deployment', namespace: 'sovra-system', name: 'writable' },
          reason: 'Exercises an exclusion: the control plane is made writable by the test customization.',
          approvedBy: 'test',
          expires: '2030-01-01',
        },
      ],
    },
    customize: (p) => {
      // A second control plane Deployment whose root file system is writable (the claims of the real one stay true).
      const c = p.component('control-plane')!;
      const d = c.node.findAll().find((x): x is ApiObject => x instanceof ApiObject && x.kind === 'Deployment')!;
      const spec = structuredClone((d.toJson() as { spec: Record<string, any> }).spec); // eslint-disable-line @typescript-eslint/no-explicit-any
      spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem = false;
      new ApiObject(c, 'Writable', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'writable' }, spec });
    },
  });
});
afterAll(() => removeDir(root));

/** Every object written (once: cluster writes each into manifests/ and the Terraform stack). */
const objectsOf = (dir: string) => {
  const seen = new Map<string, Obj>();
  for (const { object } of writtenObjects(dir)) seen.set(`${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`, object as unknown as Obj);
  return [...seen.values()];
};

describe.each(PROFILES)('profile %s', (profile) => {
  it('emits one ValidatingAdmissionPolicy per rule, word for word, valid against the Kubernetes 1.30 schema', () => {
    const objs = objectsOf(dirs[profile]);
    const vaps = objs.filter((o) => o.kind === 'ValidatingAdmissionPolicy');
    expect(vaps.map((v) => v.metadata.name).sort()).toEqual(RULES.map(policyName).sort());
    for (const rule of RULES) {
      const v = vaps.find((x) => x.metadata.name === policyName(rule))!;
      expect(v.apiVersion).toBe('admissionregistration.k8s.io/v1');
      expect(v.metadata.namespace).toBeUndefined();
      expect(v.spec.failurePolicy).toBe('Fail');
      expect(v.spec.paramKind).toEqual({ apiVersion: 'v1', kind: 'ConfigMap' });
      expect(v.spec.matchConditions[0]).toEqual(DELIVERED_BY_SOVRA);
      expect(v.spec.matchConditions.slice(1)).toEqual(rule.matchConditions ?? []);
      expect(v.spec.variables ?? []).toEqual(rule.variables ?? []);
      expect(v.spec.validations[0].expression).toBe(rule.expression);
      expect(v.metadata.annotations!['sovra.dev/controls']).toBe(rule.controls.join(' '));
    }
    const admission = objs.filter((o) => o.kind.startsWith('ValidatingAdmissionPolicy') || (o.kind === 'ConfigMap' && o.metadata.name === 'sovra-policy-params'));
    expect(validateKubernetesObjects([{ files: ['manifests/admission.yaml'], objects: admission }])).toBe(admission.length);
  });

  it(`binds every rule with ${profile === 'dev' ? 'Warn and Audit' : 'Deny for errors, Warn and Audit for warnings'}, reading the parameters ConfigMap`, () => {
    const bindings = objectsOf(dirs[profile]).filter((o) => o.kind === 'ValidatingAdmissionPolicyBinding');
    // One binding per rule, and one per namespace holding an exception of it (the stack's components', see policies/README.md;
    // the mesh's plaintext ports in sovra-logs and sovra-traces on edge and cluster, the log collectors' host paths in sovra-log-agents).
    expect(bindings.filter((b) => !b.metadata.name.includes('-ns-')).length).toBe(RULES.length);
    const excepting = ['cert-manager', 'cnpg-system', 'external-secrets', ...(profile === 'dev' ? [] : ['istio-system']), ...(profile === 'cluster' ? ['kserve'] : []), 'kube-system', 'sovra-identity', 'sovra-log-agents', ...(profile === 'dev' ? [] : ['sovra-logs']), 'sovra-secrets', ...(profile === 'dev' ? [] : ['sovra-system', 'sovra-traces']), 'spire-agent', 'spire-system', ...(profile === 'dev' ? [] : ['tekton-operator', 'tekton-pipelines'])];
    expect([...new Set(bindings.filter((b) => b.metadata.name.includes('-ns-')).map((b) => b.metadata.name.split('-ns-')[1]))].sort()).toEqual(excepting);
    const privileged = bindings.find((b) => b.metadata.name === 'sovra-pod-security-privileged-ns-kube-system')!;
    expect(privileged.spec.matchResources.excludeResourceRules).toEqual([{ apiGroups: ['apps'], apiVersions: ['v1'], resources: ['daemonsets'], operations: ['CREATE', 'UPDATE'], resourceNames: ['cilium'] }]);
    const token = bindings.find((b) => b.metadata.name === 'sovra-pod-security-service-account-token-ns-kube-system')!;
    expect(token.spec.matchResources.objectSelector).toEqual({ matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'NotIn', values: ['hubble-generate-certs'] }] });
    // Privileged pods by design: Cilium's agent in kube-system, SPIRE's CSI driver in spire-agent; every other namespace is judged by the base binding.
    expect(bindings.find((b) => b.metadata.name === 'sovra-pod-security-privileged')!.spec.matchResources.namespaceSelector).toEqual({ matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'spire-agent'] }] });
    for (const b of bindings) {
      const rule = RULES.find((r) => policyName(r) === b.spec.policyName)!;
      expect(b.metadata.name.startsWith(policyName(rule))).toBe(true);
      expect(b.spec.paramRef).toEqual({ name: 'sovra-policy-params', namespace: 'sovra-policy', parameterNotFoundAction: 'Deny' });
      expect(b.spec.validationActions).toEqual(profile === 'dev' || rule.severity === 'warning' ? ['Warn', 'Audit'] : ['Deny']);
    }
  });

  it('admits in the cluster exactly what the synth admitted: every object of the output, with the synth\'s warnings', async () => {
    const objs = objectsOf(dirs[profile]);
    const admission = new Admission(objs);
    const ns = new Map(objs.filter((o) => o.kind === 'Namespace').map((o) => [o.metadata.name, o]));
    const synthWarnings = (await import('../../../test/support/synth-output.js')).readJson<{ warnings: Array<{ rule: string; object: { kind: string; name: string } }> }>(dirs[profile], 'policy-report.json').warnings;
    for (const o of objs) {
      const d = admission.decide(o, o.metadata.namespace ? ns.get(o.metadata.namespace) : undefined);
      expect(d.denied, `${o.kind} ${o.metadata.name}`).toEqual([]);
      const expected = synthWarnings.filter((w) => w.object.kind === o.kind && w.object.name === o.metadata.name).map((w) => `sovra-${w.rule.replace('/', '-')}`);
      expect(d.warned, `${o.kind} ${o.metadata.name}`).toEqual([...new Set(expected)].sort());
    }
  });
});

describe('the emitted policies on the rule fixtures (second implementation, edge bindings)', () => {
  it('deny every fixture the rule fails and no fixture it passes', () => {
    const objs = objectsOf(dirs.edge).filter((o) => o.kind !== 'ConfigMap');
    const params = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'sovra-policy-params', namespace: 'sovra-policy' }, data: PARAMS.data };
    for (const f of FIXTURES.filter((x) => !x.params)) {
      const admission = new Admission([...objs, params as Obj]);
      const rule = RULES.find((r) => r.id === f.rule)!;
      // Delivered by Sovra: its label, or a Helm release of the platform.
      const o = (f.object.metadata.labels?.['app.kubernetes.io/managed-by'] === 'sovra' ? f.object : asHelmInstalled(f.object as Obj, 'nats', 'x')) as Obj;
      const d = admission.decide(o);
      const hit = rule.severity === 'error' ? d.denied : d.warned;
      // The one difference by design: the cluster cannot tell an unlabelled object from one Sovra never delivered, so the labels rule judges there only objects labelled managed-by sovra.
      const outOfScope = f.rule === 'labels/sovra-labels' && f.object.metadata.labels?.['app.kubernetes.io/managed-by'] !== 'sovra';
      expect(hit.includes(policyName(rule)), `${f.rule} / ${f.name}`).toBe(f.expect === 'fail' && !outOfScope);
    }
  });
});

describe('waivers in the cluster', () => {
  it('exclude exactly the waived object: the same name elsewhere, or another object there, is still denied', () => {
    const objs = objectsOf(waived);
    const admission = new Admission(objs);
    const ns = new Map(objs.filter((o) => o.kind === 'Namespace').map((o) => [o.metadata.name, o]));
    const d = objs.find((o) => o.kind === 'Deployment' && o.metadata.name === 'writable')!;
    expect(admission.decide(d, ns.get('sovra-system')).denied).toEqual([]);
    const rule = 'sovra-pod-security-read-only-root-fs';
    const moved = { ...d, metadata: { ...d.metadata, namespace: 'sovra-messaging' } };
    expect(admission.decide(moved, ns.get('sovra-messaging')).denied).toContain(rule);
    const renamed = { ...d, metadata: { ...d.metadata, name: 'writable-2' } };
    expect(admission.decide(renamed, ns.get('sovra-system')).denied).toContain(rule);
    // Other rules still judge the waived object.
    const privileged = structuredClone(d);
    privileged.spec.template.spec.containers[0].securityContext.privileged = true;
    expect(admission.decide(privileged, ns.get('sovra-system')).denied).toEqual(['sovra-pod-security-privileged']);
  });

  it('judge only what Sovra delivers: its labelled objects and the objects of its Helm releases', () => {
    const admission = new Admission(objectsOf(dirs.edge));
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x', namespace: 'sovra-system' }, spec: { hostNetwork: true, containers: [{ name: 'c', image: 'busybox', securityContext: { privileged: true } }] } } as Obj;
    expect(admission.decide(pod).denied).toEqual([]);
    expect(admission.decide(asHelmInstalled(pod, 'nats', 'sovra-messaging')).denied).toContain('sovra-pod-security-privileged');
    expect(admission.decide(asHelmInstalled(pod, 'someone-elses', 'x')).denied).toEqual([]);
  });
});

describe('pluralOf', () => {
  it('names resources as the API does', () => {
    expect(['NetworkPolicy', 'Ingress', 'ConfigMap', 'ValidatingAdmissionPolicy', 'CiliumClusterwideNetworkPolicy', 'Namespace'].map(pluralOf)).toEqual([
      'networkpolicies',
      'ingresses',
      'configmaps',
      'validatingadmissionpolicies',
      'ciliumclusterwidenetworkpolicies',
      'namespaces',
    ]);
  });
});
