/**
 * The Kubernetes distribution: K3s (dev, edge) or RKE2 (cluster) host
 * configuration: server config with secrets encryption and kernel
 * protection (and RKE2's CIS profile), the API server audit policy, Pod
 * Security Admission restricted by default, and for air-gapped sites a
 * containerd mirror for every image the platform runs.
 */
import type { Construct } from 'constructs';
import { SovraError } from '../../../core/errors.js';
import { toYaml } from '../../../core/yaml.js';
import { onHostFile } from '../../kit/claims.js';
import { tls13Assets, type AlgorithmName, type CertificationLevel } from '../../kit/crypto.js';
import { Component, type ComponentProps } from '../../kit/component.js';
import { DISTRIBUTIONS, RKE2_FIPS_MODULE } from './catalog.js';
import { auditPolicy, gpuAgentConfig, installPaths, podSecurityConfig, registriesConfig, serverConfig } from './host-config.js';
import { poolIsServer, poolNodeTaint } from '../../kit/gpu.js';
import type { GpuPool } from '../../../profiles/profile.generated.js';

/** Host config files, relative to the output root. */
export const HOST_FILES = {
  config: 'host/config.yaml',
  audit: 'host/audit-policy.yaml',
  podSecurity: 'host/pod-security.yaml',
  registries: 'host/registries.yaml',
} as const;

/** Agent config of the nodes of a dedicated GPU pool, relative to the output root. */
export function gpuPoolHostFile(pool: GpuPool): string {
  return `host/gpu-${pool.name}/config.yaml`;
}

