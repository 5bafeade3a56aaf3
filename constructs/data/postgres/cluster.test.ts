/**
 * The cluster helper as an owner uses it: a test-only component (the way
 * Keycloak and the control plane use it) gets, per profile, a Cluster that
 * the synth validates against the shipped CRD schema, a TLS Certificate, the
 * operator's app Secret as produced, a pod group with the peers that follow
 * from it on both sides, and claims whose evidence holds. Backups are a
 * profile option: off, nothing; on, the Cluster's barman-cloud configuration,
 * a ScheduledBackup, the credentials Secret supplied at install, and CP-9.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSovraError } from '../../../core/errors.js';
import { readField, jsonEqual } from '../../../output/field-path.js';
import { secretClosure } from '../../../output/secret-closure.js';
import { mergeProfile } from '../../../profiles/load.js';
import { BUILTIN_PROFILES } from '../../../profiles/builtin/index.js';
import type { Profile } from '../../../profiles/profile.generated.js';
import { validateProfile } from '../../../profiles/validate.js';
import { buildPlatform, manifestFile, renderObjects } from '../../../synth/synth.js';
import { DATABASE_OWNER, OWNER_NAMESPACE } from '../../../test/fixtures/postgres-owner.js';
import { PROFILES, removeDir, synthProfile, tempDir, writtenObjects, type K8sObject, type ProfileName } from '../../../test/support/synth-output.js';
import { COMPONENTS } from '../../registry.js';
import type { Component } from '../../kit/component.js';
import { APP_SECRET_KEYS } from './cluster.js';

const WITH_OWNER = [...COMPONENTS, DATABASE_OWNER];
let root: string;
const objects = new Map<ProfileName, K8sObject[]>();

beforeAll(async () => {
  root = tempDir();
  for (const p of PROFILES) {
    await synthProfile(p, `${root}/${p}`, { components: WITH_OWNER });
    objects.set(p, writtenObjects(`${root}/${p}`).map((o) => o.object));
  }
});
afterAll(() => removeDir(root));

const find = (p: ProfileName, kind: string, ns: string | undefined, name: string): K8sObject => {
  const o = objects.get(p)!.find((x) => x.kind === kind && x.metadata.name === name && x.metadata.namespace === ns);
  if (!o) throw new Error(`${p}: no ${kind} ${ns}/${name}`);
  return o;
};
type Spec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A built-in profile with `postgres` settings overridden, validated like a profile file. */
function profileWith(base: ProfileName, postgres: Record<string, unknown>): Profile {
  return validateProfile(mergeProfile(structuredClone(BUILTIN_PROFILES[base]), { components: { postgres } }), `test (extends ${base})`);
}

const BACKUP = { enabled: true, endpointURL: 'https://s3.example.org:9000', bucket: 'sovra-backups', credentialsSecret: 'postgres-backup-s3', retention: '30d', schedule: '0 0 2 * * *' };

