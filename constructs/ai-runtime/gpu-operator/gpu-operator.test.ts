/**
 * GPU node pools and the NVIDIA GPU Operator per profile: the host
 * configuration labels and taints each pool's nodes (the single-node edge
 * server is labelled, never tainted), and the operator's values (from which
 * its chart writes the ClusterPolicy) follow the profile: driver managed or
 * preinstalled, MIG strategy, operands on the tainted pools, the nvidia
 * RuntimeClass, GPUs only through the device plugin.
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

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function platformOf(profile: Profile) {
  return buildPlatform(profile, { components: COMPONENTS }).platform;
}

/** Host files of the distribution component, parsed, by path under host/. */
function hostFiles(profile: Profile): Record<string, Obj> {
  const d = platformOf(profile).component('distribution')!;
  return Object.fromEntries(d.hostFiles.map((f) => [f.path, YAML.parse(typeof f.content === 'string' ? f.content : f.content()) as Obj]));
}

function operatorValues(profile: Profile): Obj {
  const c = platformOf(profile).component('gpu-operator') as Component;
  return c.charts[0]!.values as Obj;
}

describe('GPU node pools in the host configuration', () => {
  it('dev: no pool, no pool labels, no GPU agent config', () => {
    const files = hostFiles(loadProfile('dev'));
    expect(Object.keys(files).filter((f) => f.startsWith('gpu-'))).toEqual([]);
    expect(files['config.yaml']!['node-label']).toEqual(['sovra.dev/role=server']);
  });

  it('edge: the single K3s node is its pool edge-gpu: labelled with pool and product, not tainted (the whole platform runs there)', () => {
    const files = hostFiles(loadProfile('edge'));
    expect(files['config.yaml']!['node-label']).toEqual(['sovra.dev/role=server', `${GPU_POOL.poolLabel}=edge-gpu`, `${GPU_POOL.productLabel}=L4`]);
    expect(files['config.yaml']!['node-taint']).toBeUndefined();
    expect(Object.keys(files).filter((f) => f.startsWith('gpu-'))).toEqual([]);
  });

  it('cluster: one RKE2 agent config per pool, each with its labels, its NoSchedule taint, CIS profile and kernel protection', () => {
    const files = hostFiles(loadProfile('cluster'));
    expect(files['gpu-inference/config.yaml']).toEqual({
      profile: 'cis',
      'protect-kernel-defaults': true,
      'node-label': ['sovra.dev/role=gpu', `${GPU_POOL.poolLabel}=inference`, `${GPU_POOL.productLabel}=H100`],
      'node-taint': [`${GPU_POOL.taintKey}=inference:NoSchedule`],
    });
    expect(files['gpu-vision/config.yaml']!['node-taint']).toEqual([`${GPU_POOL.taintKey}=vision:NoSchedule`]);
    // The servers carry no pool label: GPU pods never land there.
    expect(files['config.yaml']!['node-label']).toEqual(['sovra.dev/role=server']);
    const d = platformOf(loadProfile('cluster')).component('distribution')!;
    expect(d.hostFiles.find((f) => f.path === 'gpu-inference/config.yaml')!.installPath).toBe('/etc/rancher/rke2/config.yaml');
    expect(d.claims.filter((c) => c.control === 'cm-7').map((c) => c.evidence[0]!.contains)).toEqual([`${GPU_POOL.taintKey}=inference:NoSchedule`, `${GPU_POOL.taintKey}=vision:NoSchedule`]);
  });
});

