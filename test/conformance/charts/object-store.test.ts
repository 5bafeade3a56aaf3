/**
 * The MinIO operator and tenant charts (7.1.1, the published archives in the
 * reference data) rendered by the real helm with the values Sovra writes for
 * each profile: accepted, every value path known (the maps the charts copy
 * whole are named), the settings the claims cite reach the rendered Tenant
 * (TLS from the cert-manager Secret, auto-encryption under the KMS key, no
 * exposed Service), the rendered Tenant is valid against the Tenant CRD
 * schema in the reference data (not shipped: AGPL, see kinds.json
 * `withheld`), the pods meet the hardened baseline where the charts allow,
 * and every image they render is declared by the component.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { k8sAjv } from '../../../output/kubernetes/schema-validator.js';
import { sharedPath } from '../../support/shared.js';
import { PROFILES, removeDir, synthAll, type ProfileName } from '../../support/synth-output.js';
import { chartDir, declaredImages, objectNamed, renderChart, renderedImages, undeclaredImages, unknownValuePaths, writtenValues, type Render } from '../support/helm.js';

const CHARTS = { 'minio-operator': () => chartDir('minio', 'operator-7.1.1'), 'object-store': () => chartDir('minio', 'tenant-7.1.1') } as const;
/** Values the charts copy whole with toYaml (or, for `existingSecret`, read though values.yaml has it commented out). */
const FREE_FORM: Record<keyof typeof CHARTS, string[]> = {
  'minio-operator': ['operator.resources', 'operator.env', 'operator.sidecarImage'],
  'object-store': ['tenant.configSecret.existingSecret', 'tenant.pools', 'tenant.env', 'tenant.buckets', 'tenant.users', 'tenant.certificate.externalCertSecret', 'tenant.exposeServices', 'tenant.logging'],
};
const NAMESPACE = 'sovra-storage';
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let root: string | undefined;
let dirs: Record<ProfileName, string>;
const renders = new Map<string, Render>();
beforeAll(async () => {
  ({ root, dirs } = await synthAll());
  for (const p of PROFILES) for (const [release, chart] of Object.entries(CHARTS)) renders.set(`${p}/${release}`, renderChart({ chart: chart(), release, namespace: NAMESPACE, values: writtenValues(dirs[p], release) }));
});
afterAll(() => removeDir(root));

describe.each(PROFILES)('profile %s', (p) => {
  it.each(Object.keys(CHARTS) as Array<keyof typeof CHARTS>)('chart of release %s accepts the values Sovra writes, and knows every value path', (release) => {
    const r = renders.get(`${p}/${release}`)!;
    expect(r.error).toBe('');
    expect(r.ok).toBe(true);
    expect(unknownValuePaths(CHARTS[release](), writtenValues(dirs[p], release), FREE_FORM[release])).toEqual([]);
  });

  it('renders a Tenant with the cert-manager certificate, SSE-S3 auto-encryption under the KMS key, no exposed Service, and the platform buckets', () => {
    const objects = renders.get(`${p}/object-store`)!.objects;
    const tenant = objectNamed(objects, 'Tenant', 'sovra') as Obj;
    expect(tenant.spec.requestAutoCert).toBe(false);
    expect(tenant.spec.externalCertSecret).toEqual([{ name: 'object-store-tls', type: 'cert-manager.io/v1' }]);
    expect(tenant.spec.env).toContainEqual({ name: 'MINIO_KMS_AUTO_ENCRYPTION', value: 'on' });
    expect(tenant.spec.env).toContainEqual({ name: 'MINIO_KMS_SECRET_KEY', valueFrom: { secretKeyRef: { name: 'object-store-kms-key', key: 'MINIO_KMS_SECRET_KEY' } } });
    expect(tenant.spec.exposeServices).toEqual({ minio: false, console: false });
    expect(tenant.spec.configuration).toEqual({ name: 'object-store-env' });
    expect(tenant.spec.buckets.map((b: Obj) => b.name)).toEqual(['sovra-models', 'sovra-backups', 'sovra-logs', 'sovra-traces']);
    // The chart renders no Secret of its own: no sample root credentials reach the cluster.
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    // The pool's pods: non-root, no privilege escalation, every capability dropped, seccomp RuntimeDefault (the chart's defaults, kept).
    const pool = tenant.spec.pools[0];
    expect(pool.securityContext).toMatchObject({ runAsNonRoot: true });
    expect(pool.containerSecurityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
  });

  it('the rendered Tenant is valid against the Tenant CRD schema of the reference data', () => {
    const tenant = objectNamed(renders.get(`${p}/object-store`)!.objects, 'Tenant', 'sovra');
    const path = 'crds/minio.min.io/tenant_v2.json';
    const schema = JSON.parse(readFileSync(sharedPath(`k8s/${path}`), 'utf8')) as unknown;
    const { ajv, schema: prepared } = k8sAjv(path, false, () => schema);
    const validate = ajv.compile(prepared);
    expect(validate(tenant) ? [] : validate.errors).toEqual([]);
  });

  it('runs the operator non-root with STS off, and declares every image the charts render', () => {
    const operator = objectNamed(renders.get(`${p}/minio-operator`)!.objects, 'Deployment', 'minio-operator') as Obj;
    const c = operator.spec.template.spec.containers[0];
    expect(c.env).toContainEqual({ name: 'OPERATOR_STS_ENABLED', value: 'off' });
    expect(c.env).toContainEqual({ name: 'OPERATOR_SIDECAR_IMAGE', value: 'quay.io/minio/operator-sidecar:v7.1.1' });
    expect(c.securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(operator.spec.template.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': 'operator', 'app.kubernetes.io/instance': 'minio-operator' });
    const declared = declaredImages(dirs[p]);
    const rendered = [...renderedImages(renders.get(`${p}/minio-operator`)!.objects), 'quay.io/minio/operator-sidecar:v7.1.1', (objectNamed(renders.get(`${p}/object-store`)!.objects, 'Tenant', 'sovra') as Obj).spec.image];
    expect(undeclaredImages(rendered, declared)).toEqual([]);
  });
});
