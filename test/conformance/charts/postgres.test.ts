/**
 * The CloudNativePG operator chart (cloudnative-pg 0.29.0, the tagged source
 * in the reference data) rendered by the real helm with the values Sovra
 * writes for each profile: the chart accepts them, every value path is
 * known (the maps the chart copies whole are named), the settings the
 * claims cite reach the Deployment, the pod template meets the hardened
 * baseline, and every image it runs is declared.
 *
 * The Clusters the helper writes are checked against the CRDs of the
 * operator version that runs them (1.30.0, rendered from the same chart and
 * made strict as datreeio's openapi2jsonschema does) and against the
 * reference data's copy (datreeio, CloudNativePG 1.29.0), which is what the
 * synth's shipped copy equals (k8s-schema-copies.test.ts proves that). With
 * backups on, the ScheduledBackup too: the reference data has no schema for
 * that kind yet, so here is where it is checked.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPONENTS } from '../../../constructs/registry.js';
import { OPERATOR_LABELS, OPERATOR_PORTS } from '../../../constructs/data/postgres/values.js';
import { k8sAjv, readShippedSchema } from '../../../output/kubernetes/schema-validator.js';
import { mergeProfile } from '../../../profiles/load.js';
import { BUILTIN_PROFILES } from '../../../profiles/builtin/index.js';
import { validateProfile } from '../../../profiles/validate.js';
import { buildPlatform, renderObjects } from '../../../synth/synth.js';
import { DATABASE_OWNER, OWNER_NAMESPACE } from '../../fixtures/postgres-owner.js';
import { sharedPath } from '../../support/shared.js';
import { PROFILES, removeDir, synthProfile, tempDir, writtenObjects, type K8sObject, type ProfileName } from '../../support/synth-output.js';
import { chartDir, declaredImages, objectNamed, renderChart, renderedImages, undeclaredImages, unknownValuePaths, writtenValues, type Render } from '../support/helm.js';
import { clusterRefusals, liftedFindings, policyCheck, policyProblems } from '../support/policy.js';

const CHART = () => chartDir('cnpg', 'cloudnative-pg-0.29.0');
const RELEASE = 'cloudnative-pg';
const NAMESPACE = 'cnpg-system';
/**
 * Values the chart copies whole with toYaml into the Deployment (its
 * values.yaml has them empty, or with only some of a SecurityContext's
 * fields): anything valid for the Kubernetes field is valid here.
 */
const FREE_FORM = ['updateStrategy', 'resources', 'affinity', 'containerSecurityContext'];

let root: string;
const dirs = {} as Record<ProfileName, string>;
const renders = new Map<ProfileName, Render>();
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

beforeAll(async () => {
  root = tempDir();
  for (const p of PROFILES) {
    dirs[p] = `${root}/${p}`;
    await synthProfile(p, dirs[p], { components: [...COMPONENTS, DATABASE_OWNER] });
    renders.set(p, renderChart({ chart: CHART(), release: RELEASE, namespace: NAMESPACE, values: writtenValues(dirs[p], RELEASE) }));
  }
});
afterAll(() => removeDir(root));

