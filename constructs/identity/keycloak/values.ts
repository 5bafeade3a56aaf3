/**
 * The values Sovra sets on the keycloakx chart, as one typed object. The
 * chart takes its pod additions (environment, volumes, init containers) as
 * YAML text that it passes through `tpl`; Sovra writes that text from typed
 * lists here, without template syntax, so the evidence checker (which reads
 * YAML text as data) and the conformance test see the same structure.
 *
 * Read-only root filesystem: the stock image re-augments Quarkus at `start`
 * when the build options differ from its defaults (here: PostgreSQL, health,
 * metrics), writing /opt/keycloak/lib/quarkus. Two init containers of the
 * same image copy that folder into an emptyDir and run `kc.sh build` into
 * it; the server then runs `start --optimized` with the folder mounted
 * read-only, and writes only to emptyDirs at /tmp and /opt/keycloak/data.
 */
import { toYaml } from '../../../core/yaml.js';
import { imageRef, type ImageSpec } from '../../kit/image.js';

/** An environment variable of a container. */
export type EnvVar = { readonly name: string; readonly value: string } | { readonly name: string; readonly valueFrom: { readonly secretKeyRef: { readonly name: string; readonly key: string } } };

/** A container's security context (the hardened baseline). */
export interface ContainerSecurity {
  readonly runAsUser: number;
  readonly runAsNonRoot: true;
  readonly readOnlyRootFilesystem: true;
  readonly allowPrivilegeEscalation: false;
  readonly capabilities: { readonly drop: readonly ['ALL'] };
  readonly seccompProfile: { readonly type: 'RuntimeDefault' };
}

/** Requests equal to limits. */
export interface Resources {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
}

/** Values Sovra sets on the keycloakx chart 7.1.11 (the subset it owns). */
export interface KeycloakxValues {
  readonly fullnameOverride: string;
  readonly nameOverride: string;
  readonly replicas: number;
  readonly image: { readonly repository: string; readonly tag: string; readonly digest: string; readonly pullPolicy: 'IfNotPresent' };
  readonly enableServiceLinks: false;
  readonly serviceAccount: { readonly create: true; readonly allowReadPods: false; readonly automountServiceAccountToken: false };
  readonly podSecurityContext: { readonly fsGroup: number; readonly runAsNonRoot: true; readonly seccompProfile: { readonly type: 'RuntimeDefault' } };
  readonly securityContext: ContainerSecurity;
  readonly command: readonly string[];
  readonly args: readonly string[];
  readonly extraInitContainers: string;
  readonly extraEnv: string;
  readonly extraVolumes: string;
  readonly extraVolumeMounts: string;
  readonly extraPorts: ReadonlyArray<{ readonly name: string; readonly containerPort: number; readonly protocol: 'TCP' }>;
  readonly resources: Resources;
  readonly podDisruptionBudget: { readonly maxUnavailable?: number };
  readonly terminationGracePeriodSeconds: number;
  readonly service: { readonly httpsPort: number };
  readonly dbchecker: { readonly enabled: false };
  readonly database: { readonly vendor: 'postgres'; readonly existingSecret: string; readonly existingSecretKey: 'password' };
  readonly cache: { readonly stack: 'default' };
  readonly proxy: { readonly enabled: true; readonly mode: 'xforwarded'; readonly http: { readonly enabled: false } };
  readonly metrics: { readonly enabled: true };
  readonly health: { readonly enabled: true };
  readonly http: { readonly relativePath: '/'; readonly internalPort: string; readonly internalScheme: 'HTTPS' };
}

/** Release name; part of object names and Terraform addresses. */
export const KEYCLOAK_RELEASE = 'keycloak';
/** Container ports: HTTPS, the management interface (health, metrics), and the JGroups transport and failure detection of the cache cluster. */
export const KEYCLOAK_PORTS = { https: 8443, management: 9000, jgroups: 7800, jgroupsFd: 57800 } as const;
/** Name the chart gives the management port (`http.internalPort`). */
export const MANAGEMENT_PORT_NAME = 'http-internal';
/** Pod labels the chart sets with fullname/name overrides `keycloak` and release `keycloak`. */
export const KEYCLOAK_POD_LABELS = { 'app.kubernetes.io/name': 'keycloak', 'app.kubernetes.io/instance': KEYCLOAK_RELEASE } as const;
/** ServiceAccount, StatefulSet and base of the Service names the chart renders. */
export const KEYCLOAK_FULLNAME = 'keycloak';

/** Paths inside the container. */
export const PATHS = {
  tls: '/opt/keycloak/conf/tls',
  trust: '/opt/keycloak/conf/trust',
  import: '/opt/keycloak/data/import',
  data: '/opt/keycloak/data',
  quarkus: '/opt/keycloak/lib/quarkus',
  tmp: '/tmp',
} as const;

/** Build-time options `kc.sh build` bakes into the optimized server (the same the chart sets at run time). */
export const BUILD_ENV: readonly EnvVar[] = [
  { name: 'KC_CACHE', value: 'ispn' },
  { name: 'KC_DB', value: 'postgres' },
  { name: 'KC_HEALTH_ENABLED', value: 'true' },
  { name: 'KC_HTTP_RELATIVE_PATH', value: '/' },
  { name: 'KC_METRICS_ENABLED', value: 'true' },
];

