/**
 * The control plane service as a workload: Sovra's OpenAI-compatible API
 * gateway, hardened like every other workload, scaled and protected per
 * profile. Its environment is written from the serve contract
 * (contracts/control-plane.ts), the same names `sovra serve` reads, so the
 * Deployment always resolves to a configuration the service accepts.
 */
import type { Construct } from 'constructs';
import {
  CONTROL_PLANE_PATHS,
  CONTROL_PLANE_PORT,
  CONTROL_PLANE_SECRETS,
  MODEL_MOUNT_PATH,
  serveEnv,
} from '../../../contracts/control-plane.js';
import type { ModelDeclaration } from '../../../contracts/model-declaration.js';
import { SovraError } from '../../../core/errors.js';
import { onObject, type Evidence } from '../../kit/claims.js';
import { Component, type ComponentProps } from '../../kit/component.js';
import { imageRef } from '../../kit/image.js';
import { HardenedWorkload, type InitContainer, type WorkloadVolume } from '../../kit/workload.js';
import { builtinLocalModel, controlPlaneImage } from './catalog.js';

/** Namespace of the control plane. */
export const CONTROL_PLANE_NAMESPACE = 'sovra-system';

/** The local tier as the profile chooses it: the model, and the volume and init containers that put it in the pod. */
interface LocalModelPlan {
  readonly model: ModelDeclaration;
  readonly volume: WorkloadVolume;
  readonly init: InitContainer[];
}

/** The control plane workload. */
export class ControlPlane extends Component {
  /** Deployment, Service, ServiceAccount, its pods and (HA) PodDisruptionBudget. */
  readonly workload: HardenedWorkload;

  constructor(scope: Construct, id: string, props: ComponentProps) {
    super(scope, id, props, {
      title: 'Sovra control plane',
      description: 'OpenAI-compatible API gateway of the platform: OIDC authentication, CEL policy, rate limits, a hash-chained audit trail and model routing with failover.',
      layer: 'ai-runtime',
      namespace: CONTROL_PLANE_NAMESPACE,
      version: controlPlaneImage().tag,
      dependsOn: ['cilium'],
    });
    const p = props.profile;
    const settings = p.components['control-plane'];
    const image = this.addImage(controlPlaneImage());
    const local = this.localModel(settings.localModel);
    if (local) this.addModel(local.model);
    const env: Record<string, string> = {
      [serveEnv('host')]: '0.0.0.0',
      [serveEnv('port')]: String(CONTROL_PLANE_PORT),
      [serveEnv('oidc-issuer')]: 'https://keycloak.sovra-identity.svc/realms/sovra',
      [serveEnv('oidc-audience')]: 'sovra-control-plane',
      ...(local ? { [serveEnv('local-model')]: `${MODEL_MOUNT_PATH}/${local.model.file}`, [serveEnv('local-model-sha256')]: local.model.sha256 } : {}),
    };
    const secretEnv = [
      { name: serveEnv(CONTROL_PLANE_SECRETS.database.option), secret: CONTROL_PLANE_SECRETS.database.secret, key: CONTROL_PLANE_SECRETS.database.key, purpose: 'postgres:// URL of the control plane database (audit trail, idempotency keys, RAG).' },
      { name: serveEnv(CONTROL_PLANE_SECRETS.auditKey.option), secret: CONTROL_PLANE_SECRETS.auditKey.secret, key: CONTROL_PLANE_SECRETS.auditKey.key, purpose: 'Ed25519 private key that signs audit checkpoints.' },
    ];
    this.workload = new HardenedWorkload(this, 'Workload', {
      name: 'control-plane',
      image,
      replicas: p.replicas.stateless,
      highAvailability: p.highAvailability,
      ports: [{ name: 'http', port: CONTROL_PLANE_PORT }],
      args: ['serve'],
      env,
      secretEnv,
      resources: { cpu: settings.cpu, memory: settings.memory },
      probes: { liveness: CONTROL_PLANE_PATHS.liveness, readiness: CONTROL_PLANE_PATHS.readiness, port: 'http' },
      ...(local ? { volumes: [local.volume], initContainers: local.init } : {}),
    });
    this.workload.pods.connectsTo({ component: 'nats', pods: 'nats', port: 'client' }, 'the control plane publishes platform events to NATS');
    this.addMetrics({ pods: this.workload.pods, port: 'http', path: CONTROL_PLANE_PATHS.metrics });

    const d = this.workload.deployment;
    const c = 'spec.template.spec.containers[0]';
    this.claim({
      control: 'ac-6',
      statement: 'The control plane runs under its own ServiceAccount with no Kubernetes API token mounted, as a non-root user.',
      evidence: [
        onObject(d, 'spec.template.spec.automountServiceAccountToken', { equals: false }),
        onObject(this.workload.serviceAccount, 'automountServiceAccountToken', { equals: false }),
        onObject(d, 'spec.template.spec.securityContext.runAsNonRoot', { equals: true }),
      ],
    });
    this.claim({
      control: 'cm-7',
      statement: 'The container has a read-only root filesystem, drops every Linux capability and cannot escalate privileges.',
      evidence: [
        onObject(d, `${c}.securityContext.readOnlyRootFilesystem`, { equals: true }),
        onObject(d, `${c}.securityContext.capabilities.drop`, { equals: ['ALL'] }),
        onObject(d, `${c}.securityContext.allowPrivilegeEscalation`, { equals: false }),
      ],
    });
    this.claim({
      control: 'sc-39',
      statement: 'The control plane runs in its own process sandbox with the RuntimeDefault seccomp profile.',
      evidence: [onObject(d, 'spec.template.spec.securityContext.seccompProfile.type', { equals: 'RuntimeDefault' })],
    });
    this.claim({
      control: 'sc-7',
      statement: 'Ingress to the API port and egress from the control plane are limited to the peers the platform declares (DNS and NATS); everything else is denied.',
      evidence: [onObject(this.workload.pods.networkPolicy, 'spec.policyTypes', { equals: ['Ingress', 'Egress'] })],
    });
    this.claim({
      control: 'cm-2',
      statement: image.digest ? 'The control plane image is pinned by digest in the manifest that deploys it.' : 'The control plane image is named by tag; its digest is pinned once the image is built and locked.',
      evidence: [onObject(d, `${c}.image`, { equals: imageRef(image) })],
      status: image.digest ? 'implemented' : 'partial',
    });
    if (local) {
      this.claim({
        control: 'si-7',
        statement: `The local model ${local.model.name} is loaded only if its file has the pinned SHA-256; the service refuses to start otherwise.`,
        evidence: [onObject(d, `${c}.env[${Object.keys(env).sort().indexOf(serveEnv('local-model-sha256'))}]`, { equals: { name: serveEnv('local-model-sha256'), value: local.model.sha256 } })],
      });
    }
    if (this.workload.podDisruptionBudget) {
      this.claim({
        control: 'cp-10',
        statement: `The control plane runs ${p.replicas.stateless} replicas spread over nodes, and a PodDisruptionBudget keeps all but one available during maintenance.`,
        evidence: [onObject(d, 'spec.replicas', { equals: p.replicas.stateless }), onObject(this.workload.podDisruptionBudget, 'spec.minAvailable', { present: true })],
        status: 'partial',
      });
    }
    // The container's env lists plain variables (sorted) first, then those from Secrets (HardenedWorkload).
    const auditEnvName = serveEnv(CONTROL_PLANE_SECRETS.auditKey.option);
    const auditEnv = `${c}.env[${Object.keys(env).length + secretEnv.findIndex((e) => e.name === auditEnvName)}]`;
    const { secret, key } = CONTROL_PLANE_SECRETS.auditKey;
    this.declareCrypto(onObject(d, auditEnv, { equals: { name: auditEnvName, valueFrom: { secretKeyRef: { name: secret, key } } } }), onObject(d, `${c}.image`, { equals: imageRef(image) }));
  }

