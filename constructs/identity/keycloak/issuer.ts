/**
 * What the control plane needs from this folder: the issuer URL of realm
 * `sovra` for a profile and the audience its access tokens carry. Without a
 * public hostname the issuer is the in-cluster Service, the shared
 * KEYCLOAK_REALM.issuer; with one, tokens name the public host.
 */
import type { Profile } from '../../../profiles/profile.generated.js';
import { KEYCLOAK_REALM, NAMESPACES } from '../../kit/shared-names.js';
import { CONTROL_PLANE_AUDIENCE } from './realm.js';

/** Base URL of Keycloak inside the cluster: the Service `keycloak` on port 443. */
export const KEYCLOAK_SERVICE_URL = `https://keycloak.${NAMESPACES.keycloak}.svc`;

/** The base URL Keycloak names in tokens and redirects (`KC_HOSTNAME`). */
export function keycloakBaseUrl(profile: Profile): string {
  return profile.components.keycloak.hostname ?? KEYCLOAK_SERVICE_URL;
}

/** Issuer of realm `sovra` (`iss` of its tokens, the control plane's `--oidc-issuer`). */
export function keycloakIssuer(profile: Profile): string {
  return `${keycloakBaseUrl(profile)}/realms/${KEYCLOAK_REALM.name}`;
}

/** Audience the control plane verifies (`--oidc-audience`). */
export const KEYCLOAK_AUDIENCE = CONTROL_PLANE_AUDIENCE;
