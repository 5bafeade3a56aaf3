/** Helm charts a component installs, declared once and rendered per profile. */

/** A pinned Helm chart and the typed values it is installed with. */
export interface HelmChartSpec<V extends object = Record<string, unknown>> {
  /** Release name; also the construct id of the rendered object. */
  readonly release: string;
  /** Chart repository URL. */
  readonly repository: string;
  /** Chart name in the repository. */
  readonly chart: string;
  /** Exact chart version. */
  readonly version: string;
  /** `sha256:<hex>` of the chart archive, as the repository index lists it. */
  readonly digest?: string;
  /** SPDX license expression of the chart. */
  readonly license: string;
  /** Namespace the release installs into. */
  readonly namespace: string;
  /** Values, typed by the component. */
  readonly values: V;
  /** Where the pin was taken from. */
  readonly source?: string;
  /** The catalog's repository, when a profile's `chartOverrides` replaced it (repository and digest are then the replacement's). */
  readonly replaces?: string;
  /**
   * K3s/RKE2 install it before the cluster has a pod network (HelmChart
   * `spec.bootstrap`, host network, tolerates not-ready nodes): for the CNI.
   * @default false
   */
  readonly bootstrap?: boolean;
}

/** Namespace where K3s/RKE2's helm-controller watches HelmChart objects. */
export const HELM_CONTROLLER_NAMESPACE = 'kube-system';

/**
 * Repository path under the site registry where an air-gapped site keeps
 * chart archives as OCI artifacts (`oci://<mirror>/charts/<chart>:<version>`).
 */
export const SITE_CHART_PATH = 'charts';

/**
 * ConfigMap in the helm-controller's namespace holding the site registry's
 * CA certificate (PEM), which HelmChart objects trust when they pull charts
 * from the site registry; created at install from the same file as the
 * containerd mirror's CA (`registry-ca.pem`).
 */
export const SITE_REGISTRY_CA_CONFIGMAP = 'sovra-registry-ca';
