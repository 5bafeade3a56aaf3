/**
 * vLLM: the OpenAI-compatible LLM server of the platform, on a GPU pool.
 * One Deployment (the model, tensor-parallel size and resources per
 * profile; the pool's node selector, toleration and RuntimeClass; GPUs
 * requested as `nvidia.com/gpu`), its Service at VLLM_API, and a pod group
 * that no one may call unless it declares vLLM as its peer (the control
 * plane does, from its side). The weights come read-only from a volume and
 * are checked file by file against their SHA-256 digests by an init
 * container before the server starts.
 *
 * There is a vLLM chart in the reference data (vllm-stack 0.1.12), but it
 * brings a router, kube-prometheus-stack and prometheus-adapter, names its
 * images `latest`, and has no place for a verifying init container; this
 * Deployment is written here, hardened like the kit's workloads.
 */
import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import type { ServedModelDeclaration } from '../../../contracts/served-model.js';
import { SovraError } from '../../../core/errors.js';
import { onObject } from '../../kit/claims.js';
import { Component, directoryOf, type ComponentProps } from '../../kit/component.js';
import { GPU_POOL, gpuPlacement, gpuPool } from '../../kit/gpu.js';
import { imageRef } from '../../kit/image.js';
import type { PodGroup } from '../../kit/network.js';
import { addWeightVerifier, servedModel } from '../../kit/served-model.js';
import { NAMESPACES, VLLM_API } from '../../kit/shared-names.js';
import { controlPlaneImage } from '../control-plane/catalog.js';
import { VLLM_IMAGE } from './catalog.js';

/** Where the weights are mounted in the pod. */
export const VLLM_MODEL_PATH = '/models';
/** Writable cache of vLLM, Hugging Face, torch.compile and Triton kernels (the image's root filesystem is read-only). */
const CACHE_PATH = '/cache';

/** The vLLM servers. */
export class Vllm extends Component {
  /** The Deployment. */
  readonly deployment: ApiObject;
  /** The Service the control plane calls. */
  readonly service: ApiObject;
  /** The servers' pods: only groups that declare them as their peer may reach them. */
  readonly pods: PodGroup;
  /** The model it serves, as declared. */
  readonly model: ServedModelDeclaration;

  constructor(scope: Construct, id: string, props: ComponentProps) {
    super(scope, id, props, {
      title: 'vLLM',
      description: 'OpenAI-compatible LLM server on the GPU pool, serving the profile\'s model with tensor parallelism; weights verified file by file before it starts.',
      layer: 'ai-runtime',
      namespace: NAMESPACES.inference,
      version: VLLM_IMAGE.tag,
      // The GPU Operator makes the pool's GPUs schedulable and creates the RuntimeClass.
      dependsOn: ['cilium', 'gpu-operator'].filter((c) => directoryOf(scope).installs(c)),
    });
    if (id !== VLLM_API.component) throw new Error(`the vLLM component must have id ${VLLM_API.component} (VLLM_API), not ${id}`);
    const p = props.profile;
    const s = p.components.vllm;
    if (!s.model || !s.tensorParallelSize || !s.weights || !s.cpu || !s.memory) {
      throw new SovraError('bad-profile', `profile "${p.name}" has GPU pools, so it installs vLLM: components.vllm needs model, tensorParallelSize, cpu, memory and weights.`);
    }
    const pool = gpuPool(p, s.pool, 'components.vllm.pool');
    if (s.tensorParallelSize > pool.gpusPerNode) {
      throw new SovraError('bad-profile', `profile "${p.name}": components.vllm.tensorParallelSize ${s.tensorParallelSize} is more than the ${pool.gpusPerNode} GPUs per node of pool ${pool.name}; a server's GPUs must be on one node.`);
    }
    const replicas = s.replicas ?? 1;
    if (replicas * s.tensorParallelSize > pool.nodes * pool.gpusPerNode) {
      throw new SovraError('bad-profile', `profile "${p.name}": components.vllm asks for ${replicas} × ${s.tensorParallelSize} GPUs, but pool ${pool.name} has ${pool.nodes * pool.gpusPerNode}.`);
    }
    const image = this.addImage(VLLM_IMAGE);
    const verifierImage = this.addImage(controlPlaneImage());
    this.model = this.addModel(servedModel(s.model));
    if (this.model.format !== 'safetensors') throw new SovraError('bad-profile', `profile "${p.name}": components.vllm.model.format must be safetensors (vLLM loads only safetensors here, never pickled weights).`);

    const labels = { 'app.kubernetes.io/name': VLLM_API.pods };
    const placement = gpuPlacement(pool);
    const verifier = addWeightVerifier(this, { model: this.model, image: verifierImage, weightsVolume: 'weights', weightsPath: VLLM_MODEL_PATH });

    new ApiObject(this, 'Weights', {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: s.weights.claimName, annotations: { 'sovra.dev/reason': `Weights of ${this.model.name}, filled by the site before the servers start (README, vLLM); mounted read-only.` } },
      spec: {
        accessModes: [replicas > 1 ? 'ReadOnlyMany' : 'ReadWriteOnce'],
        resources: { requests: { storage: s.weights.size } },
        ...(s.weights.storageClassName ? { storageClassName: s.weights.storageClassName } : {}),
      },
    });

