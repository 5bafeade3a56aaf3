/**
 * KServe with Triton for predictive and vision models: the CRDs, the
 * controller in raw-deployment mode (plain Deployments and Services; no
 * Knative, no ingress objects), the Triton ClusterServingRuntime (every other
 * runtime installed disabled), and one InferenceService per model of
 * `components.kserve.models`, on a GPU pool with the same placement as vLLM
 * (node selector, pool toleration, RuntimeClass, `nvidia.com/gpu`) and the
 * same weight verifier before Triton starts.
 */
import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import type { ServedModelDeclaration } from '../../../contracts/served-model.js';
import { onChartValues, onObject } from '../../kit/claims.js';
import { Component, directoryOf, type ComponentProps } from '../../kit/component.js';
import { GPU_POOL, gpuPlacement, gpuPool } from '../../kit/gpu.js';
import { imageName, type ImageSpec } from '../../kit/image.js';
import type { PodGroup } from '../../kit/network.js';
import { addWeightVerifier, servedModel } from '../../kit/served-model.js';
import { NAMESPACES } from '../../kit/shared-names.js';
import { controlPlaneImage } from '../control-plane/catalog.js';
import { KSERVE_CHARTS, KSERVE_IMAGES, OTHER_RUNTIMES, TRITON_RUNTIME } from './catalog.js';

/** Namespace of the KServe controller. */
export const KSERVE_NAMESPACE = 'kserve';
/** Release names; part of object names and Terraform addresses. */
export const KSERVE_RELEASES = { crd: 'kserve-crd', resources: 'kserve', runtimes: 'kserve-runtimes' } as const;
/** Pod labels of the controller, as the chart sets them. */
export const KSERVE_CONTROLLER_LABELS = { 'app.kubernetes.io/name': 'kserve-controller-manager', 'control-plane': 'kserve-controller-manager', 'controller-tools.k8s.io': '1.0' } as const;
/** Where Triton reads its model repository (the runtime's `--model-store`). */
const MODEL_STORE = '/mnt/models';
/** Triton's HTTP port in the ClusterServingRuntime. */
export const TRITON_HTTP_PORT = 8080;

/** `repo:tag`, or `repo:tag@sha256:…` for a locked image, as the charts compose `image:tag`. */
function pinnedTag(image: ImageSpec): string {
  return image.digest ? `${image.tag}@${image.digest}` : image.tag;
}

/** KServe and the InferenceServices of the profile. */
export class Kserve extends Component {
  /** One InferenceService per model, by model name. */
  readonly inferenceServices = new Map<string, ApiObject>();
  /** Their predictor pods: only groups that declare them as a peer may call them. */
  readonly predictors = new Map<string, PodGroup>();
  /** The models, as declared. */
  readonly servedModels: ServedModelDeclaration[] = [];

