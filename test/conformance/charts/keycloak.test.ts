/**
 * The keycloakx chart 7.1.11 (codecentric/helm-charts at tag keycloakx-7.1.11)
 * rendered by the real helm with the values Sovra writes for each profile:
 * the chart accepts them and knows every value path (the maps it takes
 * whole are free-form), the rendered StatefulSet carries what the claims
 * cite (production start, HTTPS with TLS 1.3 only, database over
 * verify-full TLS from the operator's Secret, the realm import, hardened
 * containers, HA on cluster), the pods carry the labels, ports and service
 * account the component declared for its NetworkPolicies, and every image
 * the render runs is declared. The realm is also checked against the
 * KeycloakRealmImport CRD of the Keycloak 26.0.0 operator: every field
 * Sovra writes is one that Keycloak's import knows.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { KEYCLOAK_POD_LABELS, KEYCLOAK_PORTS, MANAGEMENT_PORT_NAME } from '../../../constructs/identity/keycloak/values.js';
import { sharedPath } from '../../support/shared.js';
import { PROFILES, removeDir, synthAll, writtenObjects, type K8sObject, type ProfileName } from '../../support/synth-output.js';
import { chartDir, declaredImages, objectNamed, renderChart, renderedImages, undeclaredImages, unknownValuePaths, writtenValues, type Render } from '../support/helm.js';
import { clusterRefusals, liftedFindings, policyCheck, policyProblems } from '../support/policy.js';

const CHART = () => chartDir('keycloak', 'keycloakx-7.1.11');
const NS = 'sovra-identity';
/** Values the chart passes through toYaml whole (Kubernetes objects, not chart settings). */
const FREE_FORM = ['securityContext', 'podSecurityContext', 'resources', 'podDisruptionBudget'];

let root: string | undefined;
let dirs: Record<ProfileName, string>;
const renders = new Map<ProfileName, Render>();

beforeAll(async () => {
  ({ root, dirs } = await synthAll());
  for (const p of PROFILES) renders.set(p, renderChart({ chart: CHART(), release: 'keycloak', namespace: NS, values: writtenValues(dirs[p], 'keycloak') }));
});
afterAll(() => removeDir(root));

type Container = {
  name: string;
  image: string;
  args?: string[];
  env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
  ports?: Array<{ name: string; containerPort: number }>;
  securityContext?: Record<string, unknown>;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
  readinessProbe?: { httpGet: { scheme: string; port: string; path: string } };
};
type PodSpec = { containers: Container[]; initContainers: Container[]; securityContext: Record<string, unknown>; serviceAccountName: string; volumes: Array<Record<string, any>> }; // eslint-disable-line @typescript-eslint/no-explicit-any

function statefulSet(p: ProfileName): { spec: { replicas: number; template: { metadata: { labels: Record<string, string> }; spec: PodSpec } } } {
  return objectNamed(renders.get(p)!.objects, 'StatefulSet', 'keycloak') as unknown as ReturnType<typeof statefulSet>;
}
function server(p: ProfileName): Container {
  return statefulSet(p).spec.template.spec.containers.find((c) => c.name === 'keycloak')!;
}
function envOf(c: Container, name: string) {
  return c.env?.find((e) => e.name === name);
}

