/**
 * The hardened baseline holds on every workload of every profile: walks all
 * objects written (manifests and, for cluster, the Terraform manifests) and
 * the pod settings Sovra passes to its charts. The baseline of a pod is the
 * pod-security rules of policies/ (the synth's gate runs them on every
 * object, the cluster as admission policies, the chart conformance tests on
 * the pods charts render); what stays here are the checks across objects
 * (a ServiceAccount, a NetworkPolicy and a PodDisruptionBudget for each
 * workload, replicas on cluster) and the image references in chart values.
 */
import YAML from 'yaml';
import { RULES } from '../../policies/catalog.js';
import { compileRules, judge } from '../../policies/cel/evaluator.js';
import { toCel } from '../../policies/cel/json.js';
import type { PolicyParamsObject } from '../../policies/params.js';
import { goodDeployment, PARAMS } from '../policies/fixtures.js';
import { loadProfile } from '../../profiles/load.js';
import { buildPlatform } from '../../synth/synth.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROFILES, readJson, removeDir, synthAll, terraformResources, writtenObjects, type K8sObject, type ProfileName } from '../support/synth-output.js';

type PodSpec = { serviceAccountName?: string; containers: Array<{ name: string; image: string }> };
type Selector = { matchLabels?: Record<string, string> };

const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod'];
const DIGEST_REF = /^[^@\s]+@sha256:[0-9a-f]{64}$/;
/** The rules that are the hardened baseline of a pod (DESIGN.md, "The stack"). */
const BASELINE = RULES.filter((r) => r.pack === 'pod-security' && r.id !== 'pod-security/namespace-restricted');

let root: string | undefined;
let dirs: Record<ProfileName, string>;
beforeAll(async () => {
  ({ root, dirs } = await synthAll());
});
afterAll(() => removeDir(root));

function podOf(o: K8sObject): { spec: PodSpec; labels: Record<string, string> } {
  const s = o.spec as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  if (o.kind === 'Pod') return { spec: s as PodSpec, labels: o.metadata.labels ?? {} };
  const template = o.kind === 'CronJob' ? s.jobTemplate.spec.template : s.template;
  return { spec: template.spec as PodSpec, labels: template.metadata?.labels ?? {} };
}

function selects(selector: Selector | undefined, labels: Record<string, string>): boolean {
  const m = selector?.matchLabels ?? {};
  return Object.entries(m).every(([k, v]) => labels[k] === v);
}

/** The parameters the synth judged with (the admission component's ConfigMap). */
function paramsOf(dir: string): PolicyParamsObject {
  const cm = writtenObjects(dir).find((o) => o.object.kind === 'ConfigMap' && o.object.metadata.name === 'sovra-policy-params')!.object as unknown as PolicyParamsObject;
  return { data: cm.data };
}

/** What each baseline rule says of `object`: `rule: outcome (detail)` for every rule that did not pass. */
function baselineProblems(object: unknown, params: PolicyParamsObject, rules = BASELINE): string[] {
  const o = object as { apiVersion: string; kind: string };
  const input = { object: toCel(object), params: toCel(params) };
  return compileRules(rules).flatMap((c) => {
    const j = judge(c, o.apiVersion, o.kind, input);
    return j.outcome === 'pass' ? [] : [`${c.rule.id}: ${j.outcome}${j.detail ? ` (${j.detail})` : ''}`];
  });
}

/** Values of every chart the profile installs, by release: from HelmChart objects or Terraform helm_release. */
function chartValues(dir: string): Map<string, Record<string, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const out = new Map<string, Record<string, any>>(); // eslint-disable-line @typescript-eslint/no-explicit-any
  for (const { object } of writtenObjects(dir)) {
    if (object.kind === 'HelmChart') out.set(object.metadata.name, YAML.parse((object.spec as { valuesContent: string }).valuesContent));
  }
  for (const [name, r] of Object.entries(terraformResources(dir)?.helm_release ?? {})) out.set(name, YAML.parse((r.values as string[])[0]!));
  return out;
}

/** Tag references (`registry/repository:tag`) of the images the SBOM marks `sovra:image:locked=false`. */
function unlockedImages(dir: string): Set<string> {
  const sbom = readJson<{ components: Array<{ type: string; name: string; version: string; properties?: Array<{ name: string; value: string }> }> }>(dir, 'sbom.cdx.json');
  return new Set(sbom.components.filter((c) => c.type === 'container' && c.properties?.some((p) => p.name === 'sovra:image:locked' && p.value === 'false')).map((c) => `${c.name}:${c.version}`));
}

