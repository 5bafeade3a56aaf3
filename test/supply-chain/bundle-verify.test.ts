/**
 * `sovra bundle verify`, offline, over bundles made by the product and
 * then damaged one way at a time: each kind of damage is found and exits
 * with its own status. Changes that keep the provenance consistent (the
 * statement re-signed with the same key) isolate the layout checks: an
 * image of the SBOM missing from the layout, an image the SBOM does not
 * list, a blob nothing references.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stableJson } from '../../core/canonical.js';
import { BUNDLE_VERIFY_EXIT } from '../../contracts/bundle-codes.js';
import { LocalKeySigner } from '../../supply-chain/signer.js';
import { signStatement } from '../../supply-chain/sign.js';
import { generateKeyPair } from '../../supply-chain/keys.js';
import { readArchive, writeArchive, zstdFrames } from '../support/archive-edit.js';
import { makeBundle, startBundleFixture, type BundleFixture } from '../support/bundle-fixture.js';
import { sovra } from '../support/process.js';

let fx: BundleFixture;
let archive: string;
let filtered: string;
let content: { order: string[]; files: Map<string, Buffer> };

const hex = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  fx = await startBundleFixture();
  archive = (await makeBundle(fx, join(fx.root, 'edge.tar.zst'))).out;
  const profile = { ...fx.profile, distribution: { ...fx.profile.distribution, architectures: ['arm64'] as ['arm64'] } };
  filtered = (await makeBundle(fx, join(fx.root, 'arm64.tar.zst'), { profile })).out;
  content = await readArchive(archive);
});
afterAll(async () => {
  await fx?.stop();
});

/** Writes a copy of the bundle with `files` (path → bytes, undefined to drop), the statement's subjects recomputed and re-signed when `resign`. */
async function variant(name: string, files: Record<string, Buffer | undefined>, resign: boolean): Promise<string> {
  const map = new Map(content.files);
  for (const [p, d] of Object.entries(files)) {
    if (d === undefined) map.delete(p);
    else map.set(p, d);
  }
  if (resign) {
    const statement = JSON.parse(map.get('provenance.intoto.json')!.toString()) as { subject: Array<{ name: string; digest: { sha256: string } }> };
    statement.subject = [...map.keys()].filter((p) => !p.startsWith('provenance.')).sort().map((p) => ({ name: p, digest: { sha256: hex(map.get(p)!) } }));
    const text = Buffer.from(stableJson(statement));
    map.set('provenance.intoto.json', text);
    map.set('provenance.sigstore.json', Buffer.from(await signStatement(text, LocalKeySigner.fromFile(fx.keyFile))));
  }
  const order = [...content.order.filter((p) => map.has(p)), ...[...map.keys()].filter((p) => !content.order.includes(p))];
  const out = join(fx.root, `${name}.tar.zst`);
  await writeArchive(out, order.map((p) => [p, map.get(p)!] as const));
  return out;
}

async function verify(file: string, key = fx.pubFile): Promise<{ status: number | null; kinds: string[]; stderr: string }> {
  const r = await sovra(['bundle', 'verify', file, '--key', key, '--json']);
  if (!r.stdout.startsWith('{')) throw new Error(`no report (exit ${r.status}): ${r.stderr}`);
  const report = JSON.parse(r.stdout) as { findings: Array<{ kind: string }> };
  return { status: r.status, kinds: [...new Set(report.findings.map((f) => f.kind))].sort(), stderr: r.stderr };
}

const indexOf = (): { manifests: Array<{ digest: string; annotations: Record<string, string> }> } => JSON.parse(content.files.get('index.json')!.toString()) as never;

describe('a sound bundle', () => {
  it('verifies: signature, every file, every blob, references, images against the SBOM', async () => {
    const r = await sovra(['bundle', 'verify', archive, '--key', fx.pubFile]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/verified .*: signed by key [0-9a-f]{64}; \d+ files match the signed statement; 12 blobs match their digests; 2 images, exactly those of the SBOM/);
  });

  it('verifies when filtered to the profile\'s platforms (the left-out manifests are recorded, not missing)', async () => {
    const r = await verify(filtered);
    expect(r.status).toBe(0);
  });
});

