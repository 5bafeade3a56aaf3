/**
 * The tekton-operator chart 0.81.1 (the tagged source with the release
 * workflow's version edit reproduced; ../shared/charts/tekton/NOTES.txt)
 * rendered by the real helm with the values Sovra writes for each profile
 * that installs Tekton: the chart accepts them and knows every path; the
 * operator runs only the reconcilers Sovra names, creates no TektonConfig
 * of its own, and installs into tekton-pipelines; the pod groups Sovra
 * declares select the rendered pods; the pods meet the hardened baseline;
 * every image the chart runs or hands to the operator is declared. And the
 * reference data's facts that the component relies on: the published
 * archive digest is not the tagged source's, the payload versions are those
 * of components.yaml, and the TektonConfig and Tekton objects Sovra writes
 * are valid against the CRDs of the chart and of Pipelines v1.15.0.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RELEASE_ASSET_DIGEST, TEKTON_IMAGES, TEKTON_PAYLOAD } from '../../../constructs/supply-chain/tekton/catalog.js';
import { REPO_ROOT, sharedPath } from '../../support/shared.js';
import { removeDir, tempDir, synthProfile, writtenObjects, type K8sObject } from '../../support/synth-output.js';
import { chartDir, declaredImages, objectNamed, renderChart, renderedImages, undeclaredImages, unknownValuePaths, writtenValues, type Render } from '../support/helm.js';
import { clusterRefusals, liftedFindings, policyCheck, policyProblems } from '../support/policy.js';

const CHART = () => chartDir('tekton', 'tekton-operator-0.81.1');
const RELEASE = 'tekton-operator';
const NS = 'tekton-operator';
/** Profiles whose built-in settings install Tekton. */
const INSTALLED = ['edge', 'cluster'] as const;
type Installed = (typeof INSTALLED)[number];
/** Maps the chart takes whole (passed through to the pod spec). */
const FREE_FORM = ['podSecurityContext', 'securityContext', 'operator.resources', 'webhook.resources'];

let root: string | undefined;
const dirs = new Map<Installed, string>();
const renders = new Map<Installed, Render>();

beforeAll(async () => {
  root = tempDir();
  for (const p of INSTALLED) {
    const dir = join(root, p);
    await synthProfile(p, dir);
    dirs.set(p, dir);
    renders.set(p, renderChart({ chart: CHART(), release: RELEASE, namespace: NS, values: writtenValues(dir, RELEASE) }));
  }
});
afterAll(() => removeDir(root));

type Container = { name: string; args?: string[]; image?: string; env?: Array<{ name: string; value?: string }>; securityContext?: Record<string, unknown>; resources?: { requests?: object; limits?: object } };
type Deployment = K8sObject & { spec: { replicas: number; template: { metadata: { labels: Record<string, string> }; spec: { containers: Container[]; securityContext?: Record<string, unknown>; serviceAccountName?: string } } } };

const objs = (p: Installed) => renders.get(p)!.objects;
const deployment = (p: Installed, name: string) => objectNamed(objs(p), 'Deployment', name) as Deployment;
const env = (c: Container, name: string) => c.env?.find((e) => e.name === name)?.value;
// The manifests only (cluster also writes every object into the Terraform stack).
const written = (p: Installed) => writtenObjects(dirs.get(p)!).filter((o) => o.where.startsWith('manifests/')).map((o) => o.object);

