/**
 * OIDC clients a component needs in the platform's identity provider: a
 * web application that signs its users in (Grafana, a console) declares
 * its client on its registry entry, computed from the profile alone, so
 * the identity provider (built earlier) can put it in the realm it imports.
 */

/** A confidential web client: authorization code flow with PKCE, exact redirect URIs, a client secret both sides read from OpenBao. */
export interface OidcClientSpec {
  /** Client id, e.g. `sovra-grafana`. */
  readonly clientId: string;
  /** What it is, for the realm and the SSP. */
  readonly description: string;
  /** Exact redirect URIs. */
  readonly redirectUris: readonly string[];
  /** Base URL of the application (Keycloak's `rootUrl`, also a web origin). */
  readonly rootUrl: string;
  /**
   * Where the client secret lives in OpenBao's KV store (path and
   * property): the application and the identity provider each read it
   * through an ExternalSecret, so the value is written once, by the site.
   */
  readonly secret: { readonly openbaoPath: string; readonly property: string };
  /** The application maps groups to its roles: the ID token and userinfo carry `groups`. */
  readonly groupsClaim?: boolean;
}
