/**
 * The Keycloak component as synthesized for each profile: the chart's
 * values (production start, HTTPS only, database over verify-full TLS,
 * hardened containers, HA on cluster), the database cluster and the peers
 * derived from it, the realm ConfigMap, the Service the issuer names, the
 * claims with their parameter values, the Secrets (none written, each
 * referenced one produced), and the settings a profile may not loosen.
 */
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSovraError } from '../../../core/errors.js';
import { secretClosure } from '../../../output/secret-closure.js';
import { loadProfile } from '../../../profiles/load.js';
import type { Profile } from '../../../profiles/profile.generated.js';
import { buildPlatform, renderObjects } from '../../../synth/synth.js';
import { chartSourceOf, PROFILES, readJson, removeDir, synthAll, writtenObjects, type K8sObject, type ProfileName } from '../../../test/support/synth-output.js';
import { KEYCLOAK_REALM, NAMESPACES } from '../../kit/shared-names.js';
import { KEYCLOAK_AUDIENCE, keycloakIssuer } from './issuer.js';
import { Keycloak } from './keycloak.js';
import type { RealmRepresentation } from './realm-types.js';
import type { EnvVar, KeycloakxValues } from './values.js';

let root: string | undefined;
let dirs: Record<ProfileName, string>;
beforeAll(async () => {
  ({ root, dirs } = await synthAll());
});
afterAll(() => removeDir(root));

const NS = NAMESPACES.keycloak;

/** Keycloak's objects as written, once each (cluster writes them as manifests and as Terraform kubernetes_manifest). */
function objects(profile: ProfileName): K8sObject[] {
  const mine = writtenObjects(dirs[profile]).map((o) => o.object).filter((o) => o.metadata.namespace === NS || (o.kind === 'Namespace' && o.metadata.name === NS));
  return [...new Map(mine.map((o) => [`${o.kind}/${o.metadata.name}`, o])).values()];
}

function values(profile: ProfileName): KeycloakxValues {
  const hc = writtenObjects(dirs[profile]).find((o) => o.object.kind === 'HelmChart' && o.object.metadata.name === 'keycloak');
  if (hc) return YAML.parse((hc.object.spec as { valuesContent: string }).valuesContent) as KeycloakxValues;
  const tf = readJson<{ resource: { helm_release: Record<string, { values: string[]; chart: string; version: string; repository: string }> } }>(dirs[profile], 'terraform/cdk.tf.json');
  return YAML.parse(tf.resource.helm_release.keycloak!.values[0]!) as KeycloakxValues;
}

function env(profile: ProfileName): EnvVar[] {
  return YAML.parse(values(profile).extraEnv) as EnvVar[];
}

function named(profile: ProfileName, kind: string, name: string): K8sObject {
  const o = objects(profile).find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`${profile}: no ${kind} ${name}`);
  return o;
}

function realm(profile: ProfileName): RealmRepresentation {
  return JSON.parse((named(profile, 'ConfigMap', 'keycloak-realm').data as { sovra: string }).sovra) as RealmRepresentation;
}

function claims(profile: ProfileName): Map<string, { statement: string }> {
  const cd = readJson<{ 'component-definition': { components: Array<{ title: string; 'control-implementations': Array<{ 'implemented-requirements': Array<{ 'control-id': string; description: string }> }> }> } }>(dirs[profile], 'oscal/component-definitions/keycloak.json');
  const out = new Map<string, { statement: string }>();
  for (const c of cd['component-definition'].components) for (const ci of c['control-implementations'] ?? []) for (const r of ci['implemented-requirements']) out.set(r['control-id'], { statement: r.description });
  return out;
}