describe.each(PROFILES)('profile %s: the Cluster as written (validated by the synth against the shipped CRD schema)', (p) => {
  const instances = p === 'cluster' ? 3 : 1;

  it('runs the profile’s instances of the CloudNativePG PostgreSQL 16 image, without superuser access, with pgvector created at bootstrap', () => {
    const c = find(p, 'Cluster', OWNER_NAMESPACE, 'owner-db');
    expect(c.apiVersion).toBe('postgresql.cnpg.io/v1');
    const s = c.spec as Spec;
    expect(s.instances).toBe(instances);
    expect(s.imageName).toBe('ghcr.io/cloudnative-pg/postgresql:16');
    expect(s.enableSuperuserAccess).toBe(false);
    expect(s.bootstrap.initdb).toEqual({ database: 'owner', owner: 'owner', dataChecksums: true, encoding: 'UTF8', postInitApplicationSQL: ['CREATE EXTENSION IF NOT EXISTS vector;'] });
    expect(s.storage).toEqual({ size: '5Gi' });
    const r = BUILTIN_PROFILES[p].components.postgres.instance;
    expect(s.resources).toEqual({ requests: r, limits: r });
    expect(s.backup).toBeUndefined();
  });

  it('accepts TLS 1.3 only, rejects clients without TLS, stores SCRAM-SHA-256 verifiers and logs connections and DDL', () => {
    const pg = (find(p, 'Cluster', OWNER_NAMESPACE, 'owner-db').spec as Spec).postgresql;
    expect(pg.parameters).toEqual({ ssl_min_protocol_version: 'TLSv1.3', password_encryption: 'scram-sha-256', log_connections: 'on', log_disconnections: 'on', log_statement: 'ddl' });
    expect(pg.pg_hba).toEqual(['hostnossl all all all reject', 'hostssl all all all scram-sha-256']);
    expect((find(p, 'Cluster', OWNER_NAMESPACE, 'owner-db').spec as Spec).certificates).toEqual({ serverTLSSecret: 'owner-db-server-tls', serverCASecret: 'owner-db-server-tls' });
  });

  it('replicates synchronously across nodes, with a PDB, only where there are standbys', () => {
    const s = find(p, 'Cluster', OWNER_NAMESPACE, 'owner-db').spec as Spec;
    expect(s.enablePDB).toBe(instances > 1);
    expect(s.affinity).toEqual({ enablePodAntiAffinity: true, topologyKey: 'kubernetes.io/hostname', podAntiAffinityType: instances > 1 ? 'required' : 'preferred' });
    if (instances > 1) {
      expect(s.postgresql.synchronous).toEqual({ method: 'any', number: 1, dataDurability: 'required' });
      expect(s.primaryUpdateMethod).toBe('switchover');
      expect(s.topologySpreadConstraints[0].labelSelector).toEqual({ matchLabels: { 'cnpg.io/cluster': 'owner-db' } });
    } else {
      expect(s.postgresql.synchronous).toBeUndefined();
      expect(s.topologySpreadConstraints).toBeUndefined();
    }
  });

  it('writes the hardened pod security out and serves metrics over TLS', () => {
    const s = find(p, 'Cluster', OWNER_NAMESPACE, 'owner-db').spec as Spec;
    expect(s.securityContext).toEqual({ allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
    expect(s.podSecurityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 26, fsGroup: 26 });
    expect(s.monitoring).toEqual({ tls: { enabled: true } });
  });

  it('gets its server certificate from the platform issuer for every Service name', () => {
    const cert = find(p, 'Certificate', OWNER_NAMESPACE, 'owner-db-server-tls').spec as Spec;
    expect(cert.secretName).toBe('owner-db-server-tls');
    expect(cert.issuerRef).toEqual({ group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'sovra-platform' });
    expect(cert.dnsNames).toEqual(expect.arrayContaining(['owner-db-rw', 'owner-db-rw.sovra-dbowner.svc', 'owner-db-ro.sovra-dbowner.svc.cluster.local', 'owner-db-r.sovra-dbowner']));
  });

  it('lets in only the app (5432), the operator (8000) and, with standbys, the other instances', () => {
    const np = find(p, 'NetworkPolicy', OWNER_NAMESPACE, 'owner-owner-db').spec as Spec;
    expect(np.podSelector).toEqual({ matchLabels: { 'cnpg.io/cluster': 'owner-db' } });
    const rules = (np.ingress as Array<{ from: Spec[]; ports: Array<{ port: number }> }>).map((r) => `${JSON.stringify(r.from[0])}:${r.ports.map((x) => x.port).join(',')}`);
    const operator = JSON.stringify({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'cnpg-system' } }, podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'cloudnative-pg', 'app.kubernetes.io/name': 'cloudnative-pg' } } });
    const expected = [`${JSON.stringify({ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'db-owner' } } })}:5432`, `${operator}:8000`];
    if (instances > 1) expected.push(`${JSON.stringify({ podSelector: { matchLabels: { 'cnpg.io/cluster': 'owner-db' } } })}:5432`);
    expect(rules.sort()).toEqual(expected.sort());
    const cnp = find(p, 'CiliumNetworkPolicy', OWNER_NAMESPACE, 'owner-owner-db').spec as Spec;
    expect(cnp.egress).toEqual([{ toEntities: ['kube-apiserver'], toPorts: [{ ports: [{ port: '6443', protocol: 'TCP' }] }] }]);
  });

  it('is reached by the operator, declared on the operator’s side from the cnpg.io/cluster label', () => {
    const np = find(p, 'NetworkPolicy', 'cnpg-system', 'postgres-operator').spec as Spec;
    expect(np.egress).toContainEqual({ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': OWNER_NAMESPACE } }, podSelector: { matchLabels: { 'cnpg.io/cluster': 'owner-db' } } }], ports: [{ port: 8000, protocol: 'TCP' }] });
  });

  it('declares the operator’s Secrets as produced, and every Secret its objects reference has a producer', () => {
    const { platform } = buildPlatform(BUILTIN_PROFILES[p], { components: WITH_OWNER });
    const owner = platform.component('owner')!;
    expect(owner.secretsProduced).toContainEqual(expect.objectContaining({ namespace: OWNER_NAMESPACE, name: 'owner-db-app', kind: 'operator', keys: [...APP_SECRET_KEYS] }));
    const closure = secretClosure(renderObjects(platform), manifestFile);
    const ours = closure.references.filter((r) => r.namespace === OWNER_NAMESPACE || r.namespace === 'cnpg-system');
    expect(ours.map((r) => r.name)).toContain('owner-db-server-tls');
    expect(closure.unproduced.filter((r) => ours.includes(r))).toEqual([]);
    expect(closure.producers).toContainEqual(expect.objectContaining({ namespace: OWNER_NAMESPACE, name: 'owner-db-server-tls', kind: 'certificate' }));
  });

  it('gives its owner the claims its settings support (the synth checked their evidence), CP-10 only with standbys', () => {
    const { platform } = buildPlatform(BUILTIN_PROFILES[p], { components: WITH_OWNER });
    const claims = platform.component('owner')!.claims;
    expect(claims.map((c) => c.control)).toEqual(['sc-8', 'sc-8.1', 'ia-5', 'ac-6', 'au-2', ...(instances > 1 ? ['cp-10'] : [])]);
    expect(claims.find((c) => c.control === 'cp-10')?.status).toBe(instances > 1 ? 'partial' : undefined);
    expect(claims.find((c) => c.control === 'au-2')!.statement).toContain('log_statement = ddl');
  });
});

