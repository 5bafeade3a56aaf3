/**
 * The list of Kubernetes kinds Sovra ships a schema for
 * (`output/kubernetes/schemas/kinds.json`): apiVersion and kind → schema
 * file, a copy of `${SOVRA_REFERENCE_DIR:-../shared}/k8s/<schema>` that
 * `npm run gen` keeps byte-identical. Kinds whose schema is deliberately not
 * shipped are listed as withheld, with the reason.
 */
import { readShippedJson } from '../../core/paths.js';

/** Folder of the shipped schemas, relative to the package root. */
export const K8S_SCHEMA_DIR = 'output/kubernetes/schemas';

/** Kubernetes version of the core schemas. */
export const K8S_CORE_SCHEMAS = 'schema/v1.30.10-standalone-strict';

/** The core schema whose `metadata` (ObjectMeta) CRD objects are checked against. */
export const OBJECT_META_SCHEMA = `${K8S_CORE_SCHEMAS}/namespace-v1.json`;

/** One kind with a shipped schema. */
export interface KindSchema {
  readonly apiVersion: string;
  readonly kind: string;
  /** Path under {@link K8S_SCHEMA_DIR} (and under the reference data's `k8s/`). */
  readonly schema: string;
  /**
   * For a kind the reference catalog lacks: the chart CRD file (under the
   * reference data folder) its schema is converted from by `npm run gen`.
   */
  readonly fromChart?: string;
}

/** A kind whose schema exists in the reference data but is not shipped. */
export interface WithheldKind extends KindSchema {
  readonly reason: string;
}

interface KindList {
  readonly kinds: readonly KindSchema[];
  readonly withheld?: readonly WithheldKind[];
}

let table: { kinds: Map<string, KindSchema>; withheld: Map<string, WithheldKind>; all: readonly KindSchema[] } | undefined;

const key = (apiVersion: string, kind: string): string => `${apiVersion}\u0000${kind}`;

function load(): NonNullable<typeof table> {
  if (!table) {
    const list = readShippedJson<KindList>(`${K8S_SCHEMA_DIR}/kinds.json`);
    table = {
      kinds: new Map(list.kinds.map((k) => [key(k.apiVersion, k.kind), k])),
      withheld: new Map((list.withheld ?? []).map((k) => [key(k.apiVersion, k.kind), k])),
      all: list.kinds,
    };
  }
  return table;
}

/** Every kind with a shipped schema, in the list's order. */
export function shippedKinds(): readonly KindSchema[] {
  return load().all;
}

/** The shipped schema of `apiVersion`/`kind` (exact spelling), the withheld entry, or neither. */
export function lookupKind(apiVersion: string, kind: string): { schema?: KindSchema; withheld?: WithheldKind } {
  const t = load();
  const k = key(apiVersion, kind);
  const schema = t.kinds.get(k);
  if (schema) return { schema };
  const withheld = t.withheld.get(k);
  return withheld ? { withheld } : {};
}

/**
 * Where the reference data keeps the schema of `apiVersion`/`kind`, by the
 * yannh (core, `*.k8s.io` and unqualified groups) and datreeio (CRD) naming;
 * for the message that says how to add a kind.
 */
export function referencePaths(apiVersion: string, kind: string): string[] {
  const [group, version] = apiVersion.includes('/') ? (apiVersion.split('/', 2) as [string, string]) : ['', apiVersion];
  const k = kind.toLowerCase();
  const out: string[] = [];
  if (group === '' || !group.includes('.') || group.endsWith('.k8s.io')) out.push(`${K8S_CORE_SCHEMAS}/${k}${group ? `-${group.split('.')[0]}` : ''}-${version}.json`);
  if (group !== '') out.push(`crds/${group}/${k}_${version}.json`);
  return out;
}
