/**
 * The hardened baseline holds on every workload of every profile: walks all
 * objects written (manifests and, for cluster, the Terraform manifests) and
 * the pod settings Sovra passes to its charts.
 */
import YAML from 'yaml';
import { loadProfile } from '../../profiles/load.js';
import { buildPlatform } from '../../synth/synth.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROFILES, readJson, removeDir, synthAll, terraformResources, writtenObjects, type K8sObject, type ProfileName } from '../support/synth-output.js';

type SecurityContext = {
  runAsNonRoot?: boolean;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  privileged?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
  seccompProfile?: { type?: string };
};
type Container = { name: string; image: string; securityContext?: SecurityContext; resources?: { requests?: Record<string, string>; limits?: Record<string, string> } };
type PodSpec = {
  automountServiceAccountToken?: boolean;
  serviceAccountName?: string;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  securityContext?: SecurityContext;
  containers: Container[];
  initContainers?: Container[];
};
type Selector = { matchLabels?: Record<string, string> };

const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod'];
const DIGEST_REF = /^[^@\s]+@sha256:[0-9a-f]{64}$/;

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

/**
 * Baseline violations of one pod spec; `ownServiceAccount: false` skips the
 * check that it names a ServiceAccount of its own. An image is pinned by
 * digest unless the SBOM declares it unlocked (`unlocked`: its tag references),
 * which the synth reports and `verify --require-locked` refuses.
 */
function podProblems(spec: PodSpec, ownServiceAccount = true, unlocked: ReadonlySet<string> = new Set()): string[] {
  const p: string[] = [];
  if (spec.automountServiceAccountToken !== false) p.push('automountServiceAccountToken is not false');
  if (ownServiceAccount && (!spec.serviceAccountName || spec.serviceAccountName === 'default')) p.push('runs under the default ServiceAccount');
  for (const host of ['hostNetwork', 'hostPID', 'hostIPC'] as const) if (spec[host]) p.push(`${host} is true`);
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
    const sc = c.securityContext ?? {};
    const pod = spec.securityContext ?? {};
    const at = `container ${c.name}`;
    if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true) p.push(`${at}: runAsNonRoot is not true`);
    if (sc.readOnlyRootFilesystem !== true) p.push(`${at}: readOnlyRootFilesystem is not true`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) p.push(`${at}: capabilities.drop lacks ALL`);
    if ((sc.capabilities?.add ?? []).length > 0) p.push(`${at}: adds capabilities ${JSON.stringify(sc.capabilities?.add)}`);
    if (sc.allowPrivilegeEscalation !== false) p.push(`${at}: allowPrivilegeEscalation is not false`);
    if (sc.privileged === true) p.push(`${at}: privileged`);
    if ((sc.seccompProfile?.type ?? pod.seccompProfile?.type) !== 'RuntimeDefault') p.push(`${at}: seccomp profile is not RuntimeDefault`);
    for (const kind of ['requests', 'limits'] as const) {
      for (const r of ['cpu', 'memory']) if (!c.resources?.[kind]?.[r]) p.push(`${at}: no ${kind}.${r}`);
    }
    if (!DIGEST_REF.test(c.image) && !unlocked.has(c.image)) p.push(`${at}: image ${c.image} is neither pinned by digest nor declared unlocked in the SBOM`);
  }
  return p;
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

describe('the walk itself', () => {
  it('finds what a weakened pod spec gets wrong', () => {
    const good: PodSpec = {
      automountServiceAccountToken: false,
      serviceAccountName: 'x',
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: 'c',
          image: `r/x:1@sha256:${'a'.repeat(64)}`,
          securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
          resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } },
        },
      ],
    };
    expect(podProblems(good)).toEqual([]);
    const bad = structuredClone(good);
    bad.automountServiceAccountToken = undefined;
    bad.containers[0]!.image = 'r/x:1';
    bad.containers[0]!.securityContext!.readOnlyRootFilesystem = false;
    delete bad.containers[0]!.resources!.limits;
    expect(podProblems(bad)).toHaveLength(5);
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
    const unlocked = unlockedImages(dirs[profile]);
    for (const { object, where } of workloads) {
      const ns = object.metadata.namespace;
      const { spec, labels } = podOf(object);
      const at = `${where} ${object.kind} ${ns}/${object.metadata.name}`;
      problems.push(...podProblems(spec, true, unlocked).map((p) => `${at}: ${p}`));
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
        const gpus = [...spec.containers].some((c) => (c.resources?.limits as Record<string, string> | undefined)?.['nvidia.com/gpu'] !== undefined);
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
    const spec: PodSpec = {
      ...nats.podTemplate.merge.spec,
      containers: [{ name: 'nats', image: nats.container.image.fullImageName, ...nats.container.merge }],
    };
    // Which ServiceAccount the chart's pods use is the chart's choice; the token is not mounted either way.
    expect(podProblems(spec, false, unlocked)).toEqual([]);
    if (profile === 'cluster') {
      expect(nats.config.cluster.enabled).toBe(true);
      expect(nats.config.cluster.replicas).toBeGreaterThanOrEqual(3);
      // The chart writes a PodDisruptionBudget unless told not to.
      expect(nats.podDisruptionBudget?.enabled).not.toBe(false);
      expect(charts.get('cilium')!.operator.replicas).toBeGreaterThanOrEqual(2);
    }
  });
});
