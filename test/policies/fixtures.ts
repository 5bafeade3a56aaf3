/**
 * Fixtures of every rule: objects that must pass and objects that must
 * fail, each judged by both CEL implementations (test/policies/rules.test.ts).
 * Every fixture starts from one compliant workload (or Service, Secret…)
 * and changes what the rule is about, so a fixture that passes shows the
 * rule does not over-reach and one that fails shows it bites.
 */
import type { PolicyParamsObject } from '../../policies/params.js';

/** One fixture. */
export interface Fixture {
  readonly rule: string;
  readonly name: string;
  readonly object: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  readonly expect: 'pass' | 'fail' | 'not-applicable';
  /** A substring of the failure's detail (the message expression). */
  readonly detail?: string;
  readonly params?: PolicyParamsObject;
}

const DIGEST = `@sha256:${'a'.repeat(64)}`;

/** Sovra's labels for the fixtures' profile. */
export const SOVRA_LABELS = { 'app.kubernetes.io/part-of': 'sovra', 'app.kubernetes.io/component': 'app', 'app.kubernetes.io/managed-by': 'sovra', 'sovra.dev/profile': 'edge' };

/** The parameters fixtures are judged with unless they bring their own. */
export const PARAMS: PolicyParamsObject = {
  data: {
    profile: 'edge',
    requireDigest: 'true',
    allowedRegistries: 'docker.io quay.io registry.sovra.local:5000',
    unlockedImages: 'docker.io/library/nats:2.12.2-alpine',
    defaultDenyNamespaces: 'sovra-messaging sovra-system',
    gatewayNamespaces: 'istio-system',
    mesh: 'istio',
    meshRootNamespace: 'istio-system',
    gpuPools: 'inference',
    producedSecrets: 'sovra-system/db sovra-system/tls',
    releases: 'nats',
  },
};

/** Parameters with some keys replaced. */
export function params(data: Record<string, string>): PolicyParamsObject {
  return { data: { ...PARAMS.data, ...data } };
}

/** A Deployment that meets every rule. */
export function goodDeployment(): Record<string, any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'app', namespace: 'sovra-system', labels: { ...SOVRA_LABELS } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'app' } },
      template: {
        metadata: { labels: { app: 'app' } },
        spec: {
          serviceAccountName: 'app',
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } },
          initContainers: [
            {
              name: 'init',
              image: `quay.io/sovra/app:1${DIGEST}`,
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '100m', memory: '64Mi' } },
            },
          ],
          containers: [
            {
              name: 'app',
              image: `quay.io/sovra/app${DIGEST}`,
              ports: [{ name: 'http', containerPort: 8080 }],
              env: [{ name: 'DB', valueFrom: { secretKeyRef: { name: 'db', key: 'url' } } }, { name: 'OPT', valueFrom: { secretKeyRef: { name: 'maybe', key: 'k', optional: true } } }],
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } },
              resources: { requests: { cpu: '500m', memory: '256Mi' }, limits: { cpu: 1, memory: '0.25Gi' } },
            },
          ],
          volumes: [
            { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
            { name: 'tls', secret: { secretName: 'tls' } },
          ],
        },
      },
    },
  };
}

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A good Deployment changed by `f`. */
function dep(f: (o: Obj, pod: Obj, c: Obj) => void): Obj {
  const o = goodDeployment();
  const pod = o.spec.template.spec;
  f(o, pod, pod.containers[0]);
  return o;
}

/** The good Deployment's pod as another workload kind. */
function asKind(kind: 'Pod' | 'CronJob' | 'StatefulSet' | 'Job' | 'DaemonSet', f: (pod: Obj) => void = () => {}): Obj {
  const d = goodDeployment();
  const pod = d.spec.template.spec;
  f(pod);
  if (kind === 'Pod') return { apiVersion: 'v1', kind, metadata: d.metadata, spec: pod };
  if (kind === 'CronJob') return { apiVersion: 'batch/v1', kind, metadata: d.metadata, spec: { schedule: '0 * * * *', jobTemplate: { spec: { template: { spec: pod } } } } };
  return { apiVersion: kind === 'Job' ? 'batch/v1' : 'apps/v1', kind, metadata: d.metadata, spec: { selector: d.spec.selector, template: d.spec.template } };
}