describe.each(PROFILES)('profile %s', (profile) => {
  it('starts Keycloak in production mode, optimized, importing the realm, with HTTPS only behind the gateway', () => {
    const v = values(profile);
    expect(v.args).toEqual(['start', '--optimized', '--import-realm']);
    expect(v.args).not.toContain('start-dev');
    expect(v.proxy).toEqual({ enabled: true, mode: 'xforwarded', http: { enabled: false } });
    expect(v.http.internalScheme).toBe('HTTPS');
    expect([v.metrics.enabled, v.health.enabled]).toEqual([true, true]);
    const e = env(profile);
    expect(e).toContainEqual({ name: 'KC_HOSTNAME', value: `https://keycloak.${NS}.svc` });
    expect(e).toContainEqual({ name: 'KC_HTTPS_PROTOCOLS', value: 'TLSv1.3' });
    expect(e).toContainEqual({ name: 'KC_HTTPS_CERTIFICATE_FILE', value: '/opt/keycloak/conf/tls/tls.crt' });
  });

  it('serves the issuer host on port 443 with a certificate from the platform issuer for the Service names', () => {
    expect(keycloakIssuer(loadProfile(profile))).toBe(KEYCLOAK_REALM.issuer);
    expect(KEYCLOAK_AUDIENCE).toBe(KEYCLOAK_REALM.controlPlaneClient);
    const svc = named(profile, 'Service', 'keycloak');
    expect((svc.spec as { ports: unknown[] }).ports).toEqual([{ name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' }]);
    const cert = named(profile, 'Certificate', 'keycloak-tls').spec as { dnsNames: string[]; issuerRef: { name: string; kind: string } };
    expect(cert.dnsNames).toContain(`keycloak.${NS}.svc`);
    expect(cert.issuerRef).toMatchObject({ kind: 'ClusterIssuer', name: 'sovra-platform' });
    expect(values(profile).extraVolumes).toContain('secretName: keycloak-tls');
  });

  it('connects to its CloudNativePG cluster with the operator\'s Secret and TLS that verifies the server, and is allowed to reach it', () => {
    const v = values(profile);
    expect(v.database).toEqual({ vendor: 'postgres', existingSecret: 'keycloak-db-app', existingSecretKey: 'password' });
    const e = env(profile);
    for (const [name, key] of [['KC_DB_URL_HOST', 'host'], ['KC_DB_URL_PORT', 'port'], ['KC_DB_URL_DATABASE', 'dbname'], ['KC_DB_USERNAME', 'username']]) {
      expect(e).toContainEqual({ name, valueFrom: { secretKeyRef: { name: 'keycloak-db-app', key } } });
    }
    expect(e).toContainEqual({ name: 'KC_DB_URL_PROPERTIES', value: '?sslmode=verify-full&sslrootcert=/opt/keycloak/conf/trust/ca.crt' });
    expect(v.extraVolumes).toContain('name: sovra-ca-bundle');
    const cluster = named(profile, 'Cluster', 'keycloak-db').spec as { instances: number; bootstrap: { initdb: { database: string; owner: string } } };
    expect(cluster.instances).toBe(profile === 'cluster' ? 3 : 1);
    expect(cluster.bootstrap.initdb).toMatchObject({ database: 'keycloak', owner: 'keycloak' });
    const np = named(profile, 'NetworkPolicy', 'keycloak').spec as { egress: Array<{ to: Array<{ podSelector: { matchLabels: Record<string, string> } }>; ports: Array<{ port: number }> }> };
    expect(np.egress).toContainEqual({ to: [{ podSelector: { matchLabels: { 'cnpg.io/cluster': 'keycloak-db' } } }], ports: [{ port: 5432, protocol: 'TCP' }] });
    const dbNp = named(profile, 'NetworkPolicy', 'keycloak-keycloak-db').spec as { ingress: Array<{ from: unknown[]; ports: unknown[] }> };
    expect(dbNp.ingress).toContainEqual({ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'keycloak', 'app.kubernetes.io/name': 'keycloak' } } }], ports: [{ port: 5432, protocol: 'TCP' }] });
  });

  it('hardens every container: non-root, read-only root filesystem, no capabilities, RuntimeDefault seccomp, no API token, requests = limits', () => {
    const v = values(profile);
    const hardened = { runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } };
    expect(v.securityContext).toMatchObject(hardened);
    for (const c of YAML.parse(v.extraInitContainers) as Array<{ securityContext: object; resources: { requests: object; limits: object } }>) {
      expect(c.securityContext).toMatchObject(hardened);
      expect(c.resources.requests).toEqual(c.resources.limits);
    }
    expect(v.serviceAccount.automountServiceAccountToken).toBe(false);
    expect(v.resources.requests).toEqual(v.resources.limits);
    // Writable: only emptyDirs; the Quarkus build output is read-only in the server.
    const mounts = YAML.parse(v.extraVolumeMounts) as Array<{ name: string; mountPath: string; readOnly?: boolean }>;
    expect(mounts.find((m) => m.name === 'quarkus')?.readOnly).toBe(true);
    expect(mounts.filter((m) => !m.readOnly).map((m) => m.mountPath).sort()).toEqual(['/opt/keycloak/data', '/tmp']);
  });

  it('writes no Secret and no secret value; every Secret it references has a producer', () => {
    const objs = objects(profile);
    expect(objs.filter((o) => o.kind === 'Secret')).toEqual([]);
    for (const e of env(profile)) if (/PASSWORD|SECRET/.test(e.name)) expect('valueFrom' in e, e.name).toBe(true);
    expect(realm(profile).clients.find((c) => c.clientId === KEYCLOAK_REALM.controlPlaneClient)?.secret).toBe('${SOVRA_CONTROL_PLANE_CLIENT_SECRET}');
    const gens = objs.filter((o) => o.kind === 'Password').map((o) => o.metadata.name).sort();
    expect(gens).toEqual(['keycloak-bootstrap-admin-password', 'keycloak-control-plane-client-client-secret']);
    const { platform } = buildPlatform(loadProfile(profile));
    const rendered = renderObjects(platform);
    const kc = platform.component('keycloak')!;
    const closure = secretClosure(new Map([[kc, rendered.get(kc)!]]), () => 'manifests/keycloak.yaml');
    expect(closure.unproduced).toEqual([]);
    expect(closure.references.map((r) => r.name).sort()).toEqual(expect.arrayContaining(['keycloak-bootstrap-admin', 'keycloak-control-plane-client', 'keycloak-db-app', 'keycloak-tls']));
    expect(closure.suppliedAtInstall).toEqual([]);
  });

  it('states the controls with the values the output sets', () => {
    const r = realm(profile);
    const c = claims(profile);
    expect(c.get('ac-7')?.statement).toContain(`After ${r.failureFactor} consecutive invalid logon attempts within 15 minutes`);
    expect(c.get('ac-12')?.statement).toContain(`${r.ssoSessionIdleTimeout / 60} minutes without activity`);
    expect(c.get('ia-5.1')?.statement).toContain(`at least ${/length\((\d+)\)/.exec(r.passwordPolicy)![1]} characters`);
    for (const id of ['ac-2', 'ac-3', 'ia-2', 'sc-8', 'sc-8.1', 'sc-23', 'au-2', 'cm-7']) expect(c.has(id), id).toBe(true);
    expect(c.has('ia-2.1')).toBe(profile !== 'dev');
    expect(c.has('ia-2.2')).toBe(profile !== 'dev');
    expect(c.has('cp-10')).toBe(profile === 'cluster');
  });
});

