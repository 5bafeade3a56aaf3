/**
 * The NVIDIA GPU Operator chart (v26.7.0, the published archive in the
 * reference data) rendered by the real helm with the values Sovra writes for
 * each profile that installs it (edge, cluster; dev has no GPU pool): the
 * chart accepts them, every value path is one the chart (or its bundled NFD
 * chart) has, the ClusterPolicy it renders carries each claim's setting and
 * is valid against the shipped CRD schema, and every image it runs or names
 * for the operator to run is declared by the component.
 */
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GPU_POOL } from '../../../constructs/kit/gpu.js';
import { k8sAjv } from '../../../output/kubernetes/schema-validator.js';
import { loadProfile } from '../../../profiles/load.js';
import { removeDir, synthProfile, tempDir } from '../../support/synth-output.js';
import { chartDir, declaredImages, objectNamed, renderChart, renderedImages, undeclaredImages, unknownValuePaths, writtenValues, type Render } from '../support/helm.js';

const CHART = () => chartDir('gpu-operator', 'gpu-operator-v26.7.0');
const NFD_CHART = () => `${CHART()}/charts/node-feature-discovery`;
const RELEASE = 'gpu-operator';
const NAMESPACE = 'gpu-operator';
/**
 * Lists the chart copies whole into the ClusterPolicy or pod specs
 * (tolerations, env), and `version` of operator and validator, which
 * values.yaml documents commented out (`#version: ""`, default appVersion).
 */
const FREE_FORM = ['daemonsets.tolerations', 'operator.tolerations', 'toolkit.env', 'devicePlugin.env', 'node-feature-discovery', 'operator.version', 'validator.version'];
const GPU_PROFILES = ['edge', 'cluster'] as const;

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let root: string;
const dirs = {} as Record<(typeof GPU_PROFILES)[number], string>;
const renders = new Map<string, Render>();

beforeAll(async () => {
  root = tempDir();
  for (const p of GPU_PROFILES) {
    dirs[p] = `${root}/${p}`;
    await synthProfile(p, dirs[p]);
    renders.set(p, renderChart({ chart: CHART(), release: RELEASE, namespace: NAMESPACE, values: writtenValues(dirs[p], RELEASE) }));
  }
});
afterAll(() => removeDir(root));

/** The ClusterPolicy CRD schema of the chart (v1), made strict the way datreeio's openapi2jsonschema does. */
function chartCrdSchema(): unknown {
  const crd = YAML.parse(readFileSync(`${CHART()}/crds/nvidia.com_clusterpolicies.yaml`, 'utf8')) as Obj;
  const strict = (s: unknown): unknown => {
    if (Array.isArray(s)) return s.map(strict);
    if (s === null || typeof s !== 'object') return s;
    const o = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, k === 'properties' ? Object.fromEntries(Object.entries(v as Obj).map(([n, x]) => [n, strict(x)])) : strict(v)])) as Obj;
    if (o.properties && o.additionalProperties === undefined && !o['x-kubernetes-preserve-unknown-fields']) o.additionalProperties = false;
    return o;
  };
  return strict(crd.spec.versions.find((v: Obj) => v.name === 'v1').schema.openAPIV3Schema);
}

/**
 * `repository/image:version` of each operand the ClusterPolicy turns on
 * (`enabled: true`, and the validator, which always runs): what the operator
 * will run. The chart writes `enabled` of sandboxDevicePlugin only when true;
 * the operator runs it only with sandboxWorkloads.enabled, which is false.
 */
function clusterPolicyImages(cp: Obj): string[] {
  return Object.entries(cp.spec as Record<string, Obj>)
    .filter(([k, s]) => s && typeof s === 'object' && typeof s.image === 'string' && s.repository && s.version && (s.enabled === true || k === 'validator'))
    .map(([, s]) => s)
    .map((s) => `${s.repository}/${s.image}:${s.version}`)
    .sort();
}

