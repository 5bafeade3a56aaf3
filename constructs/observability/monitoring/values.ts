/**
 * The values Sovra sets on kube-prometheus-stack, typed, from the profile:
 * replicas and retention per profile, the chart's own alert rules and
 * dashboards off (Sovra writes every rule and dashboard from the component
 * model, checked at synth), the operator's admission webhook off (its patch
 * Job would run an extra image; rules are checked at synth instead), the
 * hardened baseline on every pod the chart lets us set it for, and Grafana's
 * login through Keycloak.
 */
import type { Profile } from '../../../profiles/profile.generated.js';
import type { ImageSpec } from '../../kit/image.js';
import type { GrafanaDatasource } from '../../kit/telemetry.js';
import { KEYCLOAK_REALM, TRUST_BUNDLE } from '../../kit/shared-names.js';

/** Release name; part of object names and Terraform addresses. */
export const MONITORING_RELEASE = 'monitoring';
/** Namespace of Prometheus, Alertmanager, Grafana, kube-state-metrics and the operator. */
export const MONITORING_NAMESPACE = 'sovra-monitoring';
/** Prefix of every object the chart names (`fullnameOverride`). */
export const FULLNAME = 'monitoring';
/** Label and value Grafana's dashboard sidecar watches ConfigMaps for. */
export const DASHBOARD_LABEL = { key: 'grafana_dashboard', value: '1' } as const;
/** Keycloak client Grafana logs in with (realm `sovra`). */
export const GRAFANA_OIDC_CLIENT = 'sovra-grafana';
/** Secret with Grafana's OIDC client secret (key `client-secret`), from OpenBao. */
export const GRAFANA_OIDC_SECRET = 'grafana-oidc';
/** Secret with Grafana's break-glass admin user and password, generated in the cluster. */
export const GRAFANA_ADMIN_SECRET = 'grafana-admin';
/** Where Grafana mounts the platform trust bundle (to verify Keycloak's certificate). */
export const GRAFANA_TRUST_MOUNT = '/etc/sovra/trust';
/** How often Prometheus evaluates alert rules (CA-7's monitoring frequency). */
export const EVALUATION_INTERVAL = '30s';
/** How often Prometheus scrapes targets. */
export const SCRAPE_INTERVAL = '30s';
/** Alertmanager receiver that notifies the site's operators (a webhook), when the profile names one. */
export const OPERATORS_RECEIVER = 'operators';

type Image = { readonly registry: string; readonly repository: string; readonly tag: string; readonly sha: string };
type Resources = { readonly requests: Record<string, string>; readonly limits: Record<string, string> };

const HARDENED_CONTAINER = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
} as const;

/** The chart's image block: registry, repository, tag, and the digest (without `sha256:`) when locked. */
export function chartImage(i: ImageSpec): Image {
  return { registry: i.registry, repository: i.repository, tag: i.tag, sha: i.digest ? i.digest.replace(/^sha256:/, '') : '' };
}

/** Images the values need. */
export interface MonitoringImages {
  readonly operator: ImageSpec;
  readonly configReloader: ImageSpec;
  readonly prometheus: ImageSpec;
  readonly alertmanager: ImageSpec;
  readonly kubeStateMetrics: ImageSpec;
  readonly nodeExporter: ImageSpec;
  readonly grafana: ImageSpec;
  readonly dashboardSidecar: ImageSpec;
}

/** Replicas of the stateful parts for a profile: HA Prometheus (2) and Alertmanager (3, a gossip quorum) where the profile asks for HA. */
export function replicasFor(p: Profile): { prometheus: number; alertmanager: number } {
  return p.highAvailability ? { prometheus: 2, alertmanager: 3 } : { prometheus: 1, alertmanager: 1 };
}

/** A datasource as Grafana's provisioning file lists it (read-only: provisioned datasources cannot be edited in the UI). */
export function provisionedDatasource(ds: GrafanaDatasource): Record<string, unknown> {
  return { name: ds.name, uid: ds.uid, type: ds.type, access: 'proxy', url: ds.url, isDefault: false, editable: false, ...(ds.jsonData ? { jsonData: ds.jsonData } : {}) };
}

