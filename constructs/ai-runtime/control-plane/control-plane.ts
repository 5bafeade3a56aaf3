/**
 * The control plane service as a workload: Sovra's OpenAI-compatible API
 * gateway, hardened like every other workload, scaled and protected per
 * profile.
 */
import type { Construct } from 'constructs';
import { onObject, type Evidence } from '../../kit/claims.js';
import { Component, type ComponentProps } from '../../kit/component.js';
import { imageRef } from '../../kit/image.js';
import { HardenedWorkload } from '../../kit/workload.js';
import { NATS_CLIENT_PORT, NATS_NAMESPACE, NATS_POD_LABELS } from '../../data/nats/nats.js';
import { CONTROL_PLANE_IMAGE } from './catalog.js';

/** Namespace of the control plane. */
export const CONTROL_PLANE_NAMESPACE = 'sovra-system';
/** HTTP port of the API. */
export const CONTROL_PLANE_PORT = 8080;

/** The Secret key that holds the Ed25519 key signing audit checkpoints, and the variable that passes it (services/server/config.ts). */
export const AUDIT_KEY = { env: 'SOVRA_AUDIT_KEY', secret: 'control-plane-audit-key', key: 'key.pem' } as const;

/** The control plane workload. */
export class ControlPlane extends Component {
  /** Deployment, Service, ServiceAccount, NetworkPolicy and (HA) PodDisruptionBudget. */
  readonly workload: HardenedWorkload;

  constructor(scope: Construct, id: string, props: ComponentProps) {
    super(scope, id, props, {
      title: 'Sovra control plane',
      description: 'OpenAI-compatible API gateway of the platform: OIDC authentication, CEL policy, rate limits, a hash-chained audit trail and model routing with failover.',
      layer: 'ai-runtime',
      namespace: CONTROL_PLANE_NAMESPACE,
      version: CONTROL_PLANE_IMAGE.tag,
      dependsOn: ['cilium', 'nats'],
    });
    const p = props.profile;
    const image = this.addImage(CONTROL_PLANE_IMAGE);
    const env = {
      HOST: '0.0.0.0',
      PORT: String(CONTROL_PLANE_PORT),
      SOVRA_OIDC_ISSUER: 'https://keycloak.sovra-identity.svc/realms/sovra',
      SOVRA_OIDC_AUDIENCE: 'sovra-control-plane',
      SOVRA_PROFILE: p.name,
    };
    const secretEnv = [
      { name: 'DATABASE_URL', secret: 'control-plane-database', key: 'url' },
      { name: AUDIT_KEY.env, secret: AUDIT_KEY.secret, key: AUDIT_KEY.key },
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
      resources: { cpu: p.controlPlane.cpu, memory: p.controlPlane.memory },
      probes: { liveness: '/healthz', readiness: '/readyz', port: 'http' },
      ingress: [{ namespace: 'sovra-gateway', ports: [CONTROL_PLANE_PORT] }],
      egress: [{ namespace: NATS_NAMESPACE, podLabels: NATS_POD_LABELS, ports: [NATS_CLIENT_PORT] }],
    });
    for (const obj of [this.workload.serviceAccount, this.workload.deployment, this.workload.service, this.workload.networkPolicy, this.workload.podDisruptionBudget]) {
      if (obj) this.inNamespace(obj);
    }
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
      statement: 'Only the gateway namespace may reach the API port; the control plane may reach only DNS and NATS.',
      evidence: [onObject(this.workload.networkPolicy, 'spec.policyTypes', { equals: ['Ingress', 'Egress'] })],
    });
    this.claim({
      control: 'cm-2',
      statement: 'The control plane image is pinned by digest in the manifest that deploys it.',
      evidence: [onObject(d, `${c}.image`, { equals: imageRef(image) })],
      status: image.digest ? 'implemented' : 'partial',
    });
    if (this.workload.podDisruptionBudget) {
      this.claim({
        control: 'cp-10',
        statement: `The control plane runs ${p.replicas.stateless} replicas spread over nodes, and a PodDisruptionBudget keeps all but one available during maintenance.`,
        evidence: [onObject(d, 'spec.replicas', { equals: p.replicas.stateless }), onObject(this.workload.podDisruptionBudget, 'spec.minAvailable', { present: true })],
        status: 'partial',
      });
    }
    // The container's env lists plain variables (sorted) first, then those from Secrets (HardenedWorkload).
    const auditEnv = `${c}.env[${Object.keys(env).length + secretEnv.findIndex((e) => e.name === AUDIT_KEY.env)}]`;
    this.declareCrypto(onObject(d, auditEnv, { equals: { name: AUDIT_KEY.env, valueFrom: { secretKeyRef: { name: AUDIT_KEY.secret, key: AUDIT_KEY.key } } } }), onObject(d, `${c}.image`, { equals: imageRef(image) }));
  }

  /** The audit trail's Ed25519 checkpoint key and its SHA-256 hash chain (services/audit). */
  private declareCrypto(auditKey: Evidence, image: Evidence): void {
    const implementation = 'Sovra control plane (Node.js crypto, OpenSSL)';
    this.addCryptoAsset({ type: 'algorithm', name: 'Ed25519', purpose: 'Signatures on audit checkpoints (chain head at a sequence number).', configuredBy: auditKey, implementation, certificationLevel: ['none'] });
    this.addCryptoAsset({
      type: 'related-crypto-material',
      name: 'Audit checkpoint signing key',
      purpose: 'Ed25519 private key with which the control plane signs audit checkpoints; verifiers hold its public half.',
      configuredBy: auditKey,
      material: { type: 'private-key', algorithm: 'Ed25519', size: 256, format: 'PKCS#8 PEM', secret: { namespace: CONTROL_PLANE_NAMESPACE, name: AUDIT_KEY.secret, key: AUDIT_KEY.key } },
      properties: { env: AUDIT_KEY.env },
    });
    // The hash chain is code of the pinned image, not a setting: the image reference is what configures it.
    this.addCryptoAsset({ type: 'algorithm', name: 'SHA-256', purpose: 'Hash chain of audit records and key ids of checkpoint keys.', configuredBy: image, implementation, certificationLevel: ['none'] });
  }
}
