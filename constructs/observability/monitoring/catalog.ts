/**
 * Monitoring pins: the one place the kube-prometheus-stack chart version
 * and the versions of the images it runs live. Image tags are those the
 * chart's values (and its vendored subcharts) pin at 88.5.3
 * (../shared/charts/prometheus/images.txt); no digest is published there,
 * so the images are unlocked until `sovra lock` records them.
 */
import type { ImagePin } from '../../kit/image.js';

const AT = 'kube-prometheus-stack-88.5.3 values.yaml';

/** Chart coordinates; the digest is the gh-pages index entry of 88.5.3 (../shared/charts/prometheus/_pub). */
export const MONITORING_CHART = {
  repository: 'https://prometheus-community.github.io/helm-charts',
  chart: 'kube-prometheus-stack',
  version: '88.5.3',
  digest: 'sha256:3bff576f57c88f9fcac3286cc6e0d22ddaf7d7e1829c14a09257359f02ca64c9',
  license: 'Apache-2.0',
  source: 'prometheus-community/helm-charts index.yaml, kube-prometheus-stack 88.5.3 (tag kube-prometheus-stack-88.5.3, ea930bae)',
} as const;

/** Images of the stack, by role. */
export const MONITORING_IMAGES = {
  operator: { registry: 'quay.io', repository: 'prometheus-operator/prometheus-operator', tag: 'v0.93.1', license: 'Apache-2.0', source: `${AT} (appVersion v0.93.1)` },
  configReloader: { registry: 'quay.io', repository: 'prometheus-operator/prometheus-config-reloader', tag: 'v0.93.1', license: 'Apache-2.0', source: `${AT} (appVersion v0.93.1)` },
  prometheus: { registry: 'quay.io', repository: 'prometheus/prometheus', tag: 'v3.14.0-distroless', license: 'Apache-2.0', source: `${AT} prometheus.prometheusSpec.image` },
  alertmanager: { registry: 'quay.io', repository: 'prometheus/alertmanager', tag: 'v0.34.0', license: 'Apache-2.0', source: `${AT} alertmanager.alertmanagerSpec.image` },
  kubeStateMetrics: { registry: 'registry.k8s.io', repository: 'kube-state-metrics/kube-state-metrics', tag: 'v2.20.0', license: 'Apache-2.0', source: 'kube-state-metrics chart 8.4.0 (appVersion 2.20.0), a dependency of kube-prometheus-stack 88.5.3' },
  nodeExporter: { registry: 'quay.io', repository: 'prometheus/node-exporter', tag: 'v1.12.1-distroless', license: 'Apache-2.0', source: 'prometheus-node-exporter chart 4.56.1 (appVersion 1.12.1, distroless), a dependency of kube-prometheus-stack 88.5.3' },
  grafana: { registry: 'docker.io', repository: 'grafana/grafana', tag: '13.2.0', license: 'AGPL-3.0-only', source: 'grafana chart 12.11.1 (appVersion 13.2.0, grafana-community index entry), a dependency of kube-prometheus-stack 88.5.3' },
  dashboardSidecar: { registry: 'quay.io', repository: 'kiwigrid/k8s-sidecar', tag: '2.10.1', license: 'MIT', source: 'grafana chart 12.11.1 sidecar.image (../shared/charts/prometheus/images.txt)' },
} as const satisfies Record<string, ImagePin>;
