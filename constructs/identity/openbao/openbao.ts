/**
 * OpenBao: the platform's secrets store (KV version 2 at `sovra`), the
 * Kubernetes auth its clients log in with, and on cluster the PKI behind
 * the platform's certificates. Integrated Raft storage in HA mode (three
 * servers on cluster, one on dev and edge), TLS 1.3 with a certificate from
 * the bootstrap CA, a declarative audit device on the container log, and a
 * seal chosen per profile. What only a person can do on a live cluster
 * (initialize, unseal, appoint the first administrator, the CA ceremony) is
 * the README's runbook and a customer responsibility, never claimed.
 */
import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { SovraError } from '../../../core/errors.js';
import { addCertificate } from '../../kit/certificates.js';
import { onChartValues, onObject, type Evidence } from '../../kit/claims.js';
import { Component, directoryOf, type ComponentProps } from '../../kit/component.js';
import type { PodGroup } from '../../kit/network.js';
import { BOOTSTRAP_ISSUER, NAMESPACES, OPENBAO_API, OPENBAO_CLIENTS, OPENBAO_PATHS } from '../../kit/shared-names.js';
import { openBaoAlerts } from './alerts.js';
import { OPENBAO_CHART, OPENBAO_IMAGES } from './catalog.js';
import { declareOpenBaoCrypto } from './crypto.js';
import { customerResponsibilities } from './responsibilities.js';
import { SEAL_SECRET, sealPlan, type SealPlan } from './seal.js';
import { BOOTSTRAP_ADMIN, initializeBlocks, kubernetesRoles, policies, requestPath, type InitializeBlock } from './self-init.js';
import { API_PORT, AUDIT_DEVICE, CLUSTER_PORT, DATA_PATH, TLS_MOUNT, serverConfig } from './server-config.js';
import { HEADLESS_SERVICE, onConfig, OPENBAO_CONTAINER, OPENBAO_POD_LABELS, OPENBAO_RELEASE, OPENBAO_SERVICE_ACCOUNT, TLS_SECRET, openBaoValues, type OpenBaoValues } from './values.js';
import { declareOpenBaoExceptions } from './policy-exceptions.js';

/** DNS names of the server certificate: the Services and every server's headless name, short and qualified. */
export function certificateNames(replicas: number): string[] {
  const ns = NAMESPACES.openbao;
  const forms = (host: string) => [host, `${host}.${ns}`, `${host}.${ns}.svc`, `${host}.${ns}.svc.cluster.local`];
  const services = [OPENBAO_API.service, `${OPENBAO_RELEASE}-active`, `${OPENBAO_RELEASE}-standby`, HEADLESS_SERVICE];
  const servers = Array.from({ length: replicas }, (_, i) => `${OPENBAO_RELEASE}-${i}.${HEADLESS_SERVICE}`);
  return [...services, ...servers].flatMap(forms);
}

/** The secrets layer: OpenBao with Raft, TLS 1.3, audit to the log, Kubernetes auth and the seal of the profile. */
export class OpenBao extends Component {
  /** The chart as declared, with its typed values. */
  readonly chart;
  /** The servers: clients declare them as their peer on port `api`. */
  readonly server: PodGroup;
  /** cert-manager Certificate of the servers (from BOOTSTRAP_ISSUER, which exists before OpenBao). */
  readonly certificate: ApiObject;
  /** How the root key is sealed. */
  readonly seal: SealPlan;
  /** Number of Raft servers. */
  readonly replicas: number;
  /** Whether the servers configure themselves on first start (one server with an auto-unseal seal). */
  readonly selfInit: boolean;
  /** Whether OpenBao's PKI issues the platform's certificates (cert-manager's Vault issuer). */
  readonly pki: boolean;
  /** Service account whose tokens log in as the bootstrap administrator (self-initialization only). */
  readonly bootstrapAdmin?: ApiObject;

