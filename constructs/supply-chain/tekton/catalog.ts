/**
 * Tekton pins: the one place the operator chart's version and the versions
 * of every image the operator installs live.
 *
 * Chart: tekton-operator 0.81.1 from its OCI repository (the install path
 * the chart's README gives since 0.80.0). No archive digest is pinned: the
 * release workflow packages the chart twice, once for the GitHub release
 * asset that the chart index lists (sha256:2daabddd…, in the reference
 * data's _pub/), once for the OCI push, and no digest of the OCI artifact
 * is published. The reference data holds the tagged source (tektoncd/operator
 * v0.81.1, commit 1510682b) with the workflow's version edit reproduced,
 * which hashes to neither; the conformance test renders that source.
 *
 * Images: the chart names the operator's own three images by tag
 * (`.Chart.AppVersion`). Everything else the operator installs comes from
 * its release payload: the release.yaml of Pipelines v1.15.0 and Chains
 * v0.29.1 (components.yaml at the tag) that the operator's build fetches
 * into its image. In the upstream repositories those manifests carry only
 * `ko://` references; the resolved release.yaml, with the digests, is a
 * release asset that is not in the repositories and cannot be read
 * offline. Sovra pins those images by the names ko gives them (the last
 * path element and the MD5 of the Go import path, the rule the operator's
 * own images follow, e.g. operator-303303c3… = md5 of
 * github.com/tektoncd/operator/cmd/kubernetes/operator) and by the release
 * tag; none is locked. Until a lock records a digest the operator runs the
 * payload's own reference (tag and digest, as the release pins it); once
 * locked, Sovra hands the locked reference to the operator (IMAGE_* variables,
 * values.ts), so the pods run the locked digest.
 */
import type { ImagePin } from '../../kit/image.js';

/** Why no image the operator installs has a digest offline (SBOM, README, synth report). */
export const PAYLOAD_DIGESTS_UNKNOWN =
  'the digest is pinned in the Tekton operator v0.81.1 release payload (the resolved release.yaml of Pipelines v1.15.0 and Chains v0.29.1 inside the operator image); the upstream repositories carry only ko:// references, so it is not available offline';

const CHART_SOURCE = 'tekton-operator chart 0.81.1 (tektoncd/operator tag v0.81.1, commit 1510682b): templates/_helpers.tpl image names, tag .Chart.AppVersion v0.81.1';
const PAYLOAD = 'tektoncd/operator v0.81.1 components.yaml';

/** Chart coordinates; no digest (see the file comment). */
export const TEKTON_OPERATOR_CHART = {
  repository: 'oci://ghcr.io/tektoncd/operator/charts',
  chart: 'tekton-operator',
  version: '0.81.1',
  license: 'Apache-2.0',
  source: 'tektoncd/operator tag v0.81.1 (1510682b): charts/tekton-operator/README.md (OCI install), .github/workflows/helm-release.yaml (helm push oci://ghcr.io/tektoncd/operator/charts)',
} as const;

/**
 * The archive digest the chart index publishes for tekton-operator 0.81.1:
 * the GitHub release asset, not the OCI artifact Sovra installs. Kept for
 * the README and the conformance test, never as the installed chart's pin.
 */
export const RELEASE_ASSET_DIGEST = 'sha256:2daabdddd869bdd5d1541c9c8d660b8a65e30e7903071d92239976c5e7e507e1';

/** Versions of the operator's payload this component configures (components.yaml at v0.81.1). */
export const TEKTON_PAYLOAD = { operator: 'v0.81.1', pipeline: 'v1.15.0', chains: 'v0.29.1' } as const;

/** A ko-built image of `repo` (ghcr.io/tektoncd/<repo>) for Go package `importPath`, at `tag`. */
function ko(repo: string, name: string, md5: string, tag: string, importPath: string, source: string, unlockedReason?: string): ImagePin {
  return { registry: 'ghcr.io', repository: `tektoncd/${repo}/${name}-${md5}`, tag, license: 'Apache-2.0', source: `${source}; ko image name of ${importPath}`, ...(unlockedReason ? { unlockedReason } : {}) };
}

const pipelineSource = `${PAYLOAD}: pipeline ${TEKTON_PAYLOAD.pipeline} (tektoncd/pipeline config/ at that tag names ko://github.com/tektoncd/pipeline/cmd/<binary>)`;

