/**
 * PostgreSQL for the platform: the CloudNativePG operator (chart
 * cloudnative-pg 0.29.0, CloudNativePG 1.30.0) with its CRDs, in
 * NAMESPACES.postgresOperator, highly available on cluster. The databases
 * themselves are Clusters that their owners add with `addPostgresCluster`
 * (cluster.ts); the operator reaches each one's instance manager, derived
 * here from every pod group that carries the `cnpg.io/cluster` label.
 *
 * The admission webhooks' certificate: the chart has no cert-manager
 * option (it mounts Secret `cnpg-webhook-cert`, optional, and names no
 * issuer), so the operator generates its own CA (`cnpg-ca-secret`) and
 * webhook certificate, rotates them and writes the CA into the webhook
 * configurations itself.
 */
import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { onChartValues, onObject } from '../../kit/claims.js';
import { Component, type ComponentProps } from '../../kit/component.js';
import type { ImageSpec } from '../../kit/image.js';
import type { PodGroup } from '../../kit/network.js';
import { NAMESPACES, OPENBAO_PATHS } from '../../kit/shared-names.js';
import { resolveBackup } from './backup-target.js';
import { CNPG_CHART, CNPG_OPERATOR_IMAGE, CNPG_VERSION } from './catalog.js';
import { CLUSTER_LABEL } from './cluster-spec.js';
import { cnpgValues, OPERATOR_LABELS, OPERATOR_PORTS, OPERATOR_UID, type CnpgValues } from './values.js';
import { declareCnpgExceptions } from './policy-exceptions.js';

/** Release name of the operator chart; part of object names and Terraform addresses. */
export const CNPG_RELEASE = 'cloudnative-pg';
/** Secrets the operator creates for its admission webhooks. */
export const WEBHOOK_SECRETS = { certificate: 'cnpg-webhook-cert', ca: 'cnpg-ca-secret' } as const;

/** The data layer's PostgreSQL operator. */
export class Postgres extends Component {
  /** The operator chart as declared, with its typed values. */
  readonly chart;
  /** The operator's pods. */
  readonly operator: PodGroup;
  /** Keeps one operator replica up through voluntary disruptions (highly available profiles). */
  readonly disruptionBudget?: ApiObject;

  constructor(scope: Construct, id: string, props: ComponentProps) {
    super(scope, id, props, {
      title: 'PostgreSQL (CloudNativePG)',
      description:
        'The CloudNativePG operator and its CRDs: it runs the PostgreSQL clusters other components declare (TLS 1.3 only, SCRAM-SHA-256, no superuser access, synchronous replication on cluster, backups to an object store as a profile option).',
      layer: 'data',
      namespace: NAMESPACES.postgresOperator,
      version: CNPG_VERSION,
      dependsOn: ['cilium'],
    });
    const p = props.profile;
    const settings = p.components.postgres;
    const image: ImageSpec = this.addImage(CNPG_OPERATOR_IMAGE);
    // A database image the profile names instead of the default is declared here, once for every cluster.
    if (settings.image) this.addImage(settings.image);
    const replicas = p.highAvailability ? 2 : 1;
    this.chart = this.addChart<CnpgValues>({ release: CNPG_RELEASE, namespace: NAMESPACES.postgresOperator, values: cnpgValues({ image, replicas, resources: settings.operator, release: CNPG_RELEASE }), ...CNPG_CHART });
    declareCnpgExceptions(this, CNPG_RELEASE);

    this.operator = this.addPods({
      name: 'operator',
      labels: OPERATOR_LABELS(CNPG_RELEASE),
      ports: { metrics: { port: OPERATOR_PORTS.metrics }, webhook: { port: OPERATOR_PORTS.webhook } },
      serviceAccount: CNPG_RELEASE,
    });
    this.operator.connectsTo({ entity: 'kube-apiserver', ports: [{ port: 6443 }] }, 'the operator watches its CRDs, Pods and Secrets, writes status and holds its leader-election lease');
    this.operator.acceptsFrom('kube-apiserver', 'webhook', 'the API server calls the operator admission webhooks (Cluster, Backup, ScheduledBackup, Pooler)');
    this.addMetrics({ pods: this.operator, port: 'metrics' });
    // Clusters are declared by the components that own them, some after this one: connect once all exist, before the mesh and identities are derived.
    this.onFinalize(() => this.connectToClusters(), 'declare');

    this.producesSecret({ name: WEBHOOK_SECRETS.certificate, keys: ['tls.crt', 'tls.key'], kind: 'operator', by: 'CloudNativePG operator (webhook certificate, self-signed CA)', purpose: 'Serving certificate of the operator admission webhooks.' });
    this.producesSecret({ name: WEBHOOK_SECRETS.ca, keys: ['ca.crt', 'ca.key'], kind: 'operator', by: 'CloudNativePG operator (webhook CA)', purpose: 'CA that signs the webhook certificate; the operator writes it into the webhook configurations.' });

    if (p.highAvailability) {
      this.disruptionBudget = this.inNamespace(
        new ApiObject(this, 'OperatorDisruptionBudget', {
          apiVersion: 'policy/v1',
          kind: 'PodDisruptionBudget',
          metadata: { name: CNPG_RELEASE },
          spec: { minAvailable: 1, selector: { matchLabels: { ...OPERATOR_LABELS(CNPG_RELEASE) } } },
        }),
      );
    }
    this.declareClaims(replicas);
    this.declareCrypto();
  }

