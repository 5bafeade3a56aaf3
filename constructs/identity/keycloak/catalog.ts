/**
 * Keycloak pins: the one place its chart version and image version live.
 * The chart archive's digest is the one the codecentric repository index
 * publishes; the image's digest is not known offline (the chart pins a tag),
 * so the image is unlocked until `sovra lock` (or a site's lock) records it.
 */
import type { ImagePin } from '../../kit/image.js';

const SOURCE = 'codecentric/helm-charts tag keycloakx-7.1.11 (values.yaml image.tag "26.5.6")';

/** Chart coordinates (codecentric keycloakx); the digest is the archive's SHA-256 as the repository index lists it. */
export const KEYCLOAK_CHART = {
  repository: 'https://codecentric.github.io/helm-charts',
  chart: 'keycloakx',
  version: '7.1.11',
  digest: 'sha256:beeb7ac7cee425ad438a6fbc6545b234a636b1c65f3fa7158aae443c076d7559',
  license: 'Apache-2.0',
  source: 'https://codecentric.github.io/helm-charts index.yaml entry keycloakx 7.1.11 (urls: github.com/codecentric/helm-charts/releases/download/keycloakx-7.1.11/keycloakx-7.1.11.tgz)',
} as const;

/** The Keycloak server image the chart's values pin; the same image runs the build init container. */
export const KEYCLOAK_IMAGES = {
  server: { registry: 'quay.io', repository: 'keycloak/keycloak', tag: '26.5.6', license: 'Apache-2.0', source: SOURCE },
} as const satisfies Record<string, ImagePin>;