describe('backups, a profile option', () => {
  /** The rendered objects of a platform with the owner, by kind/namespace/name. */
  function render(profile: Profile): { platform: ReturnType<typeof buildPlatform>['platform']; byId: Map<string, Spec>; owner: Component } {
    const { platform } = buildPlatform(profile, { components: WITH_OWNER });
    const rendered = renderObjects(platform);
    const byId = new Map<string, Spec>();
    for (const objs of rendered.values()) for (const o of objs as Spec[]) byId.set(`${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`, o);
    return { platform, byId, owner: platform.component('owner')! };
  }

  it('off (the default): no backup configuration, no ScheduledBackup, no CP-9 claim', () => {
    const { byId, owner } = render(BUILTIN_PROFILES.cluster);
    expect(byId.get(`Cluster/${OWNER_NAMESPACE}/owner-db`)!.spec.backup).toBeUndefined();
    expect([...byId.keys()].filter((k) => k.startsWith('ScheduledBackup/'))).toEqual([]);
    expect(owner.claims.map((c) => c.control)).not.toContain('cp-9');
  });

  it('on: every cluster archives to the object store with retention, on the schedule, with the supplied credentials', () => {
    const { byId, owner, platform } = render(profileWith('cluster', { backup: BACKUP }));
    const cluster = byId.get(`Cluster/${OWNER_NAMESPACE}/owner-db`)!;
    expect(cluster.spec.backup).toEqual({
      retentionPolicy: '30d',
      target: 'prefer-standby',
      barmanObjectStore: {
        destinationPath: `s3://sovra-backups/postgres/${OWNER_NAMESPACE}`,
        endpointURL: 'https://s3.example.org:9000',
        s3Credentials: { accessKeyId: { name: 'postgres-backup-s3', key: 'ACCESS_KEY_ID' }, secretAccessKey: { name: 'postgres-backup-s3', key: 'ACCESS_SECRET_KEY' } },
        wal: { compression: 'gzip', encryption: 'AES256' },
        data: { compression: 'gzip', encryption: 'AES256' },
      },
    });
    const scheduled = byId.get(`ScheduledBackup/${OWNER_NAMESPACE}/owner-db`)!;
    expect(scheduled.spec).toEqual({ cluster: { name: 'owner-db' }, schedule: '0 0 2 * * *', method: 'barmanObjectStore', immediate: true, backupOwnerReference: 'self' });
    expect(owner.secretsProduced).toContainEqual(expect.objectContaining({ namespace: OWNER_NAMESPACE, name: 'postgres-backup-s3', kind: 'supplied-at-install' }));
    expect(owner.secretsConsumed).toContainEqual(expect.objectContaining({ namespace: OWNER_NAMESPACE, name: 'postgres-backup-s3', keys: ['ACCESS_KEY_ID', 'ACCESS_SECRET_KEY'] }));
    const cnp = byId.get(`CiliumNetworkPolicy/${OWNER_NAMESPACE}/owner-owner-db`)!;
    expect(cnp.spec.egress).toContainEqual({ toFQDNs: [{ matchName: 's3.example.org' }], toPorts: [{ ports: [{ port: '9000', protocol: 'TCP' }] }] });
    expect(platform.component('postgres')!.responsibilities.map((r) => r.control)).toEqual(['sc-28', 'cp-9']);
  });

  it('on: CP-9 states schedule and retention, and its evidence holds on the rendered objects', () => {
    const { byId, owner } = render(profileWith('cluster', { backup: BACKUP }));
    const cp9 = owner.claims.find((c) => c.control === 'cp-9')!;
    expect(cp9.statement).toContain('"0 0 2 * * *"');
    expect(cp9.statement).toContain('for 30d');
    for (const e of cp9.evidence) {
      const api = (e.target as { object: { kind: string; metadata: { namespace?: string }; name: string } }).object;
      const doc = byId.get(`${api.kind}/${api.metadata.namespace ?? ''}/${api.name}`);
      expect(jsonEqual(readField(doc, e.path), e.equals), `${api.kind} ${e.path}`).toBe(true);
    }
  });

  it('on, with bucket-default: leaves encryption to the bucket policy', () => {
    const { byId } = render(profileWith('edge', { backup: { ...BACKUP, encryption: 'bucket-default', path: 'site-1/pg' } }));
    const store = byId.get(`Cluster/${OWNER_NAMESPACE}/owner-db`)!.spec.backup.barmanObjectStore;
    expect(store.wal).toEqual({ compression: 'gzip' });
    expect(store.destinationPath).toBe(`s3://sovra-backups/site-1/pg/${OWNER_NAMESPACE}`);
  });

  it('refuses an endpoint without TLS in the profile', () => {
    const e = (() => {
      try {
        return profileWith('dev', { backup: { ...BACKUP, endpointURL: 'http://s3.example.org' } });
      } catch (x) {
        return x;
      }
    })();
    expect(isSovraError(e), String(e)).toBe(true);
  });
});