describe.each(INSTALLED)('profile %s', (profile) => {
  it('the chart accepts the values Sovra writes, and knows every value path', () => {
    const r = renders.get(profile)!;
    expect(r.error).toBe('');
    expect(r.ok).toBe(true);
    expect(unknownValuePaths(CHART(), writtenValues(dirs.get(profile)!, RELEASE), FREE_FORM)).toEqual([]);
  });

  it('runs only the TektonConfig, TektonPipeline and TektonChain reconcilers, creates no TektonConfig itself and targets tekton-pipelines', () => {
    const [lifecycle, cluster] = deployment(profile, 'tekton-operator').spec.template.spec.containers;
    expect(lifecycle!.args).toEqual(['-controllers', 'tektonconfig,tektonpipeline,tektonchain', '-unique-process-name', 'tekton-operator-lifecycle']);
    expect(cluster!.args).toEqual(['-controllers', 'tektoninstallerset', '-unique-process-name', 'tekton-operator-cluster-operations']);
    for (const c of [lifecycle!, cluster!]) {
      expect(env(c, 'AUTOINSTALL_COMPONENTS')).toBe('false');
      expect(env(c, 'DEFAULT_TARGET_NAMESPACE')).toBe('tekton-pipelines');
      // The platform's Kubernetes version: the chart's default (v1.34.0) would stop the operator on the 1.30 distributions.
      expect(env(c, 'KUBERNETES_MIN_VERSION')).toBe('v1.30.14');
    }
    // The chart renders no TektonConfig (extraObjects empty); Sovra's own is in the output.
    expect(objs(profile).filter((o) => o.kind === 'TektonConfig')).toEqual([]);
    expect(written(profile).filter((o) => o.kind === 'TektonConfig').map((o) => o.metadata.name)).toEqual(['config']);
  });

  it('the pod groups Sovra declares select the rendered pods, with the service account they run as', () => {
    const policies = written(profile).filter((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === NS);
    const selector = (name: string) => (policies.find((o) => o.metadata.name === name)!.spec as { podSelector: { matchLabels: Record<string, string> } }).podSelector.matchLabels;
    const operator = deployment(profile, 'tekton-operator');
    const webhook = deployment(profile, 'tekton-operator-webhook');
    expect(operator.spec.template.metadata.labels).toMatchObject(selector('tekton-operator'));
    expect(webhook.spec.template.metadata.labels).toMatchObject(selector('tekton-operator-webhook'));
    expect(webhook.spec.template.metadata.labels).not.toMatchObject(selector('tekton-operator'));
    expect(operator.spec.template.spec.serviceAccountName).toBe('tekton-operator');
    // The webhook listens where its pod group's port says.
    const port = (webhook.spec.template.spec.containers[0] as Container & { ports: Array<{ containerPort: number }> }).ports[0]!.containerPort;
    expect((policies.find((o) => o.metadata.name === 'tekton-operator-webhook')!.spec as { podSelector: unknown }).podSelector).toBeDefined();
    expect(port).toBe(8443);
  });

  it('every pod meets the hardened baseline (non-root, read-only root, no capabilities, seccomp, no privilege escalation, requests and limits)', () => {
    for (const name of ['tekton-operator', 'tekton-operator-webhook']) {
      const pod = deployment(profile, name).spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      for (const c of pod.containers) {
        expect(c.securityContext, `${name}/${c.name}`).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
        expect(c.resources?.requests, `${name}/${c.name}`).toBeDefined();
        expect(c.resources?.limits, `${name}/${c.name}`).toBeDefined();
      }
    }
  });

  it('runs and hands the operator only images the component declares (so the SBOM and the bundle are complete)', () => {
    const images = renderedImages(objs(profile));
    expect(images).toEqual(['ghcr.io/tektoncd/operator/operator-303303c315a48490ba6517859ef65b77:v0.81.1', 'ghcr.io/tektoncd/operator/webhook-f2bb711aa8f0c0892856a4cbf6d9ddd8:v0.81.1']);
    const declared = declaredImages(dirs.get(profile)!);
    expect(undeclaredImages(images, declared)).toEqual([]);
    // The proxy webhook the operator deploys into tekton-pipelines is named by the chart in an environment variable.
    const proxy = env(deployment(profile, 'tekton-operator').spec.template.spec.containers[0]!, 'IMAGE_PIPELINES_PROXY')!;
    expect(undeclaredImages([proxy], declared)).toEqual([]);
    // Every image of the operator's payload that Sovra configures is in the SBOM, by the tag of components.yaml.
    for (const i of Object.values(TEKTON_IMAGES)) expect(declared.has(`${i.registry}/${i.repository}:${i.tag}`), i.repository).toBe(true);
    expect(declared.has('registry.k8s.io/kubectl:v1.30.14')).toBe(true);
  });
});

describe('HA', () => {
  it('cluster: two operators and two webhooks (leader election); edge: one of each', () => {
    expect(deployment('cluster', 'tekton-operator').spec.replicas).toBe(2);
    expect(deployment('cluster', 'tekton-operator-webhook').spec.replicas).toBe(2);
    expect(deployment('edge', 'tekton-operator').spec.replicas).toBe(1);
    expect(deployment('edge', 'tekton-operator-webhook').spec.replicas).toBe(1);
  });
});

describe('the reference data the component relies on', () => {
  it('the published archive digest is not the tagged source: Sovra pins no chart digest', () => {
    const entry = YAML.parse(readFileSync(sharedPath('charts/tekton/_pub/tekton-operator-0.81.1.entry.yaml'), 'utf8')) as { version: string; digest: string };
    expect(entry.version).toBe('0.81.1');
    expect(`sha256:${entry.digest}`).toBe(RELEASE_ASSET_DIGEST);
    // The tagged source is a directory, not the archive: whatever it is packed into, the bytes differ (NOTES.txt); the written HelmChart carries no digest.
    expect(readFileSync(sharedPath('charts/tekton/NOTES.txt'), 'utf8')).toContain("won't byte-match");
    const hc = writtenObjects(dirs.get('edge')!).find((o) => o.object.kind === 'HelmChart' && o.object.metadata.name === RELEASE)!.object;
    expect(hc.metadata.annotations?.['sovra.dev/chart-digest']).toBeUndefined();
  });

  it('the payload versions are those of the operator release (components.yaml)', () => {
    const components = YAML.parse(readFileSync(sharedPath('charts/tekton/_pub/operator-v0.81.1-components.yaml'), 'utf8')) as Record<string, { version: string }>;
    expect(components.pipeline!.version).toBe(TEKTON_PAYLOAD.pipeline);
    expect(components.chains!.version).toBe(TEKTON_PAYLOAD.chains);
    expect(TEKTON_IMAGES.pipelinesController.tag).toBe(components.pipeline!.version);
    expect(TEKTON_IMAGES.chainsController.tag).toBe(components.chains!.version);
  });

  it('the ko image names are the MD5 of the Go import path, as for the operator images the chart names', () => {
    const md5 = (s: string) => createHash('md5').update(s).digest('hex');
    const chartImages = readFileSync(sharedPath('charts/tekton/images.txt'), 'utf8');
    expect(chartImages).toContain(`operator-${md5('github.com/tektoncd/operator/cmd/kubernetes/operator')}:v0.81.1`);
    expect(chartImages).toContain(`webhook-${md5('github.com/tektoncd/operator/cmd/kubernetes/webhook')}:v0.81.1`);
    for (const i of Object.values(TEKTON_IMAGES).filter((x) => x.registry === 'ghcr.io')) {
      const importPath = /ko image name of (\S+)/.exec(i.source ?? '')![1]!;
      expect(i.repository.endsWith(`-${md5(importPath)}`), i.repository).toBe(true);
    }
  });
});

/** Compiles a reference CRD JSON schema the way the conformance schema test does (Ajv, strict off). */
function validator(file: string) {
  const ajv = new Ajv({ strict: false, allErrors: true });
  return ajv.compile(JSON.parse(readFileSync(sharedPath(`k8s/crds/${file}`), 'utf8')) as object);
}

describe('the objects Sovra writes against the reference CRD schemas', () => {
  it.each(INSTALLED)('%s: TektonConfig, Tasks and Pipelines are valid (operator 0.81.1, Pipelines v1.15.0)', (profile) => {
    const schemas: Record<string, string> = { TektonConfig: 'operator.tekton.dev/tektonconfig_v1alpha1.json', Task: 'tekton.dev/task_v1.json', Pipeline: 'tekton.dev/pipeline_v1.json' };
    const objects = written(profile).filter((o) => o.kind in schemas);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(
      profile === 'edge' ? ['Pipeline/sovra-verify', 'Pipeline/sovra-verify-apply', 'Task/sovra-apply', 'Task/sovra-verify', 'TektonConfig/config'] : ['Pipeline/sovra-verify', 'Task/sovra-verify', 'TektonConfig/config'],
    );
    for (const o of objects) {
      const validate = validator(schemas[o.kind]!);
      expect(validate(o), `${o.kind}/${o.metadata.name}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    // The shipped copies are those files (the synth validated against them).
    const kinds = (JSON.parse(readFileSync(join(REPO_ROOT, 'output/kubernetes/schemas/kinds.json'), 'utf8')) as { kinds: Array<{ schema: string }> }).kinds.map((k) => k.schema);
    for (const f of Object.values(schemas)) expect(kinds).toContain(`crds/${f}`);
  });

  it('the TektonConfig schema is the one of the chart 0.81.1 CRD', () => {
    const render = renderChart({ chart: CHART(), release: RELEASE, namespace: NS, values: { installCRDs: true } });
    const crd = objectNamed(render.objects, 'CustomResourceDefinition', 'tektonconfigs.operator.tekton.dev') as K8sObject & { spec: { versions: Array<{ name: string; schema: { openAPIV3Schema: { properties: { spec: { properties: Record<string, unknown> } } } } }> } };
    const fromChart = crd.spec.versions.find((v) => v.name === 'v1alpha1')!.schema.openAPIV3Schema.properties.spec.properties;
    const shipped = (JSON.parse(readFileSync(join(REPO_ROOT, 'output/kubernetes/schemas/crds/operator.tekton.dev/tektonconfig_v1alpha1.json'), 'utf8')) as { properties: { spec: { properties: Record<string, unknown> } } }).properties.spec.properties;
    expect(Object.keys(shipped).sort()).toEqual(Object.keys(fromChart).sort());
    // The Chains keys Sovra sets exist in the chart's CRD.
    const chain = (fromChart.chain as { properties: Record<string, unknown> }).properties;
    for (const k of ['artifacts.taskrun.format', 'artifacts.taskrun.storage', 'artifacts.taskrun.signer', 'artifacts.oci.storage', 'storage.oci.repository', 'transparency.enabled']) expect(chain, k).toHaveProperty([k]);
  });

  it('the reference data has every operator.tekton.dev and tekton.dev schema the component could write', () => {
    expect(readdirSync(sharedPath('k8s/crds/operator.tekton.dev'))).toContain('tektonconfig_v1alpha1.json');
    expect(readdirSync(sharedPath('k8s/crds/tekton.dev'))).toEqual(expect.arrayContaining(['task_v1.json', 'pipeline_v1.json']));
  });
});

describe.each(INSTALLED)("profile %s: Sovra's policy rules over the render", (profile) => {
  const check = () => ({ outDir: dirs.get(profile)!, release: RELEASE, namespace: NS, objects: renders.get(profile)!.objects });

  it("the pods the chart installs meet the rules, with the component's exceptions (operator and webhook call the API server) each lifting something", () => {
    const r = policyCheck(check());
    expect(policyProblems(r)).toEqual([]);
    expect(liftedFindings(r)).toEqual(['pod-security/service-account-token Deployment/tekton-operator', 'pod-security/service-account-token Deployment/tekton-operator-webhook']);
  });

  it("the cluster admits what the check admitted: the exceptions are the bindings' exclusions", () => {
    expect(clusterRefusals(check())).toEqual([]);
  });
});
