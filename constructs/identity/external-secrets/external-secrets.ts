/**
 * External Secrets Operator 2.9.0: the controller that turns ExternalSecrets
 * into Kubernetes Secrets, from OpenBao's KV store through the platform's
 * ClusterSecretStore or from its generators, so that no secret value is
 * ever part of the output. Its admission webhook serves TLS 1.3 with a
 * certificate cert-manager issues from the platform issuer (the chart's own
 * certificate controller is not installed).
 *
 * Whether the store works is a runtime fact: OpenBao initialized and
 * unsealed, its Kubernetes auth mount and the `external-secrets` role in
 * place (README, OpenBao runbook).
 */
import type { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { onChartValues, onObject } from '../../kit/claims.js';
import { Component, directoryOf, type ComponentProps } from '../../kit/component.js';
import { tls13Assets } from '../../kit/crypto.js';
import type { PodGroup } from '../../kit/network.js';
import { EXTERNAL_SECRETS_OPENBAO_AUTH, NAMESPACES, OPENBAO_API, PLATFORM_ISSUER, SECRET_STORE, TRUST_BUNDLE } from '../../kit/shared-names.js';
import { EXTERNAL_SECRETS_CHART, EXTERNAL_SECRETS_IMAGES } from './catalog.js';
import { addStore, addTokenRequestRole, storeNamespaces } from './store.js';
import {
  CONTROLLER_LABELS,
  EXTERNAL_SECRETS_RELEASE,
  externalSecretsValues,
  PORTS,
  WEBHOOK_CERT,
  WEBHOOK_LABELS,
  WEBHOOK_SERVICE_ACCOUNT,
  WEBHOOK_TLS_SECRET,
  type ExternalSecretsValues,
} from './values.js';
import { declareExternalSecretsExceptions } from './policy-exceptions.js';

/** Id of the OpenBao component, whose API the controller reaches. */
export const OPENBAO_COMPONENT = 'openbao';
/** The OpenBao pod group and port the controller connects to (declared by the openbao component). */
export const OPENBAO_PEER = { component: OPENBAO_COMPONENT, pods: 'openbao', port: 'api' } as const;
/** The API server's port on K3s and RKE2. */
const API_SERVER = { entity: 'kube-apiserver', ports: [{ port: 6443 }] } as const;

/** The External Secrets Operator and the platform's ClusterSecretStore. */
export class ExternalSecrets extends Component {
  /** The chart as declared, with its typed values. */
  readonly chart;
  /** The ClusterSecretStore `SECRET_STORE` backed by OpenBao. */
  readonly store: ApiObject;
  /** Role that lets the controller request tokens for its own service account only. */
  readonly tokenRole: ApiObject;
  /** The controller's pods. */
  readonly controller: PodGroup;
  /** The admission webhook's pods. */
  readonly webhook: PodGroup;
  private served: readonly string[] | undefined;

  constructor(scope: Construct, id: string, props: ComponentProps) {
    super(scope, id, props, {
      title: 'External Secrets Operator',
      description:
        'Writes the Kubernetes Secrets that workloads consume from OpenBao (KV v2, Kubernetes auth) through the ClusterSecretStore sovra-openbao, or generates them once in the cluster; the output carries ExternalSecrets, never secret values.',
      layer: 'identity',
      namespace: NAMESPACES.externalSecrets,
      version: EXTERNAL_SECRETS_IMAGES.operator.tag,
      // cert-manager issues the webhook certificate; components that are not built yet are not in the SBOM graph (OpenBao comes in as a peer).
      dependsOn: ['cilium', 'cert-manager'].filter((c) => directoryOf(scope).installs(c)),
    });
    const image = this.addImage(EXTERNAL_SECRETS_IMAGES.operator);
    const values = externalSecretsValues(props.profile, image);
    this.chart = this.addChart<ExternalSecretsValues>({ release: EXTERNAL_SECRETS_RELEASE, namespace: this.info.namespace, values, ...EXTERNAL_SECRETS_CHART });
    declareExternalSecretsExceptions(this);

    this.store = this.clusterScoped(addStore(this, () => this.servedNamespaces()));
    this.tokenRole = addTokenRequestRole(this).role;

    this.controller = this.addPods({ name: 'controller', labels: CONTROLLER_LABELS, ports: { metrics: { port: PORTS.metrics } }, serviceAccount: EXTERNAL_SECRETS_OPENBAO_AUTH.serviceAccount });
    this.controller.connectsTo(API_SERVER, 'the controller watches ExternalSecrets, stores and generators, writes Secrets and requests its service account token for the OpenBao login');
    // OpenBao is its own component: the peer exists where the profile installs it, whatever the build order.
    if (this.platform.installs(OPENBAO_COMPONENT)) this.controller.connectsTo(OPENBAO_PEER, 'the controller reads KV secrets from OpenBao and logs in with Kubernetes auth');
    this.webhook = this.addPods({ name: 'webhook', labels: WEBHOOK_LABELS, ports: { webhook: { port: PORTS.webhook }, metrics: { port: PORTS.metrics } }, serviceAccount: WEBHOOK_SERVICE_ACCOUNT });
    this.webhook.connectsTo(API_SERVER, "the webhook's manager reads the API server");
    this.webhook.acceptsFrom('kube-apiserver', 'webhook', 'the API server calls the admission webhook to validate stores and ExternalSecrets');
    this.addMetrics({ pods: this.controller, port: 'metrics' });
    this.addMetrics({ pods: this.webhook, port: 'metrics' });

    // The chart's Certificate makes cert-manager write the webhook's TLS Secret; the webhook Deployment mounts it.
    this.consumesSecret({ name: WEBHOOK_TLS_SECRET, keys: ['tls.crt', 'tls.key', 'ca.crt'], purpose: 'TLS certificate the admission webhook serves to the API server.' });
    this.producesSecret({
      name: WEBHOOK_TLS_SECRET,
      keys: ['tls.crt', 'tls.key', 'ca.crt'],
      kind: 'operator',
      by: `cert-manager, from the Certificate ${this.info.namespace}/${WEBHOOK_TLS_SECRET} the external-secrets chart renders (webhook.certManager.cert.create)`,
      purpose: 'TLS certificate of the admission webhook, issued by the platform issuer.',
    });

    this.onFinalize(() => {
      this.served = storeNamespaces(this.platform);
      this.claim({
        control: 'ac-3',
        statement: `The ClusterSecretStore ${SECRET_STORE} serves only the namespaces whose ExternalSecrets the platform declares (${this.served.join(', ') || 'none in this profile'}); ExternalSecrets elsewhere are refused by the controller. Creating ExternalSecrets is not part of the aggregated edit and admin roles.`,
        evidence: [
          onObject(this.store, 'spec.conditions[0].namespaces', { equals: [...this.served] }),
          onChartValues(EXTERNAL_SECRETS_RELEASE, 'rbac.aggregateToEdit', { equals: false }),
          onChartValues(EXTERNAL_SECRETS_RELEASE, 'rbac.aggregateToAdmin', { equals: false }),
        ],
      });
    });
    // An ExternalSecret added after the list was taken (in a later finalizer) would be refused at run time: a bug to catch here.
    this.node.addValidation({
      validate: () => {
        if (this.served === undefined) return [];
        const now = storeNamespaces(this.platform);
        return now.join() === this.served.join() ? [] : [`ClusterSecretStore ${SECRET_STORE} serves ${this.served.join(', ')} but ExternalSecrets read it from ${now.join(', ')}: an ExternalSecret was added after the platform finalized; add it in the component's constructor.`];
      },
    });

    this.declareClaims(values);
    this.declareCrypto();
    this.customerResponsibility({
      control: 'ac-3',
      statement: `Create in OpenBao the Kubernetes-auth role ${EXTERNAL_SECRETS_OPENBAO_AUTH.role}, bound to the service account ${EXTERNAL_SECRETS_OPENBAO_AUTH.serviceAccount} in namespace ${EXTERNAL_SECRETS_OPENBAO_AUTH.namespace} only, with a read-only policy on the KV mount; until then the store is not ready and no ExternalSecret is filled.`,
      procedure: 'README.md#openbao-runbook',
    });
  }

  /** Namespaces the store serves, known once the platform is finalized. */
  private servedNamespaces(): readonly string[] {
    if (this.served === undefined) throw new Error(`${this.node.path}: the ClusterSecretStore was rendered before the platform was finalized`);
    return this.served;
  }

  private declareClaims(values: ExternalSecretsValues): void {
    const r = EXTERNAL_SECRETS_RELEASE;
    const auth = 'spec.provider.vault.auth.kubernetes';
    this.claim({
      control: 'ia-5.7',
      statement:
        'No static authenticator is embedded in the output: the Secrets workloads consume are ExternalSecrets filled from OpenBao or generated in the cluster, and the controller logs in to OpenBao with Kubernetes auth as its own service account, presenting a 10-minute token from the TokenRequest API, with no token or AppRole secret stored anywhere.',
      evidence: [
        onObject(this.store, `${auth}.mountPath`, { equals: 'kubernetes' }),
        onObject(this.store, `${auth}.role`, { equals: EXTERNAL_SECRETS_OPENBAO_AUTH.role }),
        onObject(this.store, `${auth}.serviceAccountRef`, { equals: { name: EXTERNAL_SECRETS_OPENBAO_AUTH.serviceAccount, namespace: EXTERNAL_SECRETS_OPENBAO_AUTH.namespace } }),
      ],
    });
    this.claim({
      control: 'ac-6',
      statement: `Least privilege for the controller: it may request tokens only for its own service account (Role ${this.tokenRole.name}, resourceNames ${EXTERNAL_SECRETS_OPENBAO_AUTH.serviceAccount}), not for every service account of the cluster as the chart grants by default, and OpenBao's role admits that one service account.`,
      evidence: [
        onChartValues(r, 'rbac.serviceAccountTokenCreate', { equals: false }),
        onObject(this.tokenRole, 'rules[0].resourceNames', { equals: [EXTERNAL_SECRETS_OPENBAO_AUTH.serviceAccount] }),
        onObject(this.store, `${auth}.serviceAccountRef.name`, { equals: values.serviceAccount.name }),
      ],
    });
    this.claim({
      control: 'cm-7',
      statement: 'Only the functions the platform uses run: the PushSecret, ClusterPushSecret and ClusterExternalSecret reconcilers are off and lose their permissions, the controller holds no permission on ClusterGenerators, and the Bitwarden SDK server is not installed.',
      evidence: [
        onChartValues(r, 'processPushSecret', { equals: false }),
        onChartValues(r, 'processClusterPushSecret', { equals: false }),
        onChartValues(r, 'processClusterExternalSecret', { equals: false }),
        onChartValues(r, 'processClusterGenerator', { equals: false }),
        onChartValues(r, 'bitwarden-sdk-server.enabled', { equals: false }),
      ],
    });
    this.claim({
      control: 'sc-8',
      statement: `The API server calls the admission webhook over TLS 1.3 only, with a certificate cert-manager issues from ${PLATFORM_ISSUER}; the controller reaches OpenBao at ${OPENBAO_API.url}, verifying its certificate against the platform CA bundle.`,
      evidence: [
        onChartValues(r, 'webhook.extraArgs.tls-min-version', { equals: '1.3' }),
        onChartValues(r, 'webhook.certManager.enabled', { equals: true }),
        onObject(this.store, 'spec.provider.vault.server', { equals: OPENBAO_API.url }),
        onObject(this.store, 'spec.provider.vault.caProvider.name', { equals: TRUST_BUNDLE.name }),
      ],
    });
    this.claim({
      control: 'sc-12',
      statement: `The admission webhook's key pair (ECDSA P-256) is generated by cert-manager, certified by ${PLATFORM_ISSUER} for ${WEBHOOK_CERT.duration} and replaced with a new key at every renewal (${WEBHOOK_CERT.renewBefore} before expiry).`,
      evidence: [
        onChartValues(r, 'webhook.certManager.cert.issuerRef.name', { equals: PLATFORM_ISSUER }),
        onChartValues(r, 'webhook.certManager.cert.privateKey.rotationPolicy', { equals: 'Always' }),
        onChartValues(r, 'webhook.certManager.cert.duration', { equals: WEBHOOK_CERT.duration }),
      ],
    });
  }

  /** TLS 1.3 of the webhook, its certificate and key, and the TLS connection to OpenBao. */
  private declareCrypto(): void {
    const r = EXTERNAL_SECRETS_RELEASE;
    const implementation = 'external-secrets webhook (Go crypto/tls)';
    const tls = onChartValues(r, 'webhook.extraArgs.tls-min-version', { equals: '1.3' });
    for (const asset of tls13Assets({ name: 'TLS 1.3 (External Secrets admission webhook)', purpose: 'Admission requests from the API server to the External Secrets webhook.', configuredBy: tls, implementation })) this.addCryptoAsset(asset);
    const key = onChartValues(r, 'webhook.certManager.cert.privateKey.algorithm', { equals: 'ECDSA' });
    const secret = { namespace: this.info.namespace, name: WEBHOOK_TLS_SECRET };
    this.addCryptoAsset({
      type: 'certificate',
      name: 'External Secrets webhook certificate',
      purpose: 'Server certificate of the admission webhook; cert-manager injects its CA into the ValidatingWebhookConfigurations.',
      configuredBy: key,
      certificate: { format: 'X.509', extension: 'pem', secret: { ...secret, key: 'tls.crt' }, issuedBy: `cert-manager ClusterIssuer ${PLATFORM_ISSUER}` },
    });
    this.addCryptoAsset({
      type: 'related-crypto-material',
      name: 'External Secrets webhook private key',
      purpose: 'Private key of the webhook certificate, replaced at every renewal.',
      configuredBy: key,
      material: { type: 'private-key', algorithm: 'ECDSA-P256-SHA256', size: 256, format: 'PKCS#8 PEM', secret: { ...secret, key: 'tls.key' } },
    });
    this.addCryptoAsset({ type: 'algorithm', name: 'ECDSA-P256-SHA256', purpose: 'Signature scheme of the webhook certificate key.', configuredBy: key, implementation: 'cert-manager (Go crypto)', certificationLevel: ['none'] });
    this.addCryptoAsset({
      type: 'protocol',
      name: 'TLS (External Secrets to OpenBao)',
      purpose: "The controller's KV reads and Kubernetes-auth logins at OpenBao; the server certificate is verified against the platform CA bundle. The version is OpenBao's listener setting.",
      configuredBy: onObject(this.store, 'spec.provider.vault.caProvider', { equals: { type: 'ConfigMap', name: TRUST_BUNDLE.name, key: TRUST_BUNDLE.key, namespace: this.info.namespace } }),
      protocol: { type: 'tls' },
    });
  }
}
