/**
 * The policy gate inside the synth: it judges every object of every
 * profile; a violation stops the synth with exit status 6 naming rule,
 * object, file, field and control, and writes nothing; a waiver with a
 * reason lifts it and shows in policy-report.json and the view model; an
 * expired, unused or unknown waiver fails; what the synth judged with is
 * what the cluster judges with (the parameters ConfigMap).
 */
import { ApiObject, JsonPatch } from 'cdk8s';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../constructs/platform.js';
import { HardenedWorkload } from '../../constructs/kit/workload.js';
import { isSovraError, type SovraError } from '../../core/errors.js';
import { loadProfile } from '../../profiles/load.js';
import type { PolicyWaiver, Profile } from '../../profiles/profile.generated.js';
import { RULES } from '../../policies/catalog.js';
import { synth } from '../../synth/synth.js';
import { PROFILES, readJson, removeDir, tempDir, TEST_EPOCH, writtenObjects, type ProfileName } from '../support/synth-output.js';

let root: string;
beforeAll(() => {
  root = tempDir('sovra-policy-');
});
afterAll(() => removeDir(root));

let n = 0;
async function run(profile: Profile, customize?: (p: Platform) => void): Promise<{ dir: string; error?: SovraError; result?: Awaited<ReturnType<typeof synth>> }> {
  const dir = join(root, `out-${n++}`);
  try {
    const result = await synth({ profile, profileSource: profile.name, outDir: dir, env: { SOURCE_DATE_EPOCH: TEST_EPOCH }, ...(customize ? { customize } : {}) });
    return { dir, result };
  } catch (e) {
    if (!isSovraError(e)) throw e;
    return { dir, error: e };
  }
}

/** Adds to the control plane a Deployment whose container can write its root file system. */
function writableWorkload(p: Platform): void {
  const c = p.component('control-plane')!;
  new ApiObject(c, 'Writable', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'writable' },
    spec: {
      selector: { matchLabels: { app: 'writable' } },
      template: {
        metadata: { labels: { app: 'writable' } },
        spec: {
          serviceAccountName: 'control-plane',
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'writer',
              image: 'registry.sovra.dev/sovra/control-plane:0.1.0',
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: false, capabilities: { drop: ['ALL'] } },
              resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '100m', memory: '64Mi' } },
            },
          ],
        },
      },
    },
  });
}

const waiver = (over: Partial<PolicyWaiver> = {}): PolicyWaiver => ({
  rule: 'pod-security/read-only-root-fs',
  object: { kind: 'Deployment', namespace: 'sovra-system', name: 'writable' },
  reason: 'The writer caches compiled templates under / until the image moves them to /tmp (ticket SOV-42).',
  approvedBy: 'isso@example.org',
  expires: '2026-06-30',
  ...over,
});

const withWaivers = (name: ProfileName, waivers: PolicyWaiver[]): Profile => ({ ...loadProfile(name), policyWaivers: waivers });

describe.each(PROFILES)('profile %s', (profile) => {
  it('judges every object with every rule that matches it, and passes', async () => {
    const { dir, result, error } = await run(loadProfile(profile));
    expect(error?.message).toBeUndefined();
    const report = readJson<{ summary: { rules: number; objects: number; judgements: number }; params: Record<string, string>; rules: Array<{ id: string }> }>(dir, 'policy-report.json');
    expect(report.summary.rules).toBe(RULES.length);
    expect(report.summary.objects).toBe(result!.objects);
    // Every object meets the labels rule at least; every workload meets the 20 pod rules.
    expect(report.summary.judgements).toBeGreaterThan(result!.objects + 20);
    // The parameters judged with are the ConfigMap the cluster's bindings read.
    const cm = writtenObjects(dir).find((o) => o.object.kind === 'ConfigMap' && o.object.metadata.name === 'sovra-policy-params')!.object as unknown as { data: Record<string, string> };
    expect(report.params).toEqual(cm.data);
    expect(cm.data.profile).toBe(profile);
    expect(cm.data.defaultDenyNamespaces!.split(' ')).toEqual(expect.arrayContaining(['sovra-system', 'sovra-messaging', 'sovra-policy']));
    expect(cm.data.defaultDenyNamespaces!.split(' ')).not.toContain('kube-system');
    // Every chart release of the whole stack (their objects are the ones the bindings judge by release); the mesh on edge and cluster.
    const stack = ['cert-manager', 'cilium', 'cloudnative-pg', 'external-secrets', 'keycloak', 'log-collector', 'loki', 'minio-operator', 'monitoring', 'nats', 'object-store', 'openbao', 'spire', 'spire-crds', 'tempo', 'trace-collector', 'trust-manager'];
    const mesh = profile === 'dev' ? [] : ['istio-base', 'istio-cni', 'istiod', 'sovra-gateway'];
    // GPU pools on edge and cluster bring the GPU Operator; predictive models on cluster bring KServe.
    const gpu = profile === 'dev' ? [] : profile === 'edge' ? ['gpu-operator'] : ['gpu-operator', 'kserve', 'kserve-crd', 'kserve-runtimes'];
    // Tekton on edge and cluster (components.tekton.enabled).
    const tekton = profile === 'dev' ? [] : ['tekton-operator'];
    expect(cm.data.releases!.split(' ').sort()).toEqual([...stack, ...mesh, ...gpu, ...tekton].sort());
    expect(cm.data.mesh).toBe(profile === 'dev' ? 'none' : 'istio');
    // Only unlocked catalog images are reported where digests are required: the control plane's (no digest until it is built; vLLM's
    // weight verifier runs it too) and the database image its PostgreSQL Clusters run (no digest published offline); nothing else.
    expect(result!.policy.warnings.every((w) => w.rule === 'images/locked')).toBe(true);
    expect([...new Set(result!.policy.warnings.map((w) => `${w.object.kind} ${w.object.kind === 'Cluster' ? '' : w.object.name}`.trim()))].sort()).toEqual(profile === 'dev' ? [] : ['Cluster', 'Deployment control-plane', 'Deployment vllm']);
    // The exceptions of the whole stack show with their sources.
    expect([...new Set(result!.policy.waivers.map((w) => w.source))].sort()).toEqual(
      ['cert-manager', 'cilium', 'external-secrets', ...(profile === 'dev' ? [] : ['gpu-operator', 'istio']), 'keycloak', 'logs', 'openbao', 'postgres', 'spire', ...(profile === 'dev' ? [] : ['tekton'])].map((c) => `component ${c}`),
    );
  });
});