describe('the database image and the operator', () => {
  it('a profile may name another database image: every cluster runs it and the postgres component declares it', () => {
    const image = { registry: 'registry.example.org', repository: 'sovra/postgresql-pgvector', tag: '16.4-pgvector', license: 'PostgreSQL', source: 'site build' };
    const { platform } = buildPlatform(profileWith('edge', { image }), { components: WITH_OWNER });
    const rendered = renderObjects(platform);
    const cluster = (rendered.get(platform.component('owner')!) as Spec[]).find((o) => o.kind === 'Cluster')!;
    expect(cluster.spec.imageName).toBe('registry.example.org/sovra/postgresql-pgvector:16.4-pgvector');
    expect(platform.component('postgres')!.images.map((i) => `${i.registry}/${i.repository}:${i.tag}`)).toContain('registry.example.org/sovra/postgresql-pgvector:16.4-pgvector');
  });

  it('a cluster without the postgres component fails the synth, naming cluster, owner and the missing operator', () => {
    const { platform } = buildPlatform(BUILTIN_PROFILES.dev, { components: [...COMPONENTS.filter((c) => c.id !== 'postgres'), DATABASE_OWNER] });
    let err: unknown;
    try {
      renderObjects(platform);
    } catch (x) {
      err = x;
    }
    expect(isSovraError(err)).toBe(true);
    expect((err as Error).message).toContain(`PostgreSQL cluster ${OWNER_NAMESPACE}/owner-db of component "owner" needs component "postgres"`);
  });
});
