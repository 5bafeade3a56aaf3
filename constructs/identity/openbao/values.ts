/**
 * The values Sovra sets on the OpenBao chart (0.29.2), typed: HA mode with
 * integrated Raft on every profile (one server on dev and edge, three on
 * cluster), TLS from a cert-manager Secret, the server configuration as
 * data, the hardened pod, and everything else of the chart off (agent
 * injector, CSI provider, UI Service, snapshot agent).
 */
import { onChartValues, type Evidence } from '../../kit/claims.js';
import type { ImageSpec } from '../../kit/image.js';
import { NAMESPACES } from '../../kit/shared-names.js';
import { SEAL_MOUNT, SEAL_SECRET, type SealPlan } from './seal.js';
import { DATA_PATH, TLS_MOUNT, type ServerConfig } from './server-config.js';

/** Release name; also the chart's full name, so Services `openbao`, `openbao-internal`, `openbao-active`, and pods `openbao-<n>`. */
export const OPENBAO_RELEASE = 'openbao';
/** Labels the chart sets on the server pods (templates/server-statefulset.yaml). */
export const OPENBAO_POD_LABELS = { 'app.kubernetes.io/name': 'openbao', 'app.kubernetes.io/instance': OPENBAO_RELEASE, component: 'server' } as const;
/** The server's service account (the chart's full name). */
export const OPENBAO_SERVICE_ACCOUNT = OPENBAO_RELEASE;
/** Name of the server container in the chart's StatefulSet (openbao chart 0.29.2 templates/server-statefulset.yaml). */
export const OPENBAO_CONTAINER = 'openbao';
/** Headless Service of the StatefulSet. */
export const HEADLESS_SERVICE = `${OPENBAO_RELEASE}-internal`;
/** Secret with the server certificate, key and CA (from cert-manager). */
export const TLS_SECRET = 'openbao-server-tls';
/** Values path of the server configuration (JSON text; evidence paths enter it as data). */
export const CONFIG_PATH = 'server.ha.raft.config';
/** Evidence on a field of the server configuration in the chart values. */
export function onConfig(path: string, expect: Omit<Evidence, 'target' | 'path'>): Evidence {
  return onChartValues(OPENBAO_RELEASE, `${CONFIG_PATH}.${path}`, expect);
}

/** User and group of the openbao image (the chart's defaults, uid 100 and gid 1000). */
const UID = 100;
const GID = 1000;

type EnvFromSecret = { readonly envName: string; readonly secretName: string; readonly secretKey: string };
type Volume = { readonly name: string; readonly [k: string]: unknown };
type Mount = { readonly name: string; readonly mountPath: string; readonly readOnly?: boolean };

/** Values Sovra sets on the chart. */
export interface OpenBaoValues {
  readonly global: { readonly tlsDisable: false };
  readonly injector: { readonly enabled: false };
  readonly csi: { readonly enabled: false };
  readonly ui: { readonly enabled: boolean };
  readonly server: {
    readonly image: { readonly registry: string; readonly repository: string; readonly tag: string; readonly pullPolicy: 'IfNotPresent' };
    readonly logLevel: 'info';
    readonly logFormat: 'json';
    readonly resources: { readonly requests: { readonly cpu: string; readonly memory: string }; readonly limits: { readonly cpu: string; readonly memory: string } };
    readonly authDelegator: { readonly enabled: true };
    readonly extraEnvironmentVars: Record<string, string>;
    readonly extraSecretEnvironmentVars: readonly EnvFromSecret[];
    readonly volumes: readonly Volume[];
    readonly volumeMounts: readonly Mount[];
    readonly affinity: Record<string, unknown> | '';
    readonly dataStorage: { readonly enabled: true; readonly size: string; readonly mountPath: string };
    readonly auditStorage: { readonly enabled: false };
    readonly statefulSet: { readonly securityContext: { readonly pod: Record<string, unknown>; readonly container: Record<string, unknown> } };
    readonly ha: {
      readonly enabled: true;
      readonly replicas: number;
      readonly apiAddr: string;
      /** The server configuration as JSON text (OpenBao reads a file starting with `{` as JSON); see `raftConfig`. */
      readonly raft: { readonly enabled: true; readonly setNodeId: true; readonly config: string };
      readonly disruptionBudget: { readonly enabled: boolean; readonly maxUnavailable: number | null };
    };
  };
}