/** K3s or RKE2 host configuration. */
export class Distribution extends Component {
  constructor(scope: Construct, id: string, props: ComponentProps) {
    const p = props.profile;
    const dist = DISTRIBUTIONS[p.distribution.kind];
    super(scope, id, props, {
      title: p.distribution.kind === 'rke2' ? 'RKE2' : 'K3s',
      description: `${p.distribution.kind === 'rke2' ? 'RKE2' : 'K3s'} ${dist.version} (Kubernetes ${dist.kubernetes}) on ${p.distribution.nodes} server node(s), with secrets encryption, API server audit logging and restricted Pod Security.`,
      layer: 'distribution',
      namespace: 'kube-system',
      version: dist.version,
    });
    if (p.distribution.kind === 'k3s' && (p.distribution.cisProfile || p.distribution.fips)) {
      throw new SovraError('bad-profile', `profile "${p.name}": distribution.cisProfile and distribution.fips need RKE2; set distribution.kind to "rke2" or turn them off.`);
    }
    if (p.airGapped && !p.images.registryMirror) {
      throw new SovraError('bad-profile', `profile "${p.name}": airGapped is true but images.registryMirror is not set; name the host[:port] of the registry that serves the bundle's images.`);
    }
    const paths = installPaths(dist.configDir);
    const strip = (f: string) => f.replace(/^host\//, '');
    this.addHostFile({ path: strip(HOST_FILES.config), installPath: paths.config, content: toYaml(serverConfig(p, dist.configDir)) });
    this.addHostFile({ path: strip(HOST_FILES.audit), installPath: paths.audit, content: toYaml(auditPolicy()) });
    this.addHostFile({ path: strip(HOST_FILES.podSecurity), installPath: paths.podSecurity, content: toYaml(podSecurityConfig()) });
    // One agent config per dedicated GPU pool: its nodes' role differs from the servers' (labels, taint).
    for (const pool of (p.gpu.pools as readonly GpuPool[]).filter((pool) => !poolIsServer(p, pool))) {
      this.addHostFile({ path: strip(gpuPoolHostFile(pool)), installPath: paths.config, content: toYaml(gpuAgentConfig(p, pool)) });
      this.claim({
        control: 'cm-7',
        statement: `The nodes of GPU pool ${pool.name} (${pool.nodes} × ${pool.gpusPerNode} ${pool.product}) are tainted NoSchedule: only pods that tolerate the pool's taint (the model servers that request its GPUs) run there.`,
        evidence: [onHostFile(gpuPoolHostFile(pool), 'node-taint', { contains: poolNodeTaint(pool) })],
      });
    }
    const mirror = p.images.registryMirror;
    if (mirror) {
      this.addHostFile({ path: strip(HOST_FILES.registries), installPath: paths.registries, content: () => toYaml(registriesConfig(this.platform.images(), mirror, dist.configDir)) });
    }

    const auditArg = p.distribution.kind === 'rke2' ? { path: 'audit-policy-file', value: paths.audit } : { path: 'kube-apiserver-arg', value: `audit-policy-file=${paths.audit}` };
    // AU-2: the rules of the audit policy that log the named events, each as written (one source: auditPolicy()).
    const rules = (auditPolicy() as { rules: unknown[] }).rules;
    const rule = (i: number) => onHostFile(HOST_FILES.audit, `rules[${i}]`, { equals: rules[i] });
    this.claim({
      control: 'au-2',
      statement:
        'The API server logs every request at Metadata level or above (who, what, when, outcome); requests to Secrets, ConfigMaps, service account tokens and token reviews at Metadata only, so no secret value reaches the log; every create, update, patch and delete with its request body; and RBAC, admission webhook and certificate changes with request and response. Health and version probes are not logged.',
      evidence: [
        rule(0),
        rule(2),
        rule(3),
        rule(4),
        rule(5),
        auditArg.path === 'audit-policy-file'
          ? onHostFile(HOST_FILES.config, auditArg.path, { equals: auditArg.value })
          : onHostFile(HOST_FILES.config, auditArg.path, { contains: auditArg.value }),
      ],
      parameters: {
        'au-2_prm_1': 'every Kubernetes API request (Metadata level); create, update, patch and delete with request bodies; RBAC, admission and certificate changes with request and response; never Secret or ConfigMap contents',
      },
    });
    // The node's log collector (component logs) ships the audit log off the node.
    this.declareAuditLog({ kind: 'node-file', service: 'kube-apiserver', path: paths.auditLog, format: 'json', nodes: 'servers' });
    this.claim({
      control: 'au-12',
      statement: 'Audit records are written by the API server to a rotated log on each server node (30 days, 10 files of 100 MB).',
      evidence: [onHostFile(HOST_FILES.config, 'kube-apiserver-arg', { contains: `audit-log-path=${paths.auditLog}` })],
    });
    this.claim({
      control: 'sc-28',
      statement: 'Kubernetes Secrets are encrypted at rest in the datastore.',
      evidence: [onHostFile(HOST_FILES.config, 'secrets-encryption', { equals: true })],
    });
    this.claim({
      control: 'ac-6',
      statement: 'Pod Security Admission enforces the restricted profile in every namespace but kube-system.',
      evidence: [
        onHostFile(HOST_FILES.podSecurity, 'plugins[0].configuration.defaults.enforce', { equals: 'restricted' }),
        onHostFile(HOST_FILES.podSecurity, 'plugins[0].configuration.exemptions.namespaces', { equals: ['kube-system'] }),
      ],
    });
    this.claim({
      control: 'sc-8',
      statement: 'The API server accepts only TLS 1.3 and no anonymous requests.',
      evidence: [
        onHostFile(HOST_FILES.config, 'kube-apiserver-arg', { contains: 'tls-min-version=VersionTLS13' }),
        onHostFile(HOST_FILES.config, 'kube-apiserver-arg', { contains: 'anonymous-auth=false' }),
      ],
    });
    this.claim({
      control: 'cm-6',
      statement:
        p.distribution.kind === 'rke2' && p.distribution.cisProfile
          ? 'RKE2 runs with its CIS hardening profile and refuses to start when kernel parameters differ from the hardened defaults.'
          : 'The kubelet refuses to start when kernel parameters differ from the hardened defaults.',
      evidence: [
        onHostFile(HOST_FILES.config, 'protect-kernel-defaults', { equals: true }),
        ...(p.distribution.kind === 'rke2' && p.distribution.cisProfile ? [onHostFile(HOST_FILES.config, 'profile', { equals: 'cis' })] : []),
      ],
    });
    this.declareCrypto(p.distribution.kind, paths.dataDir);
  }

  /**
   * API server TLS 1.3 and Secrets encryption at rest. RKE2's binaries carry
   * the FIPS module (AES and SHA-2 inside it; ChaCha20-Poly1305 is not a
   * FIPS-approved algorithm and comes from outside it); K3s uses plain Go.
   */
  private declareCrypto(kind: 'k3s' | 'rke2', dataDir: string): void {
    const title = kind === 'rke2' ? 'RKE2' : 'K3s';
    const implementation = kind === 'rke2' ? `kube-apiserver (${title}, ${RKE2_FIPS_MODULE.name})` : `kube-apiserver (${title}, Go crypto)`;
    const certification = (a: AlgorithmName): readonly CertificationLevel[] => (kind === 'rke2' && a !== 'ChaCha20-Poly1305' ? [RKE2_FIPS_MODULE.certificationLevel] : ['none']);
    for (const asset of tls13Assets({
      name: 'TLS 1.3 (Kubernetes API server)',
      purpose: 'Every connection to the Kubernetes API server.',
      configuredBy: onHostFile(HOST_FILES.config, 'kube-apiserver-arg', { contains: 'tls-min-version=VersionTLS13' }),
      implementation,
      certification,
    })) {
      this.addCryptoAsset(asset);
    }
    // `secrets-encryption: true` makes the server generate a 32-byte key and an
    // EncryptionConfiguration with the aescbc provider, the default of both K3s and RKE2.
    const secretsEncryption = onHostFile(HOST_FILES.config, 'secrets-encryption', { equals: true });
    this.addCryptoAsset({
      type: 'algorithm',
      name: 'AES-256-CBC',
      purpose: 'Encryption of Kubernetes Secrets at rest in the datastore (aescbc provider).',
      configuredBy: secretsEncryption,
      implementation,
      certificationLevel: certification('AES-256-CBC'),
    });
    this.addCryptoAsset({
      type: 'related-crypto-material',
      name: 'Kubernetes Secrets encryption key',
      purpose: `Key of the aescbc provider that encrypts Secrets at rest; generated by ${title} on first start.`,
      configuredBy: secretsEncryption,
      material: { type: 'secret-key', algorithm: 'AES-256-CBC', size: 256, nodePath: `${dataDir}/server/cred/encryption-config.json` },
      properties: { provider: 'aescbc' },
    });
  }
}
