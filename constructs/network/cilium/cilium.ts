/**
 * Cilium: the CNI with transparent WireGuard encryption between nodes,
 * Hubble flow visibility, kube-proxy replacement, and a cluster-wide
 * default-deny policy. Workloads add their own allow-lists.
 */
import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { onChartValues, onObject } from '../../kit/claims.js';
import { Component, type ComponentProps } from '../../kit/component.js';
import type { ImageSpec } from '../../kit/image.js';
import { meshEnabled } from '../istio/settings.js';
import { CILIUM_CHART, CILIUM_CNI_PATHS, CILIUM_IMAGES } from './catalog.js';
import { declareCiliumExceptions } from './policy-exceptions.js';

function chartImage(image: ImageSpec): { repository: string; tag: string; digest?: string; useDigest: boolean; pullPolicy: string } {
  return { repository: `${image.registry}/${image.repository}`, tag: image.tag, ...(image.digest ? { digest: image.digest } : {}), useDigest: image.digest !== undefined, pullPolicy: 'IfNotPresent' };
}

/**
 * The operator's image values: the chart composes `<repository>-generic<suffix>`
 * and takes the digest of that variant from `genericDigest`.
 */
function operatorImage(image: ImageSpec): { repository: string; tag: string; genericDigest?: string; useDigest: boolean; pullPolicy: string; suffix: string } {
  return {
    repository: `${image.registry}/${image.repository.replace(/-generic$/, '')}`,
    tag: image.tag,
    ...(image.digest ? { genericDigest: image.digest } : {}),
    useDigest: image.digest !== undefined,
    pullPolicy: 'IfNotPresent',
    suffix: '',
  };
}

/** Values Sovra sets on the Cilium chart (the subset it owns). */
export interface CiliumValues {
  readonly kubeProxyReplacement: boolean;
  readonly k8sServiceHost: string;
  readonly k8sServicePort: number;
  readonly encryption: { readonly enabled: boolean; readonly type: 'wireguard' | 'ipsec'; readonly nodeEncryption: boolean };
  readonly hubble: {
    readonly enabled: boolean;
    readonly relay: { readonly enabled: boolean; readonly image: ReturnType<typeof chartImage> };
    readonly ui: { readonly enabled: boolean };
    readonly tls: { readonly enabled: boolean; readonly auto: { readonly enabled: boolean; readonly method: string } };
  };
  readonly policyEnforcementMode: 'default' | 'always';
  readonly image: ReturnType<typeof chartImage>;
  readonly operator: { readonly replicas: number; readonly image: ReturnType<typeof operatorImage> };
  readonly envoy: { readonly image: ReturnType<typeof chartImage> };
  readonly certgen: { readonly image: ReturnType<typeof chartImage> };
  readonly ipam: { readonly mode: string };
  /**
   * CNI files on the node; `exclusive: false` (with the mesh) leaves the
   * istio-cni plugin chained into Cilium's configuration in place.
   */
  readonly cni: { readonly confPath: string; readonly binPath: string; readonly exclusive?: boolean };
  /**
   * With the mesh: socket-level Service load balancing only for host
   * processes, so a pod's connection keeps the Service address its proxy
   * routes and authorizes by (Cilium's Istio integration requirement).
   */
  readonly socketLB?: { readonly hostNamespaceOnly: boolean };
}

/** Release name of the chart; part of object names and Terraform addresses. */
export const CILIUM_RELEASE = 'cilium';

/** The network layer: Cilium with encryption, Hubble and default deny. */
export class Cilium extends Component {
  /** The chart as declared, with its typed values. */
  readonly chart;
  /** The cluster-wide default-deny policy. */
  readonly defaultDeny: ApiObject;

