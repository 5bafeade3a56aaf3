// Converts a CustomResourceDefinition's openAPIV3Schema to the JSON schema
// layout of datreeio/CRDs-catalog (openapi2jsonschema with strict objects):
// every object below the top that lists `properties` and does not preserve
// unknown fields gets `additionalProperties: false`; everything else is kept
// as the CRD has it. Used for kinds the reference data's catalog lacks, from
// the CRDs of the pinned chart that installs them (kinds.json `fromChart`).
import { readFileSync } from 'node:fs';
import YAML from 'yaml';

function strict(node, top) {
  if (Array.isArray(node)) return node.map((n) => strict(n, false));
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v).map(([n, x]) => [n, strict(x, false)])) : strict(v, false);
  }
  if (!top && out.properties && out.additionalProperties === undefined && !out['x-kubernetes-preserve-unknown-fields']) out.additionalProperties = false;
  return out;
}

/**
 * The schema text (2-space JSON and a newline) of `group`/`version` `kind`
 * from the CRDs in `file` (a chart's CRD template: lines of Helm directives
 * alone, such as `{{- if .Values.crds.create }}`, are dropped).
 */
export function crdSchemaText(file, group, version, kind) {
  const text = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => !/^\s*\{\{.*\}\}\s*$/.test(l))
    .join('\n');
  for (const doc of YAML.parseAllDocuments(text)) {
    const crd = doc.toJS();
    if (crd?.kind !== 'CustomResourceDefinition' || crd.spec?.group !== group || crd.spec?.names?.kind !== kind) continue;
    const v = crd.spec.versions.find((x) => x.name === version);
    if (!v) break;
    return JSON.stringify(strict(v.schema.openAPIV3Schema, true), null, 2) + '\n';
  }
  throw new Error(`${file}: no CustomResourceDefinition of ${group}/${version} ${kind}`);
}
