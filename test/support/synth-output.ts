/**
 * Synthesizes profiles once per test file into a temporary folder, through
 * the real synth function, and reads the output back as plain data.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import YAML from 'yaml';
import { loadProfile } from '../../profiles/load.js';
import { synth, type SynthOptions, type SynthResult } from '../../synth/synth.js';

/** The three built-in profiles. */
export const PROFILES = ['dev', 'edge', 'cluster'] as const;
/** A built-in profile name. */
export type ProfileName = (typeof PROFILES)[number];

/** Build time every test synth uses. */
export const TEST_EPOCH = '1767225600';

/** A Kubernetes object as written. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [k: string]: unknown;
}

/** One object and where it was found. */
export interface FoundObject {
  readonly object: K8sObject;
  /** `manifests/nats.yaml#2` or `terraform/cdk.tf.json#kubernetes_manifest.nats_NetworkPolicy_nats`. */
  readonly where: string;
}

/** A fresh temporary folder; remove it with `rmSync(dir, { recursive: true, force: true })`. */
export function tempDir(prefix = 'sovra-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Synthesizes a built-in profile (or a loaded one) into `outDir` with the test epoch. */
export async function synthProfile(profile: ProfileName | string, outDir: string, extra: Partial<SynthOptions> = {}): Promise<SynthResult> {
  return synth({ profile: loadProfile(profile), profileSource: profile, outDir, env: { SOURCE_DATE_EPOCH: TEST_EPOCH }, ...extra });
}

/** Synthesizes every built-in profile under one temporary folder: `{ root, dirs: { dev, edge, cluster } }`. */
export async function synthAll(): Promise<{ root: string; dirs: Record<ProfileName, string> }> {
  const root = tempDir();
  const dirs = {} as Record<ProfileName, string>;
  for (const p of PROFILES) {
    dirs[p] = join(root, p);
    await synthProfile(p, dirs[p]);
  }
  return { root, dirs };
}

/** Every file under `dir`, as sorted POSIX paths relative to it. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

/** Parsed JSON file of the output. */
export function readJson<T = unknown>(dir: string, rel: string): T {
  return JSON.parse(readFileSync(join(dir, rel), 'utf8')) as T;
}

/** Every document of a YAML file of the output. */
export function readYamlDocs(dir: string, rel: string): unknown[] {
  return YAML.parseAllDocuments(readFileSync(join(dir, rel), 'utf8'))
    .map((d) => {
      if (d.errors.length > 0) throw new Error(`${rel}: ${d.errors[0]!.message}`);
      return d.toJS() as unknown;
    })
    .filter((d) => d !== null && d !== undefined);
}

/** Terraform resources of `terraform/cdk.tf.json`, or undefined when the profile has none. */
export function terraformResources(dir: string): Record<string, Record<string, Record<string, unknown>>> | undefined {
  if (!listFiles(dir).includes('terraform/cdk.tf.json')) return undefined;
  return readJson<{ resource: Record<string, Record<string, Record<string, unknown>>> }>(dir, 'terraform/cdk.tf.json').resource;
}

/**
 * Every Kubernetes object the synth wrote: each document of `manifests/*.yaml`
 * and, for profiles deployed with Terraform, each `kubernetes_manifest`.
 */
export function writtenObjects(dir: string): FoundObject[] {
  const found: FoundObject[] = [];
  for (const f of listFiles(dir).filter((f) => f.startsWith('manifests/'))) {
    readYamlDocs(dir, f).forEach((o, i) => found.push({ object: o as K8sObject, where: `${f}#${i}` }));
  }
  const tf = terraformResources(dir);
  for (const [name, r] of Object.entries(tf?.kubernetes_manifest ?? {})) {
    found.push({ object: r.manifest as K8sObject, where: `terraform/cdk.tf.json#kubernetes_manifest.${name}` });
  }
  return found;
}

/** Removes a folder made by `tempDir` or `synthAll`. */
export function removeDir(dir: string | undefined): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/**
 * Where a HelmChart of `profile` takes `chart` from: its repository, or on
 * an air-gapped profile the site registry (no archive was given to the synth).
 */
export function chartSourceOf(profile: 'dev' | 'edge' | 'cluster', chart: { repository: string; chart: string; version: string }): Record<string, unknown> {
  const p = loadProfile(profile);
  if (!p.airGapped) return { repo: chart.repository, chart: chart.chart, version: chart.version };
  return { chart: `oci://${p.images.registryMirror}/charts/${chart.chart}`, version: chart.version };
}
