/**
 * `sovra diff`: what changed between two outputs (two profiles, or
 * yesterday's and today's synth). Control level from the SSPs: status,
 * parameter values, evidence gained or lost. Object level from the
 * manifests: Kubernetes objects added, removed or changed (with the fields
 * that changed), and any other file whose bytes differ.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { canonicalJson } from '../../core/canonical.js';
import { SovraError } from '../../core/errors.js';
import { sha256Hex } from '../../core/hash.js';
import { parseYamlStream } from '../../core/yaml.js';
import { identity } from '../../output/output-index.js';
import { SSP_PATH } from '../ssp/ssp.js';

/** One control as the SSP states it. */
interface ControlState {
  readonly status: string;
  readonly parameters: Record<string, string>;
  /** `component: evidence description`. */
  readonly evidence: Set<string>;
}

/** A control-level change. */
export type ControlChange =
  | { readonly control: string; readonly change: 'added' | 'removed'; readonly status: string }
  | { readonly control: string; readonly change: 'status'; readonly from: string; readonly to: string }
  | { readonly control: string; readonly change: 'parameter'; readonly param: string; readonly from: string | null; readonly to: string | null }
  | { readonly control: string; readonly change: 'evidence-gained' | 'evidence-lost'; readonly evidence: string };

/** An object-level change. */
export interface ObjectChange {
  /** `Kind namespace/name` (`apiVersion` included when two kinds share a name). */
  readonly object: string;
  readonly file: string;
  readonly change: 'added' | 'removed' | 'changed';
  /** Top fields that differ (`spec.replicas`), for `changed`. */
  readonly fields?: readonly string[];
}

/** The difference of two outputs. */
export interface OutputDiff {
  readonly a: { readonly dir: string; readonly profile: string };
  readonly b: { readonly dir: string; readonly profile: string };
  readonly controls: readonly ControlChange[];
  readonly objects: readonly ObjectChange[];
  /** Other files (host config, Terraform, documents) whose bytes differ: `+`, `-` or `~` and the path. */
  readonly files: ReadonlyArray<{ readonly file: string; readonly change: 'added' | 'removed' | 'changed' }>;
}

type Json = Record<string, unknown>;
type Prop = { name: string; value: string; group?: string };

function readSsp(dir: string): { profile: string; controls: Map<string, ControlState> } {
  let doc: Json;
  try {
    doc = JSON.parse(readFileSync(join(dir, SSP_PATH), 'utf8')) as Json;
  } catch (e) {
    throw new SovraError('bad-input', `sovra diff: ${join(dir, SSP_PATH)} cannot be read as JSON (${(e as Error).message}); give two directories \`sovra synth\` wrote.`, { cause: e });
  }
  const plan = doc['system-security-plan'] as Json;
  const profile = ((plan.metadata as Json).props as Prop[] | undefined)?.find((p) => p.name === 'profile')?.value ?? dir;
  const comps = new Map(((plan['system-implementation'] as Json).components as Json[]).map((c) => [c.uuid as string, ((c.props ?? []) as Prop[]).find((p) => p.name === 'component-id')?.value ?? (c.title as string)]));
  const controls = new Map<string, ControlState>();
  for (const r of (plan['control-implementation'] as Json)['implemented-requirements'] as Json[]) {
    const status = ((r.props ?? []) as Prop[]).find((p) => p.name === 'coverage-status')?.value ?? 'unknown';
    const parameters: Record<string, string> = {};
    for (const sp of (r['set-parameters'] ?? []) as Array<{ 'param-id': string; values: string[] }>) parameters[sp['param-id']] = sp.values.join(', ');
    const evidence = new Set<string>();
    for (const bc of (r['by-components'] ?? []) as Json[]) {
      const who = comps.get(bc['component-uuid'] as string) ?? (bc['component-uuid'] as string);
      for (const p of (bc.props ?? []) as Prop[]) if (p.name === 'evidence-description') evidence.add(`${who}: ${p.value}`);
    }
    controls.set(r['control-id'] as string, { status, parameters, evidence });
  }
  return { profile, controls };
}

function files(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
    const p = rel ? posix.join(rel, e.name) : e.name;
    if (e.isDirectory()) out.push(...files(dir, p));
    else if (e.isFile()) out.push(p);
  }
  return out.sort();
}

function objectsOf(dir: string, list: readonly string[]): Map<string, { file: string; doc: Json }> {
  const out = new Map<string, { file: string; doc: Json }>();
  for (const f of list.filter((x) => x.startsWith('manifests/') && x.endsWith('.yaml'))) {
    for (const d of parseYamlStream(readFileSync(join(dir, f), 'utf8'))) {
      if (d === null || typeof d !== 'object') continue;
      const id = identity(d as Json);
      out.set(`${id.kind} ${id.namespace ? `${id.namespace}/` : ''}${id.name} (${id.apiVersion})`, { file: f, doc: d as Json });
    }
  }
  return out;
}