describe.each(GPU_PROFILES)('profile %s: the gpu-operator chart over the values Sovra writes', (profile) => {
  const settings = loadProfile(profile).components['gpu-operator'];
  const cp = () => objectNamed(renders.get(profile)!.objects, 'ClusterPolicy', 'cluster-policy') as Obj;

  it('is accepted, and every value path is one the chart (or the bundled NFD chart) has', () => {
    const r = renders.get(profile)!;
    expect(r.error).toBe('');
    expect(r.ok).toBe(true);
    const values = writtenValues(dirs[profile], RELEASE);
    expect(unknownValuePaths(CHART(), values, FREE_FORM)).toEqual([]);
    expect(unknownValuePaths(NFD_CHART(), values['node-feature-discovery'], ['worker.tolerations'])).toEqual([]);
  });

  it('renders a ClusterPolicy that carries the claimed settings and is valid against the chart\'s own CRD (v26.7.0)', () => {
    const spec = cp().spec;
    expect(spec.driver.enabled).toBe(settings.driver === 'managed');
    expect(spec.mig.strategy).toBe(settings.migStrategy);
    expect(spec.migManager.enabled).toBe(settings.migStrategy !== 'none');
    expect(spec.dcgmExporter.enabled).toBe(settings.dcgmExporter);
    expect(spec.sandboxWorkloads.enabled).toBe(false);
    expect(spec.gds.enabled).toBe(false);
    expect(spec.operator.runtimeClass).toBe(GPU_POOL.runtimeClass);
    expect(spec.daemonsets.tolerations).toContainEqual({ key: GPU_POOL.taintKey, operator: 'Exists', effect: 'NoSchedule' });
    expect(spec.toolkit.env).toContainEqual({ name: 'ACCEPT_NVIDIA_VISIBLE_DEVICES_ENVVAR_WHEN_UNPRIVILEGED', value: 'false' });
    expect(spec.toolkit.env).toContainEqual({ name: 'CONTAINERD_SOCKET', value: '/run/k3s/containerd/containerd.sock' });
    expect(spec.devicePlugin.env).toContainEqual({ name: 'DEVICE_LIST_STRATEGY', value: 'volume-mounts' });
    // The reference copy (datreeio) predates v26.7.0: it lacks dcgmExporter.serviceMonitor.scrapeTimeout, which this
    // chart writes by default. Sovra does not write the ClusterPolicy itself (the chart does), so the version-matched CRD decides.
    const path = 'crds/nvidia.com/clusterpolicy_v1.json';
    const { ajv, schema } = k8sAjv(path, false, () => chartCrdSchema());
    const validate = ajv.compile(schema);
    expect(validate(cp()) ? [] : validate.errors).toEqual([]);
  });

  it('the NFD worker tolerates the pool taint (it must label the GPU nodes)', () => {
    const worker = objectNamed(renders.get(profile)!.objects, 'DaemonSet', 'gpu-operator-node-feature-discovery-worker') as Obj;
    expect(worker.spec.template.spec.tolerations).toContainEqual({ key: GPU_POOL.taintKey, operator: 'Exists', effect: 'NoSchedule' });
  });

  it('the operator pod has the labels and service account the component declares, and runs without privileges', () => {
    const d = objectNamed(renders.get(profile)!.objects, 'Deployment', 'gpu-operator') as Obj;
    expect(d.spec.template.metadata.labels.app).toBe('gpu-operator');
    expect(d.spec.template.spec.serviceAccountName).toBe('gpu-operator');
    for (const c of d.spec.template.spec.containers as Obj[]) expect(c.securityContext?.privileged ?? false).toBe(false);
  });

  it('every image it runs, and every image its ClusterPolicy names for the operator to run, is declared', () => {
    const objects = renders.get(profile)!.objects;
    const images = [...renderedImages(objects), ...clusterPolicyImages(cp())];
    expect(images).toContain('nvcr.io/nvidia/k8s-device-plugin:v0.20.0');
    expect(images).toContain('nvcr.io/nvidia/gpu-operator:v26.7.0');
    expect(images).not.toContain('nvcr.io/nvidia/kubevirt-gpu-device-plugin:v1.6.0');
    expect(cp().spec.sandboxWorkloads.enabled).toBe(false);
    if (settings.driver === 'managed') expect(images).toContain('nvcr.io/nvidia/driver:595.91.07');
    expect(undeclaredImages(images, declaredImages(dirs[profile]))).toEqual([]);
  });
});
