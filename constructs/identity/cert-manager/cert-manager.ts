/**
 * cert-manager and trust-manager: the platform's certificates and trust.
 * cert-manager (controller, webhook, cainjector) from its chart with the
 * CRDs, the internal CA chain Sovra writes on top (self-signed root →
 * intermediate → BOOTSTRAP_ISSUER), PLATFORM_ISSUER on that intermediate or
 * on OpenBao's PKI, and trust-manager distributing the platform's CAs to
 * every Sovra namespace as the ConfigMap TRUST_BUNDLE.
 */
import { CERT_MANAGER_CONTROLLER_METRICS, certManagerAlerts } from './alerts.js';
import type { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { onChartValues, onObject } from '../../kit/claims.js';
import { Component, type ComponentProps } from '../../kit/component.js';
import type { PodGroup } from '../../kit/network.js';
import { BOOTSTRAP_ISSUER, NAMESPACES, OPENBAO_API, OPENBAO_PATHS, PLATFORM_ISSUER, TRUST_BUNDLE } from '../../kit/shared-names.js';
import { addInternalCa, addOpenBaoIssuerIdentity, CA_KEY, CA_LIFETIMES, CA_NAMES, OPENBAO_ISSUER, OPENBAO_PKI_CA_SECRET, type InternalCa, type PlatformIssuerKind } from './ca.js';
import { CERT_MANAGER_CHART, CERT_MANAGER_IMAGES, TRUST_MANAGER_CHART } from './catalog.js';
import { declareCaAssets, declareOpenBaoAssets, declareWebhookAssets } from './cbom.js';
import { addTrustBundle } from './trust-bundle.js';
import {
  CERT_MANAGER_POD_LABELS,
  CONTROLLERS_FLAG,
  RELEASES,
  SERVICE_ACCOUNTS,
  TRUST_MANAGER_POD_LABELS,
  TRUST_MANAGER_WEBHOOK_CERT_DURATION,
  WEBHOOK_MIN_TLS,
  certManagerValues,
  trustManagerValues,
  type CertManagerValues,
  type TrustManagerValues,
} from './values.js';
import { declareCertManagerExceptions } from './policy-exceptions.js';

/** Where this README section is (customer responsibilities point to it). */
export const README_SECTION = 'README.md#cert-manager-and-trust-manager';

/** The Kubernetes API server as every pod here reaches it. */
const API_SERVER = { entity: 'kube-apiserver', ports: [{ port: 6443 }] } as const;

/** The identity layer's certificate authority and trust distribution. */
export class CertManager extends Component {
  /** cert-manager's chart as declared. */
  readonly certManagerChart;
  /** trust-manager's chart as declared. */
  readonly trustManagerChart;
  /** Which CA signs the platform's certificates on this profile. */
  readonly platformIssuerKind: PlatformIssuerKind;
  /** The CA chain and the two shared ClusterIssuers. */
  readonly ca: InternalCa;
  /** The Bundle that writes TRUST_BUNDLE into every Sovra namespace. */
  readonly trustBundle: ApiObject;
  /** The pods the two charts run. */
  readonly pods: { readonly controller: PodGroup; readonly webhook: PodGroup; readonly cainjector: PodGroup; readonly trustManager: PodGroup };

  constructor(scope: Construct, id: string, props: ComponentProps) {
    super(scope, id, props, {
      title: 'cert-manager and trust-manager',
      description:
        "Certificates of the platform: cert-manager with Sovra's internal CA (self-signed ECDSA P-384 root and intermediate), the ClusterIssuers sovra-bootstrap and sovra-platform (the internal intermediate, or OpenBao's PKI through the Vault issuer), and trust-manager distributing the platform's CA certificates to every Sovra namespace.",
      layer: 'identity',
      namespace: NAMESPACES.certManager,
      version: CERT_MANAGER_CHART.version,
      dependsOn: ['cilium'],
    });
    const p = props.profile;
    this.platformIssuerKind = p.components['cert-manager'].platformIssuer;
    const images = {
      controller: this.addImage(CERT_MANAGER_IMAGES.controller),
      webhook: this.addImage(CERT_MANAGER_IMAGES.webhook),
      cainjector: this.addImage(CERT_MANAGER_IMAGES.cainjector),
      trustManager: this.addImage(CERT_MANAGER_IMAGES.trustManager),
    };
    this.certManagerChart = this.addChart<CertManagerValues>({ release: RELEASES.certManager, namespace: NAMESPACES.certManager, values: certManagerValues(p, images), ...CERT_MANAGER_CHART });
    this.trustManagerChart = this.addChart<TrustManagerValues>({ release: RELEASES.trustManager, namespace: NAMESPACES.certManager, values: trustManagerValues(p, images.trustManager), ...TRUST_MANAGER_CHART });
    declareCertManagerExceptions(this);

    const scoped = (o: ApiObject) => this.clusterScoped(o);
    this.ca = addInternalCa(this, this.platformIssuerKind, scoped);
    this.trustBundle = addTrustBundle(this, this.platformIssuerKind, scoped);
    this.pods = this.declarePods();
    this.declareSecrets();
    if (this.platformIssuerKind === 'openbao-pki') this.useOpenBao();

    this.declareClaims();
    declareCaAssets(this, this.ca);
    declareWebhookAssets(this);
    if (this.platformIssuerKind === 'openbao-pki') declareOpenBaoAssets(this, this.ca.platformIssuer);
  }

  /** The charts' pods, their ports, metrics and the peers they connect to. The API server calls both webhooks. */
  private declarePods(): CertManager['pods'] {
    const controller = this.addPods({ name: 'controller', labels: CERT_MANAGER_POD_LABELS.controller, ports: { metrics: { port: 9402 }, healthz: { port: 9403 } }, serviceAccount: SERVICE_ACCOUNTS.controller });
    const webhook = this.addPods({ name: 'webhook', labels: CERT_MANAGER_POD_LABELS.webhook, ports: { https: { port: 10250 }, healthz: { port: 6080 }, metrics: { port: 9402 } }, serviceAccount: SERVICE_ACCOUNTS.webhook });
    const cainjector = this.addPods({ name: 'cainjector', labels: CERT_MANAGER_POD_LABELS.cainjector, ports: { metrics: { port: 9402 } }, serviceAccount: SERVICE_ACCOUNTS.cainjector });
    const trustManager = this.addPods({ name: 'trust-manager', labels: TRUST_MANAGER_POD_LABELS, ports: { webhook: { port: 6443 }, metrics: { port: 9402 }, readyz: { port: 6060 } }, serviceAccount: SERVICE_ACCOUNTS.trustManager });
    controller.connectsTo(API_SERVER, 'cert-manager reconciles Certificates and Issuers and writes the Secrets they produce');
    webhook.connectsTo(API_SERVER, 'the cert-manager webhook keeps its dynamic serving CA in a Secret');
    cainjector.connectsTo(API_SERVER, 'cainjector writes CA bundles into webhook configurations and CRDs');
    trustManager.connectsTo(API_SERVER, 'trust-manager reads Bundle sources and writes the trust bundle ConfigMaps');
    webhook.acceptsFrom('kube-apiserver', 'https', 'the API server calls the cert-manager admission webhook (validation and conversion of cert-manager resources)');
    trustManager.acceptsFrom('kube-apiserver', 'webhook', 'the API server calls the trust-manager admission webhook (Bundle validation)');
    this.addMetrics({ pods: controller, port: 'metrics', provides: CERT_MANAGER_CONTROLLER_METRICS });
    for (const pods of [webhook, cainjector, trustManager]) this.addMetrics({ pods, port: 'metrics' });
    for (const rule of certManagerAlerts()) this.addAlert(rule);
    return { controller, webhook, cainjector, trustManager };
  }

  /** Secrets the CA chain produces and the issuers and Bundle read, and those the charts' software makes itself. */
  private declareSecrets(): void {
    const ns = NAMESPACES.certManager;
    const certKeys = ['tls.crt', 'tls.key', 'ca.crt'];
    this.producesSecret({ name: CA_NAMES.root, keys: certKeys, kind: 'certificate', by: `Certificate ${ns}/${CA_NAMES.root}`, purpose: 'Root CA certificate and key of the internal CA.' });
    this.producesSecret({ name: CA_NAMES.intermediate, keys: certKeys, kind: 'certificate', by: `Certificate ${ns}/${CA_NAMES.intermediate}`, purpose: 'Intermediate CA certificate and key of the internal CA.' });
    this.consumesSecret({ name: CA_NAMES.root, keys: ['tls.crt', 'tls.key'], purpose: `Signing key of ClusterIssuer ${CA_NAMES.root}; trust anchor of Bundle ${TRUST_BUNDLE.name}.` });
    this.consumesSecret({ name: CA_NAMES.intermediate, keys: ['tls.crt', 'tls.key'], purpose: `Signing key of ClusterIssuer ${BOOTSTRAP_ISSUER}${this.platformIssuerKind === 'internal-ca' ? ` and ${PLATFORM_ISSUER}` : ''}.` });
    this.producesSecret({ name: 'cert-manager-webhook-ca', keys: certKeys, kind: 'operator', by: 'cert-manager webhook (dynamic serving CA)', purpose: "CA of the cert-manager webhook's serving certificates." });
    // The trust-manager chart renders a Certificate for its webhook and mounts the Secret it produces.
    this.producesSecret({ name: 'trust-manager-tls', keys: certKeys, kind: 'operator', by: `cert-manager (Certificate ${ns}/trust-manager rendered by the trust-manager chart)`, purpose: "trust-manager webhook's serving certificate." });
    this.consumesSecret({ name: 'trust-manager-tls', keys: ['tls.crt', 'tls.key'], purpose: 'Serving certificate of the trust-manager webhook (volume of the chart Deployment).' });
  }

  /** OpenBao's PKI as PLATFORM_ISSUER: the ServiceAccount it logs in with, the peer, the supplied PKI CA. */
  private useOpenBao(): void {
    addOpenBaoIssuerIdentity(this, SERVICE_ACCOUNTS.controller);
    this.pods.controller.connectsTo({ component: 'openbao', pods: 'openbao', port: 'api' }, "cert-manager's Vault issuer has OpenBao's PKI sign the platform's certificates");
    this.node.addValidation({
      validate: () =>
        this.platform.component('openbao')
          ? []
          : [`component "${this.node.id}": components.cert-manager.platformIssuer is "openbao-pki", which needs the openbao component; install it, or set platformIssuer to "internal-ca".`],
    });
    this.producesSecret({
      name: OPENBAO_PKI_CA_SECRET.name,
      keys: [OPENBAO_PKI_CA_SECRET.key],
      kind: 'supplied-at-install',
      by: `the site, once OpenBao's PKI mount ${OPENBAO_PATHS.pki} exists (${README_SECTION})`,
      purpose: "CA certificate chain of OpenBao's PKI, added to the platform trust bundle.",
    });
    this.consumesSecret({ name: OPENBAO_PKI_CA_SECRET.name, keys: [OPENBAO_PKI_CA_SECRET.key], purpose: `Source of Bundle ${TRUST_BUNDLE.name}: OpenBao's PKI CA.` });
    this.customerResponsibility({
      control: 'sc-17',
      statement: `Configure OpenBao's PKI for cert-manager: the mount ${OPENBAO_PATHS.pki} with an ECDSA P-384 CA, the role ${OPENBAO_ISSUER.pkiRole} limited to the platform's service names, the Kubernetes auth role ${OPENBAO_ISSUER.authRole} bound to ServiceAccount ${NAMESPACES.certManager}/${OPENBAO_ISSUER.serviceAccount} with audience ${OPENBAO_ISSUER.audience}, and supply the PKI's CA chain as Secret ${NAMESPACES.certManager}/${OPENBAO_PKI_CA_SECRET.name}.`,
      procedure: README_SECTION,
    });
  }

  private declareClaims(): void {
    const { rootCertificate: root, intermediateCertificate: inter, platformIssuer, bootstrapIssuer } = this.ca;
    const openbao = this.platformIssuerKind === 'openbao-pki';
    this.claim({
      control: 'sc-12',
      statement:
        `cert-manager generates every CA and certificate key itself and replaces it at each renewal (rotationPolicy Always): the root CA lives ${CA_LIFETIMES.root.duration} (10 years) and renews ${CA_LIFETIMES.root.renewBefore} before expiry, ` +
        `the intermediate CA lives ${CA_LIFETIMES.intermediate.duration} (1 year) and renews ${CA_LIFETIMES.intermediate.renewBefore} before expiry; the platform's service certificates (requested by each component through the kit) default to 2160h (90 days), renewed 360h before expiry, with the same rotation policy.`,
      evidence: [
        onObject(root, 'spec.privateKey.rotationPolicy', { equals: 'Always' }),
        onObject(root, 'spec.duration', { equals: CA_LIFETIMES.root.duration }),
        onObject(root, 'spec.renewBefore', { equals: CA_LIFETIMES.root.renewBefore }),
        onObject(inter, 'spec.privateKey.rotationPolicy', { equals: 'Always' }),
        onObject(inter, 'spec.duration', { equals: CA_LIFETIMES.intermediate.duration }),
        onObject(inter, 'spec.renewBefore', { equals: CA_LIFETIMES.intermediate.renewBefore }),
      ],
    });
    this.claim({
      control: 'sc-17',
      statement: openbao
        ? `Platform certificates are issued by OpenBao's PKI (${OPENBAO_PATHS.pki}/sign/${OPENBAO_ISSUER.pkiRole}) through ClusterIssuer ${PLATFORM_ISSUER}; what must exist before OpenBao (OpenBao's own certificate) is issued by ClusterIssuer ${BOOTSTRAP_ISSUER} on the platform's internal intermediate CA, itself signed by the internal root CA.`
        : `Platform certificates are issued by the platform's internal intermediate CA (ClusterIssuer ${PLATFORM_ISSUER}, and ${BOOTSTRAP_ISSUER} on the same CA), itself signed by the internal root CA; no certificate comes from a public CA.`,
      evidence: [
        openbao ? onObject(platformIssuer, 'spec.vault.path', { equals: `${OPENBAO_PATHS.pki}/sign/${OPENBAO_ISSUER.pkiRole}` }) : onObject(platformIssuer, 'spec.ca.secretName', { equals: CA_NAMES.intermediate }),
        onObject(bootstrapIssuer, 'spec.ca.secretName', { equals: CA_NAMES.intermediate }),
        onObject(inter, 'spec.issuerRef.name', { equals: CA_NAMES.root }),
        onObject(inter, 'spec.isCA', { equals: true }),
      ],
    });
    const fips = this.profile.distribution.fips;
    this.claim({
      control: 'sc-13',
      statement:
        `CA keys are ECDSA on P-384 and every certificate of the internal CA is signed with ECDSA P-384 and SHA-384 (FIPS 186-5 algorithms); platform certificate keys are ECDSA P-256 or P-384. ` +
        (fips
          ? 'cert-manager is built with the standard Go crypto library, not a FIPS 140-validated module, so on this FIPS profile the algorithms are approved but their implementation is not validated.'
          : 'The implementation is the standard Go crypto library of the upstream images.'),
      evidence: [onObject(root, 'spec.privateKey.algorithm', { equals: CA_KEY.algorithm }), onObject(root, 'spec.privateKey.size', { equals: CA_KEY.size }), onObject(inter, 'spec.privateKey.algorithm', { equals: CA_KEY.algorithm }), onObject(inter, 'spec.privateKey.size', { equals: CA_KEY.size })],
      status: fips ? 'partial' : 'implemented',
    });
    this.claim({
      control: 'ia-5.2',
      statement:
        `The platform's trust anchors are its own CAs, distributed by trust-manager as ConfigMap ${TRUST_BUNDLE.name} (key ${TRUST_BUNDLE.key}) to every Sovra namespace, with no public roots` +
        (openbao ? "; cert-manager verifies OpenBao's certificate against the bootstrap root before it sends a request. " : '. ') +
        'Revocation status is not published (no CRL or OCSP on the internal CA); short certificate lifetimes stand in for it.',
      evidence: [
        onObject(this.trustBundle, 'spec.sources[0].secret.name', { equals: CA_NAMES.root }),
        onObject(this.trustBundle, 'spec.target.configMap.key', { equals: TRUST_BUNDLE.key }),
        onChartValues(RELEASES.trustManager, 'defaultPackage.enabled', { equals: false }),
        ...(openbao ? [onObject(platformIssuer, 'spec.vault.caBundleSecretRef.name', { equals: CA_NAMES.root })] : []),
      ],
      status: 'partial',
    });
    this.claim({
      control: 'sc-8',
      statement:
        `The API server reaches the cert-manager and trust-manager webhooks over TLS 1.3 only: cert-manager's webhook serves a certificate from its own dynamic serving CA (injected into the webhook configurations by cainjector), trust-manager's a certificate cert-manager issues (${TRUST_MANAGER_WEBHOOK_CERT_DURATION}, rotated).` +
        (openbao ? ` cert-manager reaches OpenBao over HTTPS (${OPENBAO_API.url}), verifying its certificate against the bootstrap root.` : ''),
      evidence: [
        onChartValues(RELEASES.certManager, 'webhook.extraArgs', { contains: `--tls-min-version=${WEBHOOK_MIN_TLS}` }),
        onChartValues(RELEASES.trustManager, 'app.minTLSVersion', { equals: WEBHOOK_MIN_TLS }),
        onChartValues(RELEASES.trustManager, 'app.webhook.tls.helmCert.enabled', { equals: false }),
        ...(openbao ? [onObject(platformIssuer, 'spec.vault.server', { equals: OPENBAO_API.url })] : []),
      ],
    });
    this.claim({
      control: 'cm-7',
      statement: "Only what the platform uses runs: cert-manager's ACME, Venafi and ingress-shim controllers are disabled, its start-up check Job is not installed, and trust-manager ships no default package of public CA roots.",
      evidence: [
        onChartValues(RELEASES.certManager, 'extraArgs', { contains: CONTROLLERS_FLAG }),
        onChartValues(RELEASES.certManager, 'startupapicheck.enabled', { equals: false }),
        onChartValues(RELEASES.trustManager, 'defaultPackage.enabled', { equals: false }),
      ],
    });
    this.customerResponsibility({
      control: 'sc-12',
      statement: `Before the root CA's renewal (${CA_LIFETIMES.root.renewBefore} before its ${CA_LIFETIMES.root.duration} expiry), plan the change of trust anchor: the renewed root has a new key, so renew the intermediate CA and the platform certificates right after it, as the README describes.`,
      procedure: README_SECTION,
    });
  }
}
