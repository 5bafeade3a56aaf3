/**
 * Kubernetes schema validation of every synthesized object (kubeconform's
 * job, done in the synth's own pass): each object against the Kubernetes
 * 1.30 schema of its kind or its CRD's schema, shipped in
 * `output/kubernetes/schemas/`. An object whose kind has no shipped schema
 * fails too. All failures are collected and reported together, each naming
 * the file, the object, the field and the schema's message.
 */
import type { ErrorObject } from 'ajv';
import { SovraError } from '../../core/errors.js';
import { K8S_SCHEMA_DIR, lookupKind, referencePaths } from './kinds.js';
import { k8sValidator } from './schema-validator.js';

/** Objects written to the same files (a component's manifest, and the Terraform stack where the profile deploys with it). */
export interface ObjectGroup {
  /** Files the objects are written to, the first being the one to look at. */
  readonly files: readonly string[];
  readonly objects: readonly object[];
}

/** One object that does not match its schema. */
export interface ObjectProblem {
  readonly files: readonly string[];
  /** `Kind namespace/name` (or `Kind name` for cluster-scoped objects). */
  readonly object: string;
  /** Schema used, relative to the schema folder; absent when none is shipped. */
  readonly schema?: string;
  /** One line per field: `at <path>: <message>`; or why there is no schema. */
  readonly details: readonly string[];
  /** Set when the kind has no shipped schema and none is withheld: its apiVersion and kind. */
  readonly missing?: { readonly apiVersion: string; readonly kind: string };
}

/** Problems listed in the error before it summarizes the rest. */
const MAX_LISTED = 20;
/** Fields listed per object. */
const MAX_DETAILS = 5;

type Obj = { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };

function describe(o: Obj): string {
  const kind = typeof o.kind === 'string' ? o.kind : '(no kind)';
  const name = typeof o.metadata?.name === 'string' ? o.metadata.name : '(no name)';
  return typeof o.metadata?.namespace === 'string' ? `${kind} ${o.metadata.namespace}/${name}` : `${kind} ${name}`;
}

/** A JSON pointer into `doc` as a field path (`spec.containers[0].image`, `metadata.labels["app.kubernetes.io/name"]`). */
export function fieldPath(doc: unknown, pointer: string): string {
  let out = '';
  let cur: unknown = doc;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur) && /^\d+$/.test(seg)) out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
    cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
  }
  return out === '' ? '(the object)' : out;
}

