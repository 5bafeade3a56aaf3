/**
 * One PodMonitor per declared metrics endpoint, derived from the
 * component model: it selects the endpoint's pod group by its labels in
 * its namespace and scrapes the declared port number and path. Every
 * target is relabelled with the component and pod group that declared it
 * (`sovra_component`, `sovra_pods`), so rules and dashboards can name them.
 */
import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import type { MetricsEndpoint } from '../../kit/network.js';

/** Label with the declaring component's id on every scraped series. */
export const COMPONENT_LABEL = 'sovra_component';
/** Label with the declaring pod group's name on every scraped series. */
export const PODS_LABEL = 'sovra_pods';

/** Name of the PodMonitor of `m`: `<component>-<pods>-<port>`, cut to 63 characters. */
export function monitorName(m: MetricsEndpoint): string {
  const base = m.pods.name === m.pods.owner.id ? `${m.pods.owner.id}-${m.port}` : `${m.pods.owner.id}-${m.pods.name}-${m.port}`;
  return base.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 63).replace(/-+$/, '');
}

/** The PodMonitor spec of endpoint `m`. */
export function podMonitorSpec(m: MetricsEndpoint): Record<string, unknown> {
  const port = m.pods.port(m.port);
  const scheme = m.scheme ?? 'http';
  return {
    namespaceSelector: { matchNames: [m.pods.namespace] },
    selector: { matchLabels: { ...m.pods.labels } },
    podMetricsEndpoints: [
      {
        portNumber: port.port,
        path: m.path ?? '/metrics',
        scheme,
        // Targets are addressed by pod IP while serving certificates name Services: the scrape is encrypted, not server-authenticated (README, Monitoring).
        ...(scheme === 'https' ? { tlsConfig: { insecureSkipVerify: true } } : {}),
        relabelings: [
          { action: 'replace', targetLabel: COMPONENT_LABEL, replacement: m.pods.owner.id },
          { action: 'replace', targetLabel: PODS_LABEL, replacement: m.pods.name },
        ],
      },
    ],
  };
}

/** Writes the PodMonitors of `endpoints` under `scope` (in its namespace); returns them by endpoint. */
export function addPodMonitors(scope: Construct, namespace: string, endpoints: readonly MetricsEndpoint[]): Map<MetricsEndpoint, ApiObject> {
  const out = new Map<MetricsEndpoint, ApiObject>();
  const seen = new Set<string>();
  for (const m of endpoints) {
    const name = monitorName(m);
    if (seen.has(name)) throw new Error(`two metrics endpoints would share the PodMonitor name ${name}`);
    seen.add(name);
    out.set(m, new ApiObject(scope, `PodMonitor-${name}`, { apiVersion: 'monitoring.coreos.com/v1', kind: 'PodMonitor', metadata: { name, namespace }, spec: podMonitorSpec(m) }));
  }
  return out;
}
