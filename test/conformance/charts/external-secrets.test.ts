/**
 * The external-secrets chart 2.9.0 (the tagged source, release step
 * reproduced; ../shared/charts/external-secrets/NOTES.txt) rendered by the
 * real helm with the values Sovra writes for each profile: the chart
 * accepts them and knows every path; the webhook's certificate is a
 * cert-manager Certificate from the platform issuer whose CA cert-manager
 * injects into the webhook configurations, with no cert controller and no
 * chart-made Secret; the settings the claims cite reach the containers and
 * the RBAC; the pod groups Sovra declares select the rendered pods; the pods
 * meet the hardened baseline; HA on cluster; every image is declared. And
 * the CRD schemas Sovra validates ExternalSecrets, stores and Password
 * generators against are those of the chart's CRDs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withOpenBao } from '../../fixtures/openbao-stub.js';
import { REPO_ROOT } from '../../support/shared.js';
import { PROFILES, removeDir, tempDir, synthProfile, writtenObjects, type K8sObject, type ProfileName } from '../../support/synth-output.js';
import { chartDir, declaredImages, objectNamed, renderChart, renderedImages, undeclaredImages, unknownValuePaths, writtenValues, type Render } from '../support/helm.js';
import { clusterRefusals, liftedFindings, policyCheck, policyProblems } from '../support/policy.js';

const CHART = () => chartDir('external-secrets', 'external-secrets-2.9.0');
const RELEASE = 'external-secrets';
const NS = 'external-secrets';
/** Maps the chart takes whole (pod/container settings passed through to the pod spec, extra flags, cert-manager's privateKey). */
const FREE_FORM = ['podSecurityContext', 'resources', 'webhook.podSecurityContext', 'webhook.resources', 'webhook.extraArgs', 'webhook.certManager.cert.privateKey'];

let root: string | undefined;
const dirs = new Map<ProfileName, string>();
const renders = new Map<ProfileName, Render>();

beforeAll(async () => {
  root = tempDir();
  for (const p of PROFILES) {
    const dir = join(root, p);
    await synthProfile(p, dir, { components: withOpenBao() });
    dirs.set(p, dir);
    renders.set(p, renderChart({ chart: CHART(), release: RELEASE, namespace: NS, values: writtenValues(dir, RELEASE) }));
  }
});
afterAll(() => removeDir(root));

type Container = { name: string; args?: string[]; image?: string; securityContext?: Record<string, unknown>; resources?: { requests?: object; limits?: object } };
type PodSpec = { containers: Container[]; securityContext?: Record<string, unknown>; serviceAccountName?: string; automountServiceAccountToken?: boolean; volumes?: Array<{ secret?: { secretName: string } }>; topologySpreadConstraints?: unknown[] };
type Deployment = K8sObject & { spec: { replicas: number; template: { metadata: { labels: Record<string, string> }; spec: PodSpec } } };

const objs = (p: ProfileName) => renders.get(p)!.objects;
const deployment = (p: ProfileName, name: string) => objectNamed(objs(p), 'Deployment', name) as Deployment;
const args = (p: ProfileName, name: string) => deployment(p, name).spec.template.spec.containers[0]!.args ?? [];
const written = (p: ProfileName) => writtenObjects(dirs.get(p)!).map((o) => o.object);

