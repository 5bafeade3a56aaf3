/**
 * CloudNativePG pins: the one place the operator chart, the operator image
 * and the default database image are written. No digest of either image is
 * published in the reference data (the chart pins tags), so both are
 * unlocked until a site's lock records what it pulled.
 */
import type { ImagePin } from '../../kit/image.js';

const CHART_SOURCE = 'cloudnative-pg/charts tag cloudnative-pg-v0.29.0 (d1b5ad60), Chart.yaml appVersion 1.30.0; digest from the repository index entry (https://cloudnative-pg.github.io/charts/index.yaml)';

/** The operator chart; the digest is the archive's SHA-256 as the repository index lists it. */
export const CNPG_CHART = {
  repository: 'https://cloudnative-pg.github.io/charts',
  chart: 'cloudnative-pg',
  version: '0.29.0',
  digest: 'sha256:668e065ff53508d58238788fd35b355a925060843629a951df0e6a9362e6d32f',
  license: 'Apache-2.0',
  source: CHART_SOURCE,
} as const;

/** CloudNativePG's version (the chart's appVersion), shown as the component's version. */
export const CNPG_VERSION = '1.30.0';

/**
 * The operator image. The chart renders `image.repository:image.tag`
 * (default appVersion) and passes the same reference to the instances as
 * OPERATOR_IMAGE_NAME: every PostgreSQL pod's `bootstrap-controller` init
 * container runs it too.
 */
export const CNPG_OPERATOR_IMAGE = {
  registry: 'ghcr.io',
  repository: 'cloudnative-pg/cloudnative-pg',
  tag: CNPG_VERSION,
  license: 'Apache-2.0',
  source: 'cloudnative-pg chart 0.29.0 values.yaml (image.repository ghcr.io/cloudnative-pg/cloudnative-pg, tag defaults to appVersion 1.30.0)',
} as const satisfies ImagePin;

/**
 * The database image clusters run by default: CloudNativePG's PostgreSQL 16
 * image, the tag its cluster chart 0.8.1 defaults to. Its build recipe
 * (cloudnative-pg/postgres-containers, Debian/16/bookworm/Dockerfile, the
 * "system" image) installs pgvector, pgaudit and barman-cloud, but what
 * the published `16` tag holds today cannot be checked offline: a cluster
 * that asks for `vector` fails its bootstrap loudly when the image lacks it.
 */
export const POSTGRES_IMAGE = {
  registry: 'ghcr.io',
  repository: 'cloudnative-pg/postgresql',
  tag: '16',
  license: 'PostgreSQL',
  source: 'cloudnative-pg cluster chart 0.8.1 (templates/_helpers.tpl: ghcr.io/cloudnative-pg/postgresql:<version.postgresql>, values.yaml version.postgresql "16")',
} as const satisfies ImagePin;
