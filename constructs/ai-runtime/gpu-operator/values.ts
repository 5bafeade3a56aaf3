/**
 * The values Sovra sets on the gpu-operator chart (v26.7.0), from which the
 * chart writes its ClusterPolicy: one typed object for the HelmChart (dev,
 * edge) and the Terraform helm_release (cluster).
 */
import { GPU_POOL, type Toleration } from '../../kit/gpu.js';
import type { ImageSpec } from '../../kit/image.js';
import type { ComponentProps } from '../../kit/component.js';

type Settings = ComponentProps['profile']['components']['gpu-operator'];
type Env = ReadonlyArray<{ readonly name: string; readonly value: string }>;

/** An image as the chart (and the operator, for operands) composes it: `repository/image:version`. */
interface ChartImage {
  readonly repository: string;
  readonly image: string;
  readonly version: string;
}

/** Values Sovra sets on the gpu-operator chart. */
export interface GpuOperatorValues {
  readonly cdi: { readonly enabled: boolean };
  readonly sandboxWorkloads: { readonly enabled: boolean };
  readonly daemonsets: { readonly tolerations: readonly Toleration[] | ReadonlyArray<Record<string, string>> };
  readonly validator: ChartImage;
  readonly operator: ChartImage & { readonly runtimeClass: string; readonly tolerations: ReadonlyArray<Record<string, string>> };
  readonly mig: { readonly strategy: Settings['migStrategy'] };
  readonly driver: { readonly enabled: boolean } & Partial<ChartImage> & { readonly manager?: ChartImage };
  readonly toolkit: ChartImage & { readonly enabled: boolean; readonly env: Env };
  readonly devicePlugin: ChartImage & { readonly enabled: boolean; readonly env: Env };
  readonly gfd: ChartImage & { readonly enabled: boolean };
  readonly dcgmExporter: { readonly enabled: boolean } & Partial<ChartImage>;
  readonly migManager: { readonly enabled: boolean } & Partial<ChartImage>;
  readonly gds: { readonly enabled: boolean };
  readonly gdrcopy: { readonly enabled: boolean };
  readonly nodeStatusExporter: { readonly enabled: boolean };
  readonly vgpuDeviceManager: { readonly enabled: boolean };
  readonly vfioManager: { readonly enabled: boolean };
  readonly sandboxDevicePlugin: { readonly enabled: boolean };
  readonly kataSandboxDevicePlugin: { readonly enabled: boolean };
  readonly ccManager: { readonly enabled: boolean };
  readonly nfd: { readonly enabled: boolean };
  readonly 'node-feature-discovery': {
    readonly image: { readonly repository: string; readonly tag: string };
    readonly worker: { readonly tolerations: ReadonlyArray<Record<string, string>> };
  };
}

/** `tag`, or `tag@sha256:…` for a locked image: composed as `repo:tag@sha256:…`, a reference that pins the digest. */
function pinnedTag(image: ImageSpec): string {
  return image.digest ? `${image.tag}@${image.digest}` : image.tag;
}

/** The chart's image fields for `image`. */
function chartImage(image: ImageSpec): ChartImage {
  const slash = image.repository.lastIndexOf('/');
  return { repository: `${image.registry}/${image.repository.slice(0, slash)}`, image: image.repository.slice(slash + 1), version: pinnedTag(image) };
}

/**
 * Where the container toolkit finds containerd's configuration on K3s and
 * RKE2 (both keep a template under their agent data dir and the socket
 * under /run/k3s), as NVIDIA's GPU Operator documentation for K3s/RKE2
 * gives them; not checked offline.
 */
function containerdPaths(kind: 'k3s' | 'rke2'): Env {
  return [
    { name: 'CONTAINERD_CONFIG', value: `/var/lib/rancher/${kind}/agent/etc/containerd/config.toml.tmpl` },
    { name: 'CONTAINERD_SOCKET', value: '/run/k3s/containerd/containerd.sock' },
  ];
}

/** The values for a profile. */
export function gpuOperatorValues(
  kind: 'k3s' | 'rke2',
  settings: Settings,
  images: { operator: ImageSpec; toolkit: ImageSpec; devicePlugin: ImageSpec; nfd: ImageSpec; driver?: ImageSpec; driverManager?: ImageSpec; dcgmExporter?: ImageSpec; migManager?: ImageSpec },
): GpuOperatorValues {
  // Operands run on GPU nodes, which carry the pool taint: they tolerate it (and the chart's default nvidia.com/gpu taint).
  const operandTolerations = [
    { key: GPU_POOL.taintKey, operator: 'Exists', effect: 'NoSchedule' },
    { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
  ];
  const controlPlane = { key: 'node-role.kubernetes.io/control-plane', operator: 'Equal', value: '', effect: 'NoSchedule' };
  return {
    cdi: { enabled: true },
    sandboxWorkloads: { enabled: false },
    daemonsets: { tolerations: operandTolerations },
    validator: chartImage(images.operator),
    operator: { ...chartImage(images.operator), runtimeClass: GPU_POOL.runtimeClass, tolerations: [controlPlane] },
    mig: { strategy: settings.migStrategy },
    driver: {
      enabled: settings.driver === 'managed',
      ...(images.driver ? chartImage(images.driver) : {}),
      ...(images.driverManager ? { manager: chartImage(images.driverManager) } : {}),
    },
    toolkit: {
      enabled: true,
      ...chartImage(images.toolkit),
      // Unprivileged containers cannot ask for GPUs by environment variable (NVIDIA's "preventing unprivileged access to GPUs").
      env: [{ name: 'ACCEPT_NVIDIA_VISIBLE_DEVICES_ENVVAR_WHEN_UNPRIVILEGED', value: 'false' }, ...containerdPaths(kind)],
    },
    devicePlugin: { enabled: true, ...chartImage(images.devicePlugin), env: [{ name: 'DEVICE_LIST_STRATEGY', value: 'volume-mounts' }] },
    gfd: { enabled: true, ...chartImage(images.devicePlugin) },
    dcgmExporter: { enabled: settings.dcgmExporter, ...(images.dcgmExporter ? chartImage(images.dcgmExporter) : {}) },
    migManager: { enabled: settings.migStrategy !== 'none', ...(images.migManager ? chartImage(images.migManager) : {}) },
    gds: { enabled: false },
    gdrcopy: { enabled: false },
    nodeStatusExporter: { enabled: false },
    // VM passthrough, vGPU and confidential computing operands: Sovra runs containers only.
    vgpuDeviceManager: { enabled: false },
    vfioManager: { enabled: false },
    sandboxDevicePlugin: { enabled: false },
    kataSandboxDevicePlugin: { enabled: false },
    ccManager: { enabled: false },
    nfd: { enabled: true },
    'node-feature-discovery': {
      // The NFD chart composes `repository:tag`.
      image: { repository: `${images.nfd.registry}/${images.nfd.repository}`, tag: pinnedTag(images.nfd) },
      worker: { tolerations: [controlPlane, ...operandTolerations] },
    },
  };
}