/** Field paths (two levels deep) whose values differ. */
function changedFields(a: unknown, b: unknown, prefix = '', depth = 0): string[] {
  if (canonicalJson(a) === canonicalJson(b)) return [];
  if (depth >= 2 || a === null || b === null || typeof a !== 'object' || typeof b !== 'object' || Array.isArray(a) || Array.isArray(b)) return [prefix || '(whole object)'];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.flatMap((k) => changedFields((a as Json)[k], (b as Json)[k], prefix ? `${prefix}.${k}` : k, depth + 1));
}

/** The difference between the outputs in `dirA` and `dirB`. */
export function diffOutputs(dirA: string, dirB: string): OutputDiff {
  for (const d of [dirA, dirB]) {
    if (!statSync(d, { throwIfNoEntry: false })?.isDirectory()) throw new SovraError('bad-input', `sovra diff: ${d} is not a directory; give two directories \`sovra synth\` wrote.`);
  }
  const A = readSsp(dirA);
  const B = readSsp(dirB);
  const controls: ControlChange[] = [];
  for (const id of [...new Set([...A.controls.keys(), ...B.controls.keys()])]) {
    const a = A.controls.get(id);
    const b = B.controls.get(id);
    if (!a) controls.push({ control: id, change: 'added', status: b!.status });
    else if (!b) controls.push({ control: id, change: 'removed', status: a.status });
    else {
      if (a.status !== b.status) controls.push({ control: id, change: 'status', from: a.status, to: b.status });
      for (const p of [...new Set([...Object.keys(a.parameters), ...Object.keys(b.parameters)])].sort()) {
        if (a.parameters[p] !== b.parameters[p]) controls.push({ control: id, change: 'parameter', param: p, from: a.parameters[p] ?? null, to: b.parameters[p] ?? null });
      }
      for (const e of [...b.evidence].filter((x) => !a.evidence.has(x)).sort()) controls.push({ control: id, change: 'evidence-gained', evidence: e });
      for (const e of [...a.evidence].filter((x) => !b.evidence.has(x)).sort()) controls.push({ control: id, change: 'evidence-lost', evidence: e });
    }
  }
  const fa = files(dirA);
  const fb = files(dirB);
  const oa = objectsOf(dirA, fa);
  const ob = objectsOf(dirB, fb);
  const objects: ObjectChange[] = [];
  for (const k of [...new Set([...oa.keys(), ...ob.keys()])].sort()) {
    const a = oa.get(k);
    const b = ob.get(k);
    if (!a) objects.push({ object: k, file: b!.file, change: 'added' });
    else if (!b) objects.push({ object: k, file: a.file, change: 'removed' });
    else {
      const fields = changedFields(a.doc, b.doc);
      if (fields.length > 0) objects.push({ object: k, file: b.file, change: 'changed', fields });
    }
  }
  const other: Array<{ file: string; change: 'added' | 'removed' | 'changed' }> = [];
  const setB = new Set(fb);
  const setA = new Set(fa);
  for (const f of [...new Set([...fa, ...fb])].sort()) {
    if (f.startsWith('manifests/')) continue;
    if (!setA.has(f)) other.push({ file: f, change: 'added' });
    else if (!setB.has(f)) other.push({ file: f, change: 'removed' });
    else if (sha256Hex(readFileSync(join(dirA, f))) !== sha256Hex(readFileSync(join(dirB, f)))) other.push({ file: f, change: 'changed' });
  }
  return { a: { dir: dirA, profile: A.profile }, b: { dir: dirB, profile: B.profile }, controls, objects, files: other };
}

/** The diff as text for people: one line per change, grouped, and a summary line. */
export function diffText(d: OutputDiff): string {
  const mark = { added: '+', removed: '-', changed: '~' } as const;
  const lines = [`sovra diff ${d.a.dir} (${d.a.profile}) → ${d.b.dir} (${d.b.profile})`, '', `controls: ${d.controls.length} change(s)`];
  for (const c of d.controls) {
    if (c.change === 'added' || c.change === 'removed') lines.push(`  ${mark[c.change]} ${c.control}  ${c.change} (${c.status})`);
    else if (c.change === 'status') lines.push(`  ~ ${c.control}  status ${c.from} → ${c.to}`);
    else if (c.change === 'parameter') lines.push(`  ~ ${c.control}  parameter ${c.param}: ${c.from ?? '(unset)'} → ${c.to ?? '(unset)'}`);
    else if (c.change === 'evidence-gained' || c.change === 'evidence-lost') lines.push(`  ${c.change === 'evidence-gained' ? '+' : '-'} ${c.control}  evidence ${c.evidence}`);
  }
  lines.push('', `objects: ${d.objects.length} change(s)`);
  for (const o of d.objects) lines.push(`  ${mark[o.change]} ${o.object} in ${o.file}${o.fields ? `: ${o.fields.join(', ')}` : ''}`);
  lines.push('', `other files: ${d.files.length} change(s)`);
  for (const f of d.files) lines.push(`  ${mark[f.change]} ${f.file}`);
  return lines.join('\n') + '\n';
}
