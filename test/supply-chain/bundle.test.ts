/**
 * `sovra bundle` against real registries and a real chart repository on
 * loopback: every image by digest in an OCI layout (indexes whole,
 * platforms filtered or all), both charts checked against their pinned
 * digests, the synth output, a signed provenance over every file; the same
 * bytes twice; nothing fetched the second time; an interrupted download
 * resumed; a corrupted blob refused; unlocked images and unpinned charts
 * refused by name.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSovraError, type SovraError } from '../../core/errors.js';
import { BUNDLE_REFUSAL_EXIT } from '../../contracts/bundle-codes.js';
import { readArchive } from '../support/archive-edit.js';
import type { BundleManifest } from '../../supply-chain/bundle/format.js';
import { isOciError } from '../../supply-chain/oci/errors.js';
import { filesUnder, makeBundle, startBundleFixture, type BundleFixture } from '../support/bundle-fixture.js';
import { sovra } from '../support/process.js';

let fx: BundleFixture;
let first: Awaited<ReturnType<typeof makeBundle>>;
let entries: Map<string, Buffer>;
let order: string[];

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  fx = await startBundleFixture();
  first = await makeBundle(fx, join(fx.root, 'out', 'edge.tar.zst'));
  ({ order, files: entries } = await readArchive(first.out));
});
afterAll(async () => {
  await fx?.stop();
});

describe('the archive', () => {
  it('is an OCI layout with every image by digest, its index kept whole', () => {
    const index = JSON.parse(entries.get('index.json')!.toString()) as { manifests: Array<{ digest: string; annotations: Record<string, string> }> };
    expect(index.manifests.map((m) => [m.annotations['io.containerd.image.name'], m.digest])).toEqual([
      [`${fx.proxy.host}/edge/app:1.0.0`, fx.images.multi.top.descriptor.digest],
      [`${fx.proxy.host}/edge/sidecar:2.0.0`, fx.images.single.top.descriptor.digest],
    ]);
    expect(entries.get('oci-layout')!.toString()).toBe('{"imageLayoutVersion":"1.0.0"}\n');
    // Every manifest and blob of both platforms (the profile names amd64 and arm64); the shared base layer once.
    const all = [...fx.images.multi.manifests, ...fx.images.multi.blobs, ...fx.images.single.manifests, ...fx.images.single.blobs];
    for (const b of all) expect(entries.get(`blobs/sha256/${b.descriptor.digest.slice(7)}`)?.equals(b.bytes)).toBe(true);
    const blobs = order.filter((p) => p.startsWith('blobs/'));
    expect(new Set(blobs).size).toBe(blobs.length);
    for (const p of blobs) expect(`sha256:${sha(entries.get(p)!)}`).toBe(`sha256:${p.slice('blobs/sha256/'.length)}`);
  });

  it('carries both charts, from the HTTP repository and the OCI registry, by their pinned digests', () => {
    const manifest = JSON.parse(entries.get('bundle.json')!.toString()) as BundleManifest;
    expect(manifest.charts.map((c) => [c.release, c.path, c.digest])).toEqual([
      ['edgeapp', 'charts/edgeapp-0.1.0.tgz', fx.charts.http.digest],
      ['edgeapp-oci', 'charts/edgeapp-oci-0.2.0.tgz', fx.charts.oci.digest],
    ]);
    expect(entries.get('charts/edgeapp-0.1.0.tgz')!.equals(readFileSync(fx.charts.http.file))).toBe(true);
    expect(`sha256:${sha(entries.get('charts/edgeapp-oci-0.2.0.tgz')!)}`).toBe(fx.charts.oci.digest);
  });

  it('embeds the chart archives in the synth output\'s HelmChart objects (an air-gapped profile)', () => {
    const manifests = entries.get('synth/manifests/edgeapp.yaml')!.toString();
    const content = /chartContent: (\S+)/.exec(manifests)![1]!;
    expect(Buffer.from(content, 'base64').equals(readFileSync(fx.charts.http.file))).toBe(true);
    expect(manifests).not.toContain(fx.chartRepo.url);
  });

  it('carries the synth output with every view, and signs a statement whose subjects are every other file', () => {
    for (const f of ['synth/sbom.cdx.json', 'synth/cbom.cdx.json', 'synth/manifests/edgeapp.yaml', 'synth/oscal/ssp.json', 'synth/provenance.intoto.json', 'synth/provenance.sigstore.json']) expect(entries.has(f)).toBe(true);
    const statement = JSON.parse(entries.get('provenance.intoto.json')!.toString()) as { subject: Array<{ name: string; digest: { sha256: string } }>; predicate: { buildDefinition: { resolvedDependencies: Array<{ name: string }> } } };
    const subjects = new Map(statement.subject.map((s) => [s.name, s.digest.sha256]));
    const others = order.filter((p) => p !== 'provenance.intoto.json' && p !== 'provenance.sigstore.json');
    expect([...subjects.keys()].sort()).toEqual([...others].sort());
    for (const p of others) expect(subjects.get(p)).toBe(sha(entries.get(p)!));
    expect(subjects.has('index.json')).toBe(true);
    expect(statement.predicate.buildDefinition.resolvedDependencies.map((d) => d.name)).toEqual(expect.arrayContaining([`image:${fx.proxy.host}/edge/app:1.0.0`, 'chart:edgeapp', 'chart:edgeapp-oci', 'image-lock']));
    const sig = JSON.parse(entries.get('provenance.sigstore.json')!.toString()) as { dsseEnvelope: { payload: string } };
    expect(Buffer.from(sig.dsseEnvelope.payload, 'base64').equals(entries.get('provenance.intoto.json')!)).toBe(true);
  });

  it('puts what a streaming reader needs first: layout, bundle.json, provenance, then manifests, then the rest, layers last', () => {
    expect(order.slice(0, 5)).toEqual(['oci-layout', 'index.json', 'bundle.json', 'provenance.intoto.json', 'provenance.sigstore.json']);
    const manifests = new Set([...fx.images.multi.manifests, ...fx.images.single.manifests].map((m) => `blobs/sha256/${m.descriptor.digest.slice(7)}`));
    const firstOther = order.findIndex((p) => !p.startsWith('blobs/') && order.indexOf(p) > 4);
    expect(order.slice(5, 5 + manifests.size).every((p) => manifests.has(p))).toBe(true);
    expect(firstOther).toBe(5 + manifests.size);
    const layers = order.filter((p) => p.startsWith('blobs/') && !manifests.has(p));
    expect(order.slice(-layers.length)).toEqual(layers);
  });

  it('is reproducible: a second bundle is byte-identical, and fetches nothing the cache has', async () => {
    const log = fx.proxy.log.length;
    const charts = fx.chartRepo.log.length;
    const second = await makeBundle(fx, join(fx.root, 'out', 'edge-again.tar.zst'));
    expect(readFileSync(second.out).equals(readFileSync(first.out))).toBe(true);
    expect(second.downloaded).toBe(0);
    expect(second.requests).toBe(0);
    expect(fx.proxy.log.length).toBe(log);
    expect(fx.chartRepo.log.length).toBe(charts);
    // The staging folder (the synth output, removed once the archive writer has read it) and the partial archive are gone.
    expect(readdirSync(join(fx.root, 'out')).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });
});

describe('the cache', () => {
  it('refuses a cached layer changed on disk since it was fetched, removes it, and the next bundle fetches it anew', async () => {
    const cache = join(fx.root, 'cache-tampered');
    const seeded = await makeBundle(fx, join(fx.root, 'out', 'seed.tar.zst'), { cacheDir: cache });
    const layer = fx.images.single.blobs.find((b) => b.descriptor.mediaType.includes('layer'))!.descriptor;
    const file = join(cache, 'blobs', 'sha256', layer.digest.slice(7));
    const bytes = readFileSync(file);
    bytes[0] = bytes[0]! ^ 0xff;
    writeFileSync(file, bytes);
    const out = join(fx.root, 'out', 'tampered.tar.zst');
    const error = await makeBundle(fx, out, { cacheDir: cache }).then(() => undefined, (e: unknown) => e);
    expect(isSovraError(error) && error.code).toBe('failed-verification');
    expect((error as Error).message).toContain(`not ${layer.digest}: the cache was corrupted; it was removed`);
    expect(existsSync(out)).toBe(false);
    expect(filesUnder(join(fx.root, 'out')).filter((f) => f.includes('tampered'))).toEqual([]);
    expect(existsSync(file)).toBe(false);
    const again = await makeBundle(fx, out, { cacheDir: cache });
    expect(again.downloaded).toBe(layer.size);
    expect(readFileSync(again.out).equals(readFileSync(seeded.out))).toBe(true);
  });
});

describe('the K3s images archive', () => {
  it('holds the OCI layout alone, the same bytes as in the bundle', async () => {
    const k3s = join(fx.root, 'out', 'agent-images.tar.zst');
    await makeBundle(fx, join(fx.root, 'out', 'with-k3s.tar.zst'), { k3sImages: k3s });
    const images = await readArchive(k3s);
    expect(images.order).toEqual(order.filter((p) => p === 'oci-layout' || p === 'index.json' || p.startsWith('blobs/')));
    for (const p of images.order) expect(images.files.get(p)!.equals(entries.get(p)!)).toBe(true);
  });
});

describe('platforms', () => {
  it('carries only the profile\'s architectures, keeping the index whole', async () => {
    const profile = { ...fx.profile, distribution: { ...fx.profile.distribution, architectures: ['arm64'] as ['arm64'] } };
    const r = await makeBundle(fx, join(fx.root, 'out', 'arm64.tar.zst'), { profile });
    const app = r.manifest.images.find((i) => i.repository === 'edge/app')!;
    expect(app.digest).toBe(fx.images.multi.top.descriptor.digest);
    expect(app.platforms).toEqual(['linux/arm64']);
    expect(app.skipped.map((s) => s.platform)).toEqual(['linux/amd64']);
    const { files } = await readArchive(r.out);
    const amd64 = fx.images.multi.manifests[1]!.descriptor.digest;
    expect(files.has(`blobs/sha256/${amd64.slice(7)}`)).toBe(false);
    expect(files.get(`blobs/sha256/${fx.images.multi.top.descriptor.digest.slice(7)}`)!.equals(fx.images.multi.top.bytes)).toBe(true);
    expect(r.manifest.platforms).toEqual(['linux/arm64']);
    // The single-platform sidecar (amd64) is carried as it is: its image has no index to filter.
    expect(r.manifest.images.find((i) => i.repository === 'edge/sidecar')!.digest).toBe(fx.images.single.top.descriptor.digest);
  });

  it('carries every platform with --all-platforms', async () => {
    const profile = { ...fx.profile, distribution: { ...fx.profile.distribution, architectures: ['arm64'] as ['arm64'] } };
    const r = await makeBundle(fx, join(fx.root, 'out', 'all.tar.zst'), { profile, allPlatforms: true });
    expect(r.manifest.platforms).toBe('all');
    expect(r.manifest.images.find((i) => i.repository === 'edge/app')!.platforms).toEqual(['linux/amd64', 'linux/arm64']);
  });
});

describe('fetching', () => {
  it('resumes a layer download cut half-way, with a Range request', async () => {
    const layer = fx.images.multi.blobs.find((b) => b.descriptor.mediaType.includes('layer') && b.descriptor.size > 50_000)!.descriptor;
    fx.proxy.cutOnce(layer.digest);
    const lines: string[] = [];
    const r = await makeBundle(fx, join(fx.root, 'out', 'resumed.tar.zst'), { cacheDir: join(fx.root, 'cache-resume'), onProgress: (l) => lines.push(l) });
    const gets = fx.proxy.log.filter((l) => l.includes(`/blobs/${layer.digest}`));
    // The first GET was cut; a later one asks for the rest only (other GETs of the blob may interleave under load).
    expect(gets[0]).not.toMatch(/ bytes=/);
    expect(gets.slice(1).some((l) => / bytes=[1-9]\d*-$/.test(l)), gets.join('\n')).toBe(true);
    expect(lines.some((l) => l.startsWith('retry 1 of') && l.includes(layer.digest))).toBe(true);
    expect(readFileSync(r.out).equals(readFileSync(first.out))).toBe(true);
  });

  it('refuses a blob corrupted on the way, keeps nothing of it, and leaves no archive', async () => {
    const layer = fx.images.single.blobs.find((b) => b.descriptor.mediaType.includes('layer'))!.descriptor;
    fx.proxy.corrupt(layer.digest);
    const cache = join(fx.root, 'cache-corrupt');
    const out = join(fx.root, 'out', 'corrupt.tar.zst');
    let error: unknown;
    try {
      await makeBundle(fx, out, { cacheDir: cache });
    } catch (e) {
      error = e;
    } finally {
      fx.proxy.heal();
    }
    expect(isOciError(error) && error.code).toBe('digest-mismatch');
    expect((error as Error).message).toContain(layer.digest);
    expect(existsSync(out)).toBe(false);
    expect(filesUnder(join(fx.root, 'out')).filter((f) => f.includes('corrupt'))).toEqual([]);
    expect(existsSync(join(cache, 'blobs', 'sha256', layer.digest.slice(7)))).toBe(false);
  });
});

describe('refusals', () => {
  const refusal = async (p: Promise<unknown>): Promise<SovraError> => {
    try {
      await p;
    } catch (e) {
      if (isSovraError(e)) return e;
      throw e;
    }
    throw new Error('expected a refusal');
  };

  it('refuses unlocked images, naming each', async () => {
    const e = await refusal(makeBundle(fx, join(fx.root, 'out', 'unlocked.tar.zst'), { components: [...fx.components, fx.unlockedComponent] }));
    expect(e.exitCode).toBe(BUNDLE_REFUSAL_EXIT.unlocked);
    expect(e.message).toContain(`${fx.proxy.host}/edge/unlocked:0.0.1 (unlocked)`);
    expect(existsSync(join(fx.root, 'out', 'unlocked.tar.zst'))).toBe(false);
  });

  it('sovra bundle refuses a built-in profile whose images are not all locked, naming them, before fetching anything', async () => {
    const images = JSON.parse((await sovra(['images', '--profile', 'edge', '--json'])).stdout) as Array<{ name: string; digest: string | null; component: string }>;
    const unlocked = images.find((i) => i.digest === null)!;
    const out = join(fx.root, 'out', 'cli-edge.tar.zst');
    const r = await sovra(['bundle', '--profile', 'edge', '--out', out, '--key', fx.keyFile, '--cache', join(fx.root, 'cli-cache')]);
    expect(r.status).toBe(BUNDLE_REFUSAL_EXIT.unlocked);
    expect(r.stderr).toContain(`${unlocked.name} (${unlocked.component})`);
    expect(r.stderr).toContain('sovra lock');
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(fx.root, 'cli-cache'))).toBe(false);
  });

  it('refuses charts without a pinned archive digest, naming each', async () => {
    const e = await refusal(makeBundle(fx, join(fx.root, 'out', 'unpinned.tar.zst'), { components: [...fx.components, fx.unpinnedChartComponent] }));
    expect(e.exitCode).toBe(BUNDLE_REFUSAL_EXIT.chart);
    expect(e.message).toContain(`edgeapp 0.1.0 (release loose, unpinned, from ${fx.chartRepo.url})`);
  });
});

afterAll(() => rmSync(join(fx?.root ?? '/nonexistent', 'out'), { recursive: true, force: true }));