/** Every image reference inside chart values that is not pinned by digest (and not declared unlocked). */
function unpinnedChartImages(values: unknown, path = '', unlocked: ReadonlySet<string> = new Set()): string[] {
  if (Array.isArray(values)) return values.flatMap((v, i) => unpinnedChartImages(v, `${path}[${i}]`, unlocked));
  if (values === null || typeof values !== 'object') return [];
  const bad: string[] = [];
  for (const [k, v] of Object.entries(values as Record<string, unknown>)) {
    const at = path ? `${path}.${k}` : k;
    if (k === 'image') {
      if (typeof v === 'string') {
        // Charts that split a reference over siblings: `image` + `tag` (KServe), or `repository` + `image` + `version` (GPU Operator);
        // a locked digest rides on the tag or version (`…@sha256:…`).
        const o = values as { repository?: unknown; tag?: unknown; version?: unknown };
        const ref =
          typeof o.repository === 'string' && typeof o.version === 'string' && !v.includes('/')
            ? `${o.repository}/${v}:${o.version}`
            : typeof o.tag === 'string' && o.tag !== '' && !v.includes(':')
              ? `${v}:${o.tag}`
              : v;
        const pinned = DIGEST_REF.test(ref) || /:[^:@/]+@sha256:[0-9a-f]{64}$/.test(ref) || unlocked.has(ref);
        if (!pinned) bad.push(`${at}: ${ref}`);
      } else if (v && typeof v === 'object') {
        const i = v as { fullImageName?: string; digest?: string; useDigest?: boolean; genericDigest?: string; registry?: string; repository?: string; tag?: string };
        // Charts that compose `registry/repository:tag` (openbao) or `repository:tag` (cloudnative-pg, external-secrets) carry a locked digest on the tag
        // (`tag@sha256:…`); an unlocked image is declared so in the SBOM.
        const split = i.registry !== undefined && i.repository !== undefined && i.tag !== undefined ? `${i.registry}/${i.repository}:${i.tag}` : undefined;
        const composed = i.registry === undefined && i.repository !== undefined && i.tag !== undefined && !i.digest && !i.genericDigest ? `${i.repository}:${i.tag}` : undefined;
        const pinned =
          i.fullImageName !== undefined
            ? DIGEST_REF.test(i.fullImageName) || unlocked.has(i.fullImageName)
            : split !== undefined
              ? DIGEST_REF.test(split) || /^sha256:[0-9a-f]{64}$/.test(i.tag ?? '') || unlocked.has(split)
              : composed !== undefined && i.useDigest === undefined
                ? /@sha256:[0-9a-f]{64}$/.test(composed) || unlocked.has(composed)
                : (composed !== undefined && unlocked.has(composed)) || (/^sha256:[0-9a-f]{64}$/.test(i.digest ?? i.genericDigest ?? '') && i.useDigest !== false);
        if (!pinned) bad.push(`${at}: ${JSON.stringify(v)}`);
      }
      continue;
    }
    bad.push(...unpinnedChartImages(v, at, unlocked));
  }
  return bad;
}

describe('the baseline rules themselves', () => {
  it('find what a weakened pod spec gets wrong, rule by rule', () => {
    const good = goodDeployment();
    expect(baselineProblems(good, PARAMS)).toEqual([]);
    const bad = structuredClone(good);
    const pod = bad.spec.template.spec;
    delete pod.automountServiceAccountToken;
    pod.containers[0].securityContext.readOnlyRootFilesystem = false;
    delete pod.containers[0].resources.limits;
    expect(baselineProblems(bad, PARAMS).map((p) => p.split(':')[0])).toEqual(['pod-security/read-only-root-fs', 'pod-security/service-account-token', 'pod-security/resources']);
    expect(unpinnedChartImages({ a: { image: { repository: 'q/x', tag: '1' } }, b: { image: 'q/y:1' } })).toHaveLength(2);
    // A tag reference passes only when the SBOM declares that very image unlocked.
    expect(unpinnedChartImages({ a: { image: { repository: 'q/x', tag: '1' } } }, '', new Set(['q/x:1']))).toEqual([]);
    expect(unpinnedChartImages({ a: { image: { repository: 'q/x', tag: '2' } } }, '', new Set(['q/x:1']))).toHaveLength(1);
    expect(unpinnedChartImages({ a: { image: { registry: 'r', repository: 'x', tag: `sha256:${'a'.repeat(64)}` } }, b: { image: { registry: 'r', repository: 'y', tag: '1' } } })).toEqual(['b.image: {"registry":"r","repository":"y","tag":"1"}']);
  });
});

