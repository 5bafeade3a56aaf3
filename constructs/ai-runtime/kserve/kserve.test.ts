/**
 * KServe per profile: installed only where the profile has GPU pools and
 * predictive models (cluster), in raw-deployment mode with only Triton
 * enabled; one InferenceService per model on its pool, with the weight
 * verifier, read-only weights, no API token, and no caller until one
 * declares it.
 */
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadProfile } from '../../../profiles/load.js';
import type { Profile } from '../../../profiles/profile.generated.js';
import { buildPlatform, renderObjects } from '../../../synth/synth.js';
import type { K8sObject } from '../../../test/support/synth-output.js';
import type { Component } from '../../kit/component.js';
import { GPU_POOL } from '../../kit/gpu.js';
import { COMPONENTS } from '../../registry.js';
import { OTHER_RUNTIMES } from './catalog.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function build(profile: Profile) {
  const { platform } = buildPlatform(profile, { components: COMPONENTS });
  return { platform, objs: [...renderObjects(platform).values()].flat() as K8sObject[] };
}

describe('KServe', () => {
  it('dev (no pools) and edge (no predictive model: its one L4 serves the LLM) do not install it', () => {
    for (const p of ['dev', 'edge'] as const) expect(build(loadProfile(p)).platform.component('kserve')).toBeUndefined();
  });

  it('an edge profile that adds a model gets KServe as K3s HelmCharts, raw deployment, only Triton enabled', () => {
    const base = loadProfile('edge');
    const model = { ...loadProfile('cluster').components.kserve.models[0]!, pool: 'edge-gpu', replicas: 1 };
    const { objs } = build({ ...base, components: { ...base.components, kserve: { models: [model] } } });
    const hc = (name: string) => YAML.parse((objs.find((o) => o.kind === 'HelmChart' && o.metadata.name === name) as Obj).spec.valuesContent) as Obj;
    expect(hc('kserve').kserve.controller.deploymentMode).toBe('RawDeployment');
    const runtimes = hc('kserve-runtimes').kserve.servingruntime;
    expect(runtimes.tritonserver).toMatchObject({ disabled: false, image: 'nvcr.io/nvidia/tritonserver', tag: '23.05-py3' });
    expect(OTHER_RUNTIMES.filter((r) => runtimes[r].disabled !== true)).toEqual([]);
    // Edge is air-gapped: the chart comes from the site registry, not ghcr.io.
    expect((objs.find((o) => o.kind === 'HelmChart' && o.metadata.name === 'kserve') as Obj).spec).toMatchObject({ chart: 'oci://registry.sovra.local:5000/charts/kserve-resources' });
    const isvc = objs.find((o) => o.kind === 'InferenceService') as Obj;
    expect(isvc.spec.predictor.nodeSelector).toEqual({ [GPU_POOL.poolLabel]: 'edge-gpu' });
  });

  it('cluster: one InferenceService per model on pool vision, Triton runtime, verifier first, GPUs requested, weights read-only, no token', () => {
    const { platform, objs } = build(loadProfile('cluster'));
    const isvcs = objs.filter((o) => o.kind === 'InferenceService') as Obj[];
    expect(isvcs.map((i) => `${i.metadata.namespace}/${i.metadata.name}`)).toEqual(['sovra-inference/resnet50']);
    const i = isvcs[0]!;
    expect(i.metadata.annotations['serving.kserve.io/deploymentMode']).toBe('RawDeployment');
    const p = i.spec.predictor;
    expect([p.minReplicas, p.maxReplicas]).toEqual([2, 2]);
    expect(p.model).toMatchObject({ modelFormat: { name: 'onnx' }, runtime: 'kserve-tritonserver', storageUri: 'pvc://resnet50-model' });
    expect(p.model.resources.limits).toEqual({ cpu: '4', memory: '8Gi', 'nvidia.com/gpu': '1' });
    expect(p.nodeSelector).toEqual({ [GPU_POOL.poolLabel]: 'vision' });
    expect(p.tolerations).toEqual([{ key: GPU_POOL.taintKey, operator: 'Equal', value: 'vision', effect: 'NoSchedule' }]);
    expect(p.runtimeClassName).toBe('nvidia');
    expect(p.automountServiceAccountToken).toBe(false);
    expect(p.initContainers[0].args).toEqual(['model', 'verify-files', '--manifest', '/etc/sovra/model-digests/SHA256SUMS', '--dir', '/mnt/models']);
    expect(p.volumes).toEqual([{ name: 'weights', persistentVolumeClaim: { claimName: 'resnet50-model', readOnly: true } }, { name: 'model-digests', configMap: { name: 'resnet50-digests', optional: true } }]);
    // No caller declares the predictors yet: the NetworkPolicy admits no one.
    const np = objs.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'kserve-predictor-resnet50') as Obj;
    expect(np.metadata.namespace).toBe('sovra-inference');
    expect(np.spec.podSelector).toEqual({ matchLabels: { component: 'predictor', 'serving.kserve.io/inferenceservice': 'resnet50' } });
    expect(np.spec.ingress).toEqual([]);
    const k = platform.component('kserve') as Component;
    expect(k.models.map((m) => `${m.name}@${m.version}`)).toEqual(['resnet50@v1-7']);
    expect(k.charts.map((c) => c.release)).toEqual(['kserve-crd', 'kserve', 'kserve-runtimes']);
    expect(k.claims.map((c) => c.control).sort()).toEqual(['ac-4', 'ac-6', 'cm-7', 'cm-8', 'si-7', 'sr-4']);
  });
});
