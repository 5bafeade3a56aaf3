// Copies the Kubernetes schemas listed in output/kubernetes/schemas/kinds.json,
// byte for byte (or, for an entry with `fromChart`, converts the CRD of that
// chart file as scripts/crd-schema.mjs says), from the reference data folder (SOVRA_REFERENCE_DIR, by
// default ../shared beside the repository), k8s/<schema>, to
// output/kubernetes/schemas/<schema>, and removes copies no longer listed.
// `npm run gen` runs it; CI fails when the committed copies differ.
//
// Before copying it checks that each entry names the right file: a core
// schema's x-kubernetes-group-version-kind must be the entry's apiVersion and
// kind; a CRD schema's path must be crds/<group>/<kind, lower case>_<version>.json
// and, where its description names the kind, the spelling must agree (CRD
// schemas do not carry their kind otherwise, and a wrongly cased kind would
// make valid objects fail as "no schema").
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crdSchemaText } from './crd-schema.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const reference = join(process.env.SOVRA_REFERENCE_DIR ? resolve(process.env.SOVRA_REFERENCE_DIR) : fileURLToPath(new URL('../../shared', import.meta.url)), 'k8s');
if (!existsSync(reference)) {
  console.error(`gen-k8s-schemas: ${reference} does not exist; set SOVRA_REFERENCE_DIR to the reference data folder (it holds k8s/schema and k8s/crds).`);
  process.exit(1);
}
const target = join(root, 'output', 'kubernetes', 'schemas');
const manifest = JSON.parse(readFileSync(join(target, 'kinds.json'), 'utf8'));

const problems = [];
const seen = new Set();
const schemas = new Set();
/** Schemas generated from a chart's CRD (kinds.json `fromChart`): path → text. */
const generated = new Map();
for (const e of manifest.kinds) {
  const key = `${e.apiVersion} ${e.kind}`;
  if (seen.has(key)) problems.push(`${key} is listed twice`);
  seen.add(key);
  schemas.add(e.schema);
  // A kind the catalog lacks comes from the CRD of the pinned chart that installs it (reference data's charts/).
  if (e.fromChart) {
    const crdFile = join(reference, '..', ...e.fromChart.split('/'));
    const [g, v] = e.apiVersion.split('/');
    if (!e.schema.startsWith('crds/') || e.schema !== `crds/${g}/${e.kind.toLowerCase()}_${v}.json`) problems.push(`${key}: expected the CRD schema at crds/${g}/${e.kind.toLowerCase()}_${v}.json`);
    try {
      generated.set(e.schema, crdSchemaText(crdFile, g, v, e.kind));
    } catch (err) {
      problems.push(`${key}: ${err.message}`);
    }
    continue;
  }
  const source = join(reference, ...e.schema.split('/'));
  if (!existsSync(source)) {
    problems.push(`${key}: ${source} does not exist`);
    continue;
  }
  const [group, version] = e.apiVersion.includes('/') ? e.apiVersion.split('/') : ['', e.apiVersion];
  const schema = JSON.parse(readFileSync(source, 'utf8'));
  if (e.schema.startsWith('schema/')) {
    const gvk = schema['x-kubernetes-group-version-kind'] ?? [];
    if (!gvk.some((g) => g.group === group && g.version === version && g.kind === e.kind)) {
      problems.push(`${key}: ${e.schema} is the schema of ${JSON.stringify(gvk)}`);
    }
  } else if (e.schema.startsWith('crds/')) {
    const expected = `crds/${group}/${e.kind.toLowerCase()}_${version}.json`;
    if (e.schema !== expected) problems.push(`${key}: expected the CRD schema at ${expected}, the list says ${e.schema}`);
    const words = String(schema.description ?? '').split('\n')[0].split(/[\s`]+/);
    const named = words.find((w) => w.toLowerCase() === e.kind.toLowerCase());
    if (named !== undefined && named !== e.kind) problems.push(`${key}: the schema's description spells the kind ${named}`);
  } else {
    problems.push(`${key}: ${e.schema} is neither under schema/ nor under crds/`);
  }
}
for (const w of manifest.withheld ?? []) {
  if (schemas.has(w.schema)) problems.push(`${w.apiVersion} ${w.kind} is both listed and withheld`);
}
if (problems.length > 0) {
  console.error(`gen-k8s-schemas: output/kubernetes/schemas/kinds.json is wrong:\n  - ${problems.join('\n  - ')}`);
  process.exit(1);
}

for (const rel of [...schemas].sort()) {
  const to = join(target, ...rel.split('/'));
  mkdirSync(dirname(to), { recursive: true });
  if (generated.has(rel)) writeFileSync(to, generated.get(rel));
  else copyFileSync(join(reference, ...rel.split('/')), to);
}
// Copies no longer listed go, and the folders they leave empty.
let removed = 0;
function prune(dir) {
  for (const name of readdirSync(dir)) {
    const abs = join(dir, name);
    if (statSync(abs).isDirectory()) {
      prune(abs);
      if (readdirSync(abs).length === 0) rmSync(abs, { recursive: true });
    } else if (!schemas.has(relative(target, abs).split('\\').join('/'))) {
      rmSync(abs);
      removed++;
    }
  }
}
for (const top of ['schema', 'crds']) if (existsSync(join(target, top))) prune(join(target, top));
console.log(`k8s schemas: ${manifest.kinds.length} kinds, ${schemas.size - generated.size} files copied from ${reference}, ${generated.size} generated from chart CRDs, ${removed} removed`);