describe('the GPU Operator', () => {
  it('is not installed on dev', () => {
    expect(platformOf(loadProfile('dev')).component('gpu-operator')).toBeUndefined();
  });

  it('edge: driver preinstalled (no driver image), no MIG manager, K3s containerd paths, DCGM exporter on', () => {
    const v = operatorValues(loadProfile('edge'));
    expect(v.driver).toEqual({ enabled: false });
    expect(v.mig).toEqual({ strategy: 'none' });
    expect(v.migManager).toEqual({ enabled: false });
    expect(v.toolkit.env).toEqual([
      { name: 'ACCEPT_NVIDIA_VISIBLE_DEVICES_ENVVAR_WHEN_UNPRIVILEGED', value: 'false' },
      { name: 'CONTAINERD_CONFIG', value: '/var/lib/rancher/k3s/agent/etc/containerd/config.toml.tmpl' },
      { name: 'CONTAINERD_SOCKET', value: '/run/k3s/containerd/containerd.sock' },
    ]);
    expect(v.dcgmExporter).toMatchObject({ enabled: true, repository: 'nvcr.io/nvidia/k8s', image: 'dcgm-exporter', version: '4.6.0-4.8.3-distroless' });
    const images = (platformOf(loadProfile('edge')).component('gpu-operator') as Component).images.map((i) => i.repository);
    expect(images).not.toContain('nvidia/driver');
    expect(images).not.toContain('nvidia/cloud-native/k8s-mig-manager');
  });

  it('cluster: the operator manages the driver (driver and driver-manager images declared), RKE2 containerd paths', () => {
    const p = loadProfile('cluster');
    const v = operatorValues(p);
    expect(v.driver).toEqual({ enabled: true, repository: 'nvcr.io/nvidia', image: 'driver', version: '595.91.07', manager: { repository: 'nvcr.io/nvidia/cloud-native', image: 'k8s-driver-manager', version: 'v0.12.0' } });
    expect(v.toolkit.env[1]).toEqual({ name: 'CONTAINERD_CONFIG', value: '/var/lib/rancher/rke2/agent/etc/containerd/config.toml.tmpl' });
    const c = platformOf(p).component('gpu-operator') as Component;
    expect(c.images.map((i) => `${i.registry}/${i.repository}:${i.tag}`)).toContain('nvcr.io/nvidia/driver:595.91.07');
    expect(c.charts[0]).toMatchObject({ chart: 'gpu-operator', version: 'v26.7.0', digest: 'sha256:bf6b04c16ff7cbc05720ea4b94187217316f9d869d445cfbde4fe0dffabe2557' });
  });

  it.each(['edge', 'cluster'] as const)('%s: operands tolerate the pool taint, GPUs only through the device plugin, RuntimeClass nvidia, MIG strategy from the profile', (name) => {
    const p = loadProfile(name);
    const v = operatorValues(p);
    expect(v.daemonsets.tolerations).toContainEqual({ key: GPU_POOL.taintKey, operator: 'Exists', effect: 'NoSchedule' });
    expect(v['node-feature-discovery'].worker.tolerations).toContainEqual({ key: GPU_POOL.taintKey, operator: 'Exists', effect: 'NoSchedule' });
    expect(v.operator.runtimeClass).toBe(GPU_POOL.runtimeClass);
    expect(v.devicePlugin.env).toEqual([{ name: 'DEVICE_LIST_STRATEGY', value: 'volume-mounts' }]);
    expect(v.sandboxWorkloads).toEqual({ enabled: false });
    expect(v.mig.strategy).toBe(p.components['gpu-operator'].migStrategy);
    // A derived profile asking for MIG gets the MIG manager and its image.
    const mig: Profile = { ...p, components: { ...p.components, 'gpu-operator': { ...p.components['gpu-operator'], migStrategy: 'mixed' } } };
    expect(operatorValues(mig).migManager).toEqual({ enabled: true, repository: 'nvcr.io/nvidia/cloud-native', image: 'k8s-mig-manager', version: 'v0.15.0' });
  });

  it('edge: privileged namespace out of the mesh, the operator and its node agents may reach the API server, the DCGM exporter only serves metrics', () => {
    const { platform } = buildPlatform(loadProfile('edge'), { components: COMPONENTS });
    const objs = [...renderObjects(platform).values()].flat() as K8sObject[];
    const ns = objs.find((o) => o.kind === 'Namespace' && o.metadata.name === 'gpu-operator') as Obj;
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
    expect(ns.metadata.labels['istio-injection']).toBeUndefined();
    const cnp = objs.filter((o) => o.kind === 'CiliumNetworkPolicy' && o.metadata.namespace === 'gpu-operator').map((o) => o.metadata.name).sort();
    expect(cnp).toEqual(['gpu-operator-device-plugin', 'gpu-operator-feature-discovery', 'gpu-operator-nfd-gc', 'gpu-operator-nfd-master', 'gpu-operator-nfd-worker', 'gpu-operator-operator', 'gpu-operator-toolkit', 'gpu-operator-validator']);
    const dcgm = objs.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'gpu-operator-dcgm-exporter') as Obj;
    expect(dcgm.spec.podSelector).toEqual({ matchLabels: { app: 'nvidia-dcgm-exporter' } });
  });
});
