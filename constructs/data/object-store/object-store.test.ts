/**
 * The object store per profile: the MinIO operator and Tenant charts with
 * the values the claims cite (TLS from cert-manager, SSE-S3 auto-encryption
 * under the KMS key from OpenBao, the platform's buckets), every Secret the
 * Tenant reads produced without a literal credential, the allow-list of the
 * servers derived from their clients (PostgreSQL backups), the AGPL decision
 * in the SBOM and the component definition, and the external mode that
 * writes nothing of MinIO.
 */
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_PROFILES } from '../../../profiles/builtin/index.js';
import { validateProfile } from '../../../profiles/validate.js';
import { chartSourceOf, PROFILES, readJson, removeDir, synthAll, synthProfile, tempDir, terraformResources, writtenObjects, type K8sObject, type ProfileName } from '../../../test/support/synth-output.js';
import { OBJECT_STORE } from '../../kit/shared-names.js';
import { MINIO_CHARTS } from './catalog.js';
import { minioLicenseWaivers } from './license.js';
import { OPERATOR_RELEASE, TENANT_RELEASE } from './object-store.js';

let root: string | undefined;
let dirs: Record<ProfileName, string>;
beforeAll(async () => {
  ({ root, dirs } = await synthAll());
});
afterAll(() => removeDir(root));

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const objectsOf = (p: ProfileName): K8sObject[] => writtenObjects(dirs[p]).map((o) => o.object);
function values(p: ProfileName, release: string): Obj {
  const hc = objectsOf(p).find((o) => o.kind === 'HelmChart' && o.metadata.name === release);
  if (hc) return YAML.parse((hc.spec as { valuesContent: string }).valuesContent) as Obj;
  return YAML.parse((terraformResources(dirs[p])!.helm_release![release]!.values as string[])[0]!) as Obj;
}
const SERVERS: Record<ProfileName, [number, number]> = { dev: [1, 1], edge: [1, 4], cluster: [4, 2] };
/** The bom-refs the MinIO waivers name. */
const MINIO_WAIVERS = new Set(minioLicenseWaivers().map((w) => w.component));