function valueAt(doc: unknown, pointer: string): unknown {
  let cur: unknown = doc;
  for (const raw of pointer.split('/').slice(1)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return cur;
}

function show(value: unknown, max = 80): string {
  const s = JSON.stringify(value);
  if (s === undefined) return 'nothing';
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** One line per field, the schema's messages for it joined; an unknown field is named in its path. */
function details(doc: unknown, errors: readonly ErrorObject[]): string[] {
  const byPath = new Map<string, { messages: string[]; pointer: string }>();
  for (const e of errors) {
    let pointer = e.instancePath;
    let message = e.message ?? e.keyword;
    if (e.keyword === 'additionalProperties') {
      const extra = String((e.params as { additionalProperty?: unknown }).additionalProperty);
      pointer = `${pointer}/${extra.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      message = 'unknown field (the schema allows no other properties here)';
    } else if (e.keyword === 'enum') {
      message = `${message} ${show((e.params as { allowedValues?: unknown }).allowedValues, 200)}`;
    }
    const entry = byPath.get(pointer) ?? { messages: [], pointer };
    if (!entry.messages.includes(message)) entry.messages.push(message);
    byPath.set(pointer, entry);
  }
  return [...byPath.values()].map(({ messages, pointer }) => `at ${fieldPath(doc, pointer)}: ${messages.join('; ')} (value: ${show(valueAt(doc, pointer))})`);
}

/** Every object of `groups` checked against its shipped schema; the problems found, in order. */
export function checkKubernetesObjects(groups: Iterable<ObjectGroup>): ObjectProblem[] {
  const problems: ObjectProblem[] = [];
  for (const { files, objects } of groups) {
    for (const obj of objects) {
      const o = obj as Obj;
      if (typeof o.apiVersion !== 'string' || typeof o.kind !== 'string') {
        problems.push({ files, object: describe(o), details: [`not a Kubernetes object: apiVersion and kind must be strings (apiVersion: ${show(o.apiVersion)}, kind: ${show(o.kind)})`] });
        continue;
      }
      const { schema, withheld } = lookupKind(o.apiVersion, o.kind);
      if (!schema) {
        const why = withheld
          ? `the schema of ${o.apiVersion} ${o.kind} (${withheld.schema}) is withheld: ${withheld.reason}`
          : `no schema is shipped for ${o.apiVersion} ${o.kind}`;
        problems.push({ files, object: describe(o), details: [why], ...(withheld ? {} : { missing: { apiVersion: o.apiVersion, kind: o.kind } }) });
        continue;
      }
      const validate = k8sValidator(schema.schema);
      if (validate(obj)) continue;
      problems.push({ files, object: describe(o), schema: schema.schema, details: details(obj, validate.errors ?? []) });
    }
  }
  return problems;
}

/** The error message for `problems` (at least one). */
export function problemsMessage(problems: readonly ObjectProblem[]): string {
  const lines: string[] = [];
  for (const p of problems.slice(0, MAX_LISTED)) {
    const where = `${p.files[0]}${p.files.length > 1 ? ` (also in ${p.files.slice(1).join(', ')})` : ''}`;
    const shown = p.details.slice(0, MAX_DETAILS);
    const more = p.details.length > shown.length ? `; and ${p.details.length - shown.length} more fields` : '';
    lines.push(`${where}, ${p.object}: ${shown.join('; ')}${more}${p.schema ? ` [schema ${p.schema}]` : ''}`);
  }
  if (problems.length > MAX_LISTED) lines.push(`and ${problems.length - MAX_LISTED} more objects`);
  const missing = [...new Map(problems.filter((p) => p.missing).map((p) => [`${p.missing!.apiVersion} ${p.missing!.kind}`, p.missing!])).values()];
  let howTo = '';
  if (missing.length > 0) {
    const example = missing[0]!;
    const paths = referencePaths(example.apiVersion, example.kind).map((p) => `\`${p}\``).join(' or ');
    howTo =
      `\nTo validate a kind Sovra does not ship a schema for, add it to ${K8S_SCHEMA_DIR}/kinds.json with the path of its schema under ` +
      `\${SOVRA_REFERENCE_DIR:-../shared}/k8s (for ${example.apiVersion} ${example.kind}: ${paths}), put the schema file there if it is missing ` +
      `(core kinds: yannh/kubernetes-json-schema v1.30 standalone-strict; CRDs: datreeio/CRDs-catalog or its openapi2jsonschema.py), ` +
      `then run \`npm run gen\` (copies it) and \`npm run build\` (precompiles it).`;
  }
  const n = problems.length;
  return (
    `${n} Kubernetes object${n === 1 ? ' does' : 's do'} not match ${n === 1 ? 'its' : 'their'} schema (Kubernetes 1.30 and CRD schemas in ${K8S_SCHEMA_DIR}/); nothing was written:\n` +
    `  - ${lines.join('\n  - ')}${howTo}`
  );
}

/**
 * Throws `SovraError('invalid-output')` (exit 5) listing every object of
 * `groups` that does not match its schema or has none; returns the number
 * of objects checked.
 */
export function validateKubernetesObjects(groups: Iterable<ObjectGroup>): number {
  const list = [...groups];
  const problems = checkKubernetesObjects(list);
  if (problems.length > 0) throw new SovraError('invalid-output', problemsMessage(problems));
  return list.reduce((n, g) => n + g.objects.length, 0);
}
