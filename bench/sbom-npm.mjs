// What listing the control plane's npm tree costs the synth. One command:
//
//   npm run build && node bench/sbom-npm.mjs [--runs N]
//
// Each run is a fresh process (the synth is one cold process too) that builds
// the edge platform and times emitSbom + the license policy twice in random
// order of variants: as shipped (the control plane image lists the npm tree
// of package-lock.json) and the reference without the tree (the same model
// with `npmLockfile` removed), each in its own process. Then the whole
// `sovra synth --profile edge`, median of N. Prints medians, the added time
// and its share of the synth.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' } } });
const runs = Math.min(Math.max(Number(values.runs), 1), 50);
if (!existsSync(join(root, 'lib/supply-chain/sbom.js'))) {
  console.error('bench/sbom-npm.mjs: lib/ is not built; run `npm run build` first.');
  process.exit(1);
}

const child = `
const root = ${JSON.stringify(root)};
const withTree = process.argv[1] === 'tree';
const { loadProfile } = await import(root + '/lib/profiles/load.js');
const { emitSbom } = await import(root + '/lib/supply-chain/sbom.js');
const { enforceLicensePolicy } = await import(root + '/lib/supply-chain/license-policy.js');
const { buildPlatform, SOVRA_VERSION } = await import(root + '/lib/synth/synth.js');
const profile = loadProfile('edge');
const { platform } = buildPlatform(profile);
const strip = (i) => { const { npmLockfile, ...rest } = i; return rest; };
const components = platform.components.map((c) => ({ id: c.node.id, info: c.info, dependsOn: c.info.dependsOn ?? [], charts: c.charts, images: withTree ? c.images : c.images.map(strip), models: c.models, cryptoAssets: [], claims: [], responsibilities: [], exceptions: [], files: [] }));
const model = { profile, epoch: 0, sovraVersion: SOVRA_VERSION, components };
const t0 = process.hrtime.bigint();
const json = emitSbom(model);
enforceLicensePolicy(json, profile);
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
process.stdout.write(JSON.stringify({ ms, bytes: json.length, components: JSON.parse(json).components.length }));
`;

function once(variant) {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', child, variant], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${variant} failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const results = { tree: [], reference: [] };
for (let i = 0; i < runs; i++) {
  const order = i % 2 === 0 ? ['tree', 'reference'] : ['reference', 'tree'];
  for (const v of order) results[v].push(once(v));
}
const tree = median(results.tree.map((r) => r.ms));
const ref = median(results.reference.map((r) => r.ms));

const out = mkdtempSync(join(tmpdir(), 'sovra-bench-sbom-'));
const synthMs = [];
for (let i = 0; i < runs; i++) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['bin/sovra.js', 'synth', '--profile', 'edge', '--out', join(out, 'edge')], { cwd: root, encoding: 'utf8', env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000' } });
  if (r.status !== 0) throw new Error(`synth failed: ${r.stderr}`);
  synthMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
rmSync(out, { recursive: true, force: true });
const synth = median(synthMs);

console.log(`runs: ${runs} (fresh process each)`);
console.log(`SBOM + license policy with the npm tree:    ${tree.toFixed(1)} ms (${results.tree[0].components} components, ${results.tree[0].bytes} bytes)`);
console.log(`SBOM + license policy without it (reference): ${ref.toFixed(1)} ms (${results.reference[0].components} components, ${results.reference[0].bytes} bytes)`);
console.log(`added by the npm tree: ${(tree - ref).toFixed(1)} ms, ratio ${(tree / ref).toFixed(2)}x`);
console.log(`sovra synth --profile edge (whole process): ${synth.toFixed(0)} ms median; the npm tree is ${((100 * (tree - ref)) / synth).toFixed(1)}% of it`);
