/**
 * vLLM per profile, and GPU scheduling across the whole platform: dev
 * requests no GPU anywhere; on edge and cluster every pod template that
 * requests `nvidia.com/gpu` carries its pool's node selector, toleration and
 * the nvidia RuntimeClass, and no other pod template tolerates a pool taint.
 * The weight verifier runs before the server; the model is in the SBOM;
 * only a declared peer may call the server (a test-only caller stands in
 * for the control plane, which declares the connection from its side).
 */
import type { Construct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestManifest } from '../../../contracts/served-model.js';
import { isSovraError } from '../../../core/errors.js';
import { loadProfile } from '../../../profiles/load.js';
import type { Profile } from '../../../profiles/profile.generated.js';
import { buildPlatform, renderObjects } from '../../../synth/synth.js';
import { readJson, removeDir, synthProfile, tempDir, type K8sObject } from '../../../test/support/synth-output.js';
import { Component, type ComponentProps } from '../../kit/component.js';
import type { ComponentDefinition } from '../../kit/definition.js';
import { GPU_POOL } from '../../kit/gpu.js';
import { HardenedWorkload } from '../../kit/workload.js';
import { VLLM_API } from '../../kit/shared-names.js';
import { COMPONENTS } from '../../registry.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function render(profile: Profile, components: readonly ComponentDefinition[] = COMPONENTS): K8sObject[] {
  const { platform } = buildPlatform(profile, { components });
  return [...renderObjects(platform).values()].flat() as K8sObject[];
}

/** Releases whose values (as Sovra writes them, on every profile) mention `text`. */
function releasesMentioning(profile: Profile, text: string): string[] {
  const { platform } = buildPlatform(profile, { components: COMPONENTS });
  return platform.components.flatMap((c) => c.charts.filter((ch) => JSON.stringify(ch.values).includes(text)).map((ch) => ch.release)).sort();
}

