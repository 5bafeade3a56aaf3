/**
 * Checks every claim's evidence against the output actually written. A
 * claim whose field is missing or holds another value fails the synth with
 * a message naming control, component, object, field, expected and actual.
 */
import type { ApiObject } from 'cdk8s';
import type { Evidence } from '../constructs/kit/claims.js';
import { CLUSTER_SCOPED, type Component } from '../constructs/kit/component.js';
import { SovraError } from '../core/errors.js';
import { jsonEqual, readField } from './field-path.js';
import type { ObjectId, ResolvedCryptoAsset, ResolvedEvidence } from './model.js';
import type { OutputIndex } from './output-index.js';

/** Where a component's objects and chart values are written. */
export interface EvidenceLayout {
  /** Manifest file of a component, e.g. `manifests/cilium.yaml`. */
  manifestFile(component: Component): string;
  /** Terraform file holding helm_release resources, when the profile deploys with Terraform. */
  readonly terraformFile?: string;
}

/** Identity of a cdk8s object as written. */
export function objectId(obj: ApiObject): ObjectId {
  // As written: a cluster-scoped object's namespace is removed by a JSON patch when it is rendered.
  const ns = CLUSTER_SCOPED.has(obj) ? undefined : obj.metadata.namespace;
  return { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.name, ...(ns ? { namespace: ns } : {}) };
}

function describeObject(id: ObjectId): string {
  return `${id.kind} ${id.namespace ? `${id.namespace}/` : ''}${id.name}`;
}

function expectation(e: Evidence): string {
  if (e.present) return 'present';
  if ('contains' in e && e.contains !== undefined) return `contains ${JSON.stringify(e.contains)}`;
  return `equals ${JSON.stringify(e.equals)}`;
}

function holds(e: Evidence, actual: unknown): boolean {
  if (e.present) return actual !== undefined && actual !== null;
  if ('contains' in e && e.contains !== undefined) return Array.isArray(actual) && actual.some((v) => jsonEqual(v, e.contains));
  return jsonEqual(actual, e.equals);
}

/** Outcome of checking one piece of evidence. */
export type EvidenceResult = { ok: true; resolved: ResolvedEvidence } | { ok: false; where: string; path: string; expected: string; actual: unknown };

/** Checks one piece of evidence of `component`. */
export function checkEvidence(e: Evidence, component: Component, index: OutputIndex, layout: EvidenceLayout): EvidenceResult {
  let file: string;
  let doc: unknown;
  let object: ObjectId | undefined;
  let path = e.path;
  const t = e.target;
  if (t.kind === 'host-file') {
    file = t.file;
    doc = index.documents(file)?.[0];
  } else if (t.kind === 'object' || (t.kind === 'chart' && !layout.terraformFile)) {
    const api = t.kind === 'object' ? t.object : component.chartObject(t.release);
    if (!api) return { ok: false, where: `chart release ${t.kind === 'chart' ? t.release : ''} (not rendered)`, path, expected: expectation(e), actual: undefined };
    file = layout.manifestFile(component);
    object = objectId(api);
    doc = index.object(file, object);
    if (t.kind === 'chart') path = `spec.valuesContent.${e.path}`;
  } else {
    file = layout.terraformFile!;
    object = { apiVersion: 'terraform', kind: 'helm_release', name: t.release };
    doc = index.documents(file)?.[0];
    path = `resource.helm_release.${t.release}.values[0].${e.path}`;
  }
  const where = `${object ? describeObject(object) : 'file'} in ${file}`;
  if (doc === undefined) return { ok: false, where, path, expected: expectation(e), actual: undefined };
  const actual = readField(doc, path);
  if (!holds(e, actual)) return { ok: false, where, path, expected: expectation(e), actual };
  return {
    ok: true,
    resolved: {
      file,
      ...(object ? { object } : {}),
      path,
      expectation: expectation(e),
      actual,
      description: `${object ? describeObject(object) : file} ${path} ${expectation(e)}`,
    },
  };
}

/** Checks all claims and crypto assets of all components; throws one `failed-evidence` error listing every failure. */
export function checkAllEvidence(components: readonly Component[], index: OutputIndex, layout: EvidenceLayout): Map<Component, ResolvedEvidence[][]> {
  const failures: string[] = [];
  const resolved = new Map<Component, ResolvedEvidence[][]>();
  for (const c of components) {
    const perClaim: ResolvedEvidence[][] = [];
    for (const claim of c.claims) {
      const list: ResolvedEvidence[] = [];
      for (const e of claim.evidence) {
        const r = checkEvidence(e, c, index, layout);
        if (r.ok) list.push(r.resolved);
        else failures.push(`control ${claim.control.toUpperCase()} claimed by component "${c.node.id}": ${r.where}, field ${r.path}: expected ${r.expected}, actual ${r.actual === undefined ? 'missing' : JSON.stringify(r.actual)}`);
      }
      perClaim.push(list);
    }
    for (const asset of c.cryptoAssets) {
      const r = checkEvidence(asset.configuredBy, c, index, layout);
      if (!r.ok) failures.push(`crypto asset "${asset.name}" of component "${c.node.id}": ${r.where}, field ${r.path}: expected ${r.expected}, actual ${r.actual === undefined ? 'missing' : JSON.stringify(r.actual)}`);
    }
    resolved.set(c, perClaim);
  }
  if (failures.length > 0) {
    throw new SovraError('failed-evidence', `evidence does not hold in the synthesized output, so these claims cannot be made:\n  - ${failures.join('\n  - ')}\nFix the component so the output carries the claimed setting, or correct the claim.`);
  }
  return resolved;
}

/**
 * The crypto assets of `component`, each with its `configuredBy` evidence
 * resolved (run after `checkAllEvidence`, which reports every failure; a
 * failure here means the output changed in between, a bug).
 */
export function resolveCryptoAssets(component: Component, index: OutputIndex, layout: EvidenceLayout): ResolvedCryptoAsset[] {
  return component.cryptoAssets.map((asset) => {
    const r = checkEvidence(asset.configuredBy, component, index, layout);
    if (!r.ok) throw new Error(`crypto asset "${asset.name}" of component "${component.node.id}": evidence ${r.where} ${r.path} no longer holds`);
    return { ...asset, evidence: r.resolved };
  });
}
