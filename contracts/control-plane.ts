/**
 * The control plane's contract: what `sovra serve` reads (option flags and
 * environment variables, port, probe paths) and what the platform writes
 * into the control plane's Deployment (those variables, the Secrets and
 * keys behind them, the model volume). Written once; the construct
 * (constructs/ai-runtime/control-plane) and the service's option
 * resolution (services/server/config.ts) both read it.
 */

/** One option of `sovra serve`: its flag, environment variable and what it holds. */
export interface ServeOptionSpec {
  readonly flag: string;
  readonly env: string;
  readonly value: string;
  readonly help: string;
  readonly multiple?: boolean;
}

/**
 * Variables of the runtime (not options of `sovra serve`) the control
 * plane's container may set: the platform's CA bundle, so that HTTPS to
 * Keycloak and TLS to PostgreSQL verify against the platform CA; and the
 * PostgreSQL driver's TLS mode, because the URI the CloudNativePG operator
 * writes names none (node-postgres reads PGSSLMODE when the URL has no
 * sslmode: `verify-full` makes it verify the chain and the host name).
 */
export const RUNTIME_ENV = { extraCaCerts: 'NODE_EXTRA_CA_CERTS', pgSslMode: 'PGSSLMODE' } as const;

/** Every option of `sovra serve`, in the order the usage lists them. */
export const SERVE_OPTIONS = {
  host: { flag: '--host', env: 'HOST', value: '<address>', help: 'address to listen on (default 127.0.0.1)' },
  port: { flag: '--port', env: 'PORT', value: '<n>', help: 'TCP port, 0 for any free one (default 8080)' },
  'oidc-issuer': { flag: '--oidc-issuer', env: 'SOVRA_OIDC_ISSUER', value: '<url>', help: 'OIDC issuer whose access tokens are accepted (required)' },
  'oidc-audience': { flag: '--oidc-audience', env: 'SOVRA_OIDC_AUDIENCE', value: '<aud>', help: 'required audience of access tokens (default sovra)' },
  upstream: {
    flag: '--upstream',
    env: 'SOVRA_UPSTREAM_URL',
    value: '<url>',
    help: 'OpenAI-compatible base URL including /v1; repeat or comma-separate, tried in order',
    multiple: true,
  },
  'upstream-api-key-file': {
    flag: '--upstream-api-key-file',
    env: 'SOVRA_UPSTREAM_API_KEY_FILE',
    value: '<file>',
    help: 'file holding the bearer API key of the upstream at the same position (repeat or comma-separate, one per upstream; an empty entry for none); never the key itself',
    multiple: true,
  },
  'local-model': { flag: '--local-model', env: 'SOVRA_LOCAL_MODEL', value: '<file.gguf>', help: 'GGUF model served locally as the last tier' },
  'local-model-sha256': { flag: '--local-model-sha256', env: 'SOVRA_LOCAL_MODEL_SHA256', value: '<hex>', help: 'SHA-256 the local model file must have (required with --local-model)' },
  'database-url': { flag: '--database-url', env: 'DATABASE_URL', value: '<postgres://…>', help: 'PostgreSQL server for audit, idempotency keys and RAG' },
  'data-dir': { flag: '--data-dir', env: 'SOVRA_DATA_DIR', value: '<dir>', help: 'directory of the embedded database and its audit journal (default ./sovra-data), unless --database-url' },
  'embedding-model': {
    flag: '--embedding-model',
    env: 'SOVRA_EMBEDDING_MODEL',
    value: '<model>',
    help: 'embedding model used when a request names none (RAG ingest and query); pin it so every chunk and query share one model',
  },
  policy: { flag: '--policy', env: 'SOVRA_POLICY', value: '<rules.yaml>', help: 'CEL authorization rules added to the shipped ones' },
  'audit-key': {
    flag: '--audit-key',
    env: 'SOVRA_AUDIT_KEY',
    value: '<key.pem>',
    help: 'Ed25519 private key (PKCS#8 PEM file, or the PEM text) that signs audit checkpoints',
  },
} as const satisfies Record<string, ServeOptionSpec>;

/** Name of an option of `sovra serve`. */
export type ServeOptionName = keyof typeof SERVE_OPTIONS;

/** Environment variable of a `sovra serve` option. */
export function serveEnv(option: ServeOptionName): string {
  return SERVE_OPTIONS[option].env;
}

/** TCP port the control plane listens on in the cluster. */
export const CONTROL_PLANE_PORT = 8080;

/** HTTP paths of the service that the platform points probes and scrapers at. */
export const CONTROL_PLANE_PATHS = {
  liveness: '/healthz',
  readiness: '/readyz',
  metrics: '/metrics',
} as const;

/** A value `sovra serve` reads from a key of a Kubernetes Secret, through an option's environment variable. */
export interface SecretOption {
  readonly option: ServeOptionName;
  /** Name of the Secret in the control plane's namespace. */
  readonly secret: string;
  readonly key: string;
}

/** Secrets the control plane consumes, and the option each one feeds. */
export const CONTROL_PLANE_SECRETS = {
  /** `postgresql://…` URI of the control plane's database, written by the CloudNativePG operator for its Cluster `control-plane-db`. */
  database: { option: 'database-url', secret: 'control-plane-db-app', key: 'uri' },
  /** Ed25519 private key (PKCS#8 PEM text) that signs audit checkpoints. */
  auditKey: { option: 'audit-key', secret: 'control-plane-audit-key', key: 'key.pem' },
} as const satisfies Record<string, SecretOption>;

/** Where the pod mounts the local model's volume. */
export const MODEL_MOUNT_PATH = '/models';

/**
 * The Prometheus series the control plane exposes at its metrics path
 * (services/metrics.ts ServiceMetrics; a test checks the two agree), for
 * the alerts and dashboards the model writes.
 */
export const CONTROL_PLANE_METRIC_NAMES = [
  'sovra_audit_journal_unapplied_records',
  'sovra_audit_pending_records',
  'sovra_denied_requests_total',
  'sovra_failovers_total',
  'sovra_http_request_duration_seconds_bucket',
  'sovra_http_request_duration_seconds_count',
  'sovra_http_request_duration_seconds_sum',
  'sovra_http_requests_total',
  'sovra_inference_requests_total',
  'sovra_tier_breaker_open',
] as const;

/**
 * The control plane image's runtime, as `sovra image build` writes it into
 * the image config: the non-root user the Deployment's pod security context
 * also names (a test checks the two agree), the entry point that the
 * Deployment's `args` complete (`serve`, or `model tiny …` in the init
 * container), and the environment. The image has no shell.
 */
export const CONTROL_PLANE_IMAGE_RUNTIME = {
  user: { uid: 65532, gid: 65532, name: 'nonroot', home: '/home/nonroot' },
  workdir: '/app',
  entrypoint: ['/usr/bin/node', '/app/bin/sovra.js'],
  cmd: ['serve'],
  env: { PATH: '/usr/bin:/bin', NODE_ENV: 'production' },
} as const;