  constructor(scope: Construct, id: string, props: ComponentProps) {
    super(scope, id, props, {
      title: 'Cilium',
      description: 'eBPF networking for every node: transparent WireGuard encryption of pod traffic, Hubble flow visibility, kube-proxy replacement, and a cluster-wide default-deny network policy.',
      layer: 'network',
      namespace: 'kube-system',
      version: CILIUM_CHART.version,
      dependsOn: ['distribution'],
    });
    const images = {
      agent: this.addImage(CILIUM_IMAGES.agent),
      operator: this.addImage(CILIUM_IMAGES.operator),
      hubbleRelay: this.addImage(CILIUM_IMAGES.hubbleRelay),
      envoy: this.addImage(CILIUM_IMAGES.envoy),
      certgen: this.addImage(CILIUM_IMAGES.certgen),
    };
    const operator = images.operator;
    const mesh = meshEnabled(props.profile);
    const values: CiliumValues = {
      kubeProxyReplacement: true,
      k8sServiceHost: '127.0.0.1',
      k8sServicePort: 6443,
      encryption: { enabled: true, type: 'wireguard', nodeEncryption: true },
      hubble: {
        enabled: true,
        relay: { enabled: true, image: chartImage(images.hubbleRelay) },
        ui: { enabled: false },
        tls: { enabled: true, auto: { enabled: true, method: 'cronJob' } },
      },
      policyEnforcementMode: 'default',
      image: chartImage(images.agent),
      operator: {
        replicas: props.profile.highAvailability ? 2 : 1,
        // The chart composes the operator image from repository + suffix and takes its digest from genericDigest.
        image: operatorImage(operator),
      },
      envoy: { image: chartImage(images.envoy) },
      certgen: { image: chartImage(images.certgen) },
      ipam: { mode: 'kubernetes' },
      cni: { confPath: CILIUM_CNI_PATHS.confDir, binPath: CILIUM_CNI_PATHS.binDir, ...(mesh ? { exclusive: false } : {}) },
      ...(mesh ? { socketLB: { hostNamespaceOnly: true } } : {}),
    };
    // K3s runs with flannel off: no pod network exists until Cilium runs, so its chart installs on the host network (HelmChart bootstrap).
    const bootstrap = props.profile.distribution.kind === 'k3s';
    this.chart = this.addChart<CiliumValues>({ release: CILIUM_RELEASE, namespace: 'kube-system', values, ...CILIUM_CHART, ...(bootstrap ? { bootstrap } : {}) });
    declareCiliumExceptions(this, CILIUM_RELEASE);
    // The chart's certgen (CronJob hubble-generate-certs, and its first Job) writes Hubble's TLS Secrets; Hubble Relay mounts its client certificate.
    this.producesSecret({
      name: 'hubble-relay-client-certs',
      keys: ['tls.crt', 'tls.key', 'ca.crt'],
      kind: 'operator',
      by: 'Cilium chart: certgen (CronJob and Job hubble-generate-certs)',
      purpose: "Hubble Relay's client certificate for the agents' Hubble servers (mutual TLS).",
    });

    // Default deny for every namespace but kube-system: ingress only from the
    // node (kubelet probes), egress only to cluster DNS. Workloads open what
    // they need with their own NetworkPolicy.
    this.defaultDeny = new ApiObject(this, 'DefaultDeny', {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumClusterwideNetworkPolicy',
      metadata: { name: 'sovra-default-deny' },
      spec: {
        description: 'Default deny: only node-originated ingress and DNS egress unless a workload policy allows more.',
        endpointSelector: { matchExpressions: [{ key: 'io.kubernetes.pod.namespace', operator: 'NotIn', values: ['kube-system'] }] },
        ingress: [{ fromEntities: ['host'] }],
        egress: [
          {
            toEndpoints: [{ matchLabels: { 'io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } }],
            toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }],
          },
        ],
      },
    });
    this.clusterScoped(this.defaultDeny);

    this.claim({
      control: 'sc-8',
      statement: 'Pod-to-pod and node-to-node traffic is encrypted and integrity-protected with WireGuard by Cilium.',
      evidence: [
        onChartValues(CILIUM_RELEASE, 'encryption.enabled', { equals: true }),
        onChartValues(CILIUM_RELEASE, 'encryption.type', { equals: 'wireguard' }),
        onChartValues(CILIUM_RELEASE, 'encryption.nodeEncryption', { equals: true }),
      ],
    });
    this.claim({
      control: 'sc-8.1',
      statement: 'Transmission confidentiality and integrity use cryptography: WireGuard (Curve25519, ChaCha20-Poly1305, BLAKE2s) between all nodes.',
      evidence: [onChartValues(CILIUM_RELEASE, 'encryption.type', { equals: 'wireguard' })],
    });
    this.claim({
      control: 'sc-7',
      statement: 'Traffic between workloads is denied by default by a cluster-wide Cilium policy; each workload allows only its named peers and ports.',
      evidence: [
        onObject(this.defaultDeny, 'spec.endpointSelector.matchExpressions[0].operator', { equals: 'NotIn' }),
        onObject(this.defaultDeny, 'spec.ingress[0].fromEntities', { equals: ['host'] }),
      ],
    });
    this.claim({
      control: 'ac-4',
      statement: 'Information flow between workloads is enforced by Cilium network policy with default deny: every pod outside kube-system accepts traffic only from its node and sends only DNS queries to the cluster DNS, unless the NetworkPolicy derived from its declared peers allows more.',
      evidence: [
        onObject(this.defaultDeny, 'spec.endpointSelector', { equals: { matchExpressions: [{ key: 'io.kubernetes.pod.namespace', operator: 'NotIn', values: ['kube-system'] }] } }),
        onObject(this.defaultDeny, 'spec.ingress', { equals: [{ fromEntities: ['host'] }] }),
        onObject(this.defaultDeny, 'spec.egress[0].toEndpoints', { equals: [{ matchLabels: { 'io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } }] }),
      ],
    });
    this.claim({
      control: 'si-4',
      statement: 'Hubble records network flows of every node, with TLS between Hubble components.',
      evidence: [onChartValues(CILIUM_RELEASE, 'hubble.enabled', { equals: true }), onChartValues(CILIUM_RELEASE, 'hubble.tls.enabled', { equals: true })],
    });

    if (mesh) {
      this.claim({
        control: 'ac-4',
        statement:
          'Beside the Istio mesh, Cilium load-balances Services at the socket only for host processes, so every pod connection reaches its Istio proxy with the Service address the proxy authorizes and routes by; and Cilium leaves the istio-cni plugin chained into its CNI configuration, which redirects each meshed pod\'s traffic through the proxy.',
        evidence: [onChartValues(CILIUM_RELEASE, 'socketLB.hostNamespaceOnly', { equals: true }), onChartValues(CILIUM_RELEASE, 'cni.exclusive', { equals: false })],
      });
    }

    this.declareCrypto();
  }

  /** WireGuard between nodes and mutual TLS between Hubble Relay and the agents' Hubble servers. */
  private declareCrypto(): void {
    const wireguard = onChartValues(CILIUM_RELEASE, 'encryption.type', { equals: 'wireguard' });
    const kernel = 'Linux kernel WireGuard (keys managed by cilium-agent)';
    this.addCryptoAsset({
      type: 'protocol',
      name: 'WireGuard',
      purpose: 'Encryption of pod and node traffic between cluster nodes.',
      configuredBy: wireguard,
      protocol: { type: 'other', algorithms: ['X25519', 'ChaCha20-Poly1305', 'BLAKE2s-256'] },
      properties: { handshake: 'Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s', nodeEncryption: 'true' },
    });
    // None of the three is a FIPS-approved algorithm, and Cilium is not part of RKE2's FIPS module.
    this.addCryptoAsset({ type: 'algorithm', name: 'ChaCha20-Poly1305', purpose: 'AEAD cipher of the WireGuard tunnels.', configuredBy: wireguard, implementation: kernel, certificationLevel: ['none'] });
    this.addCryptoAsset({ type: 'algorithm', name: 'X25519', purpose: 'Key agreement of the WireGuard handshake.', configuredBy: wireguard, implementation: kernel, certificationLevel: ['none'] });
    this.addCryptoAsset({ type: 'algorithm', name: 'BLAKE2s-256', purpose: 'Hash and MAC of the WireGuard handshake.', configuredBy: wireguard, implementation: kernel, certificationLevel: ['none'] });
    this.addCryptoAsset({
      type: 'related-crypto-material',
      name: 'WireGuard node key',
      purpose: 'Static private key of each node; cilium-agent generates it and publishes the public key on the CiliumNode (annotation network.cilium.io/wg-pub-key).',
      configuredBy: wireguard,
      material: { type: 'private-key', algorithm: 'X25519', size: 256 },
    });

    const hubbleTls = onChartValues(CILIUM_RELEASE, 'hubble.tls.enabled', { equals: true });
    const certgen = onChartValues(CILIUM_RELEASE, 'hubble.tls.auto.method', { equals: 'cronJob' });
    this.addCryptoAsset({
      type: 'protocol',
      name: 'Hubble mTLS',
      purpose: 'Flow data between Hubble Relay and the Hubble server of each agent; both sides present certificates of the Cilium CA.',
      configuredBy: hubbleTls,
      protocol: { type: 'tls', mutual: true },
    });
    this.addCryptoAsset({
      type: 'certificate',
      name: 'Hubble server certificate',
      purpose: "Server certificate of each agent's Hubble API.",
      configuredBy: certgen,
      certificate: { format: 'X.509', extension: 'pem', secret: { namespace: 'kube-system', name: 'hubble-server-certs', key: 'tls.crt' }, issuedBy: 'cilium-certgen CronJob (Cilium CA, Secret cilium-ca)' },
    });
    this.addCryptoAsset({
      type: 'certificate',
      name: 'Hubble Relay client certificate',
      purpose: 'Client certificate Hubble Relay presents to the Hubble servers.',
      configuredBy: certgen,
      certificate: { format: 'X.509', extension: 'pem', secret: { namespace: 'kube-system', name: 'hubble-relay-client-certs', key: 'tls.crt' }, issuedBy: 'cilium-certgen CronJob (Cilium CA, Secret cilium-ca)' },
    });
  }
}
