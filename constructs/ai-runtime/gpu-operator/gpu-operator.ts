/**
 * The NVIDIA GPU Operator on the profile's GPU pools: its ClusterPolicy
 * (rendered by the chart from the values here) runs the driver (or leaves
 * the preinstalled one), the container toolkit, the device plugin, GPU
 * feature discovery, the DCGM exporter and, where the profile asks, the MIG
 * manager, on nodes that carry the pool taint; and it creates the `nvidia`
 * RuntimeClass GPU pods name. Profiles without GPU pools (dev) do not
 * install it (definition.ts).
 */
import type { Construct } from 'constructs';
import type { GpuPool } from '../../../profiles/profile.generated.js';
import { onChartValues } from '../../kit/claims.js';
import { Component, directoryOf, type ComponentProps } from '../../kit/component.js';
import { GPU_POOL } from '../../kit/gpu.js';
import type { ImageSpec } from '../../kit/image.js';
import type { PodGroup } from '../../kit/network.js';
import { NAMESPACES } from '../../kit/shared-names.js';
import { GPU_OPERATOR_CHART, GPU_OPERATOR_IMAGES } from './catalog.js';
import { gpuOperatorValues, type GpuOperatorValues } from './values.js';

/** Release name; part of object names and Terraform addresses. */
export const GPU_OPERATOR_RELEASE = 'gpu-operator';

/** Port of the DCGM exporter's metrics. */
export const DCGM_EXPORTER_PORT = 9400;

/**
 * Pods the operator runs, by the `app` label its asset manifests give them
 * (created at run time by the operator, not by the chart), and whether they
 * call the Kubernetes API (node labels, evictions, validation status).
 */
const OPERANDS: ReadonlyArray<{ name: string; app: string; api: boolean; when?: (s: Settings) => boolean }> = [
  { name: 'device-plugin', app: 'nvidia-device-plugin-daemonset', api: true },
  { name: 'feature-discovery', app: 'gpu-feature-discovery', api: true },
  { name: 'toolkit', app: 'nvidia-container-toolkit-daemonset', api: true },
  { name: 'validator', app: 'nvidia-operator-validator', api: true },
  { name: 'driver', app: 'nvidia-driver-daemonset', api: true, when: (s) => s.driver === 'managed' },
  { name: 'mig-manager', app: 'nvidia-mig-manager', api: true, when: (s) => s.migStrategy !== 'none' },
  { name: 'dcgm-exporter', app: 'nvidia-dcgm-exporter', api: false, when: (s) => s.dcgmExporter },
];

type Settings = ComponentProps['profile']['components']['gpu-operator'];

/** The GPU Operator and its operands. */
export class GpuOperator extends Component {
  /** The chart as declared, with its typed values. */
  readonly chart;
  /** The operator's own pods. */
  readonly operator: PodGroup;