describe.each(PROFILES)('profile %s', (p) => {
  it('installs both pinned charts (with their published digests) into the storage namespace', () => {
    for (const [release, chart] of [[OPERATOR_RELEASE, MINIO_CHARTS.operator], [TENANT_RELEASE, MINIO_CHARTS.tenant]] as const) {
      const hc = objectsOf(p).find((o) => o.kind === 'HelmChart' && o.metadata.name === release);
      if (p === 'cluster') expect(terraformResources(dirs[p])!.helm_release![release]).toMatchObject({ chart: chart.chart, version: '7.1.1', namespace: OBJECT_STORE.namespace });
      else expect(hc).toMatchObject({ metadata: { annotations: { 'sovra.dev/chart-digest': chart.digest } }, spec: { ...chartSourceOf(p, chart), version: '7.1.1', targetNamespace: OBJECT_STORE.namespace } });
    }
  });

  it('serves TLS from cert-manager only, encrypts every object under the KMS key from OpenBao, and creates the platform buckets', () => {
    const t = values(p, TENANT_RELEASE).tenant;
    expect(t.certificate).toEqual({ requestAutoCert: false, externalCertSecret: [{ name: 'object-store-tls', type: 'cert-manager.io/v1' }], externalCaCertSecret: [] });
    expect(t.env).toEqual([
      { name: 'MINIO_KMS_SECRET_KEY', valueFrom: { secretKeyRef: { name: 'object-store-kms-key', key: 'MINIO_KMS_SECRET_KEY' } } },
      { name: 'MINIO_KMS_AUTO_ENCRYPTION', value: 'on' },
      { name: 'MINIO_BROWSER', value: 'off' },
    ]);
    expect(t.buckets.map((b: Obj) => b.name)).toEqual(Object.values(OBJECT_STORE.buckets));
    // No literal credential anywhere: the root user comes from a generated config.env.
    expect(t.configSecret).toEqual({ name: 'object-store-env', existingSecret: true, accessKey: '', secretKey: '' });
    const [servers, volumes] = SERVERS[p];
    expect(t.pools[0]).toMatchObject({ servers, volumesPerServer: volumes });
    expect(values(p, OPERATOR_RELEASE).operator.env).toEqual([{ name: 'OPERATOR_STS_ENABLED', value: 'off' }]);
  });

  it('produces every Secret the Tenant reads: the certificate, the generated config.env, the KMS key and the backup user from OpenBao', () => {
    const objs = objectsOf(p).filter((o) => o.metadata.namespace === OBJECT_STORE.namespace);
    const cert = objs.find((o) => o.kind === 'Certificate' && o.metadata.name === 'object-store-tls') as Obj;
    expect(cert.spec.dnsNames).toEqual(expect.arrayContaining(['minio.sovra-storage.svc', '*.sovra-hl.sovra-storage.svc.cluster.local']));
    const env = objs.find((o) => o.kind === 'ExternalSecret' && o.metadata.name === 'object-store-env') as Obj;
    expect(env.spec.target.template.data['config.env']).toBe('export MINIO_ROOT_USER="sovra-root"\nexport MINIO_ROOT_PASSWORD="{{ .password }}"\n');
    expect(env.spec.dataFrom[0].sourceRef.generatorRef.kind).toBe('Password');
    const kms = objs.find((o) => o.kind === 'ExternalSecret' && o.metadata.name === 'object-store-kms-key') as Obj;
    expect(kms.spec.data).toEqual([{ secretKey: 'MINIO_KMS_SECRET_KEY', remoteRef: { key: 'object-store/kms-key', property: 'MINIO_KMS_SECRET_KEY' } }]);
    const user = objs.find((o) => o.kind === 'ExternalSecret' && o.metadata.name === 'object-store-backup-user') as Obj;
    expect(user.spec.data.map((d: Obj) => d.remoteRef)).toEqual([
      { key: 'object-store/postgres-backup', property: 'ACCESS_KEY_ID' },
      { key: 'object-store/postgres-backup', property: 'ACCESS_SECRET_KEY' },
    ]);
  });

  it('lets only the operator, the PostgreSQL clusters that back up to it, and Loki and Tempo where they store in it reach the S3 port', () => {
    const np = objectsOf(p).find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'object-store-minio') as Obj;
    const from = np.spec.ingress.map((r: Obj) => r.from[0].podSelector.matchLabels);
    // Built-in profiles keep backups off (the lead turns them on at merge, see the report); a distributed pool (cluster) calls itself.
    const databases: Record<ProfileName, string[]> = { dev: [], edge: [], cluster: [] };
    // Loki and Tempo keep their data in the object store on cluster (components.logs/traces.storage), on their volumes elsewhere.
    const telemetry = p === 'cluster' ? [{ 'app.kubernetes.io/component': 'single-binary', 'app.kubernetes.io/instance': 'loki', 'app.kubernetes.io/name': 'loki' }, { 'app.kubernetes.io/instance': 'tempo', 'app.kubernetes.io/name': 'tempo' }] : [];
    expect(from).toEqual([
      ...databases[p].map((db) => ({ 'cnpg.io/cluster': db })),
      ...telemetry,
      { 'app.kubernetes.io/instance': 'minio-operator', 'app.kubernetes.io/name': 'operator' },
      ...(p === 'cluster' ? [{ 'v1.min.io/tenant': 'sovra' }] : []),
    ]);
    for (const r of np.spec.ingress) expect(r.ports).toEqual([{ port: 9000, protocol: 'TCP' }]);
  });

  it('records the AGPL decision: each MinIO part carries the waiver in the SBOM, and the component definition shows it', () => {
    const sbom = readJson<{ components: Array<{ 'bom-ref': string; properties?: Array<{ name: string; value: string }> }> }>(dirs[p], 'sbom.cdx.json');
    for (const w of minioLicenseWaivers()) {
      const c = sbom.components.find((x) => x['bom-ref'] === w.component)!;
      expect(c.properties).toContainEqual({ name: `sovra:license:waiver:${w.license}:reason`, value: w.reason });
    }
    const def = readJson<Obj>(dirs[p], 'oscal/component-definitions/object-store.json');
    const props = def['component-definition'].components[0].props as Obj[];
    expect(props.filter((x) => x.name === 'license-waiver').map((x) => x.remarks)).toEqual(minioLicenseWaivers().map((w) => w.reason));
  });

  it('claims SC-8, SC-28, SC-28(1) and SC-13 on the settings, and lists the KMS key and AES-256-GCM in the CBOM', () => {
    const def = readJson<Obj>(dirs[p], 'oscal/component-definitions/object-store.json');
    const controls = (def['component-definition'].components[0]['control-implementations'][0]['implemented-requirements'] as Obj[]).map((r) => r['control-id']);
    expect(controls).toEqual(expect.arrayContaining(['sc-8', 'sc-28', 'sc-28.1', 'sc-13', 'sc-7']));
    const cbom = JSON.stringify(readJson(dirs[p], 'cbom.cdx.json'));
    expect(cbom).toContain('Object store KMS key');
  });
});