/** What the values depend on. */
export interface ValuesInput {
  readonly image: ImageSpec;
  readonly replicas: number;
  readonly storage: string;
  readonly cpu: string;
  readonly memory: string;
  readonly ui: boolean;
  readonly seal: SealPlan;
  readonly config: ServerConfig;
}

/** The image as the chart composes it (`registry/repository:tag`): a locked digest rides on the tag. */
function chartImage(image: ImageSpec): OpenBaoValues['server']['image'] {
  return { registry: image.registry, repository: image.repository, tag: image.digest ? `${image.tag}@${image.digest}` : image.tag, pullPolicy: 'IfNotPresent' };
}

/** The chart values for `input`. */
export function openBaoValues(input: ValuesInput): OpenBaoValues {
  const { seal } = input;
  const resources = { cpu: input.cpu, memory: input.memory };
  const volumes: Volume[] = [
    // The chart's start script copies the configuration to /tmp before starting the server; the root filesystem stays read-only.
    { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
    { name: 'tls', secret: { secretName: TLS_SECRET, defaultMode: 0o440 } },
    ...(seal.fileKeys.length > 0 ? [{ name: 'seal', secret: { secretName: SEAL_SECRET, defaultMode: 0o440, items: seal.fileKeys.map((k) => ({ key: k, path: k })) } }] : []),
  ];
  const volumeMounts: Mount[] = [
    { name: 'tmp', mountPath: '/tmp' },
    { name: 'tls', mountPath: TLS_MOUNT, readOnly: true },
    ...(seal.fileKeys.length > 0 ? [{ name: 'seal', mountPath: SEAL_MOUNT, readOnly: true }] : []),
  ];
  const ha = input.replicas > 1;
  return {
    global: { tlsDisable: false },
    injector: { enabled: false },
    csi: { enabled: false },
    ui: { enabled: input.ui },
    server: {
      image: chartImage(input.image),
      logLevel: 'info',
      logFormat: 'json',
      resources: { requests: resources, limits: resources },
      authDelegator: { enabled: true },
      // The CLI in the pod (runbook) verifies the server against the CA of its certificate.
      extraEnvironmentVars: { BAO_CACERT: `${TLS_MOUNT}/ca.crt` },
      extraSecretEnvironmentVars: seal.env,
      volumes,
      volumeMounts,
      // One server per node: Raft loses quorum with two on a failed node.
      affinity: ha
        ? { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { ...OPENBAO_POD_LABELS } }, topologyKey: 'kubernetes.io/hostname' }] } }
        : '',
      dataStorage: { enabled: true, size: input.storage, mountPath: DATA_PATH },
      auditStorage: { enabled: false },
      statefulSet: {
        securityContext: {
          pod: { runAsNonRoot: true, runAsUser: UID, runAsGroup: GID, fsGroup: GID, seccompProfile: { type: 'RuntimeDefault' } },
          container: {
            allowPrivilegeEscalation: false,
            privileged: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            capabilities: { drop: ['ALL'] },
            seccompProfile: { type: 'RuntimeDefault' },
          },
        },
      },
      ha: {
        enabled: true,
        replicas: input.replicas,
        // The headless name is in the certificate; $(BAO_K8S_POD_NAME) is defined before BAO_API_ADDR in the chart's env list.
        apiAddr: `https://$(BAO_K8S_POD_NAME).${HEADLESS_SERVICE}.${NAMESPACES.openbao}.svc:8200`,
        // Text, not a map: the chart's helper takes a map only when server.ha.config is one too (typeOf of the wrong value).
        raft: { enabled: true, setNodeId: true, config: JSON.stringify(input.config, null, 2) },
        // With one server a budget could only forbid every eviction; with 2n+1, at most one may be down.
        disruptionBudget: { enabled: ha, maxUnavailable: ha ? 1 : null },
      },
    },
  };
}