describe('per-profile differences', () => {
  it('runs 3 replicas with a PodDisruptionBudget and a JGroups cache cluster (mTLS, peers allowed) on cluster, 1 elsewhere', () => {
    expect(values('cluster').replicas).toBe(3);
    expect(values('cluster').podDisruptionBudget).toEqual({ maxUnavailable: 1 });
    expect(env('cluster')).toContainEqual({ name: 'KC_CACHE_EMBEDDED_MTLS_ENABLED', value: 'true' });
    const np = named('cluster', 'NetworkPolicy', 'keycloak').spec as { ingress: Array<{ ports: Array<{ port: number }> }> };
    expect(np.ingress.flatMap((i) => i.ports.map((p) => p.port))).toEqual(expect.arrayContaining([7800, 57800]));
    for (const p of ['dev', 'edge'] as const) {
      expect(values(p).replicas).toBe(1);
      expect(values(p).podDisruptionBudget).toEqual({});
      const npp = named(p, 'NetworkPolicy', 'keycloak').spec as { ingress: Array<{ ports: Array<{ port: number }> }> };
      expect(npp.ingress.flatMap((i) => i.ports.map((x) => x.port))).not.toContain(7800);
    }
  });

  it('requires MFA in the imported realm on edge and cluster, not on dev', () => {
    expect(realm('dev').browserFlow).toBeUndefined();
    expect(realm('edge').browserFlow).toBe('sovra-browser');
    expect(realm('cluster').browserFlow).toBe('sovra-browser');
  });

  it('installs the chart as a HelmChart (dev, edge) and a helm_release pinned to the published chart (cluster)', () => {
    const hc = writtenObjects(dirs.edge).find((o) => o.object.kind === 'HelmChart' && o.object.metadata.name === 'keycloak')!.object;
    expect(hc.spec).toMatchObject({ ...chartSourceOf('edge', { repository: 'https://codecentric.github.io/helm-charts', chart: 'keycloakx', version: '7.1.11' }), targetNamespace: NS });
    expect(hc.metadata.annotations?.['sovra.dev/chart-digest']).toBe('sha256:beeb7ac7cee425ad438a6fbc6545b234a636b1c65f3fa7158aae443c076d7559');
    const tf = readJson<{ resource: { helm_release: Record<string, { chart: string; version: string; namespace: string }> } }>(dirs.cluster, 'terraform/cdk.tf.json');
    expect(tf.resource.helm_release.keycloak).toMatchObject({ chart: 'keycloakx', version: '7.1.11', namespace: NS });
  });
});