describe('the license policy', () => {
  it('flags every MinIO part as AGPL without the waivers, and passes with them', async () => {
    const dir = tempDir();
    try {
      const noWaiver = validateProfile({ ...structuredClone(BUILTIN_PROFILES.edge), licenseWaivers: (BUILTIN_PROFILES.edge.licenseWaivers ?? []).filter((w) => !MINIO_WAIVERS.has(w.component)) }, 'test (edge without waivers)');
      await expect(synthProfile('edge', dir, { profile: noWaiver })).rejects.toThrow(/quay\.io\/minio\/minio.*needs-review|needs-review[\s\S]*quay\.io\/minio\/minio/);
    } finally {
      removeDir(dir);
    }
  });
});

describe('an existing S3-compatible endpoint instead (mode external)', () => {
  it('writes nothing of MinIO, and PostgreSQL backups go to the site endpoint with keys from OpenBao', async () => {
    const dir = tempDir();
    try {
      const edge = structuredClone(BUILTIN_PROFILES.edge);
      const external = { mode: 'external', endpointURL: 'https://s3.example.org:9443', buckets: { models: 'm-bucket', backups: 'b-bucket', logs: 'l-bucket', traces: 't-bucket' }, credentials: { source: 'openbao', path: 'site/s3' } };
      // No MinIO, so no AGPL part and no waiver (a waiver that lifts nothing would fail the synth).
      const postgres = { ...edge.components.postgres, backup: { enabled: true, store: 'object-store', retention: '14d', schedule: '0 0 2 * * *' } };
      const profile = validateProfile({ ...edge, licenseWaivers: (edge.licenseWaivers ?? []).filter((w) => !MINIO_WAIVERS.has(w.component)), components: { ...edge.components, postgres, 'object-store': external } }, 'test (edge, external store)');
      await synthProfile('edge', dir, { profile });
      const objs = writtenObjects(dir).map((o) => o.object as Obj);
      expect(objs.filter((o) => o.metadata.namespace === OBJECT_STORE.namespace || o.metadata.name === OBJECT_STORE.namespace)).toEqual([]);
      const cluster = objs.find((o) => o.kind === 'Cluster' && o.metadata.name === 'control-plane-db')!;
      expect(cluster.spec.backup.barmanObjectStore).toMatchObject({ endpointURL: 'https://s3.example.org:9443', destinationPath: 's3://b-bucket/postgres/sovra-system' });
      expect(cluster.spec.backup.barmanObjectStore.endpointCA).toBeUndefined();
      const es = objs.find((o) => o.kind === 'ExternalSecret' && o.metadata.name === 'postgres-backup-s3' && o.metadata.namespace === 'sovra-system')!;
      expect(es.spec.data.map((d: Obj) => d.remoteRef)).toEqual([{ key: 'site/s3', property: 'ACCESS_KEY_ID' }, { key: 'site/s3', property: 'ACCESS_SECRET_KEY' }]);
    } finally {
      removeDir(dir);
    }
  });
});