/** Images the operator runs, by role. */
export const TEKTON_IMAGES = {
  operator: ko('operator', 'operator', '303303c315a48490ba6517859ef65b77', TEKTON_PAYLOAD.operator, 'github.com/tektoncd/operator/cmd/kubernetes/operator', CHART_SOURCE),
  operatorWebhook: ko('operator', 'webhook', 'f2bb711aa8f0c0892856a4cbf6d9ddd8', TEKTON_PAYLOAD.operator, 'github.com/tektoncd/operator/cmd/kubernetes/webhook', CHART_SOURCE),
  /** The operator's proxy webhook, which it deploys into the operand namespace (chart env IMAGE_PIPELINES_PROXY). */
  proxyWebhook: ko('operator', 'proxy-webhook', 'f6167da7bc41b96a27c5529f850e63d1', TEKTON_PAYLOAD.operator, 'github.com/tektoncd/operator/cmd/kubernetes/proxy-webhook', CHART_SOURCE),
  pipelinesController: ko('pipeline', 'controller', '10a3e32792f33651396d02b6855a6e36', TEKTON_PAYLOAD.pipeline, 'github.com/tektoncd/pipeline/cmd/controller', pipelineSource, PAYLOAD_DIGESTS_UNKNOWN),
  pipelinesWebhook: ko('pipeline', 'webhook', 'd4749e605405422fd87700164e31b2d1', TEKTON_PAYLOAD.pipeline, 'github.com/tektoncd/pipeline/cmd/webhook', pipelineSource, PAYLOAD_DIGESTS_UNKNOWN),
  events: ko('pipeline', 'events', 'a9042f7efb0cbade2a868a1ee5ddd52c', TEKTON_PAYLOAD.pipeline, 'github.com/tektoncd/pipeline/cmd/events', pipelineSource, PAYLOAD_DIGESTS_UNKNOWN),
  resolvers: ko('pipeline', 'resolvers', 'ff86b24f130c42b88983d3c13993056d', TEKTON_PAYLOAD.pipeline, 'github.com/tektoncd/pipeline/cmd/resolvers', pipelineSource, PAYLOAD_DIGESTS_UNKNOWN),
  /** Init container of every TaskRun pod (controller arg -entrypoint-image). */
  entrypoint: ko('pipeline', 'entrypoint', 'bff0a22da108bc2f16c818c97641a296', TEKTON_PAYLOAD.pipeline, 'github.com/tektoncd/pipeline/cmd/entrypoint', pipelineSource, PAYLOAD_DIGESTS_UNKNOWN),
  /** Replaces a finished TaskRun's sidecars (controller arg -nop-image). */
  nop: ko('pipeline', 'nop', '8eac7c133edad5df719dc37b36b62482', TEKTON_PAYLOAD.pipeline, 'github.com/tektoncd/pipeline/cmd/nop', pipelineSource, PAYLOAD_DIGESTS_UNKNOWN),
  /** Creates step working directories (controller arg -workingdirinit-image). */
  workingDirInit: ko('pipeline', 'workingdirinit', '0c558922ec6a1b739e550e349f2d5fc1', TEKTON_PAYLOAD.pipeline, 'github.com/tektoncd/pipeline/cmd/workingdirinit', pipelineSource, PAYLOAD_DIGESTS_UNKNOWN),
  chainsController: ko('chains', 'controller', '92006fd957c0afd31de6a40b3e33b39f', TEKTON_PAYLOAD.chains, 'github.com/tektoncd/chains/cmd/controller', `${PAYLOAD}: chains ${TEKTON_PAYLOAD.chains} (tektoncd/chains config/100-deployment.yaml names ko://github.com/tektoncd/chains/cmd/controller)`, PAYLOAD_DIGESTS_UNKNOWN),
} as const satisfies Record<string, ImagePin>;

/**
 * kubectl of the apply task: the image the Kubernetes release publishes for
 * the platform's own Kubernetes version (the distribution catalog's), so the
 * client matches the API server it applies to.
 */
export function kubectlImage(kubernetesVersion: string): ImagePin {
  return {
    registry: 'registry.k8s.io',
    repository: 'kubectl',
    tag: kubernetesVersion,
    license: 'Apache-2.0',
    source: `Kubernetes release ${kubernetesVersion} (kubernetes/kubernetes CHANGELOG: registry.k8s.io/kubectl:<version> is a release image); binary /bin/kubectl`,
  };
}

/**
 * The operator's controllers Sovra runs: TektonConfig, and the two
 * components the platform uses (Pipelines, Chains). The chart's default list
 * adds triggers, results, dashboard, manual approval gate, pruner and
 * Pipelines-as-Code; TektonConfig turns those off, so their reconcilers
 * need not run (the `tektoninstallerset` controller runs in the chart's
 * second container).
 */
export const OPERATOR_CONTROLLERS = ['tektonconfig', 'tektonpipeline', 'tektonchain'] as const;
