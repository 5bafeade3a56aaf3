/**
 * Metrics, alerts and dashboards of the platform: kube-prometheus-stack
 * (Prometheus operator, Prometheus, Alertmanager, Grafana,
 * kube-state-metrics, node exporter) sized per profile, and, derived once
 * every component exists: a PodMonitor per declared metrics endpoint, a
 * PrometheusRule per component with the alert rules it declared (checked:
 * PromQL parses, metrics declared), and Grafana dashboards per layer and for
 * the control plane. Prometheus's pods scrape metrics (`scrapeMetrics()`),
 * so every allow rule to a metrics endpoint follows from the declarations.
 */
import type { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { onChartValues, onObject, type Evidence } from '../../kit/claims.js';
import { Component, directoryOf, type ComponentProps } from '../../kit/component.js';
import { addExternalSecret } from '../../kit/external-secrets.js';
import type { MetricsEndpoint, PodGroup } from '../../kit/network.js';
import type { GrafanaDatasource } from '../../kit/telemetry.js';
import { MONITORING_CHART, MONITORING_IMAGES } from './catalog.js';
import { addDashboard, controlPlaneDashboard, layerDashboards } from './dashboards.js';
import { ALERTMANAGER_SELF, APISERVER, GRAFANA_SELF, KUBE_STATE_METRICS, KUBELET, NODE_EXPORTER, OPERATOR_SELF, PROMETHEUS_SELF, PROMETHEUS_SYNTHETIC } from './exporters.js';
import { addPodMonitors } from './monitors.js';
import { addPrometheusRules, declaredMetrics, ruleIndex } from './rules.js';
import { monitoringOwnAlerts } from './own-alerts.js';
import {
  DASHBOARD_LABEL,
  EVALUATION_INTERVAL,
  FULLNAME,
  GRAFANA_ADMIN_SECRET,
  GRAFANA_OIDC_CLIENT,
  GRAFANA_OIDC_SECRET,
  MONITORING_NAMESPACE,
  MONITORING_RELEASE,
  OPERATORS_RECEIVER,
  SCRAPE_INTERVAL,
  monitoringValues,
} from './values.js';

const API_SERVER = { entity: 'kube-apiserver', ports: [{ port: 6443 }] } as const;
/** Ports Prometheus scrapes on the nodes themselves: the kubelet (and cAdvisor) and node exporter on the host network. */
const NODE_PORTS = [{ port: 10250 }, { port: 9100 }] as const;

/** Where in OpenBao's KV store the site puts Grafana's OIDC client secret (the same value the Keycloak client `sovra-grafana` holds). */
export const GRAFANA_OIDC_OPENBAO_PATH = 'monitoring/grafana-oidc';

/** The observability layer's metrics, alerts and dashboards. */
export class Monitoring extends Component {
  /** Prometheus's pods: they scrape every declared metrics endpoint. */
  readonly prometheus: PodGroup;
  readonly alertmanager: PodGroup;
  readonly grafana: PodGroup;
  /** PodMonitors by endpoint, after finalization. */
  readonly podMonitors = new Map<MetricsEndpoint, ApiObject>();
  /** PrometheusRules by component id, after finalization. */
  readonly prometheusRules = new Map<string, ApiObject>();
  /** Dashboard ConfigMaps by dashboard uid, after finalization. */
  readonly dashboards = new Map<string, ApiObject>();
  /** The datasources Grafana is provisioned with besides Prometheus and Alertmanager, as the components declared them. */
  private readonly grafanaDatasources: readonly GrafanaDatasource[];

  constructor(scope: Construct, id: string, props: ComponentProps) {
    const dir = directoryOf(scope);
    super(scope, id, props, {
      title: 'Monitoring (Prometheus, Alertmanager, Grafana)',
      description: 'kube-prometheus-stack: Prometheus scrapes every metrics endpoint the components declare, evaluates the alert rules they declare, and Alertmanager routes the alerts; Grafana shows dashboards generated from the component model, with login through Keycloak.',
      layer: 'observability',
      namespace: MONITORING_NAMESPACE,
      version: MONITORING_IMAGES.prometheus.tag.replace(/-distroless$/, ''),
      dependsOn: ['cilium', 'external-secrets', 'cert-manager'].filter((c) => dir.installs(c)),
    });
    const p = props.profile;
    const s = p.components.monitoring;
    // Datasources of the components built before this one (the registry puts every component that serves one first).
    this.grafanaDatasources = dir.components.flatMap((c) => c.datasources);
    const images = {
      operator: this.addImage(MONITORING_IMAGES.operator),
      configReloader: this.addImage(MONITORING_IMAGES.configReloader),
      prometheus: this.addImage(MONITORING_IMAGES.prometheus),
      alertmanager: this.addImage(MONITORING_IMAGES.alertmanager),
      kubeStateMetrics: this.addImage(MONITORING_IMAGES.kubeStateMetrics),
      nodeExporter: this.addImage(MONITORING_IMAGES.nodeExporter),
      grafana: this.addImage(MONITORING_IMAGES.grafana),
      dashboardSidecar: this.addImage(MONITORING_IMAGES.dashboardSidecar),
    };
    this.addChart({ release: MONITORING_RELEASE, namespace: MONITORING_NAMESPACE, values: monitoringValues(p, images, this.grafanaDatasources), ...MONITORING_CHART });

    // Pods, as the chart and the operator label them (fullnameOverride `monitoring`).
    this.prometheus = this.addPods({
      name: 'prometheus',
      labels: { 'app.kubernetes.io/name': 'prometheus', prometheus: `${FULLNAME}-prometheus` },
      ports: { web: { port: 9090 }, reloader: { port: 8080 } },
      serviceAccount: `${FULLNAME}-prometheus`,
    }).scrapeMetrics();
    this.alertmanager = this.addPods({
      name: 'alertmanager',
      labels: { 'app.kubernetes.io/name': 'alertmanager', alertmanager: `${FULLNAME}-alertmanager` },
      ports: { web: { port: 9093 }, mesh: { port: 9094 }, 'mesh-udp': { port: 9094, protocol: 'UDP' }, reloader: { port: 8080 } },
      serviceAccount: `${FULLNAME}-alertmanager`,
    });
    const operator = this.addPods({ name: 'operator', labels: { app: 'kube-prometheus-stack-operator', release: MONITORING_RELEASE }, ports: { http: { port: 8080 } }, serviceAccount: `${FULLNAME}-operator` });
    const ksm = this.addPods({
      name: 'kube-state-metrics',
      labels: { 'app.kubernetes.io/name': 'kube-state-metrics', 'app.kubernetes.io/instance': MONITORING_RELEASE },
      ports: { http: { port: 8080 } },
      serviceAccount: `${FULLNAME}-kube-state-metrics`,
    });
    this.grafana = this.addPods({
      name: 'grafana',
      labels: { 'app.kubernetes.io/name': 'grafana', 'app.kubernetes.io/instance': MONITORING_RELEASE },
      ports: { http: { port: 3000 } },
      serviceAccount: `${MONITORING_RELEASE}-grafana`,
    });

    this.prometheus.connectsTo(API_SERVER, 'Prometheus discovers pods, endpoints and nodes and scrapes the API server');
    this.prometheus.connectsTo({ entity: 'host', ports: NODE_PORTS }, 'Prometheus scrapes the kubelet (and cAdvisor) and node exporter on this node');
    if (p.distribution.nodes > 1) this.prometheus.connectsTo({ entity: 'remote-node', ports: NODE_PORTS }, 'Prometheus scrapes the kubelet and node exporter on the other nodes');
    this.prometheus.connectsTo({ component: id, pods: 'alertmanager', port: 'web' }, 'Prometheus sends firing alerts to Alertmanager');
    if (p.highAvailability) {
      this.alertmanager.connectsTo({ component: id, pods: 'alertmanager', port: 'mesh' }, 'Alertmanager replicas gossip silences and notification state');
      this.alertmanager.connectsTo({ component: id, pods: 'alertmanager', port: 'mesh-udp' }, 'Alertmanager replicas gossip silences and notification state');
    }
    if (s.alerting?.webhookUrl) {
      const url = new URL(s.alerting.webhookUrl);
      this.alertmanager.connectsTo({ entity: 'world', ports: [{ port: Number(url.port || 443) }], fqdns: [url.hostname] }, 'Alertmanager notifies the site operators through their webhook');
    }
    operator.connectsTo(API_SERVER, 'the Prometheus operator reconciles Prometheus, Alertmanager, monitors and rules');
    ksm.connectsTo(API_SERVER, 'kube-state-metrics lists and watches the objects it reports on');
    this.grafana.connectsTo(API_SERVER, "Grafana's sidecar loads dashboard ConfigMaps");
    this.grafana.connectsTo({ component: id, pods: 'prometheus', port: 'web' }, 'Grafana queries Prometheus');
    this.grafana.connectsTo({ component: id, pods: 'alertmanager', port: 'web' }, "Grafana shows Alertmanager's alerts and silences");
    if (dir.installs('keycloak')) this.grafana.connectsTo({ component: 'keycloak', pods: 'keycloak', port: 'https' }, 'Grafana redeems OIDC authorization codes and reads user info at Keycloak');
    for (const ds of this.grafanaDatasources) this.grafana.connectsTo({ component: ds.pods.owner.id, pods: ds.pods.name, port: ds.port }, `Grafana queries its ${ds.name} datasource`);

    this.addMetrics({ pods: this.prometheus, port: 'web', provides: PROMETHEUS_SELF });
    this.addMetrics({ pods: this.alertmanager, port: 'web', provides: ALERTMANAGER_SELF });
    this.addMetrics({ pods: operator, port: 'http', provides: OPERATOR_SELF });
    this.addMetrics({ pods: ksm, port: 'http', provides: KUBE_STATE_METRICS });
    this.addMetrics({ pods: this.grafana, port: 'http', provides: GRAFANA_SELF });

    // Secrets the chart values name.
    this.consumesSecret({ name: GRAFANA_ADMIN_SECRET, keys: ['admin-user', 'admin-password'], purpose: "Grafana's break-glass administrator (the login form is off; used with grafana cli in the pod)." });
    this.consumesSecret({ name: GRAFANA_OIDC_SECRET, keys: ['client-secret'], purpose: `Secret of the Keycloak client ${GRAFANA_OIDC_CLIENT}.` });
    addExternalSecret(this, { name: GRAFANA_ADMIN_SECRET, purpose: "Grafana's break-glass administrator, generated once in the cluster.", from: { generated: { keys: ['admin-user', 'admin-password'], length: 32 } } });
    addExternalSecret(this, {
      name: GRAFANA_OIDC_SECRET,
      purpose: `Secret of the Keycloak client ${GRAFANA_OIDC_CLIENT}, read from OpenBao.`,
      from: { openbao: [{ secretKey: 'client-secret', path: GRAFANA_OIDC_OPENBAO_PATH, property: 'client-secret' }] },
    });

    for (const rule of monitoringOwnAlerts()) this.addAlert(rule);
    this.staticClaims();
    this.onFinalize(() => this.derive());
  }

  /** PodMonitors, PrometheusRules and dashboards from the whole platform, and the claims that point at them. */
  private derive(): void {
    const components = this.platform.components;
    const late = components.flatMap((c) => c.datasources).filter((ds) => !this.grafanaDatasources.includes(ds));
    if (late.length > 0) throw new Error(`datasource(s) ${late.map((ds) => `${ds.pods.owner.id}/${ds.uid}`).join(', ')} declared by a component built after monitoring: register it before monitoring in constructs/registry.ts`);
    const declared = declaredMetrics(components, [PROMETHEUS_SYNTHETIC, APISERVER, KUBELET, NODE_EXPORTER]);
    for (const [m, o] of addPodMonitors(this, MONITORING_NAMESPACE, this.platform.metricsEndpoints())) this.podMonitors.set(m, o);
    for (const [c, o] of addPrometheusRules(this, MONITORING_NAMESPACE, components, declared)) this.prometheusRules.set(c, o);
    const dashboards = [...layerDashboards(components), ...(this.platform.component('control-plane') ? [controlPlaneDashboard()] : [])];
    for (const d of dashboards) this.dashboards.set(d.uid, addDashboard(this, MONITORING_NAMESPACE, d, declared));
    this.derivedClaims();
  }

  /** Evidence that rule `name` of component `id` is written with its expression. */
  private ruleEvidence(id: string, name: string): Evidence[] {
    const c = this.platform.component(id);
    const obj = this.prometheusRules.get(id);
    if (!c || !obj) return [];
    const i = ruleIndex(c, name);
    return [onObject(obj, `spec.groups[0].rules[${i}].alert`, { equals: name }), onObject(obj, `spec.groups[0].rules[${i}].expr`, { equals: c.alerts[i]!.expr })];
  }

  private staticClaims(): void {
    const s = this.profile.components.monitoring;
    this.claim({
      control: 'ca-7',
      statement: `Prometheus scrapes every declared metrics endpoint every ${SCRAPE_INTERVAL}, evaluates the platform's alert rules every ${EVALUATION_INTERVAL} and keeps metrics for ${s.retention}${s.retentionSize ? ` (at most ${s.retentionSize})` : ''}; Alertmanager runs with ${this.profile.highAvailability ? 'three replicas' : 'one replica'}.`,
      evidence: [
        onChartValues(MONITORING_RELEASE, 'prometheus.prometheusSpec.scrapeInterval', { equals: SCRAPE_INTERVAL }),
        onChartValues(MONITORING_RELEASE, 'prometheus.prometheusSpec.evaluationInterval', { equals: EVALUATION_INTERVAL }),
        onChartValues(MONITORING_RELEASE, 'prometheus.prometheusSpec.retention', { equals: s.retention }),
      ],
    });
    if (s.alerting?.webhookUrl) {
      this.claim({
        control: 'ir-4',
        statement: `Alertmanager routes every critical and warning alert of the platform to the site's incident handling through the webhook ${s.alerting.webhookUrl}, grouped by alert, component and namespace, repeated every 4 hours while it fires.`,
        evidence: [
          onChartValues(MONITORING_RELEASE, 'alertmanager.config.route.routes[0].receiver', { equals: OPERATORS_RECEIVER }),
          onChartValues(MONITORING_RELEASE, 'alertmanager.config.route.routes[0].matchers', { equals: ['severity=~"critical|warning"'] }),
          onChartValues(MONITORING_RELEASE, 'alertmanager.config.receivers[1].webhook_configs[0].url', { equals: s.alerting.webhookUrl }),
        ],
        status: 'partial',
      });
    }
  }

  private derivedClaims(): void {
    const cp = this.platform.component('control-plane');
    const cpMonitor = cp ? [...this.podMonitors.entries()].find(([m]) => m.pods.owner.id === 'control-plane')?.[1] : undefined;
    this.claim({
      control: 'si-4',
      statement: `Every metrics endpoint a component declares is monitored: Prometheus selects a PodMonitor derived from each declaration (${this.podMonitors.size} on this profile) and the API server, kubelets and nodes through the chart's monitors; a scrape target down for 10 minutes raises ScrapeTargetDown.`,
      evidence: [
        onChartValues(MONITORING_RELEASE, 'prometheus.prometheusSpec.podMonitorSelectorNilUsesHelmValues', { equals: false }),
        ...(cpMonitor ? [onObject(cpMonitor, 'spec.podMetricsEndpoints[0].path', { present: true })] : []),
        ...this.ruleEvidence(this.node.id, 'ScrapeTargetDown'),
      ],
    });
    const auditEvidence = [...(cp?.alerts.some((a) => a.name === 'SovraAuditTrailStopped') ? this.ruleEvidence('control-plane', 'SovraAuditTrailStopped') : []), ...this.ruleEvidence(this.node.id, 'KubeApiserverAuditErrors')];
    // Every other component's alert that it marks as an AU-5 alert (the log pipeline's: records not delivered or refused).
    const others = this.platform.components.filter((c) => c !== cp && c !== this).flatMap((c) => c.alerts.filter((a) => a.controls?.includes('au-5')).map((a) => ({ c, a })));
    for (const { c, a } of others) auditEvidence.push(...this.ruleEvidence(c.node.id, a.name));
    const byComponent = [...new Set(others.map((o) => o.c.node.id))].map((id) => `${others.filter((o) => o.c.node.id === id).map((o) => o.a.name).join(', ')} (${id})`);
    this.claim({
      control: 'au-5',
      statement: `An audit processing failure raises an alert: the control plane's audit trail stalled (records waiting for their durable flush for 10 minutes: SovraAuditTrailStopped) or lagging (SovraAuditTrailLag), and the Kubernetes API server failing to write audit events (KubeApiserverAuditErrors)${byComponent.length > 0 ? `; audit records not reaching their store: ${byComponent.join('; ')}` : ''}; Alertmanager routes them${this.profile.components.monitoring.alerting?.webhookUrl ? ' to the site operators' : ' (no receiver configured on this profile: alerts are visible in Alertmanager and Grafana only)'}.`,
      evidence: auditEvidence,
      status: cp ? 'implemented' : 'partial',
    });
    const cpDashboard = this.dashboards.get('sovra-control-plane');
    this.claim({
      control: 'au-6',
      statement: 'Audit-relevant events are analysed continuously: denied admission requests (ValidatingAdmissionPolicy denials and webhook rejections) raise alerts, and the control plane dashboard shows denied API requests by reason next to the audit trail lag; review of the audit records themselves stays with the site.',
      evidence: [...this.ruleEvidence(this.node.id, 'KubeAdmissionPolicyDenials'), ...(cpDashboard ? [onObject(cpDashboard, `metadata.labels.${DASHBOARD_LABEL.key}`, { equals: DASHBOARD_LABEL.value })] : [])],
      status: 'partial',
    });
  }
}
