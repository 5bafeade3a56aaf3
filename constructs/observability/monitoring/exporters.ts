/**
 * Metric names of the exporters the monitoring component itself runs or
 * scrapes through the chart's own monitors (the API server, the kubelet,
 * node exporter), and of the series Prometheus makes for every target.
 * Alert rules and dashboard panels may name only these and the names
 * components declare on their metrics endpoints (`MetricsEndpoint.provides`).
 * Each list names its source; it holds the metrics Sovra's rules and
 * dashboards use and their close relatives, not every metric upstream has.
 */
import { histogram, type MetricNames } from '../../kit/alerts.js';

/** Series Prometheus writes for every scrape target and every alert. */
export const PROMETHEUS_SYNTHETIC: MetricNames = {
  names: ['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added', 'ALERTS', 'ALERTS_FOR_STATE'],
  source: 'https://prometheus.io/docs/concepts/jobs_instances/ (automatically generated labels and time series) and https://prometheus.io/docs/prometheus/latest/configuration/alerting_rules/ (ALERTS)',
};

/** The Kubernetes API server (scraped by the chart's kubeApiServer ServiceMonitor). */
export const APISERVER: MetricNames = {
  names: [
    'apiserver_request_total',
    ...histogram('apiserver_request_duration_seconds'),
    'apiserver_admission_webhook_rejection_count',
    ...histogram('apiserver_admission_step_admission_duration_seconds'),
    ...histogram('apiserver_admission_webhook_admission_duration_seconds'),
    'apiserver_validating_admission_policy_check_total',
    ...histogram('apiserver_validating_admission_policy_check_duration_seconds'),
    'apiserver_audit_event_total',
    'apiserver_audit_error_total',
    'apiserver_audit_requests_rejected_total',
  ],
  source: 'https://kubernetes.io/docs/reference/instrumentation/metrics/ (Kubernetes v1.30 metrics reference)',
};

/** The kubelet and its cAdvisor (scraped by the chart's kubelet ServiceMonitor). */
export const KUBELET: MetricNames = {
  names: [
    'kubelet_volume_stats_used_bytes',
    'kubelet_volume_stats_capacity_bytes',
    'kubelet_volume_stats_available_bytes',
    'kubelet_volume_stats_inodes_used',
    'kubelet_running_pods',
    'container_cpu_usage_seconds_total',
    'container_memory_working_set_bytes',
    'container_network_receive_bytes_total',
    'container_network_transmit_bytes_total',
  ],
  source: 'https://kubernetes.io/docs/reference/instrumentation/metrics/ (kubelet) and https://github.com/google/cadvisor/blob/master/docs/storage/prometheus.md',
};

/** kube-state-metrics v2.20.0. */
export const KUBE_STATE_METRICS: MetricNames = {
  names: [
    'kube_pod_info',
    'kube_pod_status_ready',
    'kube_pod_status_phase',
    'kube_pod_container_status_restarts_total',
    'kube_pod_container_status_waiting_reason',
    'kube_deployment_status_replicas_available',
    'kube_deployment_spec_replicas',
    'kube_statefulset_status_replicas_ready',
    'kube_statefulset_replicas',
    'kube_daemonset_status_number_ready',
    'kube_daemonset_status_desired_number_scheduled',
    'kube_persistentvolumeclaim_info',
    'kube_node_status_condition',
  ],
  source: 'kubernetes/kube-state-metrics v2.20.0 docs/metrics/workload/{pod,deployment,statefulset,daemonset}-metrics.md, docs/metrics/storage/persistentvolumeclaim-metrics.md, docs/metrics/cluster/node-metrics.md',
};

/** node_exporter v1.12.1. */
export const NODE_EXPORTER: MetricNames = {
  names: ['node_cpu_seconds_total', 'node_load1', 'node_memory_MemAvailable_bytes', 'node_memory_MemTotal_bytes', 'node_filesystem_avail_bytes', 'node_filesystem_size_bytes', 'node_network_receive_errs_total', 'node_time_seconds', 'node_timex_sync_status'],
  source: 'prometheus/node_exporter v1.12.1 README.md (enabled-by-default collectors: cpu, loadavg, meminfo, filesystem, netdev, time, timex)',
};

/** Prometheus's own metrics (v3.14). */
export const PROMETHEUS_SELF: MetricNames = {
  names: ['prometheus_rule_evaluation_failures_total', 'prometheus_rule_group_last_evaluation_timestamp_seconds', 'prometheus_notifications_dropped_total', 'prometheus_notifications_errors_total', 'prometheus_config_last_reload_successful', 'prometheus_tsdb_head_series', 'prometheus_tsdb_storage_blocks_bytes', 'prometheus_target_scrape_pools_failed_total'],
  source: 'prometheus/prometheus v3.14.0 rules/manager.go, notifier/manager.go, tsdb/head.go and db.go metric definitions; the upstream prometheus-mixin alerts (documentation/prometheus-mixin/alerts.libsonnet) use the same names',
};

/** Alertmanager's own metrics (v0.34). */
export const ALERTMANAGER_SELF: MetricNames = {
  names: ['alertmanager_notifications_total', 'alertmanager_notifications_failed_total', 'alertmanager_config_last_reload_successful', 'alertmanager_alerts', 'alertmanager_cluster_members'],
  source: 'prometheus/alertmanager v0.34.0 notify/notify.go and cluster/cluster.go metric definitions; alertmanager-mixin alerts.libsonnet uses the same names',
};

/** The prometheus-operator's own metrics (v0.93). */
export const OPERATOR_SELF: MetricNames = {
  names: ['prometheus_operator_reconcile_errors_total', 'prometheus_operator_syncs', 'prometheus_operator_ready'],
  source: 'prometheus-operator v0.93.1 pkg/operator/operator.go metric definitions; the upstream prometheus-operator mixin alerts use the same names',
};

/** Grafana's own metrics (v13). */
export const GRAFANA_SELF: MetricNames = {
  names: ['grafana_http_request_duration_seconds_count', 'grafana_api_response_status_total', 'grafana_build_info'],
  source: 'grafana/grafana v13.2.0 pkg/infra/metrics/metrics.go',
};
