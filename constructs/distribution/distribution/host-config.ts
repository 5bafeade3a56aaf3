/** Pure builders of the host configuration files of K3s and RKE2. */
import type { Profile } from '../../../profiles/profile.generated.js';
import { sitePrefix, type ImageSpec } from '../../kit/image.js';
import { poolIsServer, poolNodeLabels, poolNodeTaint } from '../../kit/gpu.js';
import type { GpuPool } from '../../../profiles/profile.generated.js';

/** API server audit policy: metadata for everything, full bodies for RBAC and auth changes, nothing for health probes. */
export function auditPolicy(): object {
  return {
    apiVersion: 'audit.k8s.io/v1',
    kind: 'Policy',
    omitStages: ['RequestReceived'],
    rules: [
      { level: 'None', nonResourceURLs: ['/healthz*', '/readyz*', '/livez*', '/version'] },
      { level: 'None', users: ['system:kube-proxy'], verbs: ['watch'], resources: [{ group: '', resources: ['endpoints', 'services', 'services/status'] }] },
      { level: 'Metadata', resources: [{ group: '', resources: ['secrets', 'configmaps', 'serviceaccounts/token'] }, { group: 'authentication.k8s.io', resources: ['tokenreviews'] }] },
      { level: 'RequestResponse', resources: [{ group: 'rbac.authorization.k8s.io' }, { group: 'admissionregistration.k8s.io' }, { group: 'certificates.k8s.io' }] },
      { level: 'Request', verbs: ['create', 'update', 'patch', 'delete', 'deletecollection'] },
      { level: 'Metadata' },
    ],
  };
}

/** Pod Security Admission: restricted everywhere but kube-system (the CNI needs privileges). */
export function podSecurityConfig(): object {
  return {
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'AdmissionConfiguration',
    plugins: [
      {
        name: 'PodSecurity',
        configuration: {
          apiVersion: 'pod-security.admission.config.k8s.io/v1',
          kind: 'PodSecurityConfiguration',
          defaults: { enforce: 'restricted', 'enforce-version': 'v1.30', audit: 'restricted', 'audit-version': 'v1.30', warn: 'restricted', 'warn-version': 'v1.30' },
          exemptions: { usernames: [], runtimeClasses: [], namespaces: ['kube-system'] },
        },
      },
    ],
  };
}

/**
 * containerd mirror configuration: every registry any image comes from is
 * served by `mirror`, where each image lives under its upstream registry's
 * name (`<mirror>/<registry>/<repository>`, see `siteRepository`), so two
 * registries' same-named repositories never meet; K3s/RKE2 `rewrite` maps
 * the pull to that path.
 */
export function registriesConfig(images: readonly ImageSpec[], mirror: string, configDir: string): object {
  const registries = [...new Set(images.map((i) => i.registry))].sort();
  return {
    mirrors: Object.fromEntries(registries.map((r) => [r, { endpoint: [`https://${mirror}`], rewrite: { '^(.*)$': `${sitePrefix(r)}/$1` } }])),
    configs: { [mirror]: { tls: { ca_file: `${configDir}/registry-ca.pem` } } },
  };
}

/** Paths on the node of the files Sovra writes. */
export function installPaths(configDir: string): { config: string; audit: string; podSecurity: string; registries: string; auditLog: string; dataDir: string } {
  const dataDir = configDir.replace('/etc/rancher/', '/var/lib/rancher/');
  return {
    dataDir,
    config: `${configDir}/config.yaml`,
    audit: `${configDir}/audit-policy.yaml`,
    podSecurity: `${configDir}/pod-security.yaml`,
    registries: `${configDir}/registries.yaml`,
    auditLog: `${dataDir}/server/logs/audit.log`,
  };
}

/** Server config.yaml for K3s or RKE2. */
export function serverConfig(profile: Profile, configDir: string): Record<string, unknown> {
  const paths = installPaths(configDir);
  const apiserverArgs = [
    `audit-log-path=${paths.auditLog}`,
    'audit-log-maxage=30',
    'audit-log-maxbackup=10',
    'audit-log-maxsize=100',
    'tls-min-version=VersionTLS13',
    'anonymous-auth=false',
  ];
  // A single-node box whose GPU pool is the server itself: the server carries the pool's labels (never its taint, see poolIsServer).
  const serverPool = (profile.gpu.pools as readonly GpuPool[]).find((pool) => poolIsServer(profile, pool));
  const nodeLabels = ['sovra.dev/role=server', ...(serverPool ? poolNodeLabels(serverPool) : [])];
  const common = {
    'write-kubeconfig-mode': '0600',
    'secrets-encryption': true,
    'protect-kernel-defaults': true,
    'disable-kube-proxy': true,
  };
  if (profile.distribution.kind === 'rke2') {
    return {
      ...common,
      ...(profile.distribution.cisProfile ? { profile: 'cis' } : {}),
      cni: 'none',
      'audit-policy-file': paths.audit,
      'pod-security-admission-config-file': paths.podSecurity,
      'kube-apiserver-arg': apiserverArgs,
      'node-label': nodeLabels,
    };
  }
  return {
    ...common,
    'flannel-backend': 'none',
    'disable-network-policy': true,
    disable: ['traefik', 'servicelb'],
    'kube-apiserver-arg': [`audit-policy-file=${paths.audit}`, `admission-control-config-file=${paths.podSecurity}`, ...apiserverArgs],
    'node-label': nodeLabels,
  };
}

/**
 * Agent config.yaml of the nodes of a dedicated GPU pool: the pool's labels
 * and its NoSchedule taint (only pods that tolerate it, the GPU workloads,
 * land there), the kernel protection of the servers and, on RKE2, its CIS
 * profile. `server` and `token` are the site's: they are added at install
 * (README, "GPU node pools").
 */
export function gpuAgentConfig(profile: Profile, pool: GpuPool): Record<string, unknown> {
  return {
    ...(profile.distribution.kind === 'rke2' && profile.distribution.cisProfile ? { profile: 'cis' } : {}),
    'protect-kernel-defaults': true,
    'node-label': ['sovra.dev/role=gpu', ...poolNodeLabels(pool)],
    'node-taint': [poolNodeTaint(pool)],
  };
}
