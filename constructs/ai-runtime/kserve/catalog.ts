/**
 * KServe pins: v0.20.0 charts (tag v0.20.0, commit 1fb78105 of
 * kserve/kserve; KServe publishes them only as OCI artifacts, with no index
 * that lists a digest, so none is pinned) and the images their values.yaml
 * name at that tag. No image digest is known offline: they stay unlocked.
 */
import type { ImagePin } from '../../kit/image.js';

/** The OCI repository of KServe's charts. */
const REPOSITORY = 'oci://ghcr.io/kserve/charts';
const SOURCE = 'kserve/kserve tag v0.20.0 (1fb78105), charts/';

/** The three charts Sovra installs: CRDs, the controller, and the cluster serving runtimes. */
export const KSERVE_CHARTS = {
  crd: { repository: REPOSITORY, chart: 'kserve-crd', version: 'v0.20.0', license: 'Apache-2.0', source: `${SOURCE}kserve-crd` },
  resources: { repository: REPOSITORY, chart: 'kserve-resources', version: 'v0.20.0', license: 'Apache-2.0', source: `${SOURCE}kserve-resources` },
  runtimes: { repository: REPOSITORY, chart: 'kserve-runtime-configs', version: 'v0.20.0', license: 'Apache-2.0', source: `${SOURCE}kserve-runtime-configs` },
} as const;

/** Images the charts run (controller, its metrics proxy) and the Triton runtime the InferenceServices run. */
export const KSERVE_IMAGES = {
  controller: { registry: 'docker.io', repository: 'kserve/kserve-controller', tag: 'v0.20.0', license: 'Apache-2.0', source: 'kserve-resources v0.20.0 values.yaml: kserve.controller.image (tag = kserve.version)' },
  rbacProxy: { registry: 'quay.io', repository: 'brancz/kube-rbac-proxy', tag: 'v0.18.0', license: 'Apache-2.0', source: 'kserve-resources v0.20.0 values.yaml: kserve.controller.rbacProxyImage' },
  triton: {
    registry: 'nvcr.io',
    repository: 'nvidia/tritonserver',
    tag: '23.05-py3',
    // Triton is BSD-3-Clause; the NGC container adds CUDA and other NVIDIA libraries under NVIDIA's container license.
    license: 'BSD-3-Clause AND LicenseRef-NVIDIA-Deep-Learning-Container-License',
    source: 'kserve-runtime-configs v0.20.0 values.yaml: kserve.servingruntime.tritonserver (image, tag)',
  },
} as const satisfies Record<string, ImagePin>;

/** The ClusterServingRuntime of Triton in kserve-runtime-configs. */
export const TRITON_RUNTIME = 'kserve-tritonserver';

/** Runtimes of kserve-runtime-configs v0.20.0 other than Triton: installed disabled (no pods, no images pulled). */
export const OTHER_RUNTIMES = [
  'tensorflow', 'mlserver', 'sklearnserver', 'xgbserver', 'huggingfaceserver', 'huggingfaceserver_multinode', 'pmmlserver',
  'predictiveserver', 'paddleserver', 'lgbserver', 'autogluonserver', 'torchserve', 'vllmserver',
] as const;