describe('a violation', () => {
  it('stops the synth with exit 6 naming rule, object, file, field and control, and writes nothing', async () => {
    const { dir, error } = await run(loadProfile('edge'), writableWorkload);
    expect(error?.code).toBe('failed-policy');
    expect(error?.exitCode).toBe(6);
    const m = error!.message;
    expect(m).toContain('rule pod-security/read-only-root-fs');
    expect(m).toContain('Deployment sovra-system/writable');
    expect(m).toContain('manifests/control-plane.yaml');
    expect(m).toContain('field spec.template.spec.containers[*].securityContext.readOnlyRootFilesystem');
    expect(m).toContain('controls cm-7, si-7');
    expect(m).toContain('writable root file system: writer');
    expect(m).toContain('policyWaivers');
    expect(existsSync(dir)).toBe(false);
  });

  it('an image by a tag no catalog declares fails the image rule where digests are required (dev allows tags)', async () => {
    const retag = (p: Platform) => {
      writableWorkload(p);
      const d = p.component('control-plane')!.node.findChild('Writable') as ApiObject;
      d.addJsonPatch(JsonPatch.replace('/spec/template/spec/containers/0/image', 'registry.example.org/someone/tool:latest'));
    };
    const edge = await run(withWaivers('edge', [waiver()]), retag);
    expect(edge.error?.message).toContain('rule images/pinned-by-digest');
    expect(edge.error?.message).toContain('neither pinned by digest nor a declared catalog image: registry.example.org/someone/tool:latest');
    expect(edge.error?.message).toContain('rule images/allowed-registries');
    const dev = await run(withWaivers('dev', [waiver()]), retag);
    expect(dev.error?.message).not.toContain('images/pinned-by-digest');
    expect(dev.error?.message).toContain('images/allowed-registries');
  });
});

describe('an image the profile names', () => {
  // A site's database image (components.postgres.image): the site built it, so its digest is known and belongs in the lock.
  const image = { registry: 'registry.example.org', repository: 'sovra/postgresql-pgvector', tag: '16.4-pgvector', license: 'PostgreSQL', source: 'site build (SOV-7)' };
  const withImage = (name: ProfileName): Profile => {
    const p = loadProfile(name);
    return { ...p, components: { ...p.components, postgres: { ...p.components.postgres, image } } };
  };

  it('without a digest in the lock fails the synth where digests are required, naming the image rule, the Cluster and spec.imageName; dev allows tags', async () => {
    const edge = await run(withImage('edge'));
    expect(edge.error?.exitCode).toBe(6);
    const m = edge.error!.message;
    expect(m).toContain('rule images/pinned-by-digest');
    expect(m).toMatch(/Cluster sovra-system\/[a-z-]+ in manifests\/[a-z-]+\.yaml, field spec\.imageName/);
    expect(m).toContain('neither pinned by digest nor a declared catalog image: registry.example.org/sovra/postgresql-pgvector:16.4-pgvector');
    const dev = await run(withImage('dev'));
    expect(dev.error?.message).toBeUndefined();
  });
});

