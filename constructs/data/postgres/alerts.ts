/**
 * Alert rules of a CloudNativePG cluster and the metric names its instance
 * exporter provides. The names are those CloudNativePG's own Grafana
 * dashboard and alert rules use (the upstream CloudNativePG charts: the cluster chart's
 * prometheus_rules/ at cluster-v0.8.1 and the grafana-dashboards cluster
 * dashboard at cluster-v0.0.5), plus the backup timestamps of the
 * CloudNativePG monitoring documentation.
 */
import type { AlertRule, MetricNames } from '../../kit/alerts.js';

/** What an instance's exporter (port 9187) provides. */
export const CNPG_INSTANCE_METRICS: MetricNames = {
  names: [
    'cnpg_collector_up',
    'cnpg_collector_postgres_version',
    'cnpg_collector_pg_wal_archive_status',
    'cnpg_collector_last_available_backup_timestamp',
    'cnpg_collector_last_failed_backup_timestamp',
    'cnpg_collector_first_recoverability_point',
    'cnpg_pg_replication_lag',
    'cnpg_pg_replication_in_recovery',
    'cnpg_pg_replication_is_wal_receiver_up',
    'cnpg_pg_replication_streaming_replicas',
    'cnpg_pg_stat_archiver_failed_count',
    'cnpg_pg_stat_archiver_archived_count',
    'cnpg_pg_stat_archiver_seconds_since_last_archival',
    'cnpg_pg_database_size_bytes',
    'cnpg_backends_total',
  ],
  source:
    'CloudNativePG cluster chart 0.8.1 prometheus_rules/*.yaml and cloudnative-pg chart 0.29.0 charts/cluster/grafana-dashboard.json (cloudnative-pg/grafana-dashboards cluster-v0.0.5); cnpg_collector_last_failed_backup_timestamp from https://cloudnative-pg.io/documentation/current/monitoring/ (predefined collector metrics)',
};

/** Seconds of replication lag that raise an alert (the threshold of CloudNativePG's own CNPGClusterHighReplicationLag rule is 1 s; Sovra warns at 10 s). */
export const REPLICATION_LAG_SECONDS = 10;

function pascal(name: string): string {
  return name.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}

/** The alerts of cluster `name` in `namespace`: replication lag (with replicas) and failed backups (with backups). */
export function postgresClusterAlerts(name: string, namespace: string, opts: { readonly replicas: boolean; readonly backups: boolean }): AlertRule[] {
  const sel = `namespace="${namespace}", pod=~"${name}-[0-9]+"`;
  const id = pascal(name);
  const out: AlertRule[] = [];
  if (opts.replicas) {
    out.push({
      name: `PostgresReplicationLag${id}`,
      expr: `max(cnpg_pg_replication_lag{${sel}}) > ${REPLICATION_LAG_SECONDS}`,
      for: '5m',
      severity: 'warning',
      summary: `PostgreSQL cluster ${name}: a replica lags behind the primary.`,
      description: `A standby of ${namespace}/${name} has been more than ${REPLICATION_LAG_SECONDS} s behind the primary for 5 minutes: a failover now would lose recent transactions.`,
      controls: ['cp-10', 'si-4'],
    });
  }
  if (opts.backups) {
    out.push({
      name: `PostgresBackupFailed${id}`,
      expr: `max(cnpg_collector_last_failed_backup_timestamp{${sel}}) > max(cnpg_collector_last_available_backup_timestamp{${sel}})`,
      for: '0m',
      severity: 'critical',
      summary: `PostgreSQL cluster ${name}: the last backup failed.`,
      description: `The most recent backup attempt of ${namespace}/${name} failed after the last good one: check the ScheduledBackup and the object store credentials.`,
      controls: ['cp-9'],
    });
    out.push({
      name: `PostgresWalArchivingFailing${id}`,
      expr: `sum(increase(cnpg_pg_stat_archiver_failed_count{${sel}}[15m])) > 0`,
      for: '15m',
      severity: 'warning',
      summary: `PostgreSQL cluster ${name}: WAL archiving fails.`,
      description: `WAL segments of ${namespace}/${name} failed to archive in the last 15 minutes: point-in-time recovery is at risk.`,
      controls: ['cp-9'],
    });
  }
  return out;
}
