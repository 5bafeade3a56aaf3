// Synth benchmark (issue: foundation). One command:
//
//   npm run build && node bench/synth.mjs [--runs N] [--sizes 300,3000] [--kustomize-runs N]
//
// 1. Whole-process `sovra synth --profile edge` (every view), median of N runs.
// 2. Stress synths of the edge profile plus replicated hardened workloads so
//    that the output holds exactly 300 and 3,000 objects (every view).
// Each is compared, in the same run, with `kubectl kustomize` building the
// same objects as plain manifests (the synthesized YAML files as resources).
// Targets: edge ≤ 3 s; at 3,000 objects sovra ≤ 0.1× the kustomize time.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    sizes: { type: 'string', default: '300,3000' },
    'kustomize-runs': { type: 'string', default: '3' },
  },
});
const runs = Number(values.runs);
const kRuns = Number(values['kustomize-runs']);
const sizes = values.sizes.split(',').map(Number);

if (!existsSync(join(root, 'lib/cli/main.js'))) {
  console.error('bench/synth.mjs: lib/ is not built; run `npm run build` first.');
  process.exit(1);
}
const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
if (kubectl.error || kubectl.status !== 0) {
  console.error('bench/synth.mjs: kubectl is needed for the kustomize reference (Debian: `apt-get install kubernetes-client`, or the upstream kubectl binary).');
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), 'sovra-bench-synth-'));
const env = { ...process.env, SOURCE_DATE_EPOCH: '1700000000' };

function time(cmd, args, options = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: root, env, encoding: 'utf8', maxBuffer: 1 << 30, ...options });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return { ms, stdout: r.stdout };
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A kustomization over the YAML files of `manifestsDir`. */
function kustomization(manifestsDir, name) {
  const dir = join(work, `kustomize-${name}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  const files = readdirSync(manifestsDir).filter((f) => f.endsWith('.yaml')).sort();
  for (const f of files) cpSync(join(manifestsDir, f), join(dir, f));
  writeFileSync(join(dir, 'kustomization.yaml'), `resources:\n${files.map((f) => `- ${f}`).join('\n')}\n`);
  return dir;
}
function kustomize(dir, n) {
  const times = [];
  let objects = 0;
  for (let i = 0; i < n; i++) {
    const r = time('kubectl', ['kustomize', dir]);
    times.push(r.ms);
    objects = (r.stdout.match(/^kind: /gm) ?? []).length;
  }
  return { ms: median(times), objects };
}

const rows = [];
console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}`);
console.log(kubectl.stdout.trim().split('\n').join('; '));

// 1. edge, whole process.
{
  const out = join(work, 'edge');
  const times = [];
  for (let i = 0; i < runs; i++) times.push(time('node', ['bin/sovra.js', 'synth', '--profile', 'edge', '--out', out, '--quiet']).ms);
  const k = kustomize(kustomization(join(out, 'manifests'), 'edge'), Math.max(kRuns, 3));
  rows.push({ name: 'edge profile', objects: k.objects, sovra: median(times), min: Math.min(...times), kustomize: k.ms });
}

// 2. stress.
for (const size of sizes) {
  const out = join(work, `stress-${size}`);
  const times = [];
  let objects = 0;
  for (let i = 0; i < runs; i++) {
    const r = time('node', ['bench/stress-synth.mjs', String(size), out]);
    times.push(r.ms);
    objects = JSON.parse(r.stdout).objects;
  }
  const k = kustomize(kustomization(join(out, 'manifests'), String(size)), size >= 3000 ? Math.min(kRuns, 1) || 1 : kRuns);
  if (k.objects !== objects) throw new Error(`kustomize built ${k.objects} objects, sovra ${objects}`);
  rows.push({ name: `stress ${size}`, objects, sovra: median(times), min: Math.min(...times), kustomize: k.ms });
}

console.log('\n| case | objects | sovra synth, all views (median / min) | kubectl kustomize | ratio sovra/kustomize |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  console.log(`| ${r.name} | ${r.objects} | ${(r.sovra / 1000).toFixed(2)} s / ${(r.min / 1000).toFixed(2)} s | ${(r.kustomize / 1000).toFixed(2)} s | ${(r.sovra / r.kustomize).toFixed(3)}× |`);
}
const edge = rows[0];
const big = rows.find((r) => r.objects === 3000);
console.log(`\nedge synth ${(edge.sovra / 1000).toFixed(2)} s: target ≤ 3 s ${edge.sovra <= 3000 ? 'met' : 'MISSED'}`);
if (big) console.log(`3,000 objects ratio ${(big.sovra / big.kustomize).toFixed(3)}×: target ≤ 0.1× ${big.sovra <= 0.1 * big.kustomize ? 'met' : 'MISSED'}`);
rmSync(work, { recursive: true, force: true });