describe.each(PROFILES)('profile %s', (profile) => {
  it('the chart accepts the values Sovra writes, and knows every value path', () => {
    const r = renders.get(profile)!;
    expect(r.error).toBe('');
    expect(r.ok).toBe(true);
    expect(unknownValuePaths(CHART(), writtenValues(dirs.get(profile)!, RELEASE), FREE_FORM)).toEqual([]);
  });

  it('renders the webhook certificate as a cert-manager Certificate of the platform issuer, injected into both webhook configurations', () => {
    const cert = objectNamed(objs(profile), 'Certificate', 'external-secrets-webhook') as K8sObject & { spec: Record<string, unknown> };
    expect(cert.apiVersion).toBe('cert-manager.io/v1');
    expect(cert.spec).toMatchObject({
      secretName: 'external-secrets-webhook',
      issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'sovra-platform' },
      privateKey: { algorithm: 'ECDSA', size: 256, encoding: 'PKCS8', rotationPolicy: 'Always' },
      duration: '2160h',
      renewBefore: '360h',
    });
    // The webhook checks its certificate against the name it is called by.
    const dnsName = args(profile, 'external-secrets-webhook').find((a) => a.startsWith('--dns-name='))!.slice('--dns-name='.length);
    expect(cert.spec.dnsNames).toContain(dnsName);
    for (const name of ['secretstore-validate', 'externalsecret-validate']) {
      const vwc = objectNamed(objs(profile), 'ValidatingWebhookConfiguration', name);
      expect(vwc.metadata.annotations?.['cert-manager.io/inject-ca-from']).toBe(`${NS}/external-secrets-webhook`);
      expect((vwc as unknown as { webhooks: Array<{ failurePolicy: string; clientConfig: { service: { name: string } } }> }).webhooks.every((w) => w.failurePolicy === 'Fail' && w.clientConfig.service.name === 'external-secrets-webhook')).toBe(true);
    }
    // The webhook serves from the Secret cert-manager writes, which Sovra declares as produced.
    expect(deployment(profile, 'external-secrets-webhook').spec.template.spec.volumes).toContainEqual({ name: 'certs', secret: { secretName: 'external-secrets-webhook' } });
  });

  it('installs no cert controller and makes no Secret of its own', () => {
    expect(objs(profile).filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name).sort()).toEqual(['external-secrets', 'external-secrets-webhook']);
    expect(objs(profile).filter((o) => o.kind === 'Secret')).toEqual([]);
  });

  it('the webhook serves TLS 1.3 only and stops only inside the renewal window', () => {
    const a = args(profile, 'external-secrets-webhook');
    expect(a).toContain('--tls-min-version=1.3');
    const lookahead = parseInt(a.find((x) => x.startsWith('--lookahead-interval='))!.split('=')[1]!, 10);
    const cert = objectNamed(objs(profile), 'Certificate', 'external-secrets-webhook') as K8sObject & { spec: { renewBefore: string } };
    expect(lookahead).toBeGreaterThan(0);
    expect(lookahead).toBeLessThan(parseInt(cert.spec.renewBefore, 10));
  });

  it('the controller runs with leader election and without the reconcilers Sovra turns off, and its RBAC has no cluster-wide token creation', () => {
    expect(args(profile, 'external-secrets')).toEqual(
      expect.arrayContaining(['--enable-leader-election=true', '--enable-push-secret-reconciler=false', '--enable-cluster-push-secret-reconciler=false', '--enable-cluster-external-secret-reconciler=false']),
    );
    const role = objectNamed(objs(profile), 'ClusterRole', 'external-secrets-controller') as K8sObject & { rules: Array<{ resources: string[] }> };
    const resources = role.rules.flatMap((r) => r.resources);
    expect(resources).not.toContain('serviceaccounts/token');
    expect(resources).not.toContain('clustergenerators');
    expect(resources).not.toContain('pushsecrets');
    const aggregated = objs(profile).filter((o) => o.kind === 'ClusterRole' && Object.keys(o.metadata.labels ?? {}).some((k) => /aggregate-to-(edit|admin)$/.test(k)));
    expect(aggregated.map((o) => o.metadata.name)).toEqual([]);
  });

  it('the pod groups Sovra declares select the rendered pods, with the service accounts it names', () => {
    const policies = written(profile).filter((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === NS);
    const selector = (name: string) => (policies.find((o) => o.metadata.name === name)!.spec as { podSelector: { matchLabels: Record<string, string> } }).podSelector.matchLabels;
    const controller = deployment(profile, 'external-secrets');
    const webhook = deployment(profile, 'external-secrets-webhook');
    expect(controller.spec.template.metadata.labels).toMatchObject(selector('external-secrets-controller'));
    expect(webhook.spec.template.metadata.labels).toMatchObject(selector('external-secrets-webhook'));
    expect(webhook.spec.template.metadata.labels).not.toMatchObject(selector('external-secrets-controller'));
    const store = written(profile).find((o) => o.kind === 'ClusterSecretStore')!.spec as { provider: { vault: { auth: { kubernetes: { serviceAccountRef: { name: string } } } } } };
    expect(controller.spec.template.spec.serviceAccountName).toBe(store.provider.vault.auth.kubernetes.serviceAccountRef.name);
    expect(objectNamed(objs(profile), 'ServiceAccount', store.provider.vault.auth.kubernetes.serviceAccountRef.name).metadata.namespace).toBe(NS);
  });

  it('every pod meets the hardened baseline (non-root, read-only root, no capabilities, seccomp, no privilege escalation, requests and limits)', () => {
    for (const name of ['external-secrets', 'external-secrets-webhook']) {
      const pod = deployment(profile, name).spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      for (const c of pod.containers) {
        expect(c.securityContext, `${name}/${c.name}`).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
        expect(c.resources?.requests, `${name}/${c.name}`).toBeDefined();
        expect(c.resources?.limits, `${name}/${c.name}`).toBeDefined();
      }
      // Both talk to the API server (the controller writes Secrets and requests tokens, the webhook's manager reads discovery): they need a token.
      expect(pod.automountServiceAccountToken).toBe(true);
    }
  });

  it('runs only images the component declares (so the SBOM and the bundle are complete)', () => {
    const images = renderedImages(objs(profile));
    expect(images).toEqual(['ghcr.io/external-secrets/external-secrets:v2.9.0']);
    expect(undeclaredImages(images, declaredImages(dirs.get(profile)!))).toEqual([]);
  });
});