function obj(apiVersion: string, kind: string, name: string, namespace: string | undefined, rest: Obj): Obj {
  return { apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}), labels: { ...SOVRA_LABELS } }, ...rest };
}

/** A CloudNativePG Cluster running `imageName`. */
function cnpgCluster(imageName: string): Obj {
  return obj('postgresql.cnpg.io/v1', 'Cluster', 'db', 'sovra-system', { spec: { instances: 1, imageName, storage: { size: '1Gi' } } });
}

function ns(name: string, level: string): Obj {
  const o = obj('v1', 'Namespace', name, undefined, {});
  o.metadata.labels['pod-security.kubernetes.io/enforce'] = level;
  return o;
}

const pass = (rule: string, name: string, object: Obj, extra: Partial<Fixture> = {}): Fixture => ({ rule, name, object, expect: 'pass', ...extra });
const fail = (rule: string, name: string, object: Obj, detail?: string, extra: Partial<Fixture> = {}): Fixture => ({ rule, name, object, expect: 'fail', ...(detail ? { detail } : {}), ...extra });

/** Every fixture. */
export const FIXTURES: readonly Fixture[] = [
  // pod-security/privileged
  pass('pod-security/privileged', 'no container privileged', goodDeployment()),
  pass('pod-security/privileged', 'privileged: false said out loud', dep((_, __, c) => (c.securityContext.privileged = false))),
  fail('pod-security/privileged', 'a privileged init container', dep((_, p) => (p.initContainers[0].securityContext.privileged = true)), 'init'),
  fail('pod-security/privileged', 'a privileged container of a DaemonSet', asKind('DaemonSet', (p) => (p.containers[0].securityContext.privileged = true)), 'app'),

  // pod-security/host-namespaces
  pass('pod-security/host-namespaces', 'own namespaces', goodDeployment()),
  pass('pod-security/host-namespaces', 'hostNetwork: false', dep((_, p) => (p.hostNetwork = false))),
  fail('pod-security/host-namespaces', 'host network and PID', dep((_, p) => ((p.hostNetwork = true), (p.hostPID = true))), 'hostNetwork, hostPID'),
  fail('pod-security/host-namespaces', 'host IPC in a CronJob', asKind('CronJob', (p) => (p.hostIPC = true)), 'hostIPC'),

  // pod-security/host-ports
  pass('pod-security/host-ports', 'container ports only', goodDeployment()),
  pass('pod-security/host-ports', 'hostPort 0 means none', dep((_, __, c) => (c.ports[0].hostPort = 0))),
  fail('pod-security/host-ports', 'a host port', dep((_, __, c) => (c.ports[0].hostPort = 8080)), 'app'),

  // pod-security/privilege-escalation
  pass('pod-security/privilege-escalation', 'false everywhere', goodDeployment()),
  fail('pod-security/privilege-escalation', 'unset on the init container', dep((_, p) => delete p.initContainers[0].securityContext.allowPrivilegeEscalation), 'init'),
  fail('pod-security/privilege-escalation', 'true on the container', dep((_, __, c) => (c.securityContext.allowPrivilegeEscalation = true)), 'app'),

  // pod-security/run-as-non-root
  pass('pod-security/run-as-non-root', 'pod-level runAsNonRoot', goodDeployment()),
  pass('pod-security/run-as-non-root', 'container-level runAsNonRoot only', dep((_, p) => {
    delete p.securityContext.runAsNonRoot;
    p.initContainers[0].securityContext.runAsNonRoot = true;
    p.containers[0].securityContext.runAsNonRoot = true;
  })),
  fail('pod-security/run-as-non-root', 'nothing says non-root', dep((_, p) => delete p.securityContext.runAsNonRoot), 'init, app'),
  fail('pod-security/run-as-non-root', 'a container overrides with false', dep((_, __, c) => (c.securityContext.runAsNonRoot = false)), 'app'),
  fail('pod-security/run-as-non-root', 'the pod pins uid 0', dep((_, p) => (p.securityContext.runAsUser = 0)), 'runAsUser 0'),
  fail('pod-security/run-as-non-root', 'a container pins uid 0', asKind('Pod', (p) => (p.containers[0].securityContext.runAsUser = 0)), 'app'),

  // pod-security/capabilities
  pass('pod-security/capabilities', 'drop ALL, add NET_BIND_SERVICE', goodDeployment()),
  fail('pod-security/capabilities', 'no drop', dep((_, p) => delete p.initContainers[0].securityContext.capabilities), 'init'),
  fail('pod-security/capabilities', 'adds NET_ADMIN', dep((_, __, c) => c.securityContext.capabilities.add.push('NET_ADMIN')), 'app'),

  // pod-security/seccomp
  pass('pod-security/seccomp', 'pod-level RuntimeDefault', goodDeployment()),
  pass('pod-security/seccomp', 'container-level Localhost', dep((_, p) => {
    delete p.securityContext.seccompProfile;
    for (const c of [...p.initContainers, ...p.containers]) c.securityContext.seccompProfile = { type: 'Localhost', localhostProfile: 'x.json' };
  })),
  fail('pod-security/seccomp', 'a container opts out with Unconfined', dep((_, __, c) => (c.securityContext.seccompProfile = { type: 'Unconfined' })), 'app'),
  fail('pod-security/seccomp', 'no profile at all', dep((_, p) => delete p.securityContext.seccompProfile), 'init, app'),

  // pod-security/volume-types
  pass('pod-security/volume-types', 'emptyDir and secret', goodDeployment()),
  pass('pod-security/volume-types', 'no volumes', dep((_, p) => delete p.volumes)),
  fail('pod-security/volume-types', 'hostPath', dep((_, p) => p.volumes.push({ name: 'root', hostPath: { path: '/' } })), 'root'),

  // pod-security/read-only-root-fs
  pass('pod-security/read-only-root-fs', 'read-only everywhere', goodDeployment()),
  fail('pod-security/read-only-root-fs', 'writable main container', dep((_, __, c) => (c.securityContext.readOnlyRootFilesystem = false)), 'app'),
  fail('pod-security/read-only-root-fs', 'unset on a StatefulSet init container', asKind('StatefulSet', (p) => delete p.initContainers[0].securityContext.readOnlyRootFilesystem), 'init'),

  // pod-security/service-account-token
  pass('pod-security/service-account-token', 'automount false', goodDeployment()),
  fail('pod-security/service-account-token', 'unset (the ServiceAccount decides, usually true)', dep((_, p) => delete p.automountServiceAccountToken)),
  fail('pod-security/service-account-token', 'true in a Job', asKind('Job', (p) => (p.automountServiceAccountToken = true))),

  // pod-security/own-service-account
  pass('pod-security/own-service-account', 'its own', goodDeployment()),
  fail('pod-security/own-service-account', 'default', dep((_, p) => (p.serviceAccountName = 'default'))),
  fail('pod-security/own-service-account', 'none named', dep((_, p) => delete p.serviceAccountName)),

  // pod-security/resources
  pass('pod-security/resources', 'requests below limits, 0.25Gi equals 256Mi', goodDeployment()),
  fail('pod-security/resources', 'no memory limit', dep((_, __, c) => delete c.resources.limits.memory), 'app'),
  fail('pod-security/resources', 'request above limit', dep((_, p) => (p.initContainers[0].resources.requests.cpu = '200m')), 'init'),
  fail('pod-security/resources', 'not a quantity', dep((_, __, c) => (c.resources.limits.cpu = 'lots')), 'app'),
  fail('pod-security/resources', 'no resources', dep((_, __, c) => delete c.resources), 'app'),

  // pod-security/namespace-restricted
  pass('pod-security/namespace-restricted', 'restricted', ns('sovra-system', 'restricted')),
  fail('pod-security/namespace-restricted', 'privileged', ns('gpu', 'privileged'), 'privileged'),
  fail('pod-security/namespace-restricted', 'no label', obj('v1', 'Namespace', 'plain', undefined, {}), 'not set'),
  {
    rule: 'pod-security/namespace-restricted',
    name: 'not a namespace',
    object: goodDeployment(),
    expect: 'not-applicable',
  },

  // images/pinned-by-digest
  pass('images/pinned-by-digest', 'every image by digest', goodDeployment()),
  pass('images/pinned-by-digest', 'a declared unlocked catalog image by its short name', dep((_, __, c) => (c.image = 'nats:2.12.2-alpine'))),
  pass('images/pinned-by-digest', 'tags allowed (dev)', dep((_, __, c) => (c.image = 'quay.io/sovra/app:latest')), { params: params({ requireDigest: 'false' }) }),
  fail('images/pinned-by-digest', 'a tag no catalog declares', dep((_, __, c) => (c.image = 'quay.io/sovra/app:latest')), 'quay.io/sovra/app:latest'),
  fail('images/pinned-by-digest', 'a digest that is not sha256 hex', dep((_, p) => (p.initContainers[0].image = 'quay.io/sovra/app@sha256:xyz')), 'quay.io/sovra/app@sha256:xyz'),

  // An operand image: CloudNativePG's Cluster names the image its PostgreSQL instances run (spec.imageName).
  pass('images/pinned-by-digest', "a database Cluster's image by digest", cnpgCluster(`quay.io/sovra/postgresql${DIGEST}`)),
  fail('images/pinned-by-digest', "a database Cluster's image by a tag no catalog declares (a site's override the lock does not pin)", cnpgCluster('registry.example.org/sovra/postgresql-pgvector:16.4'), 'registry.example.org/sovra/postgresql-pgvector:16.4'),

  // images/locked
  pass('images/locked', 'every image by digest', goodDeployment()),
  pass('images/locked', 'tags allowed (dev)', dep((_, __, c) => (c.image = 'nats:2.12.2-alpine')), { params: params({ requireDigest: 'false' }) }),
  fail('images/locked', 'a declared image still unlocked', dep((_, __, c) => (c.image = 'nats:2.12.2-alpine')), 'docker.io/library/nats:2.12.2-alpine'),
  fail('images/locked', "a database Cluster's declared image still unlocked", cnpgCluster('nats:2.12.2-alpine'), 'docker.io/library/nats:2.12.2-alpine'),

  // images/allowed-registries
  pass('images/allowed-registries', 'quay.io', goodDeployment()),
  pass('images/allowed-registries', 'the mirror', dep((_, __, c) => (c.image = `registry.sovra.local:5000/sovra/app${DIGEST}`))),
  pass('images/allowed-registries', 'a Docker Hub short name where docker.io is allowed', dep((_, __, c) => (c.image = 'busybox'))),
  fail('images/allowed-registries', 'another registry', dep((_, __, c) => (c.image = `ghcr.io/evil/app${DIGEST}`)), 'ghcr.io/evil/app'),
  fail('images/allowed-registries', 'a short name when Docker Hub is not allowed', dep((_, __, c) => (c.image = 'busybox')), 'docker.io/library/busybox', { params: params({ allowedRegistries: 'quay.io' }) }),
  fail('images/allowed-registries', "a database Cluster's image from another registry", cnpgCluster(`ghcr.io/evil/postgresql${DIGEST}`), 'ghcr.io/evil/postgresql'),
  fail('images/allowed-registries', 'a look-alike registry', dep((_, __, c) => (c.image = `quay.io.evil.example/sovra/app${DIGEST}`)), 'quay.io.evil.example'),

  // network/default-deny
  pass('network/default-deny', 'a covered namespace', goodDeployment()),
  fail('network/default-deny', 'an uncovered namespace', dep((o) => (o.metadata.namespace = 'kube-system')), 'kube-system'),

  // network/service-exposure
  pass('network/service-exposure', 'ClusterIP', obj('v1', 'Service', 'app', 'sovra-system', { spec: { type: 'ClusterIP', ports: [{ port: 80 }] } })),
  pass('network/service-exposure', 'no type (ClusterIP)', obj('v1', 'Service', 'app', 'sovra-system', { spec: { ports: [{ port: 80 }] } })),
  pass('network/service-exposure', 'LoadBalancer of the gateway', obj('v1', 'Service', 'gw', 'istio-system', { spec: { type: 'LoadBalancer', ports: [{ port: 443 }] } })),
  fail('network/service-exposure', 'NodePort elsewhere', obj('v1', 'Service', 'app', 'sovra-system', { spec: { type: 'NodePort', ports: [{ port: 80 }] } }), 'NodePort'),
  fail('network/service-exposure', 'LoadBalancer without a gateway component', obj('v1', 'Service', 'gw', 'istio-system', { spec: { type: 'LoadBalancer' } }), 'LoadBalancer', { params: params({ gatewayNamespaces: '' }) }),

  // mesh/strict-mtls
  pass('mesh/strict-mtls', 'mesh-wide STRICT', obj('security.istio.io/v1', 'PeerAuthentication', 'default', 'istio-system', { spec: { mtls: { mode: 'STRICT' } } })),
  pass('mesh/strict-mtls', 'a namespace inherits', obj('security.istio.io/v1', 'PeerAuthentication', 'default', 'sovra-system', { spec: {} })),
  pass('mesh/strict-mtls', 'no mesh: nothing is checked', obj('security.istio.io/v1', 'PeerAuthentication', 'x', 'sovra-system', { spec: { mtls: { mode: 'DISABLE' } } }), { params: params({ mesh: 'none', meshRootNamespace: '' }) }),
  fail('mesh/strict-mtls', 'PERMISSIVE in a namespace', obj('security.istio.io/v1', 'PeerAuthentication', 'default', 'sovra-system', { spec: { mtls: { mode: 'PERMISSIVE' } } }), 'PERMISSIVE'),
  fail('mesh/strict-mtls', 'mesh-wide left UNSET', obj('security.istio.io/v1', 'PeerAuthentication', 'default', 'istio-system', { spec: {} }), 'must be STRICT'),
  fail('mesh/strict-mtls', 'a port opened to plain text', obj('security.istio.io/v1', 'PeerAuthentication', 'app', 'sovra-system', { spec: { selector: { matchLabels: { app: 'x' } }, mtls: { mode: 'STRICT' }, portLevelMtls: { '8080': { mode: 'DISABLE' } } } }), 'port-level'),

  // mesh/destination-mtls
  pass('mesh/destination-mtls', 'ISTIO_MUTUAL', obj('networking.istio.io/v1', 'DestinationRule', 'app', 'sovra-system', { spec: { host: 'app.sovra-system.svc.cluster.local', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } } })),
  pass('mesh/destination-mtls', 'no TLS setting (auto mTLS)', obj('networking.istio.io/v1', 'DestinationRule', 'app', 'sovra-system', { spec: { host: 'app' } })),
  {
    rule: 'mesh/destination-mtls',
    name: 'an external host is not judged',
    object: obj('networking.istio.io/v1', 'DestinationRule', 'ext', 'sovra-system', { spec: { host: 'api.example.com', trafficPolicy: { tls: { mode: 'SIMPLE' } } } }),
    expect: 'not-applicable',
  },
  fail('mesh/destination-mtls', 'plain text to a Service', obj('networking.istio.io/v1', 'DestinationRule', 'app', 'sovra-system', { spec: { host: 'app.sovra-system.svc', trafficPolicy: { tls: { mode: 'DISABLE' } } } }), 'app.sovra-system.svc'),
  fail('mesh/destination-mtls', 'SIMPLE on one port', obj('networking.istio.io/v1', 'DestinationRule', 'app', 'sovra-system', { spec: { host: 'app', trafficPolicy: { portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'SIMPLE' } }] } } }), 'port-level'),

  // secrets/no-literal-data
  pass('secrets/no-literal-data', 'no data', obj('v1', 'Secret', 'x', 'sovra-system', { type: 'Opaque' })),
  pass('secrets/no-literal-data', 'empty data', obj('v1', 'Secret', 'x', 'sovra-system', { data: {} })),
  fail('secrets/no-literal-data', 'a value in data', obj('v1', 'Secret', 'x', 'sovra-system', { data: { password: 'aHVudGVyMg==' } }), 'password'),
  fail('secrets/no-literal-data', 'a value in stringData', obj('v1', 'Secret', 'x', 'sovra-system', { stringData: { token: 't' } }), 'token'),

  // secrets/produced
  pass('secrets/produced', 'env and volume Secrets are produced; the optional one need not be', goodDeployment()),
  fail('secrets/produced', 'an env Secret nobody produces', dep((_, __, c) => c.env.push({ name: 'K', valueFrom: { secretKeyRef: { name: 'nobody', key: 'k' } } })), 'sovra-system/nobody'),
  fail('secrets/produced', 'a projected Secret and a pull Secret nobody produces', dep((_, p) => {
    p.volumes.push({ name: 'proj', projected: { sources: [{ secret: { name: 'proj-secret' } }] } });
    p.imagePullSecrets = [{ name: 'pull' }];
  }), 'sovra-system/proj-secret, sovra-system/pull'),
  fail('secrets/produced', 'envFrom a Secret nobody produces', dep((_, p) => (p.initContainers[0].envFrom = [{ secretRef: { name: 'from' } }])), 'sovra-system/from'),

  // gpu/pool-placement
  pass('gpu/pool-placement', 'no GPU requested', goodDeployment()),
  pass('gpu/pool-placement', 'a GPU on the pool, tolerating its taint', dep((_, p, c) => {
    c.resources.limits['nvidia.com/gpu'] = 1;
    p.nodeSelector = { 'sovra.dev/gpu-pool': 'inference' };
    p.tolerations = [{ key: 'sovra.dev/gpu-pool', operator: 'Equal', value: 'inference', effect: 'NoSchedule' }];
  })),
  pass('gpu/pool-placement', 'a GPU count of 0 is no request', dep((_, __, c) => (c.resources.limits['nvidia.com/gpu'] = '0'))),
  fail('gpu/pool-placement', 'a GPU anywhere', dep((_, __, c) => (c.resources.limits['nvidia.com/gpu'] = 2)), 'app'),
  fail('gpu/pool-placement', 'a GPU on an unknown pool', dep((_, p, c) => {
    c.resources.requests['nvidia.com/gpu'] = '1';
    c.resources.limits['nvidia.com/gpu'] = '1';
    p.nodeSelector = { 'sovra.dev/gpu-pool': 'other' };
    p.tolerations = [{ key: 'sovra.dev/gpu-pool', operator: 'Exists' }];
  }), 'app'),
  fail('gpu/pool-placement', 'a GPU on the pool without the toleration', dep((_, p, c) => {
    c.resources.limits['nvidia.com/gpu'] = 1;
    p.nodeSelector = { 'sovra.dev/gpu-pool': 'inference' };
  }), 'app'),
  fail('gpu/pool-placement', 'any GPU on a profile without pools', dep((_, p, c) => {
    c.resources.limits['nvidia.com/gpu'] = 1;
    p.nodeSelector = { 'sovra.dev/gpu-pool': 'inference' };
    p.tolerations = [{ key: 'sovra.dev/gpu-pool', operator: 'Exists' }];
  }), 'app', { params: params({ gpuPools: '' }) }),

  // labels/sovra-labels
  pass('labels/sovra-labels', 'a Deployment with the labels', goodDeployment()),
  pass('labels/sovra-labels', 'a ConfigMap with the labels', obj('v1', 'ConfigMap', 'c', 'sovra-system', { data: {} })),
  {
    rule: 'labels/sovra-labels',
    name: 'what Helm installs is not judged',
    object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'x', annotations: { 'meta.helm.sh/release-name': 'nats' } } },
    expect: 'not-applicable',
  },
  fail('labels/sovra-labels', 'no labels', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'x' } }, 'no labels'),
  fail('labels/sovra-labels', "another profile's object", dep((o) => (o.metadata.labels['sovra.dev/profile'] = 'dev')), 'sovra.dev/profile=dev'),
  fail('labels/sovra-labels', 'no component label', dep((o) => delete o.metadata.labels['app.kubernetes.io/component'])),
];