  constructor(scope: Construct, id: string, props: ComponentProps) {
    super(scope, id, props, {
      title: 'KServe with Triton',
      description: 'KServe in raw-deployment mode (no Knative) with NVIDIA Triton as serving runtime: one InferenceService per predictive or vision model on the GPU pools, weights verified before Triton starts.',
      layer: 'ai-runtime',
      namespace: KSERVE_NAMESPACE,
      version: KSERVE_CHARTS.resources.version,
      // Its webhook certificate comes from cert-manager; the InferenceServices live in vLLM's namespace (sovra-inference), which that component creates.
      dependsOn: ['cilium', 'cert-manager', 'gpu-operator', 'vllm'].filter((c) => directoryOf(scope).installs(c)),
    });
    const p = props.profile;
    const images = { controller: this.addImage(KSERVE_IMAGES.controller), rbacProxy: this.addImage(KSERVE_IMAGES.rbacProxy), triton: this.addImage(KSERVE_IMAGES.triton) };
    const verifierImage = this.addImage(controlPlaneImage());

    this.addChart({ release: KSERVE_RELEASES.crd, namespace: KSERVE_NAMESPACE, values: {}, ...KSERVE_CHARTS.crd });
    const resources = {
      kserve: {
        controller: {
          deploymentMode: 'RawDeployment',
          image: `${images.controller.registry}/${images.controller.repository}`,
          tag: pinnedTag(images.controller),
          imagePullPolicy: 'IfNotPresent',
          rbacProxyImage: `${imageName(images.rbacProxy)}${images.rbacProxy.digest ? `@${images.rbacProxy.digest}` : ''}`,
          // In-cluster callers only: no Istio VirtualService, no Ingress.
          gateway: { disableIstioVirtualHost: true, disableIngressCreation: true },
        },
        // Predictor pods get no Kubernetes API token unless their spec asks (Sovra's never do).
        security: { autoMountServiceAccountToken: false },
        // Objects that need Knative or KEDA are not installed.
        metricsaggregator: { enableMetricAggregation: 'false', enablePrometheusScraping: 'false' },
      },
    };
    this.addChart({ release: KSERVE_RELEASES.resources, namespace: KSERVE_NAMESPACE, values: resources, ...KSERVE_CHARTS.resources });
    const runtimes = {
      kserve: {
        servingruntime: {
          enabled: true,
          tritonserver: {
            disabled: false,
            image: `${images.triton.registry}/${images.triton.repository}`,
            tag: pinnedTag(images.triton),
            securityContext: { runAsUser: 1000, runAsNonRoot: true, allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
          },
          ...Object.fromEntries(OTHER_RUNTIMES.map((r) => [r, { disabled: true }])),
        },
      },
    };
    this.addChart({ release: KSERVE_RELEASES.runtimes, namespace: KSERVE_NAMESPACE, values: runtimes, ...KSERVE_CHARTS.runtimes });

    const controller = this.addPods({ name: 'controller', labels: KSERVE_CONTROLLER_LABELS, ports: { webhook: { port: 9443 } }, serviceAccount: 'kserve-controller-manager' });
    controller.connectsTo({ entity: 'kube-apiserver', ports: [{ port: 6443 }] }, 'the controller reconciles InferenceServices into Deployments and Services');
    controller.acceptsFrom('kube-apiserver', 'webhook', 'the API server calls the InferenceService defaulting and validating webhooks');

    for (const m of p.components.kserve.models) this.inferenceService(m, verifierImage);

    const r = KSERVE_RELEASES;
    this.claim({
      control: 'cm-7',
      statement: `KServe runs in raw-deployment mode (no Knative, no ingress objects: predictors are reachable only inside the cluster), and only the Triton serving runtime is enabled; the ${OTHER_RUNTIMES.length} other runtimes of the chart are installed disabled.`,
      evidence: [
        onChartValues(r.resources, 'kserve.controller.deploymentMode', { equals: 'RawDeployment' }),
        onChartValues(r.resources, 'kserve.controller.gateway.disableIngressCreation', { equals: true }),
        onChartValues(r.runtimes, 'kserve.servingruntime.tritonserver.disabled', { equals: false }),
        ...OTHER_RUNTIMES.map((x) => onChartValues(r.runtimes, `kserve.servingruntime.${x}.disabled`, { equals: true })),
      ],
    });
    this.claim({
      control: 'ac-6',
      statement: 'Predictor pods run without a Kubernetes API token, as a non-root user with no capabilities.',
      evidence: [
        onChartValues(r.resources, 'kserve.security.autoMountServiceAccountToken', { equals: false }),
        onChartValues(r.runtimes, 'kserve.servingruntime.tritonserver.securityContext.runAsNonRoot', { equals: true }),
        onChartValues(r.runtimes, 'kserve.servingruntime.tritonserver.securityContext.capabilities.drop', { equals: ['ALL'] }),
      ],
    });
  }

  /** The InferenceService of one model: its weights claim, digest manifest, verifier, placement and pod group. */
  private inferenceService(settings: ComponentProps['profile']['components']['kserve']['models'][number], verifierImage: ImageSpec): void {
    const p = this.profile;
    const model = this.addModel(servedModel(settings));
    this.servedModels.push(model);
    const pool = gpuPool(p, settings.pool, `components.kserve.models[${model.name}].pool`);
    const placement = gpuPlacement(pool);
    const ns = NAMESPACES.inference;
    const replicas = settings.replicas ?? 1;
    const gpus = settings.gpus ?? 1;
    const verifier = addWeightVerifier(this, { model, image: verifierImage, weightsVolume: 'weights', weightsPath: MODEL_STORE, namespace: ns });
    new ApiObject(this, `Weights-${model.name}`, {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: settings.weights.claimName, namespace: ns, annotations: { 'sovra.dev/reason': `Triton model repository of ${model.name}, filled by the site before the predictors start (README, KServe); mounted read-only.` } },
      spec: {
        accessModes: [replicas > 1 ? 'ReadOnlyMany' : 'ReadWriteOnce'],
        resources: { requests: { storage: settings.weights.size } },
        ...(settings.weights.storageClassName ? { storageClassName: settings.weights.storageClassName } : {}),
      },
    });
    const sa = `kserve-${model.name.replace(/\./g, '-')}`;
    new ApiObject(this, `ServiceAccount-${model.name}`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: sa, namespace: ns }, automountServiceAccountToken: false });
    const res = { cpu: settings.cpu, memory: settings.memory, [GPU_POOL.resource]: String(gpus) };
    const isvc = new ApiObject(this, `InferenceService-${model.name}`, {
      apiVersion: 'serving.kserve.io/v1beta1',
      kind: 'InferenceService',
      metadata: { name: model.name, namespace: ns, annotations: { 'serving.kserve.io/deploymentMode': 'RawDeployment' } },
      spec: {
        predictor: {
          minReplicas: replicas,
          maxReplicas: replicas,
          serviceAccountName: sa,
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          runtimeClassName: placement.runtimeClassName,
          nodeSelector: placement.nodeSelector,
          tolerations: placement.tolerations,
          securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
          initContainers: [verifier.initContainer],
          volumes: [{ name: 'weights', persistentVolumeClaim: { claimName: settings.weights.claimName, readOnly: true } }, verifier.volume],
          model: {
            modelFormat: { name: 'onnx' },
            runtime: TRITON_RUNTIME,
            storageUri: `pvc://${settings.weights.claimName}`,
            resources: { requests: res, limits: res },
            securityContext: { allowPrivilegeEscalation: false, privileged: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
          },
        },
      },
    });
    this.inferenceServices.set(model.name, isvc);
    // Pod labels KServe puts on the predictor pods of InferenceService <name>.
    const pods = this.addPods({
      name: `predictor-${model.name.replace(/\./g, '-')}`,
      namespace: ns,
      labels: { 'serving.kserve.io/inferenceservice': model.name, component: 'predictor' },
      ports: { http: { port: TRITON_HTTP_PORT } },
      serviceAccount: sa,
    });
    this.predictors.set(model.name, pods);
    const pred = 'spec.predictor';
    this.claim({
      control: 'si-7',
      statement: `Before Triton serves ${model.name}, an init container checks every file of its model repository against its SHA-256 (${model.digests === 'declared' ? `${model.files.length} files declared in the profile` : 'digests supplied by the site at install; without them the predictor does not start'}); a changed, missing or unlisted file stops the pod.`,
      evidence: [onObject(isvc, `${pred}.initContainers[0].args`, { equals: verifier.args }), onObject(isvc, `${pred}.volumes[0].persistentVolumeClaim.readOnly`, { equals: true })],
      status: model.digests === 'declared' ? 'implemented' : 'partial',
    });
    this.addCryptoAsset({
      type: 'algorithm',
      name: 'SHA-256',
      purpose: `Integrity of the model repository of ${model.name}: each file's digest is checked against the manifest before Triton starts.`,
      configuredBy: onObject(isvc, `${pred}.initContainers[0].args`, { equals: verifier.args }),
      implementation: 'sovra model verify-files (Node.js crypto, OpenSSL)',
      certificationLevel: ['none'],
    });
    this.claim({
      control: 'cm-8',
      statement: `The model ${model.name} ${model.version} (${model.license}, from ${model.source}) is in the SBOM as a machine-learning-model component and served by exactly one InferenceService of that name.`,
      evidence: [onObject(isvc, 'metadata.name', { equals: model.name })],
    });
    this.claim({
      control: 'sr-4',
      statement: `The provenance of ${model.name} (source, version, license and the file digests checked before serving) is declared once, in the profile.`,
      evidence: [onObject(isvc, `${pred}.initContainers[0].name`, { equals: 'verify-weights' })],
      status: model.digests === 'declared' ? 'implemented' : 'partial',
    });
    this.claim({
      control: 'ac-4',
      statement: `Only pods that declare the predictors of ${model.name} as their peer may call them (none does yet: the NetworkPolicy admits no caller), and the predictors make no outbound connection.`,
      evidence: [onObject(pods.networkPolicy, 'spec.policyTypes', { equals: ['Ingress', 'Egress'] })],
    });
  }
}