describe('clients the platform\'s applications declare', () => {
  it.each(PROFILES)('%s: Grafana\'s confidential client is in the realm, its secret read from the OpenBao path Grafana reads, with the groups claim', (profile) => {
    const client = realm(profile).clients.find((c) => c.clientId === 'sovra-grafana')!;
    const root = loadProfile(profile).components.monitoring.grafana.rootUrl.replace(/\/+$/, '');
    expect(client).toMatchObject({ publicClient: false, standardFlowEnabled: true, implicitFlowEnabled: false, directAccessGrantsEnabled: false, redirectUris: [`${root}/login/generic_oauth`], secret: '${SOVRA_CLIENT_SECRET_SOVRA_GRAFANA}' });
    expect(client.attributes['pkce.code.challenge.method']).toBe('S256');
    expect(client.defaultClientScopes).toContain('groups');
    expect(realm(profile).clientScopes.find((c) => c.name === 'groups')!.protocolMappers[0]).toMatchObject({ protocolMapper: 'oidc-group-membership-mapper', config: { 'claim.name': 'groups', 'id.token.claim': 'true', 'userinfo.token.claim': 'true' } });
    // The placeholder resolves from the pod's environment, which reads the Secret an ExternalSecret fills from OpenBao.
    expect(env(profile)).toContainEqual({ name: 'SOVRA_CLIENT_SECRET_SOVRA_GRAFANA', valueFrom: { secretKeyRef: { name: 'oidc-client-sovra-grafana', key: 'client-secret' } } });
    const mine = named(profile, 'ExternalSecret', 'oidc-client-sovra-grafana');
    const grafanas = writtenObjects(dirs[profile]).map((o) => o.object).find((o) => o.kind === 'ExternalSecret' && o.metadata.name === 'grafana-oidc')!;
    const remote = (o: K8sObject) => (o.spec as { data: Array<{ remoteRef: unknown }> }).data.map((d) => d.remoteRef);
    expect(remote(mine)).toEqual(remote(grafanas));
  });
});

describe('settings a profile may not loosen', () => {
  const build = (patch: (p: Profile) => Profile) => () => {
    const { platform } = buildPlatform(patch(structuredClone(loadProfile('cluster'))));
    return platform.component('keycloak') as Keycloak;
  };
  const fails = (fn: () => unknown, re: RegExp) => {
    try {
      fn();
      expect.unreachable('should have thrown');
    } catch (e) {
      expect(isSovraError(e) && e.code).toBe('bad-profile');
      expect((e as Error).message).toMatch(re);
    }
  };
  const kc = (p: Profile, s: Partial<Profile['components']['keycloak']>): Profile => ({ ...p, components: { ...p.components, keycloak: { ...p.components.keycloak, ...s } } });

  it('refuses MFA off on a HIGH baseline, naming the setting', () => {
    fails(build((p) => kc(p, { mfaRequired: false })), /components\.keycloak\.mfaRequired is false, but the HIGH baseline requires MFA/);
  });
  it('refuses a shorter password than the baseline, and longer sessions than its ceilings', () => {
    fails(build((p) => kc(p, { passwordMinLength: 12 })), /passwordMinLength 12 is below the HIGH baseline's 15/);
    fails(build((p) => kc(p, { sessions: { accessTokenMinutes: 5, idleMinutes: 60, maxHours: 8 } })), /sessions\.idleMinutes 60 exceeds the HIGH baseline's ceiling of 15/);
  });
  it('refuses a public client that reuses the control plane\'s id', () => {
    fails(build((p) => kc(p, { publicClients: [{ clientId: 'sovra-control-plane', redirectUris: ['https://x.example/cb'], webOrigins: [] }] })), /publicClients\[0\]\.clientId "sovra-control-plane" is used twice/);
  });
  it('names a public hostname in the issuer and the certificate when one is set', () => {
    const k = build((p) => kc(p, { hostname: 'https://id.sovra.example' }))();
    expect(k.issuer).toBe('https://id.sovra.example/realms/sovra');
    const written = k.toJson() as K8sObject[];
    const cert = written.find((o) => o.kind === 'Certificate' && o.metadata.name === 'keycloak-tls')!.spec as { dnsNames: string[] };
    expect(cert.dnsNames).toEqual(expect.arrayContaining(['id.sovra.example', `keycloak.${NS}.svc`]));
    const e = YAML.parse(k.chart.values.extraEnv) as EnvVar[];
    expect(e).toContainEqual({ name: 'KC_HOSTNAME', value: 'https://id.sovra.example' });
    expect(e).toContainEqual({ name: 'KC_HOSTNAME_BACKCHANNEL_DYNAMIC', value: 'true' });
  });
});
