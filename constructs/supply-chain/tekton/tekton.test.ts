/**
 * The tekton component: which profiles install it, the TektonConfig fields
 * the claims cite (Chains SLSA v1 provenance, x509 signer, storage; the
 * pipeline hardening), the signing key's producer, the verify and apply
 * pipelines and the apply RBAC derived from the output, the network peers,
 * metrics and alerts, image pinning through the lock, and the profile
 * mistakes it refuses. Through the real synth for the written output;
 * through the platform for the rest.
 */
import { join } from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SovraError } from '../../../core/errors.js';
import { loadProfile } from '../../../profiles/load.js';
import type { Profile } from '../../../profiles/profile.generated.js';
import { secretClosure } from '../../../output/secret-closure.js';
import { buildPlatform, renderObjects } from '../../../synth/synth.js';
import { readJson, removeDir, synthProfile, tempDir, writtenObjects, type K8sObject } from '../../../test/support/synth-output.js';
import { ImageLock } from '../../kit/image-lock.js';
import { imageName } from '../../kit/image.js';
import { COMPONENTS } from '../../registry.js';
import { TEKTON_IMAGES } from './catalog.js';
import { PIPELINE_NAMES } from './pipeline.js';
import { registryOf, type Tekton } from './tekton.js';
import type { TektonOperatorValues } from './values.js';

let root: string;
let edgeDir: string;
let edge: K8sObject[];

beforeAll(async () => {
  root = tempDir();
  edgeDir = join(root, 'edge');
  await synthProfile('edge', edgeDir);
  edge = writtenObjects(edgeDir).map((o) => o.object);
});
afterAll(() => removeDir(root));

const find = (objs: readonly K8sObject[], kind: string, name: string) => objs.find((o) => o.kind === kind && o.metadata.name === name);
type Step = { name: string; image: string; command: string[]; args: string[]; securityContext: Record<string, unknown>; computeResources: { requests: object; limits: object } };
type TaskSpec = { steps: Step[]; volumes: Array<Record<string, unknown>>; workspaces: Array<{ name: string; readOnly?: boolean }> };

/** A built-in profile with changes to components.tekton (or to the profile). */
function profileWith(base: 'dev' | 'edge' | 'cluster', tekton: Partial<Profile['components']['tekton']>, top: Partial<Profile> = {}): Profile {
  const p = loadProfile(base);
  return { ...p, ...top, components: { ...p.components, tekton: { ...p.components.tekton, ...tekton } } };
}

/** The tekton component of a platform, and every rendered object. */
function build(profile: Profile, lock?: ImageLock): { tekton: Tekton; objects: K8sObject[] } {
  const { platform } = buildPlatform(profile, lock ? { lock } : {});
  const tekton = platform.component('tekton') as Tekton;
  const rendered = renderObjects(platform);
  return { tekton, objects: [...rendered.values()].flat() as K8sObject[] };
}

describe('which profiles install it', () => {
  it('edge and cluster do, dev does not (a derived dev profile can)', () => {
    expect(buildPlatform(loadProfile('edge')).platform.installs('tekton')).toBe(true);
    expect(buildPlatform(loadProfile('cluster')).platform.installs('tekton')).toBe(true);
    expect(buildPlatform(loadProfile('dev')).platform.installs('tekton')).toBe(false);
    expect(build(profileWith('dev', { enabled: true })).tekton.info.layer).toBe('supply-chain');
  });
});

