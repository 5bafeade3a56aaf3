// `sovra image build` benchmark. One command:
//
//   npm run build && npm run fetch:image-parts && node bench/image-build.mjs [--runs 2]
//
// 1. `sovra image build` (both platforms) --runs times from a warm cache (the repository's
//    .cache/image-parts and npm's cache, mirrors pointed at a closed port so nothing is
//    fetched), each a whole process: wall time, CPU time and peak RSS; whether every run gives
//    the same index digest and byte-identical output.
// 2. Reference, same run: GNU tar writing the same layers from trees already unpacked
//    (`tar --sort=name --mtime --owner=0 --group=0 --numeric-owner --format=posix`, then
//    sha256sum), i.e. the least work any reproducible layer writer does for these bytes. The
//    ratio build/tar is what producing the layers from verified, compressed parts in one pass
//    costs on top of writing them.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '2' } } });
const runs = Math.max(2, Number(values.runs));
if (!existsSync(join(root, 'lib/cli/main.js'))) {
  console.error('bench/image-build.mjs: lib/ is not built; run `npm run build` first.');
  process.exit(1);
}
const work = mkdtempSync(join(tmpdir(), 'sovra-bench-image-'));
const env = { ...process.env, SOURCE_DATE_EPOCH: '1767225600' };
// A loopback port nothing listens on: a build that would need the network fails instead.
const probe = createServer();
await new Promise((r) => probe.listen(0, '127.0.0.1', r));
const closed = `http://127.0.0.1:${probe.address().port}`;
await new Promise((r) => probe.close(r));

const seconds = (t) => Number(process.hrtime.bigint() - t) / 1e9;
function sha256File(path) {
  return new Promise((res, rej) => {
    const h = createHash('sha256');
    createReadStream(path, { highWaterMark: 1 << 20 }).on('data', (c) => h.update(c)).on('end', () => res(h.digest('hex'))).on('error', rej);
  });
}
function listFiles(dir, rel = '') {
  return readdirSync(join(dir, rel), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(dir, join(rel, e.name)) : [join(rel, e.name)])).sort();
}

const builds = [];
for (let i = 0; i < runs; i++) {
  const out = join(work, `build-${i}`);
  const usage = join(work, `rusage-${i}.json`);
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--import', join(root, 'bench/rusage.mjs'), join(root, 'bin/sovra.js'), 'image', 'build', '--out', out, '--cache', join(root, '.cache/image-parts'), '--debian-mirror', closed, '--npm-registry', closed, '--quiet'], {
    env: { ...env, SOVRA_BENCH_RUSAGE: usage },
    encoding: 'utf8',
  });
  const wall = seconds(t);
  if (r.status !== 0) {
    console.error(`bench/image-build.mjs: build ${i + 1} failed (exit ${r.status}):\n${r.stderr}`);
    process.exit(1);
  }
  const ru = JSON.parse(readFileSync(usage, 'utf8'));
  const image = JSON.parse(readFileSync(join(out, 'image.json'), 'utf8'));
  builds.push({ out, wall, cpu: (ru.userCPUTime + ru.systemCPUTime) / 1e6, rssMiB: ru.maxRSS / 1024, image });
  console.log(`build ${i + 1}: ${wall.toFixed(1)} s wall, ${builds[i].cpu.toFixed(1)} s CPU, peak RSS ${builds[i].rssMiB.toFixed(0)} MiB, ${image.digest}`);
}

// Byte-identical output across runs.
const files = listFiles(builds[0].out);
let identical = true;
for (const b of builds.slice(1)) {
  const other = listFiles(b.out);
  if (other.join('\n') !== files.join('\n')) identical = false;
  else for (const f of files) if ((await sha256File(join(b.out, f))) !== (await sha256File(join(builds[0].out, f)))) identical = false;
}
const sameDigest = builds.every((b) => b.image.digest === builds[0].image.digest);

// Reference: GNU tar over the same trees, unpacked first (not timed).
const layers = [...new Map(builds[0].image.platforms.flatMap((p) => p.layers).map((l) => [l.digest, l])).values()];
const blob = (d) => join(builds[0].out, 'oci', 'blobs', 'sha256', d.slice(7));
let tarSeconds = 0;
let tarBytes = 0;
for (const [i, l] of layers.entries()) {
  const dir = join(work, `tree-${i}`);
  mkdirSync(dir);
  const x = spawnSync('tar', ['--numeric-owner', '-xpf', blob(l.digest), '-C', dir]);
  if (x.status !== 0) throw new Error(`tar -x ${l.digest} failed`);
  const t = process.hrtime.bigint();
  const c = spawnSync('bash', ['-c', `set -o pipefail; tar --sort=name --mtime=@1767225600 --owner=0 --group=0 --numeric-owner --format=posix --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime -cf - -C "${dir}" . | tee >(wc -c > "${dir}.size") | sha256sum > /dev/null`]);
  tarSeconds += seconds(t);
  if (c.status !== 0) throw new Error(`tar -c of ${l.digest} failed: ${c.stderr}`);
  tarBytes += Number(readFileSync(`${dir}.size`, 'utf8'));
  rmSync(dir, { recursive: true, force: true });
}

const wall = builds.map((b) => b.wall).sort((a, b) => a - b);
const median = wall[Math.floor(wall.length / 2)];
const layerBytes = layers.reduce((n, l) => n + l.size, 0);
console.log('');
console.log(`platforms: ${builds[0].image.platforms.map((p) => p.platform).join(', ')}; ${layers.length} distinct layers, ${(layerBytes / 1048576).toFixed(0)} MiB of tar`);
console.log(`digest identical across ${runs} builds: ${sameDigest ? 'yes' : 'NO'}; output byte-identical: ${identical ? 'yes' : 'NO'}`);
console.log(`sovra image build: median ${median.toFixed(1)} s (min ${wall[0].toFixed(1)} s), CPU ${builds.map((b) => b.cpu.toFixed(1)).join(' / ')} s, peak RSS ${builds.map((b) => b.rssMiB.toFixed(0)).join(' / ')} MiB`);
console.log(`reference, GNU tar + sha256sum of the same layers from unpacked trees: ${tarSeconds.toFixed(1)} s (${(tarBytes / 1048576).toFixed(0)} MiB)`);
console.log(`ratio build / tar: ${(median / tarSeconds).toFixed(2)}×`);
rmSync(work, { recursive: true, force: true });
if (!sameDigest || !identical) process.exit(1);
