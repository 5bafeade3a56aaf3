// SSP benchmark (issue 16). One command:
//
//   npm run build && node --import ./bench/ssp-hook.mjs bench/ssp.mjs [--runs N] [--loads N]
//
// 1. The cluster synth in one process, alternating runs with the accreditor
//    views (SSP, network diagram, coverage, POA&M, assessment results and the
//    HTML report, each OSCAL document schema-validated) and without them
//    (skipped by bench/ssp-hook.mjs): median wall time of each, the added
//    time, the ratio, and the views' own time measured inside the process.
// 2. oscal/ssp.html of that output in Debian's Chromium (playwright-core):
//    from navigation to the page being interactive (its script has run and
//    set data-ready), median of N loads in fresh pages, and the requests made
//    (must be none).
// Targets: ≤ 0.5 s added to the cluster synth; the report interactive in ≤ 1 s.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
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

// Warm-up of both variants (module loading, validator loading, JIT), then alternate.
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
for (let i = 0; i < loads + 1; i++) {
  const page = await browser.newPage();
  page.on('request', (r) => {
    if (r.url() !== url) requests.push(r.url());
  });
  await page.goto(url);
  await page.waitForSelector('html[data-ready="true"]');
  const t = await page.evaluate(() => {
    const n = performance.getEntriesByType('navigation')[0];
    return { interactive: n.domInteractive, load: n.loadEventEnd };
  });
  if (i > 0) interactive.push(t); // the first load warms the browser
  await page.close();
}
await browser.close();
rmSync(work, { recursive: true, force: true });

const mi = median(interactive.map((t) => t.interactive));
const ml = median(interactive.map((t) => t.load));
console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}, Node ${process.version}`);
console.log(`cluster synth with the accreditor views:    median ${fmt(mOn)} (min ${fmt(Math.min(...on))}), ${runs} runs`);
console.log(`cluster synth without them (same process): median ${fmt(mOff)} (min ${fmt(Math.min(...off))})`);
console.log(`added: ${fmt(mOn - mOff)} (ratio ${(mOn / mOff).toFixed(3)}); the views themselves, timed inside: median ${fmt(median(inside))} (target ≤ 0.5 s)`);
console.log(`oscal/ssp.html in Chromium: interactive after median ${Math.round(mi)} ms, load event ${Math.round(ml)} ms (${loads} loads; target ≤ 1000 ms); requests: ${requests.length}`);