  /** The operator calls the instance manager of every cluster of the platform on its status port. */
  private connectToClusters(): void {
    for (const g of this.platform.podGroups()) {
      const cluster = g.labels[CLUSTER_LABEL];
      if (cluster === undefined) continue;
      if (!g.ports.status) throw new Error(`pod group ${g.owner.id}/${g.name} carries ${CLUSTER_LABEL} but no port named "status" (the instance manager's 8000): declare it, as addPostgresCluster does`);
      this.operator.connectsTo({ component: g.owner.id, pods: g.name, port: 'status' }, `the operator drives the instance manager of PostgreSQL cluster ${g.namespace}/${cluster}`);
    }
  }

  private declareClaims(replicas: number): void {
    this.claim({
      control: 'ac-6',
      statement: `The CloudNativePG operator runs as non-root UID ${OPERATOR_UID} with a read-only root filesystem, no privilege escalation and every capability dropped; its roles are not aggregated into the cluster's user-facing roles.`,
      evidence: [
        onChartValues(CNPG_RELEASE, 'containerSecurityContext.runAsUser', { equals: OPERATOR_UID }),
        onChartValues(CNPG_RELEASE, 'containerSecurityContext.readOnlyRootFilesystem', { equals: true }),
        onChartValues(CNPG_RELEASE, 'containerSecurityContext.allowPrivilegeEscalation', { equals: false }),
        onChartValues(CNPG_RELEASE, 'containerSecurityContext.capabilities.drop', { equals: ['ALL'] }),
        onChartValues(CNPG_RELEASE, 'rbac.aggregateClusterRoles', { equals: false }),
      ],
    });
    if (this.disruptionBudget) {
      this.claim({
        control: 'cp-10',
        status: 'partial',
        statement: `The CloudNativePG operator runs ${replicas} replicas with leader election (one active, one standing by) and a PodDisruptionBudget keeping one available, so failover of the PostgreSQL clusters does not wait for an operator restart.`,
        evidence: [onChartValues(CNPG_RELEASE, 'replicaCount', { equals: replicas }), onObject(this.disruptionBudget, 'spec.minAvailable', { equals: 1 })],
      });
    }
    this.customerResponsibility({
      control: 'sc-28',
      statement:
        'CloudNativePG does not encrypt PostgreSQL data at rest. The site keeps the volumes of every PostgreSQL cluster on encrypted storage (an encrypted StorageClass, named in the profile as components.postgres.storageClass, or encrypted disks), and the object store encrypts backups (barman-cloud asks it for server-side encryption unless the profile says bucket-default).',
      procedure: 'README.md#postgresql-cloudnativepg',
    });
    const backup = resolveBackup(this.profile);
    if (backup) {
      this.customerResponsibility({
        control: 'cp-9',
        statement:
          backup.credentials.source === 'openbao'
            ? `The site writes the backup user's access key pair (ACCESS_KEY_ID, ACCESS_SECRET_KEY) to OpenBao at ${OPENBAO_PATHS.kv}/${backup.credentials.path}, from where each PostgreSQL namespace reads it into Secret ${backup.credentialsSecret}, and tests restores from bucket ${backup.bucket} of ${backup.store}.`
            : `The site provides the object store at ${backup.endpointURL} with bucket ${backup.bucket}, the Secret ${backup.credentialsSecret} (ACCESS_KEY_ID, ACCESS_SECRET_KEY) in the namespace of every PostgreSQL cluster, and tests restores from it.`,
        procedure: 'README.md#postgresql-cloudnativepg',
      });
    }
  }

  /** The webhook certificate the operator issues itself (the chart offers no cert-manager option). */
  private declareCrypto(): void {
    this.addCryptoAsset({
      type: 'certificate',
      name: 'CloudNativePG webhook certificate',
      purpose: 'Serving certificate of the operator admission webhooks (the API server calls them over TLS).',
      configuredBy: onChartValues(CNPG_RELEASE, 'webhook.validating.create', { equals: true }),
      certificate: { format: 'X.509', extension: 'pem', secret: { namespace: NAMESPACES.postgresOperator, name: WEBHOOK_SECRETS.certificate, key: 'tls.crt' }, issuedBy: `CloudNativePG operator (self-signed CA in Secret ${WEBHOOK_SECRETS.ca})` },
    });
  }
}