  /** The model, volume and init container of the local tier, or undefined when the profile has none. */
  private localModel(settings: ComponentProps['profile']['components']['control-plane']['localModel']): LocalModelPlan | undefined {
    if (settings.source === 'none') return undefined;
    if (settings.source === 'builtin') {
      const model = builtinLocalModel();
      const mib = Math.ceil((model.sizeBytes * 1.25) / 2 ** 20) + 1;
      return {
        model,
        volume: { name: 'models', mountPath: MODEL_MOUNT_PATH, source: { emptyDir: { sizeLimit: `${mib}Mi` } } },
        // The control plane image carries the deterministic builder: it writes the file, `serve` checks its digest.
        init: [{ name: 'write-model', args: ['model', 'tiny', '--out', `${MODEL_MOUNT_PATH}/${model.file}`], writes: ['models'], resources: { cpu: '200m', memory: '128Mi' } }],
      };
    }
    const model = settings.declaration as ModelDeclaration;
    if (model.file.includes('/')) throw new SovraError('bad-profile', `components.control-plane.localModel.declaration.file "${model.file}" must be a file name inside the claim, without directories.`);
    return { model, volume: { name: 'models', mountPath: MODEL_MOUNT_PATH, source: { persistentVolumeClaim: { claimName: settings.claimName } } }, init: [] };
  }

  /** The audit trail's Ed25519 checkpoint key and its SHA-256 hash chain (services/audit). */
  private declareCrypto(auditKey: Evidence, image: Evidence): void {
    const implementation = 'Sovra control plane (Node.js crypto, OpenSSL)';
    const { secret, key } = CONTROL_PLANE_SECRETS.auditKey;
    this.addCryptoAsset({ type: 'algorithm', name: 'Ed25519', purpose: 'Signatures on audit checkpoints (chain head at a sequence number).', configuredBy: auditKey, implementation, certificationLevel: ['none'] });
    this.addCryptoAsset({
      type: 'related-crypto-material',
      name: 'Audit checkpoint signing key',
      purpose: 'Ed25519 private key with which the control plane signs audit checkpoints; verifiers hold its public half.',
      configuredBy: auditKey,
      material: { type: 'private-key', algorithm: 'Ed25519', size: 256, format: 'PKCS#8 PEM', secret: { namespace: CONTROL_PLANE_NAMESPACE, name: secret, key } },
      properties: { env: serveEnv(CONTROL_PLANE_SECRETS.auditKey.option) },
    });
    // The hash chain is code of the image, not a setting: the image reference is what configures it.
    this.addCryptoAsset({ type: 'algorithm', name: 'SHA-256', purpose: 'Hash chain of audit records and key ids of checkpoint keys.', configuredBy: image, implementation, certificationLevel: ['none'] });
  }
}