  constructor(scope: Construct, id: string, props: ComponentProps) {
    // cert-manager issues the servers' certificate: a run-time dependency when the platform has it (registered before openbao).
    const certManager = directoryOf(scope).installs('cert-manager');
    super(scope, id, props, {
      title: 'OpenBao',
      description: `Secrets store of the platform: KV version 2 at ${OPENBAO_PATHS.kv}, Kubernetes auth for workloads, and (where the profile says so) the PKI behind the platform's certificates. Integrated Raft storage, TLS 1.3, a declarative audit device on the container log.`,
      layer: 'identity',
      namespace: NAMESPACES.openbao,
      version: OPENBAO_IMAGES.server.tag,
      dependsOn: ['cilium', ...(certManager ? ['cert-manager'] : [])],
    });
    const p = props.profile;
    const settings = p.components.openbao;
    this.replicas = p.replicas.stateful;
    if (this.replicas % 2 === 0) {
      throw new SovraError('bad-profile', `replicas.stateful is ${this.replicas}, but OpenBao's Raft needs an odd number of servers to keep a quorum through a failure (1, 3 or 5).`);
    }
    this.seal = sealPlan(settings.seal, p.airGapped);
    this.pki = settings.pki;
    this.selfInit = this.seal.auto && this.replicas === 1;
    const ui = settings.ui ?? false;
    const image = this.addImage(OPENBAO_IMAGES.server);
    const peers = Array.from({ length: this.replicas }, (_, i) => `https://${OPENBAO_RELEASE}-${i}.${HEADLESS_SERVICE}:${API_PORT}`);
    const initialize = this.selfInit ? initializeBlocks(this.pki) : undefined;
    const config = serverConfig({ ui, peers, ...(this.seal.stanza ? { seal: this.seal.stanza } : {}), ...(initialize ? { initialize } : {}) });
    const values = openBaoValues({ image, replicas: this.replicas, storage: settings.storage, cpu: settings.cpu, memory: settings.memory, ui, seal: this.seal, config });
    this.chart = this.addChart<OpenBaoValues>({ release: OPENBAO_RELEASE, namespace: NAMESPACES.openbao, values, ...OPENBAO_CHART });
    declareOpenBaoExceptions(this, OPENBAO_RELEASE);

    this.certificate = addCertificate(this, {
      name: TLS_SECRET,
      dnsNames: certificateNames(this.replicas),
      issuer: BOOTSTRAP_ISSUER,
      purpose: `Server certificate of OpenBao's API (${OPENBAO_API.url}) and of every server's headless name (Raft retry_join).`,
    });
    // The servers mount the Secret: the Certificate comes first in the manifest.
    this.chartObject(OPENBAO_RELEASE)?.node.addDependency(this.certificate);
    this.consumesSecret({ name: TLS_SECRET, keys: ['tls.crt', 'tls.key', 'ca.crt'], purpose: `TLS of the API listener and CA of retry_join (chart value server.volumes, mounted at ${TLS_MOUNT}).` });
    if (this.seal.secretKeys.length > 0) {
      const keys = this.seal.secretKeys.map((k) => k.key);
      const what = this.seal.secretKeys.map((k) => `${k.key}: ${k.holds}`).join('; ');
      this.consumesSecret({ name: SEAL_SECRET, keys, purpose: `The ${this.seal.kind} seal (${what}).` });
      this.producesSecret({ name: SEAL_SECRET, keys, kind: 'supplied-at-install', by: 'the site, before install (README.md#openbao-runbook)', purpose: `What the ${this.seal.kind} seal reads: ${what}.` });
    }
    if (this.selfInit) {
      this.bootstrapAdmin = this.inNamespace(
        new ApiObject(this, 'ServiceAccount-bootstrap-admin', {
          apiVersion: 'v1',
          kind: 'ServiceAccount',
          metadata: { name: BOOTSTRAP_ADMIN.serviceAccount, namespace: BOOTSTRAP_ADMIN.namespace },
          automountServiceAccountToken: false,
        }),
      );
    }

    this.server = this.addPods({
      name: 'openbao',
      labels: OPENBAO_POD_LABELS,
      ports: { api: { port: API_PORT }, cluster: { port: CLUSTER_PORT } },
      serviceAccount: OPENBAO_SERVICE_ACCOUNT,
    });
    for (const rule of openBaoAlerts(NAMESPACES.openbao, OPENBAO_RELEASE)) this.addAlert(rule);
    if (this.replicas > 1) {
      this.server.connectsTo({ component: id, pods: 'openbao', port: 'api' }, 'a joining server finds the Raft leader on its API (retry_join)');
      this.server.connectsTo({ component: id, pods: 'openbao', port: 'cluster' }, 'Raft replication and request forwarding between servers (mutual TLS)');
    }
    this.server.connectsTo({ entity: 'kube-apiserver', ports: [{ port: 6443 }] }, 'Kubernetes auth reviews client tokens (TokenReview); service registration labels the active server');
    if (this.seal.egress) {
      this.server.connectsTo({ entity: 'world', ports: [{ port: this.seal.egress.port }], fqdns: this.seal.egress.fqdns }, `the ${this.seal.kind} seal unwraps the root key at every start`);
    }

    this.makeClaims(ui, initialize);
    declareOpenBaoCrypto(this);
    for (const r of customerResponsibilities(this)) this.customerResponsibility(r);
  }