/** Builds the values for profile `p`, with the datasources other components serve. */
export function monitoringValues(p: Profile, images: MonitoringImages, datasources: readonly GrafanaDatasource[] = []): Record<string, unknown> {
  const s = p.components.monitoring;
  const replicas = replicasFor(p);
  const antiAffinity = p.highAvailability ? 'hard' : '';
  const res = (cpu: string, memory: string, cpuLimit: string, memLimit: string): Resources => ({ requests: { cpu, memory }, limits: { cpu: cpuLimit, memory: memLimit } });
  const podSecurity = { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } };
  const issuer = KEYCLOAK_REALM.issuer;
  const routes = s.alerting?.webhookUrl
    ? { receiver: OPERATORS_RECEIVER, routes: [{ receiver: OPERATORS_RECEIVER, matchers: ['severity=~"critical|warning"'], continue: false }] }
    : { receiver: 'null', routes: [] };
  return {
    fullnameOverride: FULLNAME,
    crds: { enabled: true },
    // Every rule and dashboard comes from the component model (checked at synth): the chart's own are off.
    defaultRules: { create: false },
    windowsMonitoring: { enabled: false },
    // K3s and RKE2 run these inside the server process, bound to localhost: nothing to scrape from a pod.
    kubeControllerManager: { enabled: false },
    kubeScheduler: { enabled: false },
    kubeProxy: { enabled: false },
    kubeEtcd: { enabled: false },
    coreDns: { enabled: false },
    kubeDns: { enabled: false },
    kubeApiServer: { enabled: true },
    kubelet: { enabled: true },
    kubeStateMetrics: { enabled: true },
    'kube-state-metrics': {
      image: { registry: images.kubeStateMetrics.registry, repository: images.kubeStateMetrics.repository, tag: images.kubeStateMetrics.tag, sha: chartImage(images.kubeStateMetrics).sha },
      // Sovra writes one PodMonitor per declared endpoint, this one included.
      prometheus: { monitor: { enabled: false } },
      // Its default, written out: the parent chart reads it (templates/prometheus/clusterrole.yaml).
      kubeRBACProxy: { enabled: false },
      resources: res('50m', '128Mi', '500m', '256Mi'),
      securityContext: podSecurity,
      containerSecurityContext: HARDENED_CONTAINER,
    },
    nodeExporter: { enabled: true },
    'prometheus-node-exporter': {
      // Host network, host PID and host paths: a node agent, so it runs in kube-system (exempt from restricted Pod Security) like the CNI.
      namespaceOverride: 'kube-system',
      // The full distroless tag as declared; `distroless: false` so the chart appends no suffix of its own.
      image: { registry: images.nodeExporter.registry, repository: images.nodeExporter.repository, tag: images.nodeExporter.tag, distroless: false, ...(images.nodeExporter.digest ? { digest: images.nodeExporter.digest } : {}) },
      // Its default, written out: the parent chart reads it (templates/prometheus/clusterrole.yaml).
      kubeRBACProxy: { enabled: false },
      resources: res('20m', '32Mi', '250m', '64Mi'),
    },
    prometheusOperator: {
      image: chartImage(images.operator),
      prometheusConfigReloader: { image: chartImage(images.configReloader), resources: res('10m', '32Mi', '100m', '64Mi') },
      admissionWebhooks: { enabled: false },
      // Its TLS listener reads the certificate the admission webhook Job makes; with the webhook off it serves /metrics over HTTP, inside the NetworkPolicy.
      tls: { enabled: false },
      serviceMonitor: { selfMonitor: false },
      resources: res('50m', '128Mi', '500m', '256Mi'),
      containerSecurityContext: { ...HARDENED_CONTAINER },
    },
    prometheus: {
      serviceMonitor: { selfMonitor: false },
      podDisruptionBudget: { enabled: p.highAvailability, minAvailable: 1 },
      prometheusSpec: {
        image: chartImage(images.prometheus),
        replicas: replicas.prometheus,
        retention: s.retention,
        ...(s.retentionSize ? { retentionSize: s.retentionSize } : {}),
        scrapeInterval: SCRAPE_INTERVAL,
        evaluationInterval: EVALUATION_INTERVAL,
        podAntiAffinity: antiAffinity,
        // Select every monitor and rule in every namespace, not only those labelled with the release.
        ruleSelectorNilUsesHelmValues: false,
        serviceMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelectorNilUsesHelmValues: false,
        probeSelectorNilUsesHelmValues: false,
        scrapeConfigSelectorNilUsesHelmValues: false,
        externalLabels: { sovra_profile: p.name },
        storageSpec: { volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: s.storage } } } } },
        resources: res(s.cpu, s.memory, s.cpu, s.memory),
        securityContext: podSecurity,
      },
    },
    alertmanager: {
      serviceMonitor: { selfMonitor: false },
      podDisruptionBudget: { enabled: p.highAvailability, minAvailable: 1 },
      config: {
        global: { resolve_timeout: '5m' },
        route: { group_by: ['alertname', 'sovra_component', 'namespace'], group_wait: '30s', group_interval: '5m', repeat_interval: '4h', ...routes },
        receivers: [{ name: 'null' }, ...(s.alerting?.webhookUrl ? [{ name: OPERATORS_RECEIVER, webhook_configs: [{ url: s.alerting.webhookUrl, send_resolved: true }] }] : [])],
        inhibit_rules: [{ source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['alertname', 'namespace'] }],
      },
      alertmanagerSpec: {
        image: chartImage(images.alertmanager),
        replicas: replicas.alertmanager,
        retention: '120h',
        podAntiAffinity: antiAffinity,
        resources: res('50m', '128Mi', '500m', '256Mi'),
        securityContext: podSecurity,
      },
    },
    grafana: {
      enabled: true,
      defaultDashboardsEnabled: false,
      image: { registry: images.grafana.registry, repository: images.grafana.repository, tag: images.grafana.tag, sha: chartImage(images.grafana).sha },
      testFramework: { enabled: false },
      serviceMonitor: { enabled: false },
      admin: { existingSecret: GRAFANA_ADMIN_SECRET, userKey: 'admin-user', passwordKey: 'admin-password' },
      sidecar: {
        image: { registry: images.dashboardSidecar.registry, repository: images.dashboardSidecar.repository, tag: images.dashboardSidecar.tag, sha: chartImage(images.dashboardSidecar).sha },
        // Dashboards live in this namespace only, so the sidecar needs no cluster-wide read of ConfigMaps.
        dashboards: { enabled: true, label: DASHBOARD_LABEL.key, labelValue: DASHBOARD_LABEL.value, searchNamespace: MONITORING_NAMESPACE },
        datasources: { enabled: true },
        securityContext: HARDENED_CONTAINER,
      },
      // Datasources the components declare (logs, traces), in the parent chart's provisioning ConfigMap.
      ...(datasources.length > 0 ? { additionalDataSources: datasources.map(provisionedDatasource) } : {}),
      extraConfigmapMounts: [{ name: 'sovra-trust', mountPath: GRAFANA_TRUST_MOUNT, configMap: TRUST_BUNDLE.name, readOnly: true }],
      envValueFrom: { GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET: { secretKeyRef: { name: GRAFANA_OIDC_SECRET, key: 'client-secret' } } },
      'grafana.ini': {
        server: { root_url: s.grafana.rootUrl },
        analytics: { reporting_enabled: false, check_for_updates: false, check_for_plugin_updates: false },
        users: { allow_sign_up: false },
        auth: { disable_login_form: true, oauth_auto_login: true },
        'auth.anonymous': { enabled: false },
        'auth.basic': { enabled: false },
        'auth.generic_oauth': {
          enabled: true,
          name: 'Keycloak',
          client_id: GRAFANA_OIDC_CLIENT,
          scopes: 'openid profile email',
          auth_url: `${issuer}/protocol/openid-connect/auth`,
          token_url: `${issuer}/protocol/openid-connect/token`,
          api_url: `${issuer}/protocol/openid-connect/userinfo`,
          use_pkce: true,
          allow_sign_up: true,
          tls_client_ca: `${GRAFANA_TRUST_MOUNT}/${TRUST_BUNDLE.key}`,
          role_attribute_path: `contains(groups[*], '${s.grafana.adminGroup}') && 'Admin' || 'Viewer'`,
          role_attribute_strict: true,
        },
        session: { cookie_secure: true },
        security: { cookie_secure: true, cookie_samesite: 'strict', disable_gravatar: true },
      },
      persistence: { enabled: false },
      resources: res('100m', '256Mi', '500m', '512Mi'),
      securityContext: { runAsNonRoot: true, runAsUser: 472, runAsGroup: 472, fsGroup: 472, seccompProfile: { type: 'RuntimeDefault' } },
      containerSecurityContext: HARDENED_CONTAINER,
    },
  };
}
