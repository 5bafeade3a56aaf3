/**
 * cert-manager v1.21.1 and trust-manager v0.24.0 (their tagged chart
 * sources in the reference data) rendered by the real helm with the values
 * Sovra writes for each profile: both charts accept them (their
 * values.schema.json included) and know every value path; the settings
 * the claims cite reach the rendered Deployments, Certificate and webhook
 * configurations; the pod groups Sovra derives policies for select the
 * rendered pods; the pods meet the hardened baseline; every rendered image
 * is declared; and the CA objects Sovra writes are valid against the CRDs
 * these very charts install.
 *
 * Cluster needs OpenBao's pods as a peer: the real openbao component when
 * registered, else its test stand-in.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import AjvModule from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withOpenBao } from '../../support/openbao-stand-in.js';
import { PROFILES, removeDir, synthProfile, tempDir, writtenObjects, type K8sObject, type ProfileName } from '../../support/synth-output.js';
import { chartDir, declaredImages, objectNamed, renderChart, renderedImages, undeclaredImages, unknownValuePaths, writtenValues, type Render } from '../support/helm.js';
import { clusterRefusals, liftedFindings, policyCheck, policyProblems } from '../support/policy.js';

const Ajv = AjvModule.default;
type Values = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const CHARTS = {
  'cert-manager': () => chartDir('cert-manager', 'cert-manager-v1.21.1'),
  'trust-manager': () => chartDir('trust-manager', 'trust-manager-v0.24.0'),
} as const;
type Release = keyof typeof CHARTS;

/**
 * Value paths both charts document only as comments in values.yaml (so the
 * defaults-based check cannot see them); each is checked against the
 * chart's values.schema.json below.
 */
const COMMENTED: Record<Release, string[]> = {
  'cert-manager': ['podDisruptionBudget.maxUnavailable', 'webhook.podDisruptionBudget.maxUnavailable', 'cainjector.podDisruptionBudget.maxUnavailable', 'image.tag', 'webhook.image.tag', 'cainjector.image.tag', 'image.digest', 'webhook.image.digest', 'cainjector.image.digest'],
  'trust-manager': ['podDisruptionBudget.maxUnavailable', 'image.tag', 'image.digest'],
};

/** Kubernetes objects the charts take whole (resources, security contexts): their inside is Kubernetes', not the chart's. */
const FREE_FORM: Record<Release, string[]> = {
  'cert-manager': ['resources', 'containerSecurityContext', 'webhook.resources', 'webhook.containerSecurityContext', 'cainjector.resources', 'cainjector.containerSecurityContext'],
  'trust-manager': ['resources', 'podSecurityContext', 'app.securityContext'],
};

let root: string;
const dirs = {} as Record<ProfileName, string>;
const renders = new Map<string, Render>();
const key = (p: ProfileName, r: Release) => `${p}/${r}`;

beforeAll(async () => {
  root = tempDir();
  for (const p of PROFILES) {
    dirs[p] = join(root, p);
    await synthProfile(p, dirs[p], { components: withOpenBao() });
    for (const r of Object.keys(CHARTS) as Release[]) renders.set(key(p, r), renderChart({ chart: CHARTS[r](), release: r, namespace: 'cert-manager', values: writtenValues(dirs[p], r) }));
  }
});
afterAll(() => removeDir(root));

/** Whether `path` (dotted) is a property path of the chart's values.schema.json (its `$defs` and `$ref`s followed). */
function inValuesSchema(chart: string, path: string): boolean {
  const schema = JSON.parse(readFileSync(join(chart, 'values.schema.json'), 'utf8')) as Values;
  const resolve = (s: Values): Values => (s.$ref ? resolve(schema.$defs[(s.$ref as string).replace('#/$defs/', '')]) : s);
  let node = resolve(schema);
  for (const part of path.split('.')) {
    const next = node.properties?.[part];
    if (!next) return false;
    node = resolve(next);
  }
  return true;
}