describe.each(PROFILES)('profile %s', (profile) => {
  it('the chart accepts the values Sovra writes, and knows every value path', () => {
    const r = renders.get(profile)!;
    expect(r.error).toBe('');
    expect(r.ok).toBe(true);
    expect(unknownValuePaths(CHART(), writtenValues(dirs[profile], 'keycloak'), FREE_FORM)).toEqual([]);
  });

  it('starts the optimized server in production mode, imports the realm from the ConfigMap, serves HTTPS (TLS 1.3) only, behind a proxy', () => {
    const c = server(profile);
    expect(c.args).toEqual(['start', '--optimized', '--import-realm']);
    expect(envOf(c, 'KC_HTTP_ENABLED')).toBeUndefined();
    expect(envOf(c, 'KC_HTTPS_PROTOCOLS')?.value).toBe('TLSv1.3');
    expect(envOf(c, 'KC_HTTPS_CERTIFICATE_FILE')?.value).toBe('/opt/keycloak/conf/tls/tls.crt');
    expect(envOf(c, 'KC_PROXY_HEADERS')?.value).toBe('xforwarded');
    expect(envOf(c, 'KC_HOSTNAME')?.value).toBe(`https://keycloak.${NS}.svc`);
    expect(envOf(c, 'KC_HEALTH_ENABLED')?.value).toBe('true');
    expect(envOf(c, 'KC_METRICS_ENABLED')?.value).toBe('true');
    expect(c.readinessProbe?.httpGet).toMatchObject({ scheme: 'HTTPS', port: MANAGEMENT_PORT_NAME, path: '/health/ready' });
    const spec = statefulSet(profile).spec.template.spec;
    const realmVolume = spec.volumes.find((v) => v.name === 'realm')!;
    expect(realmVolume.configMap).toEqual({ name: 'keycloak-realm', items: [{ key: 'sovra', path: 'sovra-realm.json' }] });
    expect(c.volumeMounts).toContainEqual({ name: 'realm', mountPath: '/opt/keycloak/data/import', readOnly: true });
    expect(spec.volumes.find((v) => v.name === 'tls')!.secret.secretName).toBe('keycloak-tls');
  });

  it('connects to PostgreSQL with the operator\'s Secret and TLS verify-full against the platform CA; cache discovery through the database', () => {
    const c = server(profile);
    expect(envOf(c, 'KC_DB')?.value).toBe('postgres');
    expect(envOf(c, 'KC_DB_PASSWORD')?.valueFrom?.secretKeyRef).toEqual({ name: 'keycloak-db-app', key: 'password' });
    expect(envOf(c, 'KC_DB_URL_HOST')?.valueFrom?.secretKeyRef).toEqual({ name: 'keycloak-db-app', key: 'host' });
    expect(envOf(c, 'KC_DB_URL_PROPERTIES')?.value).toBe('?sslmode=verify-full&sslrootcert=/opt/keycloak/conf/trust/ca.crt');
    expect(statefulSet(profile).spec.template.spec.volumes.find((v) => v.name === 'trust')!.configMap.name).toBe('sovra-ca-bundle');
    expect(envOf(c, 'KC_CACHE_STACK')?.value).toBe('jdbc-ping');
    expect(envOf(c, 'KC_CACHE_EMBEDDED_MTLS_ENABLED')?.value).toBe('true');
  });

  it('builds the server once in an init container with the same build options the server runs with', () => {
    const spec = statefulSet(profile).spec.template.spec;
    expect(spec.initContainers.map((c) => c.name)).toEqual(['copy-quarkus', 'build']);
    const build = spec.initContainers[1]!;
    expect(build.args).toEqual(['build']);
    for (const name of ['KC_DB', 'KC_CACHE', 'KC_HEALTH_ENABLED', 'KC_METRICS_ENABLED', 'KC_HTTP_RELATIVE_PATH']) expect(envOf(build, name)?.value, name).toBe(envOf(server(profile), name)?.value);
    expect(build.volumeMounts).toContainEqual({ name: 'quarkus', mountPath: '/opt/keycloak/lib/quarkus' });
    expect(server(profile).volumeMounts).toContainEqual({ name: 'quarkus', mountPath: '/opt/keycloak/lib/quarkus', readOnly: true });
  });

  it('renders pods that meet the hardened baseline (the chart\'s ServiceAccount carries automount false)', () => {
    const spec = statefulSet(profile).spec.template.spec;
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    for (const c of [...spec.initContainers, ...spec.containers]) {
      expect(c.securityContext, c.name).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
      for (const k of ['cpu', 'memory']) {
        expect(c.resources?.requests?.[k], `${c.name} requests.${k}`).toBeDefined();
        expect(c.resources?.limits?.[k], `${c.name} limits.${k}`).toBeDefined();
      }
    }
    const sa = objectNamed(renders.get(profile)!.objects, 'ServiceAccount', 'keycloak') as K8sObject & { automountServiceAccountToken?: boolean };
    expect(sa.automountServiceAccountToken).toBe(false);
    expect(spec.serviceAccountName).toBe('keycloak');
    // The chart writes no Secret (no literal credentials pass through it).
    expect(renders.get(profile)!.objects.filter((o) => o.kind === 'Secret')).toEqual([]);
  });

  it('carries the pod labels, ports and service account the component declared (so the derived policies and the Service select these pods)', () => {
    const tpl = statefulSet(profile).spec.template;
    expect(tpl.metadata.labels).toEqual(KEYCLOAK_POD_LABELS);
    const ports = Object.fromEntries((server(profile).ports ?? []).map((p) => [p.name, p.containerPort]));
    expect(ports).toMatchObject({ https: KEYCLOAK_PORTS.https, [MANAGEMENT_PORT_NAME]: KEYCLOAK_PORTS.management, jgroups: KEYCLOAK_PORTS.jgroups, 'jgroups-fd': KEYCLOAK_PORTS.jgroupsFd });
    const svc = writtenObjects(dirs[profile]).map((o) => o.object).find((o) => o.kind === 'Service' && o.metadata.name === 'keycloak')!;
    expect((svc.spec as { selector: Record<string, string> }).selector).toEqual(KEYCLOAK_POD_LABELS);
    const np = writtenObjects(dirs[profile]).map((o) => o.object).find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'keycloak')!;
    expect((np.spec as { podSelector: { matchLabels: Record<string, string> } }).podSelector.matchLabels).toEqual(KEYCLOAK_POD_LABELS);
  });

  it('runs 3 replicas with a PodDisruptionBudget on cluster, 1 without elsewhere', () => {
    const objs = renders.get(profile)!.objects;
    expect(statefulSet(profile).spec.replicas).toBe(profile === 'cluster' ? 3 : 1);
    const pdb = objs.find((o) => o.kind === 'PodDisruptionBudget');
    if (profile === 'cluster') expect((pdb!.spec as { maxUnavailable: number }).maxUnavailable).toBe(1);
    else expect(pdb).toBeUndefined();
  });

  it('runs only images the component declares (so the SBOM and the bundle are complete)', () => {
    const images = renderedImages(renders.get(profile)!.objects);
    expect(images).toEqual(['quay.io/keycloak/keycloak:26.5.6']);
    expect(undeclaredImages(images, declaredImages(dirs[profile]))).toEqual([]);
  });

  it('writes a realm whose every field the Keycloak 26.0.0 operator\'s KeycloakRealmImport CRD knows', () => {
    const cm = writtenObjects(dirs[profile]).map((o) => o.object).find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'keycloak-realm')!;
    const realm = JSON.parse((cm.data as { sovra: string }).sovra) as unknown;
    const crd = YAML.parse(readFileSync(sharedPath('charts/keycloak/keycloak-operator-manifests-26.0.0/keycloakrealmimports.k8s.keycloak.org-v1.yml'), 'utf8')) as { spec: { versions: Array<{ schema: { openAPIV3Schema: any } }> } }; // eslint-disable-line @typescript-eslint/no-explicit-any
    const schema = crd.spec.versions[0]!.schema.openAPIV3Schema.properties.spec.properties.realm;
    expect(unknownFields(realm, schema, 'realm')).toEqual([]);
  });
});