  /** Evidence that the seal is the one configured (absent for Shamir, OpenBao's default without a seal stanza). */
  sealEvidence(): Evidence[] {
    return this.seal.evidence ? [onConfig(`seal.${this.seal.evidence.path}`, { equals: this.seal.evidence.value })] : [];
  }

  private makeClaims(ui: boolean, initialize: readonly InitializeBlock[] | undefined): void {
    const tls13 = onConfig('listener.tcp.tls_min_version', { equals: 'tls13' });
    this.claim({
      control: 'sc-8',
      statement: `Every connection to OpenBao's API, from clients and from a server joining the Raft leader, uses TLS with a certificate from the ${BOOTSTRAP_ISSUER} CA; the listener has no plaintext mode.`,
      evidence: [
        onChartValues(OPENBAO_RELEASE, 'global.tlsDisable', { equals: false }),
        onConfig('listener.tcp.tls_disable', { equals: false }),
        onConfig('listener.tcp.tls_cert_file', { equals: `${TLS_MOUNT}/tls.crt` }),
        tls13,
        ...(this.replicas > 1 ? [onConfig('storage.raft.retry_join[0].leader_ca_cert_file', { equals: `${TLS_MOUNT}/ca.crt` })] : []),
      ],
    });
    this.claim({ control: 'sc-8.1', statement: "OpenBao's API listener accepts TLS 1.3 only (tls_min_version = tls13): AES-GCM or ChaCha20-Poly1305 with ephemeral key exchange.", evidence: [tls13] });
    this.claim({
      control: 'sc-28',
      statement: `Everything OpenBao writes to its Raft storage (${DATA_PATH}) is encrypted by its barrier with AES-256-GCM under a keyring that the root key encrypts. ${this.seal.statement}`,
      evidence: [onConfig('storage.raft.path', { equals: DATA_PATH }), ...this.sealEvidence()],
    });
    if (this.seal.auto) {
      this.claim({
        control: 'sc-12',
        status: 'partial',
        statement: `OpenBao generates its barrier keyring and root key itself and unseals with the configured ${this.seal.kind} seal. ${this.seal.statement} Making and keeping the seal key is the customer's part (runbook).`,
        evidence: this.sealEvidence(),
      });
    }
    // The node's log collector (component logs) parses these lines into queryable audit records.
    this.declareAuditLog({
      kind: 'container',
      service: 'openbao',
      namespace: NAMESPACES.openbao,
      container: OPENBAO_CONTAINER,
      stream: 'stdout',
      // The JSON format writes "time" then "type" first (openbao audit/format_json_test.go); the server's own log lines do not.
      match: '^\\{"time":"[^"]*","type":"(request|response)"',
      format: 'json',
    });
    const audit = `audit[0].file.${AUDIT_DEVICE}.options`;
    this.claim({
      control: 'au-2',
      statement: `OpenBao logs every API request and response, authenticated or not, through the declarative file audit device "${AUDIT_DEVICE}", which the server creates at every start; a request is refused when no audit device can record it.`,
      evidence: [onConfig(`${audit}.file_path`, { equals: 'stdout' })],
    });
    this.claim({
      control: 'au-12',
      statement: 'Audit records (time, client token accessor, identity, path, operation, remote address, response) are written as JSON to the server container\'s standard output, where the node\'s log collector reads them; secrets in them are HMAC-SHA256 hashed, never written raw.',
      evidence: [onConfig(`${audit}.file_path`, { equals: 'stdout' }), onConfig(`${audit}.format`, { equals: 'json' }), onConfig(`${audit}.log_raw`, { equals: 'false' })],
    });
    this.claim({
      control: 'cm-7',
      statement: `Only the OpenBao server runs: the chart's agent injector and CSI provider are off${ui ? '' : ', and so is the web UI'}.`,
      evidence: [
        onChartValues(OPENBAO_RELEASE, 'injector.enabled', { equals: false }),
        onChartValues(OPENBAO_RELEASE, 'csi.enabled', { equals: false }),
        ...(ui ? [] : [onChartValues(OPENBAO_RELEASE, 'ui.enabled', { equals: false }), onConfig('ui', { equals: false })]),
      ],
    });
    this.claim({
      control: 'sc-7',
      statement: 'Only pods of components that declare OpenBao as their peer reach its API; the cluster port is open only between OpenBao servers.',
      evidence: [onObject(this.server.networkPolicy, 'spec.policyTypes', { equals: ['Ingress', 'Egress'] })],
    });
    if (initialize) this.claimSelfInit(initialize);
  }