describe('HA', () => {
  it('cluster: three controllers and three webhooks, spread over nodes, each with a PDB keeping one', () => {
    for (const [name, labels] of [
      ['external-secrets', { 'app.kubernetes.io/name': 'external-secrets' }],
      ['external-secrets-webhook', { 'app.kubernetes.io/name': 'external-secrets-webhook' }],
    ] as const) {
      const d = deployment('cluster', name);
      expect(d.spec.replicas).toBe(3);
      expect(d.spec.template.spec.topologySpreadConstraints).toEqual([{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { ...labels, 'app.kubernetes.io/instance': 'external-secrets' } } }]);
      const pdb = objs('cluster').find((o) => o.kind === 'PodDisruptionBudget' && (o.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels['app.kubernetes.io/name'] === labels['app.kubernetes.io/name']);
      expect(pdb?.spec).toMatchObject({ minAvailable: 1 });
    }
  });

  it('dev and edge: one of each and no PDB (a PDB of one replica would block node drains)', () => {
    for (const p of ['dev', 'edge'] as const) {
      expect(deployment(p, 'external-secrets').spec.replicas).toBe(1);
      expect(deployment(p, 'external-secrets-webhook').spec.replicas).toBe(1);
      expect(objs(p).filter((o) => o.kind === 'PodDisruptionBudget')).toEqual([]);
    }
  });
});

/** A schema with what does not constrain values removed (descriptions) and what the JSON-schema conversion adds (closed objects). */
function normalize(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(normalize);
  if (s === null || typeof s !== 'object') return s;
  return Object.fromEntries(
    Object.entries(s as Record<string, unknown>)
      .filter(([k]) => !['description', 'additionalProperties', 'x-kubernetes-list-type', 'x-kubernetes-map-type'].includes(k))
      .map(([k, v]) => [k, normalize(v)]),
  );
}

describe('the CRD schemas Sovra validates against', () => {
  it.each([
    ['externalsecrets.external-secrets.io', 'v1', 'crds/external-secrets.io/externalsecret_v1.json'],
    ['clustersecretstores.external-secrets.io', 'v1', 'crds/external-secrets.io/clustersecretstore_v1.json'],
    ['passwords.generators.external-secrets.io', 'v1alpha1', 'crds/generators.external-secrets.io/password_v1alpha1.json'],
  ])('%s %s is the schema of the chart 2.9.0 CRD', (crd, version, file) => {
    const rendered = objectNamed(objs('dev'), 'CustomResourceDefinition', crd) as K8sObject & { spec: { versions: Array<{ name: string; schema: { openAPIV3Schema: unknown } }> } };
    const fromChart = rendered.spec.versions.find((v) => v.name === version)!.schema.openAPIV3Schema;
    const shipped = JSON.parse(readFileSync(join(REPO_ROOT, 'output/kubernetes/schemas', file), 'utf8')) as unknown;
    expect(normalize(shipped)).toEqual(normalize(fromChart));
    const kinds = (JSON.parse(readFileSync(join(REPO_ROOT, 'output/kubernetes/schemas/kinds.json'), 'utf8')) as { kinds: Array<{ schema: string }> }).kinds;
    expect(kinds.map((k) => k.schema)).toContain(file);
  });
});

describe.each(PROFILES)("profile %s: Sovra's policy rules over the render", (profile) => {
  const check = () => ({ outDir: dirs.get(profile)!, release: RELEASE, namespace: NS, objects: renders.get(profile)!.objects });

  it("the pods the chart installs meet the rules, with the component's exceptions (controller and webhook call the API server) each lifting something", () => {
    const r = policyCheck(check());
    expect(policyProblems(r)).toEqual([]);
    expect(liftedFindings(r)).toEqual(['pod-security/service-account-token Deployment/external-secrets', 'pod-security/service-account-token Deployment/external-secrets-webhook']);
  });

  it('the cluster admits what the check admitted: the exceptions are the bindings\' exclusions', () => {
    expect(clusterRefusals(check())).toEqual([]);
  });
});
