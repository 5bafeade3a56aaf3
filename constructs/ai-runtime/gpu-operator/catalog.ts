/**
 * NVIDIA GPU Operator pins: chart v26.7.0 (the published archive in the
 * reference data, whose SHA-256 equals the digest of the gh-pages `stable`
 * index entry) and the images its values.yaml names at that release. The
 * chart pins images by tag only, so no digest is known offline: the images
 * stay unlocked until a site's lock records them.
 */
import type { ImagePin } from '../../kit/image.js';

/** Chart coordinates (NVIDIA/gpu-operator gh-pages, stable/index.yaml entry gpu-operator v26.7.0). */
export const GPU_OPERATOR_CHART = {
  repository: 'https://nvidia.github.io/gpu-operator/stable',
  chart: 'gpu-operator',
  version: 'v26.7.0',
  digest: 'sha256:bf6b04c16ff7cbc05720ea4b94187217316f9d869d445cfbde4fe0dffabe2557',
  license: 'Apache-2.0',
  source: 'NVIDIA/gpu-operator gh-pages stable/index.yaml, entry gpu-operator v26.7.0 (digest of gpu-operator-v26.7.0.tgz)',
} as const;

const values = 'gpu-operator v26.7.0 chart values.yaml';

/**
 * Images of the operator and of the operands Sovra turns on, as the chart's
 * values.yaml names them (`repository/image:version`). The NVIDIA images are
 * under NVIDIA's proprietary license terms (LicenseRef): the software is
 * Apache-2.0, the CUDA and driver bits in the images are not.
 */
export const GPU_OPERATOR_IMAGES = {
  operator: { registry: 'nvcr.io', repository: 'nvidia/gpu-operator', tag: 'v26.7.0', license: 'Apache-2.0', source: `${values}: operator (version = chart appVersion); also the validator` },
  driver: { registry: 'nvcr.io', repository: 'nvidia/driver', tag: '595.91.07', license: 'LicenseRef-NVIDIA-Driver', source: `${values}: driver.version` },
  driverManager: { registry: 'nvcr.io', repository: 'nvidia/cloud-native/k8s-driver-manager', tag: 'v0.12.0', license: 'Apache-2.0', source: `${values}: driver.manager.version` },
  toolkit: { registry: 'nvcr.io', repository: 'nvidia/k8s/container-toolkit', tag: 'v1.20.0', license: 'Apache-2.0', source: `${values}: toolkit.version` },
  devicePlugin: { registry: 'nvcr.io', repository: 'nvidia/k8s-device-plugin', tag: 'v0.20.0', license: 'Apache-2.0', source: `${values}: devicePlugin.version (also gfd)` },
  dcgmExporter: { registry: 'nvcr.io', repository: 'nvidia/k8s/dcgm-exporter', tag: '4.6.0-4.8.3-distroless', license: 'Apache-2.0', source: `${values}: dcgmExporter.version` },
  migManager: { registry: 'nvcr.io', repository: 'nvidia/cloud-native/k8s-mig-manager', tag: 'v0.15.0', license: 'Apache-2.0', source: `${values}: migManager.version` },
  nfd: { registry: 'registry.k8s.io', repository: 'nfd/node-feature-discovery', tag: 'v0.19.0', license: 'Apache-2.0', source: 'node-feature-discovery 0.19.0 (bundled in gpu-operator v26.7.0) values.yaml: image (tag = appVersion)' },
} as const satisfies Record<string, ImagePin>;