  /** AC-3 and IA-2 on the policies and roles the servers create themselves on first start. */
  private claimSelfInit(blocks: readonly InitializeBlock[]): void {
    const at = (block: string, request: string, field: string) => `${requestPath(blocks, block, request, field)}`;
    const eso = OPENBAO_CLIENTS.externalSecrets;
    const cm = OPENBAO_CLIENTS.certManager;
    const pol = policies(this.pki);
    const roles = kubernetesRoles(this.pki);
    this.claim({
      control: 'ac-3',
      statement: `Each client role gets one ACL policy: ${eso.role} may only read ${OPENBAO_PATHS.kv}/data/* and list ${OPENBAO_PATHS.kv}/metadata/*${this.pki ? `, ${cm.role} may only sign at ${cm.signPath}` : ''}. The servers create policies and roles on their first start (declarative self-initialization).`,
      evidence: [
        onConfig(at('policies', `policy-${eso.policy}`, 'data.policy'), { equals: pol[eso.policy] }),
        onConfig(at('roles', `role-${eso.role}`, 'data.token_policies'), { equals: [eso.policy] }),
        ...(this.pki ? [onConfig(at('policies', `policy-${cm.policy}`, 'data.policy'), { equals: pol[cm.policy] }), onConfig(at('roles', `role-${cm.role}`, 'data.token_policies'), { equals: [cm.policy] })] : []),
      ],
    });
    this.claim({
      control: 'ia-2',
      statement: `Workloads authenticate to OpenBao with their Kubernetes service account token (auth method ${OPENBAO_PATHS.kubernetesAuth}, reviewed by the API server); each role admits one service account in one namespace: ${Object.entries(roles)
        .map(([name, r]) => `${name} ← ${r.bound_service_account_namespaces[0]}/${r.bound_service_account_names[0]}`)
        .join(', ')}. Tokens live 15 minutes, 1 hour at most.`,
      evidence: [
        onConfig(at('auth', 'enable-kubernetes', 'data.type'), { equals: 'kubernetes' }),
        onConfig(at('roles', `role-${eso.role}`, 'data.bound_service_account_names'), { equals: [eso.serviceAccount] }),
        onConfig(at('roles', `role-${eso.role}`, 'data.bound_service_account_namespaces'), { equals: [eso.namespace] }),
        onConfig(at('roles', `role-${eso.role}`, 'data.token_ttl'), { equals: '15m' }),
        ...(this.pki ? [onConfig(at('roles', `role-${cm.role}`, 'data.audience'), { equals: cm.audience })] : []),
      ],
    });
  }
}