describe('waivers', () => {
  it('a waiver with a reason lifts the finding, and shows in policy-report.json, the view model and the binding', async () => {
    const { dir, result, error } = await run(withWaivers('edge', [waiver()]), writableWorkload);
    expect(error?.message).toBeUndefined();
    const w = result!.policy.waivers.find((x) => x.source === 'profile')!;
    expect(w).toMatchObject({ rule: 'pod-security/read-only-root-fs', controls: ['cm-7', 'si-7'], approvedBy: 'isso@example.org', expires: '2026-06-30' });
    expect(w.lifted).toEqual(['spec.template.spec.containers[*].securityContext.readOnlyRootFilesystem: writable root file system: writer']);
    const report = readJson<{ waivers: Array<{ reason: string; source: string }> }>(dir, 'policy-report.json');
    expect(report.waivers.find((x) => x.source === 'profile')?.reason).toContain('SOV-42');
    // The profile's waiver is a POA&M item (due on its expiry); the components' exceptions by design are not.
    const poam = { id: 'policy-waiver:pod-security/read-only-root-fs:Deployment:sovra-system:writable', controls: ['cm-7', 'si-7'], approvedBy: 'isso@example.org', scheduledCompletion: '2026-06-30', lifted: w.lifted };
    expect(result!.policy.poamItems).toEqual([expect.objectContaining(poam)]);
    expect(result!.policy.poamItems[0]!.description).toContain('SOV-42');
    expect(readJson<{ poamItems: unknown[] }>(dir, 'policy-report.json').poamItems).toEqual([expect.objectContaining(poam)]);
    // In the cluster the object is excluded from the rule's binding in its namespace only.
    const bindings = writtenObjects(dir).filter((o) => o.object.kind === 'ValidatingAdmissionPolicyBinding' && o.object.metadata.name.startsWith('sovra-pod-security-read-only-root-fs'));
    // (kube-system's binding carries the Cilium and istio-cni exceptions, spire-agent's SPIRE's agent and CSI driver.)
    expect(bindings.map((b) => b.object.metadata.name).sort()).toEqual(['', '-ns-kube-system', '-ns-sovra-system', '-ns-spire-agent'].map((x) => `sovra-pod-security-read-only-root-fs${x}`));
    const ns = bindings.find((b) => b.object.metadata.name.endsWith('-ns-sovra-system'))!.object.spec as { matchResources: { excludeResourceRules: Array<{ resources: string[]; resourceNames: string[] }> } };
    expect(ns.matchResources.excludeResourceRules).toEqual([expect.objectContaining({ resources: ['deployments'], resourceNames: ['writable'] })]);
  });

  it('an expired waiver fails, compared with SOURCE_DATE_EPOCH (2026-01-01), not the clock', async () => {
    const { error } = await run(withWaivers('edge', [waiver({ expires: '2025-12-31' })]), writableWorkload);
    expect(error?.exitCode).toBe(6);
    expect(error?.message).toContain('expired on 2025-12-31 (build date 2026-01-01)');
    // The finding it no longer lifts fails too.
    expect(error?.message).toContain('rule pod-security/read-only-root-fs');
    const sameDay = await run(withWaivers('edge', [waiver({ expires: '2026-01-01' })]), writableWorkload);
    expect(sameDay.error?.message).toBeUndefined();
  });

  it('an unused waiver fails, and so does one of a rule that does not exist', async () => {
    const unused = await run(withWaivers('edge', [waiver()]));
    expect(unused.error?.exitCode).toBe(6);
    expect(unused.error?.message).toContain('lifts nothing: Deployment sovra-system/writable');
    const unknown = await run(withWaivers('edge', [waiver({ rule: 'pod-security/no-such-rule' })]), writableWorkload);
    expect(unknown.error?.message).toContain('rule pod-security/no-such-rule does not exist');
  });
});

describe("a component's exceptions", () => {
  const extra = (p: Platform, loosen: boolean) => {
    const c = p.component('control-plane')!;
    new HardenedWorkload(c, 'Extra', {
      name: 'extra',
      image: c.images[0]!,
      replicas: 1,
      ports: [{ name: 'http', port: 8081 }],
      resources: { cpu: '100m', memory: '64Mi' },
      ...(loosen ? { allowWritableRootFs: { reason: 'The extra workload unpacks its plug-ins into its root file system at start.' } } : {}),
    });
  };

  it("HardenedWorkload's allowWritableRootFs is an exception of the read-only rule: it lifts the finding and shows with its reason", async () => {
    const { result, error } = await run(loadProfile('edge'), (p) => extra(p, true));
    expect(error?.message).toBeUndefined();
    const e = result!.policy.waivers.find((w) => w.object.name === 'extra')!;
    expect(e).toMatchObject({ rule: 'pod-security/read-only-root-fs', source: 'component control-plane', reason: 'The extra workload unpacks its plug-ins into its root file system at start.' });
    expect(e.lifted).toHaveLength(1);
    expect(e.expires).toBeUndefined();
  });

  it('an exception on an object of the output that meets the rule fails as unused', async () => {
    const { error } = await run(loadProfile('edge'), (p) => {
      extra(p, false);
      const c = p.component('control-plane')!;
      const d = c.node.findAll().find((x): x is ApiObject => x instanceof ApiObject && x.kind === 'Deployment' && x.metadata.name === 'extra')!;
      c.exceptPolicy({ rule: 'pod-security/privileged', object: d, reason: 'Not privileged at all: this exception must be refused.' });
    });
    expect(error?.exitCode).toBe(6);
    expect(error?.message).toContain('the waiver of pod-security/privileged for Deployment sovra-system/extra (component control-plane) fails: it lifts nothing');
  });
});