describe.each(PROFILES)('profile %s', (profile) => {
  it('runs every workload with the hardened baseline, its own ServiceAccount and a NetworkPolicy', () => {
    const objects = writtenObjects(dirs[profile]);
    const workloads = objects.filter((o) => WORKLOAD_KINDS.includes(o.object.kind));
    expect(workloads.length).toBeGreaterThan(0);
    const problems: string[] = [];
    const params = paramsOf(dirs[profile]);
    for (const { object, where } of workloads) {
      const ns = object.metadata.namespace;
      const { spec, labels } = podOf(object);
      const at = `${where} ${object.kind} ${ns}/${object.metadata.name}`;
      // The baseline itself is the policy rules (policies/rules/pod-security), the same the synth's gate ran.
      problems.push(...baselineProblems(object, params).map((p) => `${at}: ${p}`));
      if (!spec.containers.every((c) => DIGEST_REF.test(c.image) || params.data.unlockedImages!.split(' ').includes(c.image))) problems.push(`${at}: an image is neither locked nor a declared unlocked catalog image`);
      const sameNs = objects.map((o) => o.object).filter((o) => o.metadata.namespace === ns);
      const sa = sameNs.find((o) => o.kind === 'ServiceAccount' && o.metadata.name === spec.serviceAccountName);
      if (!sa) problems.push(`${at}: ServiceAccount ${spec.serviceAccountName} is not written`);
      else if ((sa as { automountServiceAccountToken?: boolean }).automountServiceAccountToken !== false) problems.push(`${at}: its ServiceAccount automounts a token`);
      if (!sameNs.some((o) => o.kind === 'NetworkPolicy' && selects((o.spec as { podSelector?: Selector }).podSelector, labels))) problems.push(`${at}: no NetworkPolicy selects its pods`);
      const nsObject = objects.find((o) => o.object.kind === 'Namespace' && o.object.metadata.name === ns)?.object;
      if (nsObject?.metadata.labels?.['pod-security.kubernetes.io/enforce'] !== 'restricted') problems.push(`${at}: namespace ${ns} does not enforce restricted Pod Security`);
      if (profile === 'cluster') {
        const replicas = (object.spec as { replicas?: number }).replicas ?? 1;
        // A GPU server's replicas are bounded by its pool's GPUs (vLLM: one tensor-parallel server per pool node): two at least, not three.
        const gpus = [...spec.containers].some((c) => ((c as { resources?: { limits?: unknown } }).resources?.limits as Record<string, string> | undefined)?.['nvidia.com/gpu'] !== undefined);
        const needed = gpus ? 2 : 3;
        if (['Deployment', 'StatefulSet'].includes(object.kind) && replicas < needed) problems.push(`${at}: ${replicas} replicas on cluster (needs at least ${needed})`);
        if (!sameNs.some((o) => o.kind === 'PodDisruptionBudget' && selects((o.spec as { selector?: Selector }).selector, labels))) problems.push(`${at}: no PodDisruptionBudget on cluster`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('pins every image in chart values by digest and hardens the pods of the NATS chart', () => {
    const charts = chartValues(dirs[profile]);
    // Every release a component of the profile declares, and nothing else.
    const declared = buildPlatform(loadProfile(profile)).platform.components.flatMap((c) => c.charts.map((ch) => ch.release));
    expect([...charts.keys()].sort()).toEqual(declared.sort());
    expect(declared).toContain('nats');
    const unlocked = unlockedImages(dirs[profile]);
    for (const [release, values] of charts) expect(unpinnedChartImages(values, '', unlocked), release).toEqual([]);
    const nats = charts.get('nats')!;
    // The pod the NATS chart renders, as far as Sovra's values set it (the chart merges these into its StatefulSet);
    // judged by the same baseline and image rules as Sovra's own workloads.
    const statefulSet = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'nats', namespace: 'sovra-messaging' },
      spec: { template: { spec: { serviceAccountName: 'nats', ...nats.podTemplate.merge.spec, containers: [{ name: 'nats', image: nats.container.image.fullImageName, ...nats.container.merge }] } } },
    };
    // Which ServiceAccount the chart's pods use is the chart's choice (its default names one per release); the token is not mounted either way.
    const rules = [...BASELINE, ...RULES.filter((r) => r.pack === 'images' && r.severity === 'error')];
    expect(baselineProblems(statefulSet, paramsOf(dirs[profile]), rules)).toEqual([]);
    if (profile === 'cluster') {
      expect(nats.config.cluster.enabled).toBe(true);
      expect(nats.config.cluster.replicas).toBeGreaterThanOrEqual(3);
      // The chart writes a PodDisruptionBudget unless told not to.
      expect(nats.podDisruptionBudget?.enabled).not.toBe(false);
      expect(charts.get('cilium')!.operator.replicas).toBeGreaterThanOrEqual(2);
    }
  });
});