/** What the values are built from. */
export interface ValuesInput {
  readonly image: ImageSpec;
  readonly replicas: number;
  readonly highAvailability: boolean;
  readonly resources: { readonly cpu: string; readonly memory: string };
  /** Environment of the server container beyond what the chart sets. */
  readonly env: readonly EnvVar[];
  readonly secrets: { readonly tls: string; readonly database: string };
  readonly configMaps: { readonly trustBundle: { readonly name: string; readonly key: string }; readonly realm: { readonly name: string; readonly key: string; readonly file: string } };
}

/** The hardened security context of every container of the pod. */
export const CONTAINER_SECURITY: ContainerSecurity = {
  runAsUser: 1000,
  runAsNonRoot: true,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

function block(list: readonly unknown[]): string {
  return toYaml(list);
}

/** The chart values for a profile. */
export function keycloakValues(i: ValuesInput): KeycloakxValues {
  const resources: Resources = { requests: { ...i.resources }, limits: { ...i.resources } };
  const image = imageRef(i.image);
  const initContainers = [
    {
      name: 'copy-quarkus',
      image,
      imagePullPolicy: 'IfNotPresent',
      command: ['/bin/sh', '-c', `cp -R -p ${PATHS.quarkus}/. /mnt/quarkus/`],
      securityContext: CONTAINER_SECURITY,
      resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '100m', memory: '64Mi' } },
      volumeMounts: [{ name: 'quarkus', mountPath: '/mnt/quarkus' }],
    },
    {
      name: 'build',
      image,
      imagePullPolicy: 'IfNotPresent',
      command: ['/opt/keycloak/bin/kc.sh'],
      args: ['build'],
      env: BUILD_ENV,
      securityContext: CONTAINER_SECURITY,
      resources,
      volumeMounts: [
        { name: 'quarkus', mountPath: PATHS.quarkus },
        { name: 'data', mountPath: PATHS.data },
        { name: 'tmp', mountPath: PATHS.tmp },
      ],
    },
  ];
  const volumes = [
    { name: 'tmp', emptyDir: { sizeLimit: '256Mi' } },
    { name: 'data', emptyDir: { sizeLimit: '512Mi' } },
    { name: 'quarkus', emptyDir: { sizeLimit: '256Mi' } },
    { name: 'tls', secret: { secretName: i.secrets.tls, defaultMode: 0o440 } },
    { name: 'trust', configMap: { name: i.configMaps.trustBundle.name, items: [{ key: i.configMaps.trustBundle.key, path: 'ca.crt' }] } },
    { name: 'realm', configMap: { name: i.configMaps.realm.name, items: [{ key: i.configMaps.realm.key, path: i.configMaps.realm.file }] } },
  ];
  const mounts = [
    { name: 'tmp', mountPath: PATHS.tmp },
    { name: 'data', mountPath: PATHS.data },
    { name: 'quarkus', mountPath: PATHS.quarkus, readOnly: true },
    { name: 'tls', mountPath: PATHS.tls, readOnly: true },
    { name: 'trust', mountPath: PATHS.trust, readOnly: true },
    { name: 'realm', mountPath: PATHS.import, readOnly: true },
  ];
  return {
    fullnameOverride: KEYCLOAK_FULLNAME,
    nameOverride: KEYCLOAK_FULLNAME,
    replicas: i.replicas,
    image: { repository: `${i.image.registry}/${i.image.repository}`, tag: i.image.tag, digest: i.image.digest ?? '', pullPolicy: 'IfNotPresent' },
    enableServiceLinks: false,
    // The jdbc-ping cache stack discovers peers through the database: no Kubernetes API access.
    serviceAccount: { create: true, allowReadPods: false, automountServiceAccountToken: false },
    podSecurityContext: { fsGroup: 1000, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    securityContext: CONTAINER_SECURITY,
    command: ['/opt/keycloak/bin/kc.sh'],
    args: ['start', '--optimized', '--import-realm'],
    extraInitContainers: block(initContainers),
    extraEnv: block(i.env),
    extraVolumes: block(volumes),
    extraVolumeMounts: block(mounts),
    extraPorts: [
      { name: 'jgroups', containerPort: KEYCLOAK_PORTS.jgroups, protocol: 'TCP' },
      { name: 'jgroups-fd', containerPort: KEYCLOAK_PORTS.jgroupsFd, protocol: 'TCP' },
    ],
    resources,
    podDisruptionBudget: i.highAvailability ? { maxUnavailable: 1 } : {},
    terminationGracePeriodSeconds: 60,
    service: { httpsPort: KEYCLOAK_PORTS.https },
    // The chart's database check runs busybox, and would block behind a mesh sidecar; Keycloak retries its connection itself.
    dbchecker: { enabled: false },
    database: { vendor: 'postgres', existingSecret: i.secrets.database, existingSecretKey: 'password' },
    cache: { stack: 'default' },
    // Behind the mesh gateway: X-Forwarded-* headers name the client; plain HTTP is off.
    proxy: { enabled: true, mode: 'xforwarded', http: { enabled: false } },
    metrics: { enabled: true },
    health: { enabled: true },
    // The management interface inherits the HTTPS configuration, so probes and scrapes use HTTPS.
    http: { relativePath: '/', internalPort: MANAGEMENT_PORT_NAME, internalScheme: 'HTTPS' },
  };
}

/** Index of the variable `name` in `env` (for evidence paths); throws when absent. */
export function envIndex(env: readonly EnvVar[], name: string): number {
  const i = env.findIndex((e) => e.name === name);
  if (i < 0) throw new Error(`keycloak: no environment variable ${name}`);
  return i;
}