describe('TektonConfig (edge, as written)', () => {
  const spec = () => find(edge, 'TektonConfig', 'config')!.spec as Record<string, Record<string, unknown>>;

  it('Chains writes SLSA v1 provenance (slsa/v2alpha4) for TaskRuns and PipelineRuns, signs with x509, stores on the run and in OCI', () => {
    expect(spec().chain).toMatchObject({
      disabled: false,
      generateSigningSecret: false,
      'artifacts.taskrun.format': 'slsa/v2alpha4',
      'artifacts.pipelinerun.format': 'slsa/v2alpha4',
      'artifacts.taskrun.signer': 'x509',
      'artifacts.pipelinerun.signer': 'x509',
      'artifacts.taskrun.storage': 'tekton,oci',
      'artifacts.pipelinerun.storage': 'tekton,oci',
      'artifacts.oci.storage': 'oci',
      'artifacts.oci.signer': 'x509',
      'storage.oci.repository': 'registry.sovra.local:5000/sovra/attestations',
      'storage.oci.repository.insecure': false,
      'signers.x509.fulcio.enabled': false,
      'transparency.enabled': 'false',
    });
  });

  it('installs Pipelines and Chains only (profile basic, the rest off) into tekton-pipelines, without the operator\'s own network policies', () => {
    const s = spec();
    expect(s.profile).toBe('basic');
    expect(s.targetNamespace).toBe('tekton-pipelines');
    expect(s.trigger).toEqual({ disabled: true });
    expect(s.result).toMatchObject({ disabled: true });
    expect(s.pruner).toEqual({ disabled: true });
    expect(s.platforms).toEqual({ kubernetes: { pipelinesAsCode: { enable: false } } });
    expect(s.networkPolicy).toEqual({ disabled: true });
    // The operand namespace Sovra writes is restricted and the TektonConfig asks the operator to keep it so.
    const ns = find(edge, 'Namespace', 'tekton-pipelines')!;
    expect(ns.metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted', 'app.kubernetes.io/part-of': 'sovra' });
    expect((s.targetNamespaceMetadata as { labels: object }).labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted' });
  });

  it('hardens TaskRun pods and closes the ways to run code that is not in the cluster', () => {
    expect(spec().pipeline).toMatchObject({
      'set-security-context': true,
      'disable-creds-init': true,
      'enable-api-fields': 'stable',
      'disable-inline-spec': 'pipeline,pipelinerun,taskrun',
      'enable-git-resolver': false,
      'enable-hub-resolver': false,
      'enable-bundles-resolver': false,
      'enable-cluster-resolver': false,
      options: { configMaps: { 'feature-flags': { data: { 'set-security-context-read-only-root-filesystem': 'true' } } } },
    });
  });

  it('HA on cluster: three controller replicas with as many buckets; one on edge', () => {
    const cluster = build(loadProfile('cluster')).objects.find((o) => o.kind === 'TektonConfig')!.spec as Record<string, { performance: object }>;
    expect(cluster.pipeline!.performance).toEqual({ 'disable-ha': false, replicas: 3, buckets: 3 });
    expect(cluster.chain!.performance).toEqual({ 'disable-ha': false, replicas: 3, buckets: 3 });
    expect((spec().pipeline as { performance: object }).performance).toEqual({ 'disable-ha': false, replicas: 1, buckets: 1 });
  });
});

describe('the Chains signing key', () => {
  it('comes from OpenBao through an ExternalSecret merged into the Secret the operator creates', () => {
    const es = find(edge, 'ExternalSecret', 'signing-secrets')!;
    expect(es.metadata.namespace).toBe('tekton-pipelines');
    expect(es.spec).toMatchObject({
      secretStoreRef: { kind: 'ClusterSecretStore', name: 'sovra-openbao' },
      target: { name: 'signing-secrets', creationPolicy: 'CreateOrMerge', deletionPolicy: 'Retain' },
      data: [{ secretKey: 'x509.pem', remoteRef: { key: 'tekton/chains-signing', property: 'x509.pem' } }],
    });
    // The store serves tekton-pipelines because an ExternalSecret of the platform is there.
    const store = find(edge, 'ClusterSecretStore', 'sovra-openbao')!.spec as { conditions: Array<{ namespaces: string[] }> };
    expect(store.conditions[0]!.namespaces).toContain('tekton-pipelines');
  });

  it('has a producer in the secret closure, so nothing is supplied at install for it', () => {
    const { platform } = buildPlatform(loadProfile('edge'));
    const closure = secretClosure(renderObjects(platform), (c) => `manifests/${c.node.id}.yaml`);
    expect(closure.unproduced).toEqual([]);
    expect(closure.producers).toContainEqual({ namespace: 'tekton-pipelines', name: 'signing-secrets', kind: 'external-secret', by: 'ExternalSecret tekton-pipelines/signing-secrets' });
    expect(closure.references.filter((r) => r.name === 'signing-secrets').map((r) => r.namespace)).toEqual(['tekton-pipelines']);
    expect(closure.suppliedAtInstall.filter((s) => s.namespace.startsWith('tekton'))).toEqual([]);
  });
});

describe('the verify and apply pipelines', () => {
  it('edge: verify runs `sovra verify` from the control plane image against the namespace key, requiring locked images; apply verifies again, then kubectl applies', () => {
    const verify = find(edge, 'Task', 'sovra-verify')!.spec as TaskSpec;
    const step = verify.steps[0]!;
    expect(step.image).toBe('registry.sovra.dev/sovra/control-plane:0.1.0');
    // The image's own entrypoint (contracts/control-plane.ts): `sovra` is not on its PATH.
    expect(step.command).toEqual(['/usr/bin/node', '/app/bin/sovra.js']);
    expect(step.args).toEqual(['verify', '$(workspaces.output.path)/$(params.path)', '--key', '/etc/sovra/verification-key/signing.pub', '--require-locked']);
    expect(verify.volumes[0]).toEqual({ name: 'verification-key', configMap: { name: 'sovra-verification-key', items: [{ key: 'signing.pub', path: 'signing.pub' }] } });
    expect(verify.workspaces).toEqual([expect.objectContaining({ name: 'output', readOnly: true })]);

    const apply = find(edge, 'Task', 'sovra-apply')!.spec as TaskSpec;
    expect(apply.steps.map((s) => s.name)).toEqual(['verify', 'apply']);
    expect(apply.steps[0]).toEqual(step);
    // The kubectl of the platform's Kubernetes version (K3s v1.30.14).
    expect(apply.steps[1]!.image).toBe('registry.k8s.io/kubectl:v1.30.14');
    expect(apply.steps[1]!.args.slice(0, 3)).toEqual(['apply', '--server-side', '--force-conflicts']);
    expect(apply.steps[1]!.args).toContain('$(workspaces.output.path)/$(params.path)/manifests');
    for (const s of [...verify.steps, ...apply.steps]) {
      expect(s.securityContext, s.name).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
      expect(s.computeResources.limits, s.name).toBeDefined();
    }

    const pipeline = find(edge, 'Pipeline', 'sovra-verify-apply')!.spec as { tasks: Array<{ name: string; runAfter?: string[]; taskRef: { name: string } }> };
    expect(pipeline.tasks.map((t) => [t.name, t.taskRef.name, t.runAfter ?? []])).toEqual([
      ['verify', 'sovra-verify', []],
      ['apply', 'sovra-apply', ['verify']],
    ]);
    // The verify service account has no token; the apply one needs it for kubectl.
    expect(find(edge, 'ServiceAccount', 'sovra-verify')!.automountServiceAccountToken).toBe(false);
    expect(find(edge, 'ServiceAccount', 'sovra-apply')!.automountServiceAccountToken).toBe(true);
  });

  it('cluster (cdktf owns the objects): the verify gate only, no apply task, no apply role', () => {
    const { objects } = build(loadProfile('cluster'));
    const mine = objects.filter((o) => o.metadata.namespace === 'sovra-pipelines' || o.metadata.name?.startsWith('sovra-apply'));
    expect(mine.filter((o) => ['Task', 'Pipeline'].includes(o.kind)).map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(['Pipeline/sovra-verify', 'Task/sovra-verify']);
    expect(objects.find((o) => o.kind === 'ClusterRole' && o.metadata.name === 'sovra-apply')).toBeUndefined();
  });

  it('without required digests the verify step does not add --require-locked', () => {
    const { objects } = build(profileWith('dev', { enabled: true }));
    const step = (objects.find((o) => o.kind === 'Task' && o.metadata.name === 'sovra-verify')!.spec as TaskSpec).steps[0]!;
    expect(step.args).not.toContain('--require-locked');
  });

  it('writes the verification key ConfigMap from the profile, and otherwise leaves it to the site (a customer responsibility)', () => {
    const pem = '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n';
    const withKey = build(profileWith('edge', { verificationKey: pem }));
    expect(withKey.objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'sovra-verification-key')).toMatchObject({ metadata: { namespace: 'sovra-pipelines' }, data: { 'signing.pub': pem } });
    expect(withKey.tekton.responsibilities.map((r) => r.control)).not.toContain('sr-4.3');
    const without = build(loadProfile('edge'));
    expect(without.objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'sovra-verification-key')).toBeUndefined();
    expect(without.tekton.responsibilities.find((r) => r.control === 'sr-4.3')?.statement).toContain('sovra-verification-key');
  });
});

describe('the apply role', () => {
  type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };
  const rules = () => find(edge, 'ClusterRole', PIPELINE_NAMES.applyRole)!.rules as Rule[];

  it('covers exactly the kinds the output holds, with create, get and patch (no delete, list or watch)', () => {
    // The API's plurals of the kinds Sovra writes: consonant + y -> ies, s -> ses, otherwise + s.
    const plural = (k: string) => k.toLowerCase().replace(/([^aeiou])y$/, '$1ie').replace(/s$/, 'se') + 's';
    const expected = new Map<string, Set<string>>();
    for (const o of edge) {
      const g = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0]! : '';
      expected.set(g, (expected.get(g) ?? new Set()).add(plural(o.kind)));
    }
    const crud = rules().filter((r) => r.verbs.includes('create'));
    expect(Object.fromEntries(crud.map((r) => [r.apiGroups[0], r.resources]))).toEqual(Object.fromEntries([...expected].map(([g, r]) => [g, [...r].sort()])));
    for (const r of crud) expect(r.verbs).toEqual(['create', 'get', 'patch']);
    // Spot checks of the plural forms the API uses.
    expect(crud.find((r) => r.apiGroups[0] === 'networking.k8s.io')!.resources).toContain('networkpolicies');
    expect(crud.find((r) => r.apiGroups[0] === 'tekton.dev')!.resources).toEqual(['pipelines', 'tasks']);
    expect(crud.find((r) => r.apiGroups[0] === '')!.resources).not.toContain('secrets');
  });

  it('may escalate and bind roles only, because the output creates RBAC objects', () => {
    const rbac = rules().filter((r) => r.verbs.includes('escalate'));
    expect(rbac).toEqual([{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles', 'roles'], verbs: ['bind', 'escalate'] }]);
    expect(find(edge, 'ClusterRoleBinding', PIPELINE_NAMES.applyRole)!.subjects).toEqual([{ kind: 'ServiceAccount', name: 'sovra-apply', namespace: 'sovra-pipelines' }]);
  });
});

describe('network peers, metrics and alerts', () => {
  type NP = { spec: { egress: Array<{ to: unknown[]; ports: Array<{ port: number }> }>; ingress: unknown[] } };
  type CNP = { spec: { egress?: Array<Record<string, unknown>>; ingress?: Array<Record<string, unknown>> } };
  const cnp = (name: string) => find(edge, 'CiliumNetworkPolicy', name) as unknown as CNP | undefined;

  it('Chains reaches the API server and the OCI repository\'s host and port, nothing else', () => {
    expect(cnp('tekton-chains-controller')!.spec.egress).toEqual([
      { toEntities: ['kube-apiserver'], toPorts: [{ ports: [{ port: '6443', protocol: 'TCP' }] }] },
      { toFQDNs: [{ matchName: 'registry.sovra.local' }], toPorts: [{ ports: [{ port: '5000', protocol: 'TCP' }] }] },
    ]);
    expect(registryOf('registry.example.org/sovra/attestations')).toEqual({ host: 'registry.example.org', port: 443 });
  });

  it('the API server may call the three admission webhooks, and nothing else calls them', () => {
    for (const name of ['tekton-operator-webhook', 'tekton-pipelines-webhook', 'tekton-proxy-webhook']) {
      expect(cnp(name)!.spec.ingress, name).toEqual([{ fromEntities: ['kube-apiserver'], toPorts: [{ ports: [{ port: '8443', protocol: 'TCP' }] }] }]);
      const np = find(edge, 'NetworkPolicy', name) as unknown as NP;
      expect(JSON.stringify(np.spec.ingress), name).not.toContain('"port":8443');
    }
  });

  it('verify pods reach nothing but DNS; apply pods the API server', () => {
    expect((find(edge, 'NetworkPolicy', 'tekton-verify') as unknown as NP).spec.egress.map((e) => e.ports.map((p) => p.port))).toEqual([[53, 53]]);
    expect(cnp('tekton-verify')).toBeUndefined();
    expect(cnp('tekton-apply')!.spec.egress).toEqual([{ toEntities: ['kube-apiserver'], toPorts: [{ ports: [{ port: '6443', protocol: 'TCP' }] }] }]);
  });

  it('Prometheus monitors the controllers on 9090 and the alerts name only the metrics they export', () => {
    const monitors = edge.filter((o) => o.kind === 'PodMonitor' && o.metadata.name.startsWith('tekton-')).map((o) => o.metadata.name).sort();
    expect(monitors).toEqual(['tekton-chains-controller-metrics', 'tekton-operator-metrics', 'tekton-pipelines-controller-metrics', 'tekton-pipelines-webhook-metrics']);
    const rule = find(edge, 'PrometheusRule', 'tekton-alerts')!.spec as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> };
    expect(rule.groups[0]!.rules.map((r) => r.alert)).toEqual(['TektonPipelineRunFailed', 'TektonChainsSigningFailed']);
    expect(rule.groups[0]!.rules[0]!.expr).toContain('tekton_pipelines_controller_pipelinerun_total{status="failed"}');
    expect(rule.groups[0]!.rules[1]!.expr).toContain('watcher_taskrun_signing_failures_total');
  });
});

describe('images', () => {
  const values = (objects: readonly K8sObject[]) => YAML.parse((objects.find((o) => o.kind === 'HelmChart' && o.metadata.name === 'tekton-operator')!.spec as { valuesContent: string }).valuesContent) as TektonOperatorValues;

  it('every image the operator installs is declared by tag, unlocked, with why its digest is unknown offline', () => {
    const sbom = readJson<{ components: Array<{ type: string; name: string; version: string; properties?: Array<{ name: string; value: string }> }> }>(edgeDir, 'sbom.cdx.json');
    for (const key of ['pipelinesController', 'pipelinesWebhook', 'events', 'resolvers', 'entrypoint', 'nop', 'workingDirInit', 'chainsController'] as const) {
      const i = TEKTON_IMAGES[key];
      const c = sbom.components.find((x) => x.type === 'container' && x.name === `${i.registry}/${i.repository}` && x.version === i.tag);
      expect(c, key).toBeDefined();
      expect(c!.properties).toContainEqual({ name: 'sovra:image:locked', value: 'false' });
      expect(c!.properties?.find((p) => p.name === 'sovra:image:unlocked-reason')?.value, key).toContain('release payload');
    }
  });

  it('a locked operand image is handed to the operator (IMAGE_* variable) by digest; unlocked ones are left to the payload', () => {
    expect(values(build(loadProfile('edge')).objects).operator.additionalEnvs).toEqual([]);
    const digest = `sha256:${'a'.repeat(64)}`;
    const lock = new ImageLock({ lockVersion: 1, images: [{ reference: imageName(TEKTON_IMAGES.pipelinesController), digest, source: 'test', recordedAt: '2026-01-01' }] }, 'test');
    const v = values(build(loadProfile('edge'), lock).objects);
    expect(v.operator.additionalEnvs).toEqual([{ name: 'IMAGE_PIPELINES_TEKTON_PIPELINES_CONTROLLER', value: `ghcr.io/${TEKTON_IMAGES.pipelinesController.repository}@${digest}` }]);
  });

  it("a profile's image override of an operand reaches the operator too (the flavor runs, not the payload's image)", () => {
    const replacement = `registry.internal/hardened/chains-controller@sha256:${'b'.repeat(64)}`;
    const p = { ...loadProfile('edge'), imageOverrides: { [imageName(TEKTON_IMAGES.chainsController)]: replacement } };
    expect(values(build(p).objects).operator.additionalEnvs).toEqual([{ name: 'IMAGE_CHAINS_TEKTON_CHAINS_CONTROLLER', value: replacement }]);
  });
});

describe('claims', () => {
  it('SR-4 on the Chains settings, SR-4(3) on the verify step, CM-14 (partial) where the pipeline applies, CM-7, AC-6, SC-7', () => {
    const edgeClaims = build(loadProfile('edge')).tekton.claims.map((c) => `${c.control}:${c.status ?? 'implemented'}`);
    expect(edgeClaims).toEqual(['sr-4:implemented', 'sr-4.3:implemented', 'cm-14:partial', 'cm-7:implemented', 'ac-6:implemented', 'sc-7:implemented']);
    const clusterClaims = build(loadProfile('cluster')).tekton.claims.map((c) => c.control);
    expect(clusterClaims).not.toContain('cm-14');
    const sr4 = build(loadProfile('edge')).tekton.claims.find((c) => c.control === 'sr-4')!;
    expect(sr4.evidence.map((e) => e.path)).toContain('spec.chain["artifacts.taskrun.format"]');
  });
});

describe('profile mistakes', () => {
  it('refuses apply on a profile that deploys with cdktf', () => {
    expect(() => buildPlatform(profileWith('cluster', { apply: true }))).toThrow(SovraError);
    expect(() => buildPlatform(profileWith('cluster', { apply: true }))).toThrow(/components.tekton.apply.*cdktf/);
  });

  it('refuses to install without External Secrets (the signing key comes from OpenBao)', () => {
    const without = COMPONENTS.filter((d) => d.id !== 'external-secrets');
    expect(() => buildPlatform(loadProfile('edge'), { components: without })).toThrow(/needs the external-secrets component/);
  });
});