describe('CI gates over the bundle\'s signed statement', () => {
  it('holds for the builder and profile that made it, and names expected and found otherwise (42, 45)', async () => {
    const ok = await sovra(['bundle', 'verify', archive, '--key', fx.pubFile, '--require-builder', 'https://sovra.dev/builder/sovra-bundle', '--require-profile', 'edge', '--require-locked']);
    expect(ok.status, ok.stderr).toBe(0);
    const builder = await sovra(['bundle', 'verify', archive, '--key', fx.pubFile, '--require-builder', 'https://sovra.dev/builder/sovra-synth']);
    expect(builder.status).toBe(BUNDLE_VERIFY_EXIT.builder);
    expect(builder.stderr).toContain('names builder https://sovra.dev/builder/sovra-bundle@');
    const profile = await sovra(['bundle', 'verify', archive, '--key', fx.pubFile, '--require-profile', 'cluster']);
    expect(profile.status).toBe(BUNDLE_VERIFY_EXIT.profile);
    expect(profile.stderr).toContain('cluster');
    const usage = await sovra(['bundle', 'verify', archive, '--key', fx.pubFile, '--require-source-commit', 'xyz']);
    expect(usage.status).toBe(2);
  });
});

describe('a damaged bundle', () => {
  it('signed by another key: 31', async () => {
    const other = generateKeyPair('ed25519');
    const file = join(fx.root, 'other.pub');
    writeFileSync(file, other.publicKey);
    expect(await verify(archive, file)).toMatchObject({ status: BUNDLE_VERIFY_EXIT.key, kinds: ['key'] });
  });

  it('a blob changed inside a well-formed archive: the blob and its subject, 34', async () => {
    const layer = [...content.files.keys()].filter((p) => p.startsWith('blobs/')).at(-1)!;
    const bad = Buffer.from(content.files.get(layer)!);
    bad[bad.length - 1] = bad[bad.length - 1]! ^ 1;
    expect(await verify(await variant('blob', { [layer]: bad }, false))).toMatchObject({ status: BUNDLE_VERIFY_EXIT.modified, kinds: ['blob', 'modified'] });
  });

  it('a file added: 36; a file removed: 35', async () => {
    expect(await verify(await variant('extra', { 'charts/extra-1.0.0.tgz': Buffer.from('not signed') }, false))).toMatchObject({ status: BUNDLE_VERIFY_EXIT.extra, kinds: ['extra'] });
    expect(await verify(await variant('missing', { 'charts/edgeapp-0.1.0.tgz': undefined }, false))).toMatchObject({ status: BUNDLE_VERIFY_EXIT.missing, kinds: ['missing'] });
  });

  it('the statement edited after signing: 33', async () => {
    const statement = Buffer.from(content.files.get('provenance.intoto.json')!.toString().replace('"bundle-test"', '"edited"'));
    expect(await verify(await variant('statement', { 'provenance.intoto.json': statement }, false))).toMatchObject({ status: BUNDLE_VERIFY_EXIT.statement, kinds: ['statement'] });
  });

  it('compressed bytes changed (tampered archive): 50, and nothing else is trusted', async () => {
    // A byte inside a frame zstd compressed: its checksum no longer matches.
    const bytes = readFileSync(archive);
    const frame = zstdFrames(bytes).find((f) => f.compressed && f.checksum)!;
    const at = frame.offset + Math.floor(frame.length / 2);
    bytes[at] = bytes[at]! ^ 0x55;
    const file = join(fx.root, 'tampered.tar.zst');
    writeFileSync(file, bytes);
    const r = await verify(file);
    expect(r).toMatchObject({ status: BUNDLE_VERIFY_EXIT.archive, kinds: ['archive'] });
  });

  it('a byte changed in a layer the archive stores as it is (raw zstd blocks, no checksum of their own): the blob and its subject, 34', async () => {
    const layer = [...content.files.keys()].filter((p) => p.startsWith('blobs/')).find((p) => content.files.get(p)!.length > 64 << 10)!;
    const bytes = readFileSync(archive);
    const at = bytes.indexOf(content.files.get(layer)!.subarray(1000, 2000));
    expect(at).toBeGreaterThan(0);
    bytes[at] = bytes[at]! ^ 0x55;
    const file = join(fx.root, 'tampered-layer.tar.zst');
    writeFileSync(file, bytes);
    expect(await verify(file)).toMatchObject({ status: BUNDLE_VERIFY_EXIT.modified, kinds: ['blob', 'modified'] });
    expect((await sovra(['bundle', 'verify', file, '--key', fx.pubFile])).stderr).toContain(layer);
  });

  it('an entry that is not a regular file: 50', async () => {
    const dir = join(fx.root, 'link');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}\n');
    execFileSync('ln', ['-s', '/etc/passwd', join(dir, 'index.json')]);
    execFileSync('tar', ['-cf', join(fx.root, 'link.tar'), '-C', dir, 'oci-layout', 'index.json']);
    execFileSync('zstd', ['-q', '-f', join(fx.root, 'link.tar'), '-o', join(fx.root, 'link.tar.zst')]);
    const r = await verify(join(fx.root, 'link.tar.zst'));
    expect(r).toMatchObject({ status: BUNDLE_VERIFY_EXIT.archive, kinds: ['archive'] });
  });

  it('an image of the SBOM left out of the layout (re-signed): 54', async () => {
    const index = indexOf();
    const sidecar = index.manifests.find((m) => m.annotations['io.containerd.image.name']!.endsWith('/edge/sidecar:2.0.0'))!;
    const own = fx.images.single.blobs.filter((b) => !fx.images.multi.blobs.some((m) => m.descriptor.digest === b.descriptor.digest)).map((b) => `blobs/sha256/${b.descriptor.digest.slice(7)}`);
    const changes: Record<string, Buffer | undefined> = { 'index.json': Buffer.from(stableJson({ ...index, manifests: index.manifests.filter((m) => m !== sidecar) })), [`blobs/sha256/${sidecar.digest.slice(7)}`]: undefined };
    for (const p of own) changes[p] = undefined;
    const r = await verify(await variant('image-missing', changes, true));
    expect(r).toMatchObject({ status: BUNDLE_VERIFY_EXIT['image-missing'], kinds: ['image-missing'] });
  });

  it('an image the SBOM does not list (re-signed): 55', async () => {
    const index = indexOf();
    const extra = { ...index.manifests[0]!, annotations: { 'io.containerd.image.name': 'registry.example/intruder:1', 'org.opencontainers.image.ref.name': '1' } };
    const r = await verify(await variant('image-extra', { 'index.json': Buffer.from(stableJson({ ...index, manifests: [...index.manifests, extra] })) }, true));
    expect(r).toMatchObject({ status: BUNDLE_VERIFY_EXIT['image-extra'], kinds: ['image-extra'] });
  });

  it('a blob nothing references, or a referenced blob missing (re-signed): 53', async () => {
    const stray = Buffer.from('stray');
    const r = await verify(await variant('stray', { [`blobs/sha256/${hex(stray)}`]: stray }, true));
    expect(r).toMatchObject({ status: BUNDLE_VERIFY_EXIT.reference, kinds: ['reference'] });
    const layer = `blobs/sha256/${fx.images.multi.blobs.find((b) => b.descriptor.mediaType.includes('layer'))!.descriptor.digest.slice(7)}`;
    expect(await verify(await variant('dangling', { [layer]: undefined }, true))).toMatchObject({ status: BUNDLE_VERIFY_EXIT.reference, kinds: ['reference'] });
  });
});