describe.each(PROFILES)('profile %s: the operator chart over the values Sovra writes', (profile) => {
  const ha = profile === 'cluster';
  const deployment = () => objectNamed(renders.get(profile)!.objects, 'Deployment', RELEASE) as Obj;

  it('is accepted, and every value path is one the chart has', () => {
    const r = renders.get(profile)!;
    expect(r.error).toBe('');
    expect(r.ok).toBe(true);
    expect(unknownValuePaths(CHART(), writtenValues(dirs[profile], RELEASE), FREE_FORM)).toEqual([]);
  });

  it(`renders ${ha ? 'two replicas' : 'one replica'} of the manager with leader election, and the pod labels, ports and account the component declares`, () => {
    const d = deployment();
    expect(d.metadata.namespace).toBe(NAMESPACE);
    expect(d.spec.replicas).toBe(ha ? 2 : 1);
    expect(d.spec.template.metadata.labels).toEqual(OPERATOR_LABELS(RELEASE));
    const c = d.spec.template.spec.containers[0];
    expect(c.args).toContain('--leader-elect');
    expect(c.ports.map((p: Obj) => `${p.name}:${p.containerPort}`)).toEqual([`metrics:${OPERATOR_PORTS.metrics}`, `webhook-server:${OPERATOR_PORTS.webhook}`]);
    expect(d.spec.template.spec.serviceAccountName).toBe(RELEASE);
    // The webhooks reach the manager through this Service; the Secret is the one the operator writes for itself.
    expect((objectNamed(renders.get(profile)!.objects, 'Service', 'cnpg-webhook-service') as Obj).spec.selector).toEqual(OPERATOR_LABELS(RELEASE));
    expect(d.spec.template.spec.volumes).toContainEqual({ name: 'webhook-certificates', secret: { defaultMode: 420, optional: true, secretName: 'cnpg-webhook-cert' } });
    if (ha) expect(d.spec.template.spec.topologySpreadConstraints[0].labelSelector.matchLabels).toEqual(OPERATOR_LABELS(RELEASE));
  });

  it('meets the hardened baseline in its pod template (the API token stays: the operator is a controller)', () => {
    const spec = deployment().spec.template.spec;
    expect(spec.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    for (const c of spec.containers as Obj[]) {
      expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, runAsUser: 10001, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
      expect(c.securityContext.privileged).toBeUndefined();
      expect(c.resources.requests).toEqual(BUILTIN_PROFILES[profile].components.postgres.operator);
      expect(c.resources.limits).toEqual(BUILTIN_PROFILES[profile].components.postgres.operator);
    }
    expect(spec.hostNetwork).toBeUndefined();
    expect(spec.automountServiceAccountToken).toBeUndefined();
  });

  it('carries the claimed settings: roles not aggregated into user-facing roles, webhooks failing closed, CRDs installed', () => {
    const objects = renders.get(profile)!.objects;
    for (const role of objects.filter((o) => o.kind === 'ClusterRole')) {
      expect(Object.keys(role.metadata.labels ?? {}).filter((l) => l.startsWith('rbac.authorization.k8s.io/aggregate-to-')), role.metadata.name).toEqual([]);
    }
    for (const kind of ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']) {
      const hooks = objects.filter((o) => o.kind === kind).flatMap((o) => (o as Obj).webhooks as Obj[]);
      expect(hooks.length).toBeGreaterThan(0);
      for (const h of hooks) expect([h.failurePolicy, h.clientConfig.service.namespace]).toEqual(['Fail', NAMESPACE]);
    }
    const crds = objects.filter((o) => o.kind === 'CustomResourceDefinition').map((o) => o.metadata.name);
    expect(crds).toEqual(expect.arrayContaining(['clusters.postgresql.cnpg.io', 'scheduledbackups.postgresql.cnpg.io', 'backups.postgresql.cnpg.io']));
  });

  it('runs only images the SBOM declares', () => {
    const images = renderedImages(renders.get(profile)!.objects);
    expect(images).toEqual(['ghcr.io/cloudnative-pg/cloudnative-pg:1.30.0']);
    expect(undeclaredImages(images, declaredImages(dirs[profile]))).toEqual([]);
    // The operator hands its own image to every instance (bootstrap-controller init container).
    expect(deployment().spec.template.spec.containers[0].env).toContainEqual({ name: 'OPERATOR_IMAGE_NAME', value: 'ghcr.io/cloudnative-pg/cloudnative-pg:1.30.0' });
  });
});

/** The CRD schema of `kind` (v1) from the 1.30 chart render, made strict the way datreeio's openapi2jsonschema does. */
function strictCrdSchema(kind: string): unknown {
  const crd = renders.get('dev')!.objects.find((o) => o.kind === 'CustomResourceDefinition' && (o.spec as Obj).names.kind === kind) as Obj;
  const strict = (s: unknown): unknown => {
    if (Array.isArray(s)) return s.map(strict);
    if (s === null || typeof s !== 'object') return s;
    const o = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, k === 'properties' ? Object.fromEntries(Object.entries(v as Obj).map(([n, x]) => [n, strict(x)])) : strict(v)])) as Obj;
    if (o.properties && o.additionalProperties === undefined && !o['x-kubernetes-preserve-unknown-fields']) o.additionalProperties = false;
    return o;
  };
  return strict(crd.spec.versions.find((v: Obj) => v.name === 'v1').schema.openAPIV3Schema);
}

