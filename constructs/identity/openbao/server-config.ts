/**
 * The OpenBao server configuration Sovra writes, as data: the chart takes
 * it as an object (`server.ha.raft.config`) and renders it as JSON, which
 * OpenBao reads like HCL. Being data, every setting a claim cites is a
 * checkable field of the written chart values, and the conformance test
 * reads the same field back from the rendered ConfigMap. Parameter names
 * are those of the OpenBao 2.6 documentation (website/content/docs/configuration
 * at tag v2.6.2: listener/tcp, storage/raft, audit, telemetry, self-init).
 */
import type { SealStanza } from './seal.js';
import type { InitializeBlock } from './self-init.js';

/** Where the server's TLS Secret is mounted. */
export const TLS_MOUNT = '/openbao/tls';
/** Raft data directory (the chart's data volume). */
export const DATA_PATH = '/openbao/data';
/** API port (TLS 1.3). */
export const API_PORT = 8200;
/** Cluster port: Raft and request forwarding between servers, mutual TLS with OpenBao's own cluster certificates. */
export const CLUSTER_PORT = 8201;
/** Name of the declarative audit device (path `stdout/`). */
export const AUDIT_DEVICE = 'stdout';

/** A `retry_join` entry: a possible leader and the CA its certificate chains to. */
export interface RetryJoin {
  readonly leader_api_addr: string;
  readonly leader_ca_cert_file: string;
}

/** The server configuration (the subset Sovra sets). */
export interface ServerConfig {
  readonly ui: boolean;
  readonly cluster_name: string;
  readonly listener: {
    readonly tcp: {
      readonly address: string;
      readonly cluster_address: string;
      readonly tls_disable: boolean;
      readonly tls_cert_file: string;
      readonly tls_key_file: string;
      readonly tls_min_version: 'tls13';
      readonly telemetry: { readonly unauthenticated_metrics_access: boolean };
    };
  };
  readonly storage: { readonly raft: { readonly path: string; readonly retry_join?: readonly RetryJoin[] } };
  readonly service_registration: { readonly kubernetes: Record<string, never> };
  readonly seal?: SealStanza;
  readonly audit: ReadonlyArray<{ readonly file: Record<string, { readonly description: string; readonly options: Record<string, string> }> }>;
  readonly telemetry: { readonly prometheus_retention_time: string; readonly disable_hostname: boolean };
  readonly initialize?: readonly InitializeBlock[];
}

/** What the configuration depends on. */
export interface ServerConfigInput {
  readonly ui: boolean;
  /** Headless DNS names of every server's API (`https://openbao-0.openbao-internal:8200`, ...), when there is more than one. */
  readonly peers: readonly string[];
  readonly seal?: SealStanza;
  readonly initialize?: readonly InitializeBlock[];
}

/** The server configuration for `input`. */
export function serverConfig(input: ServerConfigInput): ServerConfig {
  return {
    ui: input.ui,
    cluster_name: 'sovra-openbao',
    listener: {
      tcp: {
        address: `[::]:${API_PORT}`,
        cluster_address: `[::]:${CLUSTER_PORT}`,
        tls_disable: false,
        tls_cert_file: `${TLS_MOUNT}/tls.crt`,
        tls_key_file: `${TLS_MOUNT}/tls.key`,
        tls_min_version: 'tls13',
        // /v1/sys/metrics needs a token with read on sys/metrics; no scraper holds one yet (README).
        telemetry: { unauthenticated_metrics_access: false },
      },
    },
    storage: {
      raft: {
        path: DATA_PATH,
        // A single server bootstraps alone; several find the leader through the headless names, verifying its certificate.
        ...(input.peers.length > 1 ? { retry_join: input.peers.map((addr) => ({ leader_api_addr: addr, leader_ca_cert_file: `${TLS_MOUNT}/ca.crt` })) } : {}),
      },
    },
    service_registration: { kubernetes: {} },
    ...(input.seal ? { seal: input.seal } : {}),
    // Declarative audit device (OpenBao ≥ 2.4): created on the active server at every start; the API cannot create one.
    audit: [
      {
        file: {
          [AUDIT_DEVICE]: {
            description: 'Every request and response, sensitive values HMAC-SHA256 hashed, to the container log.',
            options: { file_path: 'stdout', format: 'json', log_raw: 'false', hmac_accessor: 'true' },
          },
        },
      },
    ],
    telemetry: { prometheus_retention_time: '30s', disable_hostname: true },
    ...(input.initialize && input.initialize.length > 0 ? { initialize: input.initialize } : {}),
  };
}