/** Fields of `value` that `schema` (OpenAPI v3) does not declare; maps with `additionalProperties` schemas are free-form. */
function unknownFields(value: unknown, schema: any, path: string): string[] { // eslint-disable-line @typescript-eslint/no-explicit-any
  if (Array.isArray(value)) return value.flatMap((v, i) => unknownFields(v, schema?.items, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  if (!schema?.properties) return schema?.additionalProperties ? [] : [`${path} (no schema)`];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => (k in schema.properties ? unknownFields(v, schema.properties[k], `${path}.${k}`) : [`${path}.${k}`]));
}

describe.each(PROFILES)("profile %s: Sovra's policy rules over the render", (profile) => {
  const check = () => ({ outDir: dirs[profile], release: 'keycloak', namespace: NS, objects: renders.get(profile)!.objects });

  it("the pods the chart installs meet the rules, with the component's exceptions (the token the ServiceAccount already turns off) each lifting something", () => {
    const r = policyCheck(check());
    expect(policyProblems(r)).toEqual([]);
    expect(liftedFindings(r)).toEqual(['pod-security/service-account-token StatefulSet/keycloak']);
    // What the exception states: no token is mounted, because the pod inherits its ServiceAccount's setting.
    expect((objectNamed(renders.get(profile)!.objects, 'ServiceAccount', 'keycloak') as K8sObject & { automountServiceAccountToken?: boolean }).automountServiceAccountToken).toBe(false);
  });

  it('the cluster admits what the check admitted: the exceptions are the bindings\' exclusions', () => {
    expect(clusterRefusals(check())).toEqual([]);
  });
});