/** Validation errors of `obj` against `schema` (compiled as the synth compiles shipped CRD schemas). */
function errorsOf(obj: unknown, path: string, schema: unknown): string[] {
  const { ajv, schema: prepared } = k8sAjv(path, false, (p) => (p === path ? schema : readShippedSchema(p)));
  const validate = ajv.compile(prepared);
  return validate(obj) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

describe('the objects the cluster helper writes, against the CRDs', () => {
  const CLUSTER_PATH = 'crds/postgresql.cnpg.io/cluster_v1.json';
  const backupProfile = () =>
    validateProfile(
      mergeProfile(structuredClone(BUILTIN_PROFILES.cluster), { components: { postgres: { backup: { enabled: true, endpointURL: 'https://s3.example.org', bucket: 'sovra-backups', credentialsSecret: 'postgres-backup-s3', retention: '30d', schedule: '0 0 2 * * *' } } } }),
      'test (extends cluster)',
    );
  const withBackup = (): Obj[] => {
    const { platform } = buildPlatform(backupProfile(), { components: [...COMPONENTS, DATABASE_OWNER] });
    return renderObjects(platform).get(platform.component('owner')!) as Obj[];
  };

  it.each(PROFILES)('profile %s: the Cluster is valid for CloudNativePG 1.30 and for the reference copy (1.29)', (profile) => {
    const cluster = writtenObjects(dirs[profile]).map((o) => o.object).find((o: K8sObject) => o.kind === 'Cluster' && o.metadata.namespace === OWNER_NAMESPACE)!;
    expect(cluster).toBeDefined();
    expect(errorsOf(cluster, CLUSTER_PATH, strictCrdSchema('Cluster'))).toEqual([]);
    expect(errorsOf(cluster, CLUSTER_PATH, JSON.parse(readFileSync(sharedPath(`k8s/${CLUSTER_PATH}`), 'utf8')))).toEqual([]);
  });

  it('with backups on, the Cluster and its ScheduledBackup are valid for CloudNativePG 1.30', () => {
    const objs = withBackup();
    const cluster = objs.find((o) => o.kind === 'Cluster')!;
    const scheduled = objs.find((o) => o.kind === 'ScheduledBackup')!;
    expect(errorsOf(cluster, CLUSTER_PATH, strictCrdSchema('Cluster'))).toEqual([]);
    expect(errorsOf(cluster, CLUSTER_PATH, JSON.parse(readFileSync(sharedPath(`k8s/${CLUSTER_PATH}`), 'utf8')))).toEqual([]);
    expect(errorsOf(scheduled, 'crds/postgresql.cnpg.io/scheduledbackup_v1.json', strictCrdSchema('ScheduledBackup'))).toEqual([]);
  });

  it('the strict schema would notice a misspelt field (so the checks above can fail)', () => {
    const cluster = structuredClone(withBackup().find((o) => o.kind === 'Cluster')!);
    cluster.spec.backup.barmanObjectStore.retention = '30d';
    expect(errorsOf(cluster, CLUSTER_PATH, strictCrdSchema('Cluster')).join()).toContain('must NOT have additional properties');
  });
});

describe.each(PROFILES)("profile %s: Sovra's policy rules over the render", (profile) => {
  const check = () => ({ outDir: dirs[profile], release: RELEASE, namespace: NAMESPACE, objects: renders.get(profile)!.objects });

  it("the pods the chart installs meet the rules, with the component's exceptions (the operator calls the API server) each lifting something", () => {
    const r = policyCheck(check());
    expect(policyProblems(r)).toEqual([]);
    expect(liftedFindings(r)).toEqual(['pod-security/service-account-token Deployment/cloudnative-pg']);
  });

  it('the cluster admits what the check admitted: the exceptions are the bindings\' exclusions', () => {
    expect(clusterRefusals(check())).toEqual([]);
  });
});