  constructor(scope: Construct, id: string, props: ComponentProps) {
    super(scope, id, props, {
      title: 'NVIDIA GPU Operator',
      description: 'Drivers, NVIDIA container toolkit, device plugin, GPU feature discovery and DCGM telemetry on the GPU node pools, and the nvidia RuntimeClass of GPU pods.',
      layer: 'ai-runtime',
      namespace: NAMESPACES.gpuOperator,
      version: GPU_OPERATOR_CHART.version,
      dependsOn: ['distribution', 'cilium'].filter((c) => directoryOf(scope).installs(c)),
      podSecurity: {
        level: 'privileged',
        reason: 'the driver, toolkit and device plugin daemonsets load kernel modules, write the container runtime configuration and mount the host GPU devices',
      },
    });
    const p = props.profile;
    const settings = p.components['gpu-operator'];
    const pools = p.gpu.pools as readonly GpuPool[];
    const img = (k: keyof typeof GPU_OPERATOR_IMAGES): ImageSpec => this.addImage(GPU_OPERATOR_IMAGES[k]);
    const images = {
      operator: img('operator'),
      toolkit: img('toolkit'),
      devicePlugin: img('devicePlugin'),
      nfd: img('nfd'),
      ...(settings.driver === 'managed' ? { driver: img('driver'), driverManager: img('driverManager') } : {}),
      ...(settings.dcgmExporter ? { dcgmExporter: img('dcgmExporter') } : {}),
      ...(settings.migStrategy !== 'none' ? { migManager: img('migManager') } : {}),
    };
    const values = gpuOperatorValues(p.distribution.kind, settings, images);
    this.chart = this.addChart<GpuOperatorValues>({ release: GPU_OPERATOR_RELEASE, namespace: NAMESPACES.gpuOperator, values, ...GPU_OPERATOR_CHART });

    const api = (g: PodGroup, reason: string) => g.connectsTo({ entity: 'kube-apiserver', ports: [{ port: 6443 }] }, reason);
    this.operator = this.addPods({ name: 'operator', labels: { app: 'gpu-operator' }, serviceAccount: 'gpu-operator' });
    api(this.operator, 'the operator reconciles its ClusterPolicy and the operand daemonsets');
    const nfd = { 'app.kubernetes.io/name': 'node-feature-discovery', 'app.kubernetes.io/instance': GPU_OPERATOR_RELEASE };
    for (const role of ['master', 'worker', 'gc']) {
      api(this.addPods({ name: `nfd-${role}`, labels: { ...nfd, role }, serviceAccount: 'node-feature-discovery' }), `node feature discovery ${role}: reads and writes NodeFeature objects and node labels`);
    }
    for (const o of OPERANDS.filter((x) => x.when?.(settings) ?? true)) {
      const g = this.addPods({ name: o.name, labels: { app: o.app }, ...(o.name === 'dcgm-exporter' ? { ports: { metrics: { port: DCGM_EXPORTER_PORT } } } : {}) });
      if (o.api) api(g, `${o.app}: node labels, validation status and (driver, MIG) evictions through the Kubernetes API`);
      if (o.name === 'dcgm-exporter') this.addMetrics({ pods: g, port: 'metrics', path: '/metrics' });
    }

    const r = GPU_OPERATOR_RELEASE;
    this.claim({
      control: 'cm-7',
      statement: `Only the GPU stack the profile needs runs: the NVIDIA driver is ${settings.driver === 'managed' ? 'managed by the operator' : 'preinstalled on the host and not deployed'}, the MIG manager runs only for MIG strategy single or mixed (here ${settings.migStrategy}), and sandbox (VM passthrough), vGPU, confidential-computing and GPUDirect Storage operands are off.`,
      evidence: [
        onChartValues(r, 'driver.enabled', { equals: settings.driver === 'managed' }),
        onChartValues(r, 'migManager.enabled', { equals: settings.migStrategy !== 'none' }),
        onChartValues(r, 'sandboxWorkloads.enabled', { equals: false }),
        onChartValues(r, 'gds.enabled', { equals: false }),
        onChartValues(r, 'vgpuDeviceManager.enabled', { equals: false }),
        onChartValues(r, 'ccManager.enabled', { equals: false }),
      ],
    });
    this.claim({
      control: 'ac-6',
      statement: `A container gets GPUs only through the device plugin (a request for ${GPU_POOL.resource}): the container toolkit ignores NVIDIA_VISIBLE_DEVICES in unprivileged containers and the device plugin passes devices as volume mounts, so an environment variable alone does not open the host's GPUs.`,
      evidence: [
        onChartValues(r, 'toolkit.env[0]', { equals: { name: 'ACCEPT_NVIDIA_VISIBLE_DEVICES_ENVVAR_WHEN_UNPRIVILEGED', value: 'false' } }),
        onChartValues(r, 'devicePlugin.env[0]', { equals: { name: 'DEVICE_LIST_STRATEGY', value: 'volume-mounts' } }),
      ],
    });
    this.claim({
      control: 'cm-6',
      statement: `GPU operands run only on the GPU pools (${pools.map((x) => x.name).join(', ')}) and tolerate the pool taint ${GPU_POOL.taintKey}; GPU pods use RuntimeClass ${GPU_POOL.runtimeClass}, which the operator creates; the MIG strategy is ${settings.migStrategy}.`,
      evidence: [
        onChartValues(r, 'operator.runtimeClass', { equals: GPU_POOL.runtimeClass }),
        onChartValues(r, 'daemonsets.tolerations', { contains: { key: GPU_POOL.taintKey, operator: 'Exists', effect: 'NoSchedule' } }),
        onChartValues(r, 'mig.strategy', { equals: settings.migStrategy }),
      ],
    });
    if (settings.dcgmExporter) {
      this.claim({
        control: 'si-4',
        statement: 'Every GPU node reports GPU health (XID errors, ECC errors, temperature, power) and utilisation as Prometheus metrics through the DCGM exporter.',
        evidence: [onChartValues(r, 'dcgmExporter.enabled', { equals: true })],
        status: 'partial',
      });
    }
  }
}