type Container = { name: string; image: string; args?: string[]; ports?: Array<{ containerPort: number }>; securityContext?: Values; resources?: Values };
type PodTemplate = { metadata: { labels: Record<string, string> }; spec: { serviceAccountName?: string; automountServiceAccountToken?: boolean; securityContext?: Values; containers: Container[]; initContainers?: Container[] } };
const template = (o: K8sObject) => (o.spec as { template: PodTemplate }).template;

/** Hardened-baseline problems of a rendered pod template. */
function baselineProblems(t: PodTemplate): string[] {
  const out: string[] = [];
  for (const c of [...(t.spec.initContainers ?? []), ...t.spec.containers]) {
    const sc = c.securityContext ?? {};
    const pod = t.spec.securityContext ?? {};
    if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true) out.push(`${c.name}: runAsNonRoot`);
    if (sc.readOnlyRootFilesystem !== true) out.push(`${c.name}: readOnlyRootFilesystem`);
    if (sc.allowPrivilegeEscalation !== false) out.push(`${c.name}: allowPrivilegeEscalation`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) out.push(`${c.name}: drop ALL`);
    if ((sc.seccompProfile?.type ?? pod.seccompProfile?.type) !== 'RuntimeDefault') out.push(`${c.name}: seccomp`);
    for (const k of ['requests', 'limits']) for (const r of ['cpu', 'memory']) if (!c.resources?.[k]?.[r]) out.push(`${c.name}: ${k}.${r}`);
  }
  return out;
}

/** The CRD's schema made strict (unknown fields are errors, as the shipped schemas make them), for the written objects. */
function strictCrdSchema(crd: K8sObject, version: string): object {
  const v = (crd.spec as { versions: Array<{ name: string; schema: { openAPIV3Schema: Values } }> }).versions.find((x) => x.name === version)!;
  const strict = (s: Values): Values => {
    if (s === null || typeof s !== 'object') return s;
    const out: Values = Array.isArray(s) ? s.map(strict) : Object.fromEntries(Object.entries(s).map(([k, x]) => [k, strict(x as Values)]));
    if (!Array.isArray(s) && s.properties && s.additionalProperties === undefined && !s['x-kubernetes-preserve-unknown-fields']) out.additionalProperties = false;
    return out;
  };
  const schema = strict(structuredClone(v.schema.openAPIV3Schema));
  schema.properties.metadata = { type: 'object' };
  return schema;
}

