/**
 * Validates Kubernetes objects against the Kubernetes 1.30 standalone-strict
 * JSON schemas and the CRD schemas in `../shared/k8s` (yannh and datreeio
 * layouts). An object whose kind has no schema there is reported as an
 * error, never skipped.
 *
 * Known defects of the data, handled here (see ../shared/PITFALLS.md):
 * the core schemas carry a `$schema` that Ajv 8 rejects (removed); Cilium's
 * CRDs use the Go pattern `^\PC*$`, rewritten to the Unicode form `^\P{C}*$`.
 * The CRD schemas leave `metadata` open and allow unknown top-level keys, so
 * `metadata` is checked against the ObjectMeta of the core schemas and
 * unknown top-level keys are refused (the API server would prune them
 * silently).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import AjvModule, { type ValidateFunction } from 'ajv';
import { jsPattern } from '../../output/kubernetes/go-pattern.js';
import addFormatsModule from 'ajv-formats';
import { sharedPath } from './shared.js';

const Ajv = AjvModule.default;
const addFormats = addFormatsModule.default;

/** Kubernetes version of the core schemas. */
export const K8S_SCHEMA_VERSION = 'v1.30.10-standalone-strict';

/** Outcome of validating one object. */
export interface K8sValidation {
  /** Schema file used, relative to `../shared/k8s`, or undefined when none exists. */
  readonly schema?: string;
  /** Problems found; empty when valid. */
  readonly errors: string[];
}

function makeAjv() {
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat('byte', /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/);
  ajv.addFormat('cidr', true);
  ajv.addFormat('idn-hostname', true);
  return ajv;
}

/** Relative schema paths (under `../shared/k8s`) that could describe `apiVersion`/`kind`, most specific first. */
export function schemaCandidates(apiVersion: string, kind: string): string[] {
  const [group, version] = apiVersion.includes('/') ? (apiVersion.split('/') as [string, string]) : ['', apiVersion];
  const k = kind.toLowerCase();
  const out: string[] = [];
  const builtIn = group === '' || !group.includes('.') || group.endsWith('.k8s.io');
  if (builtIn) out.push(`schema/${K8S_SCHEMA_VERSION}/${k}${group ? `-${group.split('.')[0]}` : ''}-${version}.json`);
  if (group !== '') out.push(`crds/${group}/${k}_${version}.json`);
  return out;
}

function rewriteGoPatterns(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteGoPatterns);
  if (node !== null && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(node)) {
      out[key] = key === 'pattern' && typeof v === 'string' ? jsPattern(v) : rewriteGoPatterns(v);
    }
    return out;
  }
  return node;
}

/** A validator over `../shared/k8s`; compiles each schema once. */
export class K8sSchemas {
  private readonly root = sharedPath('k8s');
  private readonly ajv = makeAjv();
  private readonly compiled = new Map<string, ValidateFunction>();
  private objectMeta: object | undefined;

  private load(rel: string): object {
    return JSON.parse(readFileSync(join(this.root, ...rel.split('/')), 'utf8')) as object;
  }

  private metadataSchema(): object {
    // Every core schema inlines the same ObjectMeta; take it from Namespace.
    this.objectMeta ??= (this.load(`schema/${K8S_SCHEMA_VERSION}/namespace-v1.json`) as { properties: { metadata: object } }).properties.metadata;
    return this.objectMeta;
  }

  private validator(rel: string): ValidateFunction {
    let v = this.compiled.get(rel);
    if (v) return v;
    const schema = this.load(rel) as Record<string, unknown>;
    delete schema.$schema;
    delete schema.$id;
    let prepared: Record<string, unknown> = schema;
    if (rel.startsWith('crds/')) {
      prepared = rewriteGoPatterns(schema) as Record<string, unknown>;
      const props = prepared.properties as Record<string, unknown>;
      // Istio's CRDs describe only spec and status: apiVersion and kind are still fields of every object.
      prepared = { ...prepared, properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, ...props, metadata: this.metadataSchema() }, additionalProperties: false, required: ['apiVersion', 'kind', 'metadata'] };
    }
    v = this.ajv.compile(prepared);
    this.compiled.set(rel, v);
    return v;
  }

  /** Validates `obj`; an object with no schema gives an error naming the files looked for. */
  validate(obj: { readonly apiVersion?: unknown; readonly kind?: unknown; readonly [key: string]: unknown }): K8sValidation {
    if (typeof obj?.apiVersion !== 'string' || typeof obj.kind !== 'string') {
      return { errors: [`not a Kubernetes object: apiVersion and kind must be strings (got ${JSON.stringify(obj?.apiVersion)}, ${JSON.stringify(obj?.kind)})`] };
    }
    const candidates = schemaCandidates(obj.apiVersion, obj.kind);
    const rel = candidates.find((c) => existsSync(join(this.root, ...c.split('/'))));
    if (!rel) return { errors: [`no schema for ${obj.apiVersion} ${obj.kind}: looked for ${candidates.map((c) => `k8s/${c}`).join(', ')}`] };
    const v = this.validator(rel);
    if (v(obj)) return { schema: rel, errors: [] };
    return { schema: rel, errors: (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`) };
  }
}
