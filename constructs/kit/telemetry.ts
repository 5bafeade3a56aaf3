/**
 * What components say about their logs and their query APIs, so that the
 * observability components can collect and show them without importing
 * the components that declared them: the audit trails a component writes
 * where a node's log collector can read them (a file on the node, or JSON
 * lines in a container's log), and the Grafana datasources a component
 * serves (its query API, which Grafana reaches as a declared peer).
 */
import type { PodGroup } from './network.js';

/** An audit trail written as a file on the nodes (the API server's audit log). */
export interface NodeFileAuditLog {
  readonly kind: 'node-file';
  /** Service that writes it, as the collector names it (`service.name`). */
  readonly service: string;
  /** Absolute path of the file on the node. */
  readonly path: string;
  /** One JSON object per line. */
  readonly format: 'json';
  /** On which nodes the file exists: the server (control plane) nodes, or every node. */
  readonly nodes: 'servers' | 'all';
}

/** An audit trail written as JSON lines into a container's standard output, between its other log lines. */
export interface ContainerAuditLog {
  readonly kind: 'container';
  /** Service that writes it, as the collector names it (`service.name`). */
  readonly service: string;
  readonly namespace: string;
  readonly container: string;
  /** The container log stream that carries the records. */
  readonly stream: 'stdout' | 'stderr';
  /** Regular expression (RE2) that matches an audit record's line and no other line of the container. */
  readonly match: string;
  /** One JSON object per line. */
  readonly format: 'json';
}

/** An audit trail a component writes where the node's log collector reads it. */
export type AuditLogSource = NodeFileAuditLog | ContainerAuditLog;

/** A Grafana datasource a component serves: Grafana reaches `port` of `pods` as a declared peer. */
export interface GrafanaDatasource {
  /** Datasource uid, stable (dashboards and links name it), e.g. `loki`. */
  readonly uid: string;
  /** Name shown in Grafana. */
  readonly name: string;
  /** Grafana datasource type. */
  readonly type: 'loki' | 'tempo';
  /** URL Grafana's server queries (in-cluster Service). */
  readonly url: string;
  /** The pods behind the URL. */
  readonly pods: PodGroup;
  /** Name of the port of `pods` that serves the URL. */
  readonly port: string;
  /** Datasource `jsonData` (links between datasources, timeouts). */
  readonly jsonData?: Readonly<Record<string, unknown>>;
}
