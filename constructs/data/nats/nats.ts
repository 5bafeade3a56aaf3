/**
 * NATS JetStream: the platform's message bus. TLS 1.3 on client and route
 * connections, accounts with per-user credentials, JetStream encrypted at
 * rest, storage sized per profile, and a NetworkPolicy allow-list.
 */
import type { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { onChartValues, onObject } from '../../kit/claims.js';
import { Component, type ComponentProps } from '../../kit/component.js';
import { addCertificate } from '../../kit/certificates.js';
import { tls13Assets } from '../../kit/crypto.js';
import { addExternalSecret } from '../../kit/external-secrets.js';
import type { PodGroup } from '../../kit/network.js';
import { imageRef } from '../../kit/image.js';
import { NATS_CHART, NATS_IMAGES } from './catalog.js';

/** Values Sovra sets on the NATS chart. */
export interface NatsValues {
  readonly config: {
    readonly cluster: { readonly enabled: boolean; readonly replicas: number; readonly tls: { readonly enabled: boolean; readonly secretName: string; readonly merge: { readonly min_version: string } } };
    readonly jetstream: {
      readonly enabled: boolean;
      readonly fileStore: { readonly enabled: boolean; readonly pvc: { readonly enabled: boolean; readonly size: string } };
      readonly memoryStore: { readonly enabled: boolean; readonly maxSize: string };
      readonly merge: { readonly cipher: 'aes' | 'chachapoly'; readonly key: string };
    };
    readonly nats: { readonly port: number; readonly tls: { readonly enabled: boolean; readonly secretName: string; readonly merge: { readonly min_version: string } } };
    readonly monitor: { readonly enabled: boolean; readonly port: number };
    readonly merge: {
      readonly system_account: string;
      readonly accounts: Record<string, { readonly jetstream?: string; readonly users: ReadonlyArray<{ readonly user: string; readonly password: string }> }>;
    };
  };
  readonly container: {
    readonly image: { readonly fullImageName: string; readonly pullPolicy: string };
    readonly env: Record<string, { readonly valueFrom: { readonly secretKeyRef: { readonly name: string; readonly key: string } } }>;
    readonly merge: Record<string, unknown>;
  };
  readonly podTemplate: { readonly merge: Record<string, unknown> };
  readonly reloader: { readonly enabled: boolean };
  readonly natsBox: { readonly enabled: boolean };
}

/** Release name; part of object names and Terraform addresses. */
export const NATS_RELEASE = 'nats';
/** Namespace of the NATS servers. */
export const NATS_NAMESPACE = 'sovra-messaging';
/** Client port. */
export const NATS_CLIENT_PORT = 4222;
/** Route port between servers. */
export const NATS_CLUSTER_PORT = 6222;
/** HTTP monitoring port (JSON, not Prometheus). */
export const NATS_MONITOR_PORT = 8222;
/** Pod labels the chart puts on the servers. */
export const NATS_POD_LABELS = { 'app.kubernetes.io/name': 'nats', 'app.kubernetes.io/instance': NATS_RELEASE } as const;

/** The data layer's message bus. */
export class Nats extends Component {
  /** The chart as declared. */
  readonly chart;
  /** The NATS servers: clients declare them as their peer. */
  readonly servers: PodGroup;
  /** Allow-list of the servers (derived from the peers of every component). */
  readonly networkPolicy: ApiObject;

  constructor(scope: Construct, id: string, props: ComponentProps) {
    super(scope, id, props, {
      title: 'NATS JetStream',
      description: 'Message bus and durable streams of the platform. Credentials, TLS certificates and the JetStream encryption key come from Secrets nats-accounts, nats-server-tls and nats-jetstream-key, provisioned by the secrets layer.',
      layer: 'data',
      namespace: NATS_NAMESPACE,
      version: NATS_IMAGES.server.tag.replace(/-alpine$/, ''),
      dependsOn: ['cilium'],
    });
    const p = props.profile;
    const server = this.addImage(NATS_IMAGES.server);
    const settings = p.components.nats;
    const replicas = p.replicas.stateful;
    const secretEnv = (secret: string, key: string) => ({ valueFrom: { secretKeyRef: { name: secret, key } } });
    const values: NatsValues = {
      config: {
        cluster: { enabled: replicas > 1, replicas: Math.max(replicas, 1), tls: { enabled: true, secretName: 'nats-server-tls', merge: { min_version: '1.3' } } },
        jetstream: {
          enabled: true,
          fileStore: { enabled: true, pvc: { enabled: true, size: settings.fileStorage } },
          memoryStore: { enabled: true, maxSize: settings.memoryStorage },
          merge: { cipher: 'aes', key: '<< $JETSTREAM_KEY >>' },
        },
        nats: { port: NATS_CLIENT_PORT, tls: { enabled: true, secretName: 'nats-server-tls', merge: { min_version: '1.3' } } },
        monitor: { enabled: true, port: NATS_MONITOR_PORT },
        merge: {
          system_account: 'SYS',
          accounts: {
            SYS: { users: [{ user: 'sys', password: '<< $SYS_PASSWORD >>' }] },
            SOVRA: { jetstream: 'enabled', users: [{ user: 'platform', password: '<< $PLATFORM_PASSWORD >>' }] },
          },
        },
      },
      container: {
        image: { fullImageName: imageRef(server), pullPolicy: 'IfNotPresent' },
        env: {
          JETSTREAM_KEY: secretEnv('nats-jetstream-key', 'key'),
          SYS_PASSWORD: secretEnv('nats-accounts', 'sys'),
          PLATFORM_PASSWORD: secretEnv('nats-accounts', 'platform'),
        },
        merge: {
          resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } },
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
        },
      },
      podTemplate: {
        merge: {
          spec: {
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
          },
        },
      },
      reloader: { enabled: false },
      natsBox: { enabled: false },
    };
    this.chart = this.addChart<NatsValues>({ release: NATS_RELEASE, namespace: NATS_NAMESPACE, values, ...NATS_CHART });

    this.servers = this.addPods({
      name: 'nats',
      labels: NATS_POD_LABELS,
      ports: { client: { port: NATS_CLIENT_PORT }, cluster: { port: NATS_CLUSTER_PORT }, monitor: { port: NATS_MONITOR_PORT } },
    });
    if (replicas > 1) this.servers.connectsTo({ component: id, pods: 'nats', port: 'cluster' }, 'cluster routes between NATS servers');
    this.networkPolicy = this.servers.networkPolicy;
    // The chart reads these Secrets through its values (the container env and the TLS secretName): declared, and produced here.
    for (const [name, keys, purpose] of [
      ['nats-server-tls', ['tls.crt', 'tls.key', 'ca.crt'], 'Server certificate of the client and route listeners.'],
      ['nats-accounts', ['sys', 'platform'], 'Passwords of the NATS users.'],
      ['nats-jetstream-key', ['key'], 'Key from which JetStream derives its encryption-at-rest keys.'],
    ] as const) {
      this.consumesSecret({ name, keys, purpose });
    }
    const svc = `nats.${NATS_NAMESPACE}.svc`;
    addCertificate(this, {
      name: 'nats-server-tls',
      dnsNames: ['nats', `nats.${NATS_NAMESPACE}`, svc, `*.nats-headless.${NATS_NAMESPACE}.svc`, `*.nats-headless.${NATS_NAMESPACE}.svc.cluster.local`],
      usages: ['server auth', 'client auth'],
      purpose: 'Server certificate of the NATS client listener and, between servers, of the cluster routes.',
    });
    addExternalSecret(this, { name: 'nats-accounts', purpose: 'Passwords of the NATS system and platform users, generated once in the cluster.', from: { generated: { keys: ['sys', 'platform'], length: 32 } } });
    addExternalSecret(this, { name: 'nats-jetstream-key', purpose: 'JetStream encryption key, generated once in the cluster.', from: { generated: { keys: ['key'], length: 48 } } });

    this.claim({
      control: 'sc-8',
      statement: 'Client and cluster-route connections to NATS require TLS 1.3.',
      evidence: [
        onChartValues(NATS_RELEASE, 'config.nats.tls.enabled', { equals: true }),
        onChartValues(NATS_RELEASE, 'config.nats.tls.merge.min_version', { equals: '1.3' }),
        onChartValues(NATS_RELEASE, 'config.cluster.tls.enabled', { equals: true }),
        onChartValues(NATS_RELEASE, 'config.cluster.tls.merge.min_version', { equals: '1.3' }),
      ],
    });
    this.claim({
      control: 'sc-28',
      statement: 'JetStream streams are encrypted at rest with AES-256-GCM under a key held in a Secret.',
      evidence: [onChartValues(NATS_RELEASE, 'config.jetstream.merge.cipher', { equals: 'aes' })],
    });
    this.claim({
      control: 'ia-2',
      statement: 'Every NATS client authenticates as a named user of an account; there is no anonymous user.',
      evidence: [
        onChartValues(NATS_RELEASE, 'config.merge.accounts.SOVRA.users[0].user', { equals: 'platform' }),
        onChartValues(NATS_RELEASE, 'config.merge.accounts.SYS.users[0].user', { equals: 'sys' }),
      ],
    });
    this.claim({
      control: 'sc-7',
      statement: 'Only the pods of components that declare NATS as their peer may reach the client port; routes are open only between NATS servers.',
      evidence: [onObject(this.networkPolicy, 'spec.policyTypes', { equals: ['Ingress', 'Egress'] })],
    });

    this.declareCrypto(replicas > 1);
  }

  /** TLS 1.3 on client (and, with more than one server, route) connections, the server certificate, and JetStream encryption at rest. */
  private declareCrypto(clustered: boolean): void {
    const implementation = 'nats-server (Go crypto)';
    const clientTls = onChartValues(NATS_RELEASE, 'config.nats.tls.merge.min_version', { equals: '1.3' });
    for (const asset of tls13Assets({ name: 'TLS 1.3 (NATS client connections)', purpose: 'Connections of NATS clients to the servers.', configuredBy: clientTls, implementation })) this.addCryptoAsset(asset);
    if (clustered) {
      const routeTls = onChartValues(NATS_RELEASE, 'config.cluster.tls.merge.min_version', { equals: '1.3' });
      for (const asset of tls13Assets({ name: 'TLS 1.3 (NATS cluster routes)', purpose: 'Route connections between NATS servers.', configuredBy: routeTls, implementation })) this.addCryptoAsset(asset);
    }
    this.addCryptoAsset({
      type: 'algorithm',
      name: 'AES-256-GCM',
      purpose: 'JetStream encryption at rest.',
      configuredBy: onChartValues(NATS_RELEASE, 'config.jetstream.merge.cipher', { equals: 'aes' }),
      implementation,
      certificationLevel: ['none'],
    });
    this.addCryptoAsset({
      type: 'related-crypto-material',
      name: 'JetStream encryption key',
      purpose: 'Server key from which NATS derives the keys that encrypt stream and consumer data at rest.',
      configuredBy: onChartValues(NATS_RELEASE, 'container.env.JETSTREAM_KEY.valueFrom.secretKeyRef', { equals: { name: 'nats-jetstream-key', key: 'key' } }),
      material: { type: 'secret-key', algorithm: 'AES-256-GCM', secret: { namespace: NATS_NAMESPACE, name: 'nats-jetstream-key', key: 'key' } },
    });
  }
}