    const gpus = s.tensorParallelSize;
    const resources = { cpu: s.cpu, memory: s.memory, [GPU_POOL.resource]: String(gpus) };
    const args = [
      VLLM_MODEL_PATH,
      '--served-model-name', this.model.name,
      '--host', '0.0.0.0',
      '--port', String(VLLM_API.port),
      '--tensor-parallel-size', String(gpus),
      // Only safetensors: a pickled .bin among the files is never loaded (and the verifier refuses unlisted files).
      '--load-format', 'safetensors',
      ...(s.maxModelLen ? ['--max-model-len', String(s.maxModelLen)] : []),
    ];
    const probe = (failureThreshold: number, periodSeconds: number) => ({ httpGet: { path: '/health', port: VLLM_API.portName }, periodSeconds, timeoutSeconds: 5, failureThreshold });
    this.deployment = new ApiObject(this, 'Deployment', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: VLLM_API.pods, labels },
      spec: {
        replicas,
        revisionHistoryLimit: 3,
        selector: { matchLabels: labels },
        // No surge: a new server needs GPUs that the running ones hold.
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: VLLM_API.pods,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            runtimeClassName: placement.runtimeClassName,
            nodeSelector: placement.nodeSelector,
            tolerations: placement.tolerations,
            ...(replicas > 1 ? { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: labels } }] } : {}),
            // The image runs as root by default; vLLM runs as any user given writable HOME and caches, and the
            // device nodes the NVIDIA runtime injects are world-accessible, so the pod stays non-root.
            securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
            initContainers: [verifier.initContainer],
            containers: [
              {
                name: 'vllm',
                image: imageRef(image),
                imagePullPolicy: 'IfNotPresent',
                command: ['vllm', 'serve'],
                args,
                env: [
                  { name: 'HOME', value: CACHE_PATH },
                  { name: 'HF_HOME', value: `${CACHE_PATH}/huggingface` },
                  // Air-gapped by design: never reach the Hugging Face Hub, never send usage statistics.
                  { name: 'HF_HUB_OFFLINE', value: '1' },
                  { name: 'TRANSFORMERS_OFFLINE', value: '1' },
                  { name: 'VLLM_NO_USAGE_STATS', value: '1' },
                  { name: 'DO_NOT_TRACK', value: '1' },
                  { name: 'VLLM_CACHE_ROOT', value: `${CACHE_PATH}/vllm` },
                  { name: 'XDG_CACHE_HOME', value: CACHE_PATH },
                ],
                ports: [{ name: VLLM_API.portName, containerPort: VLLM_API.port, protocol: 'TCP' }],
                resources: { requests: resources, limits: resources },
                securityContext: { allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
                // Loading the weights onto the GPUs takes minutes: the startup probe allows 30 minutes before liveness applies.
                startupProbe: probe(180, 10),
                livenessProbe: probe(3, 10),
                readinessProbe: probe(3, 5),
                volumeMounts: [
                  { name: 'weights', mountPath: VLLM_MODEL_PATH, readOnly: true },
                  { name: 'cache', mountPath: CACHE_PATH },
                  { name: 'tmp', mountPath: '/tmp' },
                  { name: 'shm', mountPath: '/dev/shm' },
                ],
              },
            ],
            volumes: [
              { name: 'weights', persistentVolumeClaim: { claimName: s.weights.claimName, readOnly: true } },
              verifier.volume,
              // Compiled kernels and CUDA graphs: on disk, bounded.
              { name: 'cache', emptyDir: { sizeLimit: '20Gi' } },
              { name: 'tmp', emptyDir: { sizeLimit: '2Gi' } },
              // NCCL exchanges tensors between the tensor-parallel workers through shared memory.
              { name: 'shm', emptyDir: { medium: 'Memory', sizeLimit: s.sharedMemory ?? '8Gi' } },
            ],
          },
        },
      },
    });
    new ApiObject(this, 'ServiceAccount', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: VLLM_API.pods }, automountServiceAccountToken: false });
    this.service = new ApiObject(this, 'Service', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: VLLM_API.service, labels },
      spec: { type: 'ClusterIP', selector: labels, ports: [{ name: VLLM_API.portName, port: VLLM_API.port, targetPort: VLLM_API.portName, protocol: 'TCP' }] },
    });
    if (replicas > 1) {
      new ApiObject(this, 'PodDisruptionBudget', { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: VLLM_API.pods }, spec: { maxUnavailable: 1, selector: { matchLabels: labels } } });
    }
    // vLLM's /metrics shares the API port; a scraper allowed to it could call the API too, so no metrics endpoint is declared (AC-4 below).
    this.pods = this.addPods({ name: VLLM_API.pods, labels, ports: { [VLLM_API.portName]: { port: VLLM_API.port } }, serviceAccount: VLLM_API.pods });
    this.claims_(verifier.args, args, gpus, pool.name);
  }

  private claims_(verifierArgs: readonly string[], args: readonly string[], gpus: number, pool: string): void {
    const d = this.deployment;
    const c = 'spec.template.spec.containers[0]';
    this.claim({
      control: 'si-7',
      statement: `Before vLLM starts, an init container checks every file of ${this.model.name} against its SHA-256 (${this.model.digests === 'declared' ? `${this.model.files.length} files declared in the profile` : 'digests supplied by the site at install; without them the server does not start'}); a changed, missing or unlisted file stops the pod, and the weights stay mounted read-only.`,
      evidence: [
        onObject(d, 'spec.template.spec.initContainers[0].args', { equals: verifierArgs }),
        onObject(d, `${c}.volumeMounts[0]`, { equals: { name: 'weights', mountPath: VLLM_MODEL_PATH, readOnly: true } }),
      ],
      status: this.model.digests === 'declared' ? 'implemented' : 'partial',
    });
    this.claim({
      control: 'ac-4',
      statement: `Only pods that declare vLLM (${VLLM_API.service}.${VLLM_API.namespace}:${VLLM_API.port}) as their peer may call it (the control plane); its NetworkPolicy and, with the mesh, its AuthorizationPolicy allow nothing else, and it makes no outbound connection (Hugging Face Hub offline, no usage statistics).`,
      evidence: [
        onObject(this.pods.networkPolicy, 'spec.policyTypes', { equals: ['Ingress', 'Egress'] }),
        onObject(d, `${c}.env[2]`, { equals: { name: 'HF_HUB_OFFLINE', value: '1' } }),
        onObject(d, `${c}.env[4]`, { equals: { name: 'VLLM_NO_USAGE_STATS', value: '1' } }),
      ],
    });
    this.claim({
      control: 'cm-7',
      statement: `vLLM loads only safetensors weights (no pickled files, no remote code) and runs non-root with a read-only root filesystem and no capabilities, on ${gpus} GPU(s) of pool ${pool}.`,
      evidence: [
        onObject(d, `${c}.args`, { equals: args }),
        onObject(d, `${c}.securityContext.readOnlyRootFilesystem`, { equals: true }),
        onObject(d, `${c}.securityContext.capabilities.drop`, { equals: ['ALL'] }),
      ],
    });
    this.claim({
      control: 'cm-8',
      statement: `The model ${this.model.name} ${this.model.version} (${this.model.license}, from ${this.model.source}) is in the SBOM as a machine-learning-model component${this.model.digests === 'declared' ? ' with the SHA-256 of each file' : '; its file digests are supplied at install and marked so'}, and the server serves it under that name only.`,
      evidence: [onObject(d, `${c}.args[2]`, { equals: this.model.name })],
    });
    // The verifier's digest (the sovra CLI in the control plane image, Node.js crypto on OpenSSL) is the one crypto this component configures.
    this.addCryptoAsset({
      type: 'algorithm',
      name: 'SHA-256',
      purpose: `Integrity of the weights of ${this.model.name}: each file's digest is checked against the manifest before vLLM starts.`,
      configuredBy: onObject(d, 'spec.template.spec.initContainers[0].args', { equals: verifierArgs }),
      implementation: 'sovra model verify-files (Node.js crypto, OpenSSL)',
      certificationLevel: ['none'],
    });
    this.claim({
      control: 'sr-4',
      statement: `The provenance of ${this.model.name} is recorded once, in the profile: its source ${this.model.source}, version and license, and the digests its bytes are checked against before serving.`,
      evidence: [onObject(d, 'spec.template.spec.initContainers[0].name', { equals: 'verify-weights' })],
      status: this.model.digests === 'declared' ? 'implemented' : 'partial',
    });
  }
}
