// SSP benchmark (issue 16). One command:
//
//   npm run build && node --import ./bench/ssp-hook.mjs bench/ssp.mjs [--runs N] [--loads N]
//
// 1. Whole processes: `sovra synth --profile cluster` under the hook, with
//    the accreditor views and without them, alternating (module loading and
//    the views' schema validators included): the headline added time.
// 2. The cluster synth in one process, alternating runs with the accreditor
//    views (SSP, network diagram, coverage, POA&M, assessment results and the
//    HTML report, each OSCAL document schema-validated) and without them
//    (skipped by bench/ssp-hook.mjs): median wall time of each, the added
//    time, the ratio, and the views' own time measured inside the process.
// 3. oscal/ssp.html of that output in Debian's Chromium (playwright-core):
//    from navigation to the page being interactive (its script has run and
//    set data-ready), median of N loads in fresh pages, and the requests made
//    (must be none).
// Targets: ≤ 0.5 s added to the cluster synth; the report interactive in ≤ 1 s.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, loads: { type: 'string', default: '5' } } });
const runs = Number(values.runs);
const loads = Number(values.loads);
if (!existsSync(join(root, 'lib/synth/synth.js'))) {
  console.error('bench/ssp.mjs: lib/ is not built; run `npm run build` first.');
  process.exit(1);
}
if (!process.execArgv.some((a) => a.includes('ssp-hook.mjs'))) {
  console.error('bench/ssp.mjs: run it as `node --import ./bench/ssp-hook.mjs bench/ssp.mjs` (the hook switches the views off for the reference runs).');
  process.exit(1);
}
const CHROMIUM = process.env.SOVRA_CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  console.error(`bench/ssp.mjs: Chromium is not at ${CHROMIUM}; install it with \`apt-get install chromium\` or set SOVRA_CHROMIUM.`);
  process.exit(1);
}
const { synth } = await import(join(root, 'lib/synth/synth.js'));
const { loadProfile } = await import(join(root, 'lib/profiles/load.js'));
const profile = loadProfile('cluster');
const work = mkdtempSync(join(tmpdir(), 'sovra-bench-ssp-'));
const env = { SOURCE_DATE_EPOCH: '1700000000' };
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;

async function once(on, out) {
  process.env.SOVRA_BENCH_SSP = on ? 'on' : 'off';
  const t0 = performance.now();
  await synth({ profile, profileSource: 'cluster', outDir: out, env });
  const ms = performance.now() - t0;
  const b = globalThis.sovraBench ?? {};
  if (b.ssp !== (on ? 'timed' : 'off')) throw new Error(`the hook did not switch the views ${on ? 'on' : 'off'} (saw ${b.ssp})`);
  return { ms, viewsMs: on ? b.sspMs : 0 };
}

/** One whole `sovra synth` process with the views on or off: wall ms and CPU ms (user + system, bench/rusage.mjs). */
function proc(on, out) {
  const usage = join(work, 'rusage.json');
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', './bench/ssp-hook.mjs', '--import', './bench/rusage.mjs', 'bin/sovra.js', 'synth', '--profile', 'cluster', '--out', out, '--quiet'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ...env, SOVRA_BENCH_SSP: on ? 'on' : 'off', SOVRA_BENCH_RUSAGE: usage },
  });
  if (r.status !== 0) throw new Error(`sovra synth failed: ${r.stderr}`);
  const wall = performance.now() - t0;
  const u = JSON.parse(readFileSync(usage, 'utf8'));
  return { wall, cpu: (u.userCPUTime + u.systemCPUTime) / 1000 };
}
proc(true, join(work, 'p-on'));
const pOn = [];
const pOff = [];
const cOn = [];
const cOff = [];
for (let i = 0; i < runs; i++) {
  const a = proc(true, join(work, 'p-on'));
  const b = proc(false, join(work, 'p-off'));
  pOn.push(a.wall);
  cOn.push(a.cpu);
  pOff.push(b.wall);
  cOff.push(b.cpu);
}
if (existsSync(join(work, 'p-off/oscal/ssp.json')) || !existsSync(join(work, 'p-on/oscal/ssp.json'))) throw new Error('the hook did not switch the views');

// In one process: warm-up of both variants (module loading, validator loading, JIT), then alternate.
const outOn = join(work, 'on');
await once(false, join(work, 'off'));
await once(true, outOn);
const on = [];
const off = [];
const inside = [];
for (let i = 0; i < runs; i++) {
  const a = await once(true, outOn);
  on.push(a.ms);
  inside.push(a.viewsMs);
  off.push((await once(false, join(work, 'off'))).ms);
}
const mOn = median(on);
const mOff = median(off);

const { chromium } = await import('playwright-core');
const browser = await chromium.launch({ executablePath: CHROMIUM });
const url = `file://${join(outOn, 'oscal/ssp.html')}`;
const interactive = [];
const requests = [];
const busy = [];
for (let i = 0; i < loads + 1; i++) {
  const page = await browser.newPage();
  page.on('request', (r) => {
    if (r.url() !== url) requests.push(r.url());
  });
  // Main-thread busy time (Chrome's TaskDuration), steadier than wall time on a loaded machine.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const before = (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration').value;
  await page.goto(url);
  await page.waitForSelector('html[data-ready="true"]');
  const after = (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration').value;
  const t = await page.evaluate(() => {
    const n = performance.getEntriesByType('navigation')[0];
    return { interactive: n.domInteractive, load: n.loadEventEnd };
  });
  if (i > 0) {
    interactive.push(t); // the first load warms the browser
    busy.push((after - before) * 1000);
  }
  await page.close();
}
await browser.close();
rmSync(work, { recursive: true, force: true });

const mi = median(interactive.map((t) => t.interactive));
const ml = median(interactive.map((t) => t.load));
console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}, Node ${process.version}`);
console.log(`whole process, sovra synth --profile cluster: with the views median ${fmt(median(pOn))} (min ${fmt(Math.min(...pOn))}), without median ${fmt(median(pOff))} (min ${fmt(Math.min(...pOff))}); added ${fmt(median(pOn) - median(pOff))} (ratio ${(median(pOn) / median(pOff)).toFixed(3)}; min to min ${fmt(Math.min(...pOn) - Math.min(...pOff))})`);
console.log(`whole process CPU time (user + system): with the views median ${fmt(median(cOn))}, without ${fmt(median(cOff))}; added ${fmt(median(cOn) - median(cOff))}`);
console.log(`in one process, cluster synth with the accreditor views:    median ${fmt(mOn)} (min ${fmt(Math.min(...on))}), ${runs} runs`);
console.log(`cluster synth without them (same process): median ${fmt(mOff)} (min ${fmt(Math.min(...off))})`);
console.log(`added: ${fmt(mOn - mOff)} (ratio ${(mOn / mOff).toFixed(3)}); the views themselves, timed inside: median ${fmt(median(inside))} (target ≤ 0.5 s)`);
console.log(`oscal/ssp.html in Chromium: interactive after median ${Math.round(mi)} ms, load event ${Math.round(ml)} ms (${loads} loads; target ≤ 1000 ms); main thread busy ${Math.round(median(busy))} ms; requests: ${requests.length}`);
