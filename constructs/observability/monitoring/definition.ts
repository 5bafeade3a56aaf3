/** Registry entry of the monitoring component. */
import type { ComponentDefinition } from '../../kit/definition.js';
import { GRAFANA_OIDC_OPENBAO_PATH, Monitoring } from './monitoring.js';
import { GRAFANA_OIDC_CLIENT } from './values.js';

/** Metrics, alerts and dashboards of the platform. */
export const MONITORING: ComponentDefinition = {
  id: 'monitoring',
  layer: 'observability',
  // Grafana signs its users in at Keycloak: its client is in the realm Keycloak imports.
  oidcClients: (p) => {
    const root = p.components.monitoring.grafana.rootUrl.replace(/\/+$/, '');
    return [
      {
        clientId: GRAFANA_OIDC_CLIENT,
        description: "Grafana: operators sign in with the authorization code flow (PKCE S256); the groups claim maps the realm's groups to Grafana roles.",
        redirectUris: [`${root}/login/generic_oauth`],
        rootUrl: root,
        secret: { openbaoPath: GRAFANA_OIDC_OPENBAO_PATH, property: 'client-secret' },
        groupsClaim: true,
      },
    ];
  },
  create: (scope, id, props) => new Monitoring(scope, id, props),
};
