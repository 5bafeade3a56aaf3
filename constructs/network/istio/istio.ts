/**
 * Istio: the service mesh over every Sovra namespace. Mutual TLS is STRICT
 * mesh-wide (TLS 1.3, ECDSA P-256 workload keys), outbound traffic reaches
 * only services the mesh knows (REGISTRY_ONLY), every meshed namespace
 * denies by default and allows exactly the identities its peers declare,
 * and the only way in from outside is the ingress gateway in front of the
 * control plane, with TLS from the platform issuer.
 *
 * Sidecar mode injects Envoy into each pod; istio-cni sets up the traffic
 * redirection on the node, so the injected containers need no NET_ADMIN and
 * pass restricted Pod Security. Ambient mode runs ztunnel on each node
 * instead, with istio-cni redirecting pod traffic to it.
 */
import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { CONTROL_PLANE_PORT } from '../../../contracts/control-plane.js';
import { addCertificate } from '../../kit/certificates.js';
import { onChartValues, onObject, type Evidence } from '../../kit/claims.js';
import { Component, type ComponentProps } from '../../kit/component.js';
import { tls13Assets } from '../../kit/crypto.js';
import type { PodGroup } from '../../kit/network.js';
import { NAMESPACES } from '../../kit/shared-names.js';
import { CILIUM_CNI_PATHS } from '../cilium/catalog.js';
import { ISTIO_CHARTS, ISTIO_IMAGES } from './catalog.js';
import { meshSettings } from './settings.js';
import { applyMesh } from './mesh-objects.js';
import {
  baseValues,
  cniValues,
  GATEWAY_HTTPS_PORT,
  GATEWAY_POD_LABELS,
  gatewayValues,
  ISTIOD_POD_LABELS,
  ISTIOD_PORTS,
  istiodValues,
  NODE_AGENT_NAMESPACE,
  RELEASES,
  ZTUNNEL_POD_LABELS,
  ztunnelValues,
  type MeshImages,
  type MeshMode,
} from './values.js';
import { declareIstioExceptions } from './policy-exceptions.js';

/** Name of the gateway's certificate and its Secret (in the istio namespace, where the gateway reads it). */
export const GATEWAY_CERTIFICATE = 'sovra-gateway-tls';

/** The mesh. */
export class Istio extends Component {
  /** The data plane of this profile. */
  readonly mode: MeshMode;
  /** The mesh-wide PeerAuthentication (root namespace): STRICT mTLS. */
  readonly peerAuthentication: ApiObject;
  /** istiod's pods. */
  readonly istiod: PodGroup;
  /** The ingress gateway's pods: they connect to the control plane. */
  readonly gateway: PodGroup;
  /** ztunnel's pods (ambient mode). */
  readonly ztunnel?: PodGroup;
  /** The Gateway (networking.istio.io) listening for the control plane's hosts. */
  readonly gatewayServer: ApiObject;
  /** The route from the gateway to the control plane Service. */
  readonly route: ApiObject;