describe.each(PROFILES)('profile %s', (p) => {
  const rendered = (r: Release) => renders.get(key(p, r))!;
  const ha = p === 'cluster';

  it.each(Object.keys(CHARTS) as Release[])('%s accepts the values Sovra writes and knows every value path', (r) => {
    expect(rendered(r).error).toBe('');
    expect(rendered(r).ok).toBe(true);
    expect(unknownValuePaths(CHARTS[r](), writtenValues(dirs[p], r), [...COMMENTED[r], ...FREE_FORM[r]])).toEqual([]);
    for (const path of COMMENTED[r]) expect(inValuesSchema(CHARTS[r](), path), path).toBe(true);
  });

  it('cert-manager: CRDs, replicas and PDBs per profile, leader election at home, no start-up Job, ACME and friends off', () => {
    const objs = rendered('cert-manager').objects;
    expect(objs.filter((o) => o.kind === 'CustomResourceDefinition').map((o) => o.metadata.name).sort()).toEqual([
      'certificaterequests.cert-manager.io',
      'certificates.cert-manager.io',
      'challenges.acme.cert-manager.io',
      'clusterissuers.cert-manager.io',
      'issuers.cert-manager.io',
      'orders.acme.cert-manager.io',
    ]);
    for (const name of ['cert-manager', 'cert-manager-webhook', 'cert-manager-cainjector']) {
      expect((objectNamed(objs, 'Deployment', name).spec as Values).replicas, name).toBe(ha ? 3 : 1);
      expect(objs.some((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === name), name).toBe(ha);
    }
    expect(objs.some((o) => o.kind === 'Job')).toBe(false);
    const controller = template(objectNamed(objs, 'Deployment', 'cert-manager')).spec.containers[0]!;
    expect(controller.args).toContain('--leader-election-namespace=cert-manager');
    expect(controller.args).toContain('--controllers=*,-orders,-challenges,-certificaterequests-issuer-acme,-certificaterequests-issuer-venafi,-ingress-shim');
    // The solver image is named in a flag, but no controller that starts solver pods runs: it is not declared, not shipped.
    expect(controller.args).toContain('--acme-http01-solver-image=quay.io/jetstack/cert-manager-acmesolver:v1.21.1');
    expect(objs.some((o) => o.kind === 'Role' && o.metadata.namespace === 'kube-system')).toBe(false);
  });

  it('cert-manager webhook: TLS 1.3, serving certificate from its dynamic CA, which cainjector injects into both webhook configurations', () => {
    const objs = rendered('cert-manager').objects;
    const args = template(objectNamed(objs, 'Deployment', 'cert-manager-webhook')).spec.containers[0]!.args!;
    expect(args).toContain('--tls-min-version=VersionTLS13');
    expect(args).toContain('--dynamic-serving-ca-secret-name=cert-manager-webhook-ca');
    for (const kind of ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']) {
      expect(objectNamed(objs, kind, 'cert-manager-webhook').metadata.annotations?.['cert-manager.io/inject-ca-from-secret']).toBe('cert-manager/cert-manager-webhook-ca');
    }
  });

  it('trust-manager: Bundle CRD, replicas and PDB per profile, TLS 1.3, trust namespace, no public CA package, webhook certificate from cert-manager', () => {
    const objs = rendered('trust-manager').objects;
    expect(objs.some((o) => o.kind === 'CustomResourceDefinition' && o.metadata.name === 'bundles.trust.cert-manager.io')).toBe(true);
    const deployment = objectNamed(objs, 'Deployment', 'trust-manager');
    expect((deployment.spec as Values).replicas).toBe(ha ? 3 : 1);
    expect(objs.some((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === 'trust-manager')).toBe(ha);
    const t = template(deployment);
    expect(t.spec.initContainers ?? []).toEqual([]);
    expect(t.spec.containers[0]!.args).toEqual(expect.arrayContaining(['--tls-min-version=VersionTLS13', '--trust-namespace=cert-manager']));
    expect(t.spec.containers[0]!.args!.some((a) => a.startsWith('--default-package-location'))).toBe(false);
    const cert = objectNamed(objs, 'Certificate', 'trust-manager').spec as Values;
    expect(cert).toMatchObject({ secretName: 'trust-manager-tls', duration: '2160h', privateKey: { rotationPolicy: 'Always' }, issuerRef: { kind: 'Issuer', name: 'trust-manager' } });
    expect(objectNamed(objs, 'Issuer', 'trust-manager').spec).toEqual({ selfSigned: {} });
    expect(objectNamed(objs, 'ValidatingWebhookConfiguration', 'trust-manager').metadata.annotations?.['cert-manager.io/inject-ca-from']).toBe('cert-manager/trust-manager');
  });

  it('the pod groups Sovra derives NetworkPolicies for select the rendered pods, with their ServiceAccounts and ports', () => {
    const written = writtenObjects(dirs[p]).map((o) => o.object);
    const groups: Array<[Release, string, string]> = [
      ['cert-manager', 'cert-manager', 'cert-manager-controller'],
      ['cert-manager', 'cert-manager-webhook', 'cert-manager-webhook'],
      ['cert-manager', 'cert-manager-cainjector', 'cert-manager-cainjector'],
      ['trust-manager', 'trust-manager', 'cert-manager-trust-manager'],
    ];
    for (const [release, deployment, policy] of groups) {
      const t = template(objectNamed(rendered(release).objects, 'Deployment', deployment));
      const np = written.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === policy && o.metadata.namespace === 'cert-manager')!;
      const selector = (np.spec as { podSelector: { matchLabels: Record<string, string> } }).podSelector.matchLabels;
      for (const [k, v] of Object.entries(selector)) expect(t.metadata.labels[k], `${deployment} label ${k}`).toBe(v);
      expect(t.spec.serviceAccountName).toBe(deployment);
    }
    const webhookPorts = template(objectNamed(rendered('cert-manager').objects, 'Deployment', 'cert-manager-webhook')).spec.containers[0]!.ports!.map((x) => x.containerPort);
    expect(webhookPorts).toEqual(expect.arrayContaining([10250, 6080, 9402]));
    const tmPorts = template(objectNamed(rendered('trust-manager').objects, 'Deployment', 'trust-manager')).spec.containers[0]!.ports!.map((x) => x.containerPort);
    expect(tmPorts).toEqual(expect.arrayContaining([6443, 9402]));
  });

  it.each(Object.keys(CHARTS) as Release[])('%s: every rendered pod meets the hardened baseline (the token stays mounted: each talks to the API server)', (r) => {
    const deployments = rendered(r).objects.filter((o) => o.kind === 'Deployment');
    expect(deployments.length).toBeGreaterThan(0);
    for (const d of deployments) {
      expect(baselineProblems(template(d)), d.metadata.name).toEqual([]);
      expect(template(d).spec.automountServiceAccountToken, d.metadata.name).not.toBe(false);
    }
  });

  it.each(Object.keys(CHARTS) as Release[])('%s runs only images the component declares', (r) => {
    const images = renderedImages(rendered(r).objects);
    expect(images.length).toBeGreaterThan(0);
    expect(undeclaredImages(images, declaredImages(dirs[p]))).toEqual([]);
  });

  it('the CA objects Sovra writes are valid against the CRDs these charts install', () => {
    const crds = [...rendered('cert-manager').objects, ...rendered('trust-manager').objects].filter((o) => o.kind === 'CustomResourceDefinition');
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, validateSchema: false });
    const mine = writtenObjects(dirs[p]).filter((o) => o.where.startsWith('manifests/')).map((o) => o.object).filter((o) => ['ClusterIssuer', 'Certificate', 'Bundle'].includes(o.kind) && o.metadata.labels?.['app.kubernetes.io/component'] === 'cert-manager');
    expect(mine.map((o) => o.kind).sort()).toEqual(['Bundle', 'Certificate', 'Certificate', 'ClusterIssuer', 'ClusterIssuer', 'ClusterIssuer', 'ClusterIssuer']);
    for (const o of mine) {
      const [group, version] = o.apiVersion.split('/') as [string, string];
      const crd = crds.find((c) => (c.spec as Values).group === group && (c.spec as Values).names.kind === o.kind)!;
      const validate = ajv.compile(strictCrdSchema(crd, version));
      expect(validate(o) ? [] : validate.errors, `${o.kind} ${o.metadata.name}`).toEqual([]);
      // The check itself: a misspelled field under spec is refused.
      expect(validate({ ...o, spec: { ...(o.spec as Values), secretNam: 'x' } }), `${o.kind} ${o.metadata.name} with a typo`).toBe(false);
    }
  });
});

describe.each(PROFILES)("profile %s: Sovra's policy rules over the renders", (p) => {
  const check = (r: Release) => ({ outDir: dirs[p], release: r, namespace: 'cert-manager', objects: renders.get(key(p, r))!.objects });

  it("the pods both charts install meet the rules; the API-server controllers' token exceptions each lift something", () => {
    const cm = policyCheck(check('cert-manager'));
    expect(policyProblems(cm)).toEqual([]);
    expect(liftedFindings(cm)).toEqual(['Deployment/cert-manager', 'Deployment/cert-manager-cainjector', 'Deployment/cert-manager-webhook'].map((o) => `pod-security/service-account-token ${o}`));
    const tm = policyCheck(check('trust-manager'));
    expect(policyProblems(tm)).toEqual([]);
    expect(liftedFindings(tm)).toEqual(['pod-security/service-account-token Deployment/trust-manager']);
  });

  it("the cluster admits what the check admitted: the exceptions are the bindings' exclusions", () => {
    expect([...clusterRefusals(check('cert-manager')), ...clusterRefusals(check('trust-manager'))]).toEqual([]);
  });
});
