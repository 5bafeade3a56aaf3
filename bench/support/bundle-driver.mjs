// Benchmark only: runs the product's bundle (createBundle with the real synth)
// for a component that exists only in the benchmark and runs the images named
// on the command line, as `sovra bundle` would for a profile that ran them
// (the CLI cannot add components). Also writes an archive of a folder's files
// with the product's writer, for the comparison with `tar | zstd` (layers of a
// compressed media type and chart archives stored as the bundle stores them).
//
//   node bench/support/bundle-driver.mjs bundle <spec.json>
//   node bench/support/bundle-driver.mjs archive <dir> <out.tar.zst>
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const lib = new URL('../../lib/', import.meta.url);
const imp = (p) => import(new URL(p, lib).href);

const [mode, ...args] = process.argv.slice(2);

if (mode === 'archive') {
  const [dir, out] = args;
  const [{ writeArchive }, { compressedMediaType }] = await Promise.all([imp('supply-chain/bundle/archive-writer.js'), imp('supply-chain/oci/manifest.js')]);
  const paths = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
  // What the bundle stores as it is: layers whose media type (in the layout's manifests) says compressed, and chart archives.
  const stored = new Set(paths.filter((p) => p.startsWith('charts/')));
  for (const p of paths.filter((p) => p.startsWith('blobs/') && statSync(join(dir, p)).size < 4 << 20)) {
    try {
      const m = JSON.parse(readFileSync(join(dir, p), 'utf8'));
      for (const l of Array.isArray(m.layers) ? m.layers : []) if (compressedMediaType(l.mediaType)) stored.add(`blobs/sha256/${l.digest.slice(7)}`);
    } catch {
      // not JSON: a layer
    }
  }
  const files = paths.map((p) => ({ path: p, size: statSync(join(dir, p)).size, sha256: '', file: join(dir, p), stored: stored.has(p) }));
  const t = performance.now();
  const r = await writeArchive(out, files, 0);
  process.stdout.write(JSON.stringify({ seconds: (performance.now() - t) / 1000, bytes: r.bytes, files: files.length }) + '\n');
} else if (mode === 'bundle') {
  const spec = JSON.parse(readFileSync(args[0], 'utf8'));
  const [{ Component }, { loadProfile }, { buildPlatform, synth, SOVRA_VERSION }, { inventoryOf }, { createBundle }, { LocalKeySigner }, { RegistryClient }, { ImageLock }, { resolveLock, lockText }] = await Promise.all([
    imp('constructs/kit/component.js'),
    imp('profiles/load.js'),
    imp('synth/synth.js'),
    imp('supply-chain/inventory.js'),
    imp('supply-chain/bundle/create.js'),
    imp('supply-chain/signer.js'),
    imp('supply-chain/oci/client.js'),
    imp('constructs/kit/image-lock.js'),
    imp('supply-chain/oci/lock.js'),
  ]);
  class BenchImages extends Component {
    constructor(scope, id, props) {
      super(scope, id, props, { title: 'Bench images', description: 'Runs the images of the bundle benchmark.', layer: 'data', namespace: 'sovra-bench', version: '1.0.0' });
      for (const p of spec.pins) this.addImage(p);
    }
  }
  const components = [{ id: 'bench-images', layer: 'data', create: (s, id, p) => new BenchImages(s, id, p) }];
  const edge = loadProfile('edge');
  const profile = { ...edge, licenseWaivers: [], distribution: { ...edge.distribution, architectures: ['amd64'] } };
  const client = new RegistryClient();
  const locked = await resolveLock(client, spec.pins, { lockVersion: 1, images: [] }, '2026-01-01T00:00:00Z');
  if (locked.failures.length > 0) throw locked.failures[0].error;
  writeFileSync(spec.lockPath, lockText(locked.file));
  const lock = ImageLock.parse(readFileSync(spec.lockPath, 'utf8'), spec.lockPath);
  const { platform } = buildPlatform(profile, { components, lock });
  platform.finalize();
  const signer = LocalKeySigner.fromFile(spec.key);
  const env = { SOURCE_DATE_EPOCH: '1767225600' };
  let synthSeconds = 0;
  const t = performance.now();
  if (process.env.SOVRA_BENCH_TRACE) process.stderr.write(`module load and lock done at ${(performance.now() / 1000).toFixed(2)} s of the process\n`);
  const r = await createBundle({
    profile,
    profileSource: 'bench',
    inventory: inventoryOf(platform.components),
    lock: { file: lock.file, origin: spec.lockPath },
    out: spec.out,
    signer,
    client,
    cacheDir: spec.cache,
    epoch: 1767225600,
    sovraVersion: SOVRA_VERSION,
    onProgress: process.env.SOVRA_BENCH_TRACE ? (line) => process.stderr.write(`${((performance.now() - t) / 1000).toFixed(2)} s ${line}\n`) : undefined,
    synth: async ({ outDir }) => {
      const s = performance.now();
      await synth({ profile, profileSource: 'bench', outDir, components, lock, signer, env });
      synthSeconds = (performance.now() - s) / 1000;
    },
  });
  client.close();
  process.stdout.write(JSON.stringify({ seconds: (performance.now() - t) / 1000, synthSeconds, bytes: r.bytes, downloaded: r.downloaded, files: r.files }) + '\n');
} else {
  console.error('usage: bundle-driver.mjs bundle <spec.json> | archive <dir> <out>');
  process.exit(2);
}