  constructor(scope: Construct, id: string, props: ComponentProps) {
    super(scope, id, props, {
      title: 'Istio',
      description: 'Service mesh: STRICT mutual TLS between every meshed workload, default-deny authorization with allow rules derived from declared peers, REGISTRY_ONLY egress, and the ingress gateway in front of the control plane.',
      layer: 'network',
      namespace: NAMESPACES.istio,
      version: ISTIO_CHARTS.istiod.version,
      dependsOn: ['cilium'],
    });
    const p = props.profile;
    const settings = meshSettings(p);
    this.mode = settings.mode;
    const ambient = this.mode === 'ambient';
    const images: MeshImages = {
      pilot: this.addImage(ISTIO_IMAGES.pilot),
      proxy: this.addImage(ISTIO_IMAGES.proxy),
      installCni: this.addImage(ISTIO_IMAGES.installCni),
      ...(ambient ? { ztunnel: this.addImage(ISTIO_IMAGES.ztunnel) } : {}),
    };

    this.addChart({ release: RELEASES.base, namespace: NAMESPACES.istio, values: baseValues(), ...ISTIO_CHARTS.base });
    this.addChart({ release: RELEASES.istiod, namespace: NAMESPACES.istio, values: istiodValues({ mode: this.mode, images, replicas: p.replicas.stateless, highAvailability: p.highAvailability }), ...ISTIO_CHARTS.istiod });
    this.addChart({ release: RELEASES.cni, namespace: NODE_AGENT_NAMESPACE, values: cniValues({ mode: this.mode, images, paths: CILIUM_CNI_PATHS }), ...ISTIO_CHARTS.cni });
    if (images.ztunnel) this.addChart({ release: RELEASES.ztunnel, namespace: NODE_AGENT_NAMESPACE, values: ztunnelValues(images.ztunnel), ...ISTIO_CHARTS.ztunnel });
    // K3s disables ServiceLB: without a load balancer the gateway listens on a fixed node port.
    const serviceType = p.distribution.kind === 'k3s' ? 'NodePort' : 'LoadBalancer';
    this.addChart({ release: RELEASES.gateway, namespace: NAMESPACES.istio, values: gatewayValues({ serviceType, replicas: p.replicas.stateless, highAvailability: p.highAvailability }), ...ISTIO_CHARTS.gateway });
    declareIstioExceptions(this, images.ztunnel !== undefined);

    this.istiod = this.addPods({ name: 'istiod', labels: ISTIOD_POD_LABELS, serviceAccount: 'istiod', ports: { xds: { port: ISTIOD_PORTS.xds }, webhook: { port: ISTIOD_PORTS.webhook }, metrics: { port: ISTIOD_PORTS.metrics } } });
    this.istiod.connectsTo({ entity: 'kube-apiserver', ports: [{ port: 6443 }] }, 'istiod watches Services, pods and mesh configuration, and reviews proxy tokens');
    this.addMetrics({ pods: this.istiod, port: 'metrics' });
    this.gateway = this.addPods({ name: 'gateway', labels: GATEWAY_POD_LABELS, serviceAccount: RELEASES.gateway, ports: { https: { port: GATEWAY_HTTPS_PORT } } });
    this.gateway.connectsTo({ component: 'control-plane', pods: 'control-plane', port: 'http' }, 'the ingress gateway forwards API requests to the control plane');
    this.gateway.connectsTo({ component: id, pods: 'istiod', port: 'xds' }, 'the gateway proxy fetches its configuration and certificate from istiod');
    if (ambient) {
      this.ztunnel = this.addPods({ name: 'ztunnel', labels: ZTUNNEL_POD_LABELS, namespace: NODE_AGENT_NAMESPACE, serviceAccount: RELEASES.ztunnel });
      this.ztunnel.connectsTo({ component: id, pods: 'istiod', port: 'xds' }, 'ztunnel fetches workload configuration and certificates from istiod');
    }
    // Who reaches these pods from outside the pod graph cannot be declared as a peer: written here, named.
    const gatewayIngress = this.entityIngress(this.gateway, 'ingress', ['world', 'remote-node'], GATEWAY_HTTPS_PORT, 'external clients reach the control plane API through the ingress gateway only');
    this.entityIngress(this.istiod, 'webhook', ['kube-apiserver'], ISTIOD_PORTS.webhook, 'the API server calls the sidecar injection and validation webhooks');

    this.peerAuthentication = this.inNamespace(
      new ApiObject(this, 'PeerAuthentication', {
        apiVersion: 'security.istio.io/v1',
        kind: 'PeerAuthentication',
        metadata: { name: 'default' },
        spec: { mtls: { mode: 'STRICT' } },
      }),
    );

    addCertificate(this, {
      name: GATEWAY_CERTIFICATE,
      dnsNames: settings.gateway.hosts,
      // P-384 for the one endpoint exposed outside the cluster (and distinct from the mesh's P-256 workload keys in the CBOM).
      key: 'ECDSA-P384',
      purpose: 'TLS server certificate of the ingress gateway (the control plane API as external clients reach it).',
    });
    this.consumesSecret({ name: GATEWAY_CERTIFICATE, keys: ['tls.crt', 'tls.key'], purpose: 'Server certificate and key the ingress gateway presents (Gateway credentialName).' });
    this.gatewayServer = this.inNamespace(
      new ApiObject(this, 'Gateway', {
        apiVersion: 'networking.istio.io/v1',
        kind: 'Gateway',
        metadata: { name: RELEASES.gateway },
        spec: {
          selector: { istio: GATEWAY_POD_LABELS.istio },
          servers: [{ port: { number: GATEWAY_HTTPS_PORT, name: 'https', protocol: 'HTTPS' }, hosts: [...settings.gateway.hosts], tls: { mode: 'SIMPLE', credentialName: GATEWAY_CERTIFICATE, minProtocolVersion: 'TLSV1_3' } }],
        },
      }),
    );
    this.route = this.inNamespace(
      new ApiObject(this, 'VirtualService', {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: 'control-plane' },
        spec: {
          hosts: [...settings.gateway.hosts],
          gateways: [RELEASES.gateway],
          // Only the gateway reads this route; sidecars never see it.
          exportTo: ['.'],
          http: [{ name: 'control-plane', route: [{ destination: { host: this.controlPlaneHost(), port: { number: CONTROL_PLANE_PORT } } }] }],
        },
      }),
    );