/** Every pod spec the platform writes itself: Deployments, StatefulSets, DaemonSets, Jobs, and InferenceService predictors. */
function podSpecs(objs: readonly K8sObject[]): Array<{ owner: string; spec: Obj; containers: Obj[] }> {
  const out: Array<{ owner: string; spec: Obj; containers: Obj[] }> = [];
  for (const o of objs as unknown as Obj[]) {
    const owner = `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    const t = o.spec?.template?.spec ?? o.spec?.jobTemplate?.spec?.template?.spec;
    if (t) out.push({ owner, spec: t, containers: [...(t.containers ?? []), ...(t.initContainers ?? [])] });
    if (o.kind === 'InferenceService') {
      const p = o.spec.predictor;
      out.push({ owner, spec: p, containers: [p.model, ...(p.initContainers ?? [])] });
    }
  }
  return out;
}

const gpuRequest = (c: Obj): string | undefined => c.resources?.limits?.[GPU_POOL.resource];

/** A caller written by this test: a hardened workload that declares vLLM as its peer. */
function caller(id: string, namespace: string): ComponentDefinition {
  class Caller extends Component {
    constructor(scope: Construct, cid: string, props: ComponentProps) {
      super(scope, cid, props, { title: id, description: 'A caller written by a test.', layer: 'ai-runtime', namespace, version: '1.0.0' });
      const image = this.addImage({ registry: 'ghcr.io', repository: `example/${id}`, tag: '1.0.0', license: 'MIT' });
      const w = new HardenedWorkload(this, 'Workload', { name: id, image, replicas: 1, ports: [{ name: 'http', port: 9000 }], resources: { cpu: '100m', memory: '64Mi' } });
      w.pods.connectsTo({ component: VLLM_API.component, pods: VLLM_API.pods, port: VLLM_API.portName }, 'a test calls the model server');
    }
  }
  return { id, layer: 'ai-runtime', create: (s, cid, p) => new Caller(s, cid, p) };
}

describe('GPU scheduling over every pod the platform writes', () => {
  it('dev: no GPU pool, no GPU operator, no vLLM, no KServe, and no GPU request, pool toleration or nvidia RuntimeClass anywhere', () => {
    const objs = render(loadProfile('dev'));
    const specs = podSpecs(objs);
    expect(specs.map((x) => x.owner)).toContain('Deployment sovra-system/control-plane');
    // Chart values neither request GPUs nor tolerate a pool.
    expect(releasesMentioning(loadProfile('dev'), GPU_POOL.resource)).toEqual([]);
    expect(releasesMentioning(loadProfile('dev'), GPU_POOL.taintKey)).toEqual([]);
    for (const s of specs) {
      expect(s.containers.map(gpuRequest).filter(Boolean), s.owner).toEqual([]);
      expect(s.spec.runtimeClassName, s.owner).toBeUndefined();
      expect((s.spec.tolerations ?? []).filter((t: Obj) => t.key === GPU_POOL.taintKey), s.owner).toEqual([]);
    }
    for (const c of ['gpu-operator', 'vllm', 'kserve']) expect(objs.filter((o) => o.metadata.labels?.['app.kubernetes.io/component'] === c)).toEqual([]);
  });

  it.each(['edge', 'cluster'] as const)('%s: pods that request GPUs carry their pool selector, toleration and RuntimeClass; no other pod tolerates a pool', (name) => {
    const profile = loadProfile(name);
    const pools = new Set(profile.gpu.pools.map((p) => p.name));
    const specs = podSpecs(render(profile));
    const gpuPods = specs.filter((s) => s.containers.some(gpuRequest));
    expect(gpuPods.map((s) => s.owner).sort()).toEqual(name === 'edge' ? ['Deployment sovra-inference/vllm'] : ['Deployment sovra-inference/vllm', 'InferenceService sovra-inference/resnet50']);
    for (const s of gpuPods) {
      const pool = s.spec.nodeSelector?.[GPU_POOL.poolLabel];
      expect(pools.has(pool), s.owner).toBe(true);
      expect(s.spec.tolerations, s.owner).toEqual([{ key: GPU_POOL.taintKey, operator: 'Equal', value: pool, effect: 'NoSchedule' }]);
      expect(s.spec.runtimeClassName, s.owner).toBe('nvidia');
    }
    // Of the charts, only node agents tolerate the pools: the GPU Operator's (device plugin, toolkit, DCGM exporter...) make the GPUs usable,
    // and where pools are tainted (cluster) SPIRE's agent and CSI driver give the GPU pods their identities.
    expect(releasesMentioning(profile, GPU_POOL.taintKey)).toEqual(name === 'cluster' ? ['gpu-operator', 'spire'] : ['gpu-operator']);
    for (const s of specs.filter((x) => !gpuPods.includes(x))) {
      expect((s.spec.tolerations ?? []).filter((t: Obj) => t.key === GPU_POOL.taintKey), s.owner).toEqual([]);
      expect(s.spec.nodeSelector?.[GPU_POOL.poolLabel], s.owner).toBeUndefined();
      expect(s.spec.runtimeClassName, s.owner).toBeUndefined();
    }
  });
});

describe('vLLM per profile', () => {
  const deployment = (objs: readonly K8sObject[]) => objs.find((o) => o.kind === 'Deployment' && o.metadata.name === 'vllm') as Obj;

  it('edge: one server, one L4 of pool edge-gpu, the small model, verifier first, weights read-only, air-gapped env, probes', () => {
    const d = deployment(render(loadProfile('edge')));
    expect(d.metadata.namespace).toBe(VLLM_API.namespace);
    expect(d.spec.replicas).toBe(1);
    const pod = d.spec.template.spec;
    const c = pod.containers[0];
    expect(c.command).toEqual(['vllm', 'serve']);
    expect(c.args).toEqual(['/models', '--served-model-name', 'qwen2.5-1.5b-instruct', '--host', '0.0.0.0', '--port', '8000', '--tensor-parallel-size', '1', '--load-format', 'safetensors', '--max-model-len', '8192']);
    expect(c.resources.limits).toEqual({ cpu: '4', memory: '16Gi', 'nvidia.com/gpu': '1' });
    expect(c.resources.requests).toEqual(c.resources.limits);
    expect(c.ports).toEqual([{ name: VLLM_API.portName, containerPort: VLLM_API.port, protocol: 'TCP' }]);
    expect(c.env).toContainEqual({ name: 'HF_HUB_OFFLINE', value: '1' });
    expect(c.startupProbe.httpGet).toEqual({ path: '/health', port: 'http' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
    expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    const v = pod.initContainers[0];
    expect(v.name).toBe('verify-weights');
    expect(v.image).toMatch(/^registry\.sovra\.dev\/sovra\/control-plane[:@]/);
    expect(v.args).toEqual(['model', 'verify-files', '--manifest', '/etc/sovra/model-digests/SHA256SUMS', '--dir', '/models']);
    expect(v.volumeMounts).toEqual([{ name: 'weights', mountPath: '/models', readOnly: true }, { name: 'model-digests', mountPath: '/etc/sovra/model-digests', readOnly: true }]);
    expect(pod.volumes).toContainEqual({ name: 'weights', persistentVolumeClaim: { claimName: 'vllm-models', readOnly: true } });
    // Digests supplied at install: no ConfigMap from Sovra, an optional volume the site's ConfigMap fills.
    expect(pod.volumes).toContainEqual({ name: 'model-digests', configMap: { name: 'qwen2-5-1-5b-instruct-digests', optional: true } });
  });

  it('cluster: two servers, tensor parallel 8 over the 8 H100 of a pool node each, no surge, spread, PodDisruptionBudget', () => {
    const objs = render(loadProfile('cluster'));
    const d = deployment(objs);
    expect(d.spec.replicas).toBe(2);
    expect(d.spec.strategy.rollingUpdate).toEqual({ maxUnavailable: 1, maxSurge: 0 });
    const c = d.spec.template.spec.containers[0];
    expect(c.args.slice(c.args.indexOf('--tensor-parallel-size'), c.args.indexOf('--tensor-parallel-size') + 2)).toEqual(['--tensor-parallel-size', '8']);
    expect(c.resources.limits['nvidia.com/gpu']).toBe('8');
    expect(d.spec.template.spec.nodeSelector).toEqual({ [GPU_POOL.poolLabel]: 'inference' });
    expect(d.spec.template.spec.volumes).toContainEqual({ name: 'shm', emptyDir: { medium: 'Memory', sizeLimit: '32Gi' } });
    expect(objs.find((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === 'vllm')).toBeDefined();
  });

  it('a profile that declares the digests gets the manifest ConfigMap Sovra writes, and the SBOM lists each file with its SHA-256', async () => {
    const base = loadProfile('edge');
    const files: [{ path: string; sha256: string }, { path: string; sha256: string }] = [
      { path: 'config.json', sha256: 'a'.repeat(64) },
      { path: 'model.safetensors', sha256: 'b'.repeat(64) },
    ];
    const profile: Profile = { ...base, components: { ...base.components, vllm: { ...base.components.vllm, model: { ...base.components.vllm.model!, files } } } };
    const cm = render(profile).find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'qwen2-5-1-5b-instruct-digests') as Obj;
    expect(cm.metadata.namespace).toBe(VLLM_API.namespace);
    expect(cm.data.SHA256SUMS).toBe(`${'a'.repeat(64)}  config.json\n${'b'.repeat(64)}  model.safetensors\n`);
    expect(cm.data.SHA256SUMS).toBe(digestManifest({ name: 'x', version: '1', license: 'MIT', source: 'https://x', format: 'safetensors', digests: 'declared', files }));
  });

  it('refuses a tensor-parallel size beyond the pool node, or a pool the profile lacks', () => {
    const base = loadProfile('edge');
    const bad = (vllm: Partial<Profile['components']['vllm']>) => {
      try {
        render({ ...base, components: { ...base.components, vllm: { ...base.components.vllm, ...vllm } } });
      } catch (e) {
        if (isSovraError(e)) return e.message;
        throw e;
      }
      return 'no error';
    };
    expect(bad({ tensorParallelSize: 2 })).toContain('tensorParallelSize 2 is more than the 1 GPUs per node of pool edge-gpu');
    expect(bad({ pool: 'nope' })).toContain('components.vllm.pool names GPU pool "nope", but gpu.pools has edge-gpu');
    expect(bad({ model: undefined })).toContain('components.vllm needs model');
  });

  it('only declared peers may call it (the control plane, and a caller a test adds): NetworkPolicy ingress and the mesh ALLOW rules name exactly them', () => {
    const objs = render(loadProfile('edge'), [...COMPONENTS, caller('model-client', 'sovra-model-client')]);
    const np = objs.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'vllm' && o.metadata.namespace === VLLM_API.namespace) as Obj;
    const from = (ns: string, name: string) => ({ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': name } } }], ports: [{ port: VLLM_API.port, protocol: 'TCP' }] });
    expect(np.spec.ingress).toHaveLength(2);
    expect(np.spec.ingress).toEqual(expect.arrayContaining([from('sovra-model-client', 'model-client'), from('sovra-system', 'control-plane')]));
    const ap = objs.find((o) => o.kind === 'AuthorizationPolicy' && o.metadata.name === 'vllm' && o.metadata.namespace === VLLM_API.namespace) as Obj;
    const principals = (ap.spec.rules as Obj[]).flatMap((r) => (r.from ?? []).flatMap((f: Obj) => f.source.principals ?? []));
    expect(principals.sort()).toEqual(['cluster.local/ns/sovra-model-client/sa/model-client', 'cluster.local/ns/sovra-system/sa/control-plane']);
    expect((ap.spec.rules as Obj[]).every((r) => r.from && r.to[0].operation.ports.join() === String(VLLM_API.port))).toBe(true);
    // Without the test's caller, only the control plane may reach it.
    const alone = render(loadProfile('edge')).find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'vllm') as Obj;
    expect(alone.spec.ingress).toEqual([from('sovra-system', 'control-plane')]);
  });
});

describe('synthesized output', () => {
  let root: string;
  beforeAll(async () => {
    root = tempDir();
    await synthProfile('edge', `${root}/edge`);
  });
  afterAll(() => removeDir(root));

  it('edge: the model is a machine-learning-model in the SBOM, digests marked supplied at install; claims hold (the synth checked their evidence)', () => {
    const sbom = readJson<{ components: Obj[] }>(`${root}/edge`, 'sbom.cdx.json');
    const m = sbom.components.find((c) => c.type === 'machine-learning-model' && c.name === 'qwen2.5-1.5b-instruct')!;
    expect(m.version).toBe('2.5');
    expect(m.licenses).toEqual([{ expression: 'Apache-2.0' }]);
    expect(m.properties).toContainEqual({ name: 'sovra:model:digests', value: 'supplied-at-install' });
    const cd = readJson<Obj>(`${root}/edge`, 'oscal/component-definitions/vllm.json');
    const controls = cd['component-definition'].components[0]['control-implementations'][0]['implemented-requirements'].map((r: Obj) => r['control-id']);
    expect(controls).toEqual(expect.arrayContaining(['si-7', 'ac-4', 'cm-7', 'cm-8', 'sr-4']));
  });
});