    this.claimSettings(gatewayIngress);
    this.onFinalize(() => this.finalizeMesh(settings.outsideMesh));
  }

  /** The control plane's Service as the mesh registry names it (namespace from its pod group, when the profile installs it). */
  private controlPlaneHost(): string {
    const ns = this.platform.podGroup('control-plane', 'control-plane')?.namespace ?? 'sovra-system';
    return `control-plane.${ns}.svc.cluster.local`;
  }

  /** A CiliumNetworkPolicy letting entities outside the pod graph reach one port of `group` (the kit derives ingress only from declared peers). */
  private entityIngress(group: PodGroup, suffix: string, entities: string[], port: number, reason: string): ApiObject {
    return this.inNamespace(
      new ApiObject(this, `CiliumNetworkPolicy-${group.name}-${suffix}`, {
        apiVersion: 'cilium.io/v2',
        kind: 'CiliumNetworkPolicy',
        metadata: { name: `${group.networkPolicy.metadata.name as string}-${suffix}`, namespace: group.namespace },
        spec: {
          description: `Ingress to ${this.node.id}/${group.name} from outside the platform's pods: ${reason}.`,
          endpointSelector: { matchLabels: { ...group.labels } },
          ingress: [{ fromEntities: entities, toPorts: [{ ports: [{ port: String(port), protocol: 'TCP' }] }] }],
        },
      }),
    );
  }

  /** Claims and crypto assets on settings that exist once the constructor ran. */
  private claimSettings(gatewayIngress: ApiObject): void {
    const strict = onObject(this.peerAuthentication, 'spec.mtls.mode', { equals: 'STRICT' });
    const tls13 = onChartValues(RELEASES.istiod, 'meshConfig.meshMTLS.minProtocolVersion', { equals: 'TLSV1_3' });
    const ecdsa = onChartValues(RELEASES.istiod, 'meshConfig.defaultConfig.proxyMetadata.ECC_SIGNATURE_ALGORITHM', { equals: 'ECDSA' });
    const trustDomain = onChartValues(RELEASES.istiod, 'meshConfig.trustDomain', { equals: 'cluster.local' });
    const registryOnly = onChartValues(RELEASES.istiod, 'meshConfig.outboundTrafficPolicy.mode', { equals: 'REGISTRY_ONLY' });
    const proxy = this.mode === 'ambient' ? 'ztunnel on each node' : 'the Envoy sidecar of each pod';
    this.claim({
      control: 'sc-8',
      statement: `Traffic between meshed workloads is mutually authenticated and encrypted: a mesh-wide PeerAuthentication in the root namespace ${NAMESPACES.istio} sets mTLS to STRICT, so ${proxy} refuses plaintext.`,
      evidence: [strict, onObject(this.peerAuthentication, 'metadata.namespace', { equals: NAMESPACES.istio })],
    });
    this.claim({
      control: 'sc-8.1',
      statement: 'Mesh mTLS uses TLS 1.3 at minimum (meshMTLS.minProtocolVersion TLSV1_3) with ECDSA P-256 workload keys; the ingress gateway accepts TLS 1.3 only.',
      evidence: [strict, tls13, ecdsa, onObject(this.gatewayServer, 'spec.servers[0].tls.minProtocolVersion', { equals: 'TLSV1_3' })],
    });
    this.claim({
      control: 'ia-3',
      statement: `Every meshed workload authenticates with an X.509 certificate issued by istiod for its service account identity (spiffe://cluster.local/ns/<namespace>/sa/<service account>); with STRICT mTLS no workload accepts a peer without one, except on the ports the AC-4 statement lists for sources outside the mesh (node agents, the API server).`,
      evidence: [strict, trustDomain],
    });
    this.claim({
      control: 'ia-9',
      statement: 'Services identify and authenticate each other by their mesh identities before any connection is accepted; authorization policies name the allowed identities.',
      evidence: [strict, trustDomain],
    });
    this.claim({
      control: 'sc-23',
      statement: 'Sessions between meshed services are authenticated end to end by mTLS (STRICT), which protects them against hijacking and replay between proxies.',
      evidence: [strict, tls13],
    });
    this.claim({
      control: 'sc-7',
      statement:
        this.mode === 'ambient'
          ? 'Ingress from outside reaches only the ingress gateway (the one Service of type NodePort or LoadBalancer) on port 443. Outbound policy is REGISTRY_ONLY; in ambient mode ztunnel does not enforce it, so egress of ambient pods is bounded by the NetworkPolicies alone.'
          : 'Ingress from outside reaches only the ingress gateway (the one Service of type NodePort or LoadBalancer) on port 443, and meshed workloads reach only destinations in the mesh registry (outbound policy REGISTRY_ONLY).',
      evidence: [
        registryOnly,
        onChartValues(RELEASES.gateway, 'service.ports[0].port', { equals: GATEWAY_HTTPS_PORT }),
        onObject(gatewayIngress, 'spec.endpointSelector.matchLabels', { equals: { ...this.gateway.labels } }),
        onObject(gatewayIngress, 'spec.ingress[0].toPorts[0].ports[0].port', { equals: String(GATEWAY_HTTPS_PORT) }),
      ],
      status: this.mode === 'ambient' ? 'partial' : 'implemented',
    });
    this.claim({
      control: 'ac-6',
      statement: 'Injected proxies run without NET_ADMIN or NET_RAW, as a non-root user with the RuntimeDefault seccomp profile: the istio-cni node agent sets up traffic redirection, so meshed namespaces keep restricted Pod Security.',
      evidence: [onChartValues(RELEASES.istiod, 'cni.enabled', { equals: true }), onChartValues(RELEASES.istiod, 'global.proxy.privileged', { equals: false }), onChartValues(RELEASES.istiod, 'global.proxy.seccompProfile.type', { equals: 'RuntimeDefault' })],
    });

    // One implementation string for both protocols: their algorithms are declared once per component.
    const implementation = this.mode === 'ambient' ? 'Envoy (BoringSSL) in the gateway, ztunnel (rustls) between ambient pods' : 'Envoy (BoringSSL) in sidecars and the gateway';
    for (const a of tls13Assets({
      name: 'TLS 1.3 (Istio mesh mTLS)',
      purpose: 'Mutual TLS between meshed workloads (sidecars, gateway and ztunnel).',
      configuredBy: tls13,
      implementation,
      mutual: true,
    })) {
      this.addCryptoAsset(a);
    }
    for (const a of tls13Assets({
      name: 'TLS 1.3 (ingress gateway)',
      purpose: 'Connections of external clients to the control plane API through the ingress gateway.',
      configuredBy: onObject(this.gatewayServer, 'spec.servers[0].tls.minProtocolVersion', { equals: 'TLSV1_3' }),
      implementation,
    })) {
      this.addCryptoAsset(a);
    }
    this.addCryptoAsset({ type: 'algorithm', name: 'ECDSA-P256-SHA256', purpose: 'Signatures of the workload keys in the mesh mTLS handshake.', configuredBy: ecdsa, implementation: 'istio-agent (Go crypto) and Envoy (BoringSSL)', certificationLevel: ['none'] });
    this.addCryptoAsset({
      type: 'related-crypto-material',
      name: 'Istio workload private key',
      purpose: 'Private key of each workload certificate, generated by istio-agent in the pod and never leaving it; rotated with the certificate (24 h by default).',
      configuredBy: ecdsa,
      material: { type: 'private-key', algorithm: 'ECDSA-P256-SHA256', size: 256 },
      properties: { curve: 'P256' },
    });
    this.addCryptoAsset({
      type: 'certificate',
      name: 'Istio workload certificate',
      purpose: 'X.509 SVID of a meshed workload (URI SAN spiffe://cluster.local/ns/<namespace>/sa/<service account>), presented in mesh mTLS.',
      configuredBy: trustDomain,
      // istiod's CA key is istiod's own choice (a self-signed root in Secret istio-ca-secret): Sovra's settings do not fix it.
      certificate: { format: 'X.509', issuedBy: `istiod CA (self-signed root, Secret ${NAMESPACES.istio}/istio-ca-secret)` },
    });
  }

  /** Marks an object of the mesh as cluster-scoped (for the mesh's finalize step). */
  markClusterScoped(obj: ApiObject): ApiObject {
    return this.clusterScoped(obj);
  }

  /** Mesh membership, injection labels, authorization and the data plane's own rules, once every component exists. */
  private finalizeMesh(outsideMesh: ReadonlyArray<{ component: string; reason: string }>): void {
    const applied = applyMesh(this, outsideMesh);
    const evidence: Evidence[] = applied.defaultDeny.map((o) => onObject(o, 'spec', { equals: {} }));
    for (const a of applied.allow) evidence.push(onObject(a.policy, 'spec.action', { equals: 'ALLOW' }), onObject(a.policy, 'spec.rules[0]', { equals: a.rules[0] }));
    const fallbacks = applied.allow.flatMap((a) => a.fallbacks);
    const exceptions = applied.allow.filter((a) => a.plaintext.length > 0);
    for (const a of exceptions) {
      for (const x of a.plaintext) evidence.push(onObject(a.peerAuthentication!, `spec.portLevelMtls.${x.port}.mode`, { equals: 'PERMISSIVE' }));
    }
    const exceptionText = exceptions
      .map((a) => `${a.target.owner.id}/${a.target.name} port${a.plaintext.length > 1 ? 's' : ''} ${a.plaintext.map((x) => x.port).join(', ')} (${uniq(a.plaintext.flatMap((x) => x.sources.map((s) => s.split(':')[0]!))).join('; ')})`)
      .join('; ');
    if (evidence.length === 0) return; // no meshed namespace: nothing to claim
    this.claim({
      control: 'ac-4',
      statement:
        `In every meshed namespace (${applied.membership.namespaces.join(', ') || 'none'}) an empty AuthorizationPolicy denies all requests by default; ` +
        'each pod group that others connect to has an ALLOW policy naming the mTLS identities of exactly the peers declared for it, on the target ports.' +
        (fallbacks.length > 0 ? ` Sources without a service account are allowed by namespace: ${fallbacks.join('; ')}.` : '') +
        (exceptions.length > 0
          ? ` Sources outside the mesh have no mesh identity, so these ports accept plaintext (port-level PERMISSIVE) and are allowed from any source the NetworkPolicy admits, protected by the services' own TLS: ${exceptionText}.`
          : ''),
      evidence,
      status: fallbacks.length > 0 || exceptions.length > 0 ? 'partial' : 'implemented',
    });
  }
}

function uniq(xs: readonly string[]): string[] {
  return [...new Set(xs)].sort();
}
