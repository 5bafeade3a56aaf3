/**
 * The worker-thread archive writer: the same bytes as the tar writer piped
 * through zstd on the main thread, entries in the order given whatever
 * order their files become ready in, and failures (a file shorter than
 * announced, a fetch that fails) that stop zstd and reject.
 */
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { alignedBuffer } from '../../core/aligned.js';
import { sha256Hex } from '../../core/hash.js';
import { tarBytes } from '../../test/support/archive-edit.js';
import { childrenNamed, openHere } from '../../test/support/process.js';
import { rawPlan, SMALL_RUN, writeArchive, type ArchiveFile } from './archive-writer.js';
import { TarWriter } from './tar.js';
import { zstdCompressTo } from './zstd.js';

const dir = mkdtempSync(join(tmpdir(), 'sovra-archive-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Whether a zstd of this process is still running (the archive writer's zstd writes into a pipe, so its command line does not name the archive). */
const zstdRunning = (): boolean => childrenNamed('zstd').length > 0;

/** Whether a file in `folder` can be written with O_DIRECT from page-aligned memory (tmpfs before Linux 6.6 cannot, for one). */
function directIoWorks(folder: string): boolean {
  const probe = join(folder, 'direct-probe');
  try {
    const fd = openSync(probe, constants.O_WRONLY | constants.O_CREAT | constants.O_DIRECT);
    try {
      writeSync(fd, alignedBuffer(4096), 0, 4096, 0);
      return true;
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  } finally {
    rmSync(probe, { force: true });
  }
}


describe('rawPlan', () => {
  const f = (size: number, stored = false): { path: string; size: number; stored: boolean } => ({ path: 'x', size, stored });
  it('stores what is compressed already and the short runs of other files between, and compresses the long runs', () => {
    expect(rawPlan([f(100), f(10 << 20, true), f(1000), f(2000), f(10 << 20, true), f(SMALL_RUN), f(5)])).toEqual([true, true, true, true, true, false, false]);
    expect(rawPlan([f(SMALL_RUN - 1024)])).toEqual([true]);
    expect(rawPlan([f(SMALL_RUN - 1023)])).toEqual([false]);
    expect(rawPlan([])).toEqual([]);
  });
});

describe('writeArchive', () => {
  it('writes the bytes the tar writer and zstd write, in the order given, whenever each file is ready', async () => {
    const big = randomBytes(9 << 20); // more than two of the worker's 4 MiB buffers
    const bigFile = join(dir, 'big');
    writeFileSync(bigFile, big);
    const emptyFile = join(dir, 'empty');
    writeFileSync(emptyFile, '');
    const small = Buffer.from('{"imageLayoutVersion":"1.0.0"}\n');
    const files: ArchiveFile[] = [
      { path: 'oci-layout', size: small.length, sha256: sha256Hex(small), data: small },
      // Ready last, archived first.
      { path: 'blobs/sha256/big', size: big.length, sha256: sha256Hex(big), file: bigFile, ready: () => delay(150).then(() => true) },
      { path: 'empty', size: 0, sha256: sha256Hex(Buffer.alloc(0)), file: emptyFile, ready: () => Promise.resolve(false) },
      { path: 'synth/odd-size.json', size: 1000, sha256: '', data: Buffer.alloc(1000, 7) },
    ];
    const ours = join(dir, 'ours.tar.zst');
    const r = await writeArchive(ours, files, 1767225600);

    const reference = join(dir, 'reference.tar.zst');
    const z = zstdCompressTo(reference);
    const tar = new TarWriter(z.input, 1767225600);
    await tar.add('oci-layout', small.length, small);
    await tar.add('blobs/sha256/big', big.length, big);
    await tar.add('empty', 0, Buffer.alloc(0));
    await tar.add('synth/odd-size.json', 1000, Buffer.alloc(1000, 7));
    await tar.finish();
    z.input.end();
    await z.done;

    expect(readFileSync(ours).equals(readFileSync(reference))).toBe(true);
    expect(r.bytes).toBe(readFileSync(ours).length);
  });

  it('stores compressed files in raw zstd blocks, compresses the runs between them, and any zstd reads it back as the same tar', async () => {
    const layer = randomBytes(5 << 20);
    const layerFile = join(dir, 'layer');
    writeFileSync(layerFile, layer);
    const chart = randomBytes(300_000);
    const text = Buffer.from('kind: ConfigMap\n'.repeat(40_000)); // 640 KB, compressible
    const config = Buffer.from('{"architecture":"amd64"}');
    const entries: Array<readonly [string, Buffer]> = [
      ['oci-layout', Buffer.from('{}')],
      ['blobs/sha256/config', config],
      ['blobs/sha256/layer', layer],
      ['charts/a.tgz', chart],
      ['synth/all.yaml', text],
    ];
    const files: ArchiveFile[] = [
      { path: 'oci-layout', size: 2, sha256: '', data: entries[0]![1] },
      { path: 'blobs/sha256/config', size: config.length, sha256: '', data: config },
      { path: 'blobs/sha256/layer', size: layer.length, sha256: sha256Hex(layer), file: layerFile, check: true, stored: true },
      { path: 'charts/a.tgz', size: chart.length, sha256: '', data: chart, stored: true },
      { path: 'synth/all.yaml', size: text.length, sha256: '', data: text },
    ];
    const out = join(dir, 'stored.tar.zst');
    const r = await writeArchive(out, files, 1767225600);
    const bytes = readFileSync(out);
    expect(r.bytes).toBe(bytes.length);
    // zstd checks every frame and GNU tar lists what the tar writer wrote.
    const tar = await tarBytes(entries);
    expect(execFileSync('zstd', ['-q', '-d', '-c', out], { maxBuffer: 64 << 20 }).equals(tar)).toBe(true);
    expect(execFileSync('tar', ['-tf', '-'], { input: execFileSync('zstd', ['-q', '-d', '-c', out], { maxBuffer: 64 << 20 }), encoding: 'utf8' }).trim().split('\n')).toEqual(entries.map(([p]) => p));
    // The layer's bytes are in the archive as they are, 128 KiB at a time behind 3-byte block headers.
    const firstBlock = layer.subarray(0, (128 << 10) - 512); // the entry's frame starts with its 512-byte tar header
    expect(bytes.indexOf(firstBlock)).toBeGreaterThan(0);
    expect(bytes.indexOf(layer.subarray(layer.length - 500))).toBeGreaterThan(0); // the frame's last block: the last 512 bytes
    // Stored data costs a few bytes per block; the text is compressed.
    expect(bytes.length).toBeLessThan(layer.length + chart.length + 100_000);
    expect(bytes.length).toBeGreaterThan(layer.length + chart.length);
    // The same files, the same bytes.
    const again = join(dir, 'stored-again.tar.zst');
    await writeArchive(again, files, 1767225600);
    expect(readFileSync(again).equals(bytes)).toBe(true);
    expect(openHere(out)).toBe(false);
  });

  it('writes with direct I/O where the file system takes it, zstd frames and stored ones across its staging buffer, the same bytes as without', async () => {
    const layers = [randomBytes(7 << 20), randomBytes(9 << 20)];
    const layerFiles = layers.map((l, i) => {
      const f = join(dir, `direct-layer-${i}`);
      writeFileSync(f, l);
      return f;
    });
    const text = Buffer.from('kind: Secret\n'.repeat(60_000)); // compressed by zstd, between the two stored layers
    const entries: Array<readonly [string, Buffer]> = [
      ['blobs/sha256/a', layers[0]!],
      ['synth/all.yaml', text],
      ['blobs/sha256/b', layers[1]!],
      ['synth/z.yaml', text],
    ];
    const files: ArchiveFile[] = [
      { path: 'blobs/sha256/a', size: layers[0]!.length, sha256: sha256Hex(layers[0]!), file: layerFiles[0], check: true, stored: true },
      { path: 'synth/all.yaml', size: text.length, sha256: '', data: text },
      { path: 'blobs/sha256/b', size: layers[1]!.length, sha256: sha256Hex(layers[1]!), file: layerFiles[1], ready: () => delay(50).then(() => true), stored: true },
      { path: 'synth/z.yaml', size: text.length, sha256: '', data: text },
    ];
    const direct = join(dir, 'direct.tar.zst');
    const plain = join(dir, 'plain.tar.zst');
    const d = await writeArchive(direct, files, 1767225600);
    const p = await writeArchive(plain, files, 1767225600, { directIo: false });
    expect(p.directBytes).toBe(0);
    expect(readFileSync(direct).equals(readFileSync(plain))).toBe(true);
    expect(d.bytes).toBe(readFileSync(direct).length);
    expect(execFileSync('zstd', ['-q', '-d', '-c', direct], { maxBuffer: 64 << 20 }).equals(await tarBytes(entries))).toBe(true);
    // Where this file system takes direct I/O, the whole 4 MiB pieces went that way and the tail did not.
    if (directIoWorks(dir)) {
      expect(d.directBytes).toBe(Math.floor(d.bytes / (4 << 20)) * (4 << 20));
      expect(d.directBytes).toBeGreaterThan(0);
    } else expect(d.directBytes).toBe(0);
    expect(openHere(direct)).toBe(false);
  });

  it('keeps filling one staging buffer while the other is written: 47 MiB of stored layers and zstd output across many buffers, the same bytes, each file reported read once, in order', async () => {
    // zstd cannot shrink random bytes: a file of them outside a stored run comes back from zstd as about
    // as many bytes, so zstd's output too crosses buffers (and waits for one whenever the disk is behind).
    const noise = randomBytes(12 << 20);
    const layers = [randomBytes(17 << 20), randomBytes((13 << 20) + 4321), randomBytes(5 << 20)];
    const layerFiles = layers.map((l, i) => {
      const f = join(dir, `turns-layer-${i}`);
      writeFileSync(f, l);
      return f;
    });
    const entries: Array<readonly [string, Buffer]> = [
      ['blobs/sha256/a', layers[0]!],
      ['synth/noise.bin', noise],
      ['blobs/sha256/b', layers[1]!],
      ['blobs/sha256/c', layers[2]!],
      ['synth/tail.yaml', Buffer.from('kind: ConfigMap\n'.repeat(1000))],
    ];
    const files: ArchiveFile[] = [
      { path: 'blobs/sha256/a', size: layers[0]!.length, sha256: sha256Hex(layers[0]!), file: layerFiles[0], check: true, stored: true },
      { path: 'synth/noise.bin', size: noise.length, sha256: '', data: noise },
      { path: 'blobs/sha256/b', size: layers[1]!.length, sha256: sha256Hex(layers[1]!), file: layerFiles[1], ready: () => delay(20).then(() => true), stored: true },
      { path: 'blobs/sha256/c', size: layers[2]!.length, sha256: sha256Hex(layers[2]!), file: layerFiles[2], stored: true },
      { path: 'synth/tail.yaml', size: entries[4]![1].length, sha256: '', data: entries[4]![1] },
    ];
    const written: string[] = [];
    const out = join(dir, 'turns.tar.zst');
    const r = await writeArchive(out, files, 1767225600, { onWritten: (path) => written.push(path) });
    expect(written).toEqual(files.map((f) => f.path));
    expect(r.bytes).toBeGreaterThan(47 << 20);
    expect(execFileSync('zstd', ['-q', '-d', '-c', out], { maxBuffer: 128 << 20 }).equals(await tarBytes(entries))).toBe(true);
    const plain = join(dir, 'turns-plain.tar.zst');
    await writeArchive(plain, files, 1767225600, { directIo: false });
    expect(readFileSync(out).equals(readFileSync(plain))).toBe(true);
    expect(openHere(out)).toBe(false);
  }, 60_000);

  it('refuses a stored file that does not hash to its digest, and leaves no descriptor or zstd behind', async () => {
    const layer = randomBytes(300_000);
    const file = join(dir, 'bad-layer');
    writeFileSync(file, layer);
    const out = join(dir, 'bad.tar.zst');
    const text = Buffer.from('x'.repeat(100_000));
    const p = writeArchive(out, [{ path: 'synth/a', size: text.length, sha256: '', data: text }, { path: 'blobs/sha256/l', size: layer.length, sha256: '0'.repeat(64), file, check: true, stored: true }], 0);
    await expect(p).rejects.toThrow(/hashes to sha256:[0-9a-f]{64}, not sha256:0{64}/);
    expect(zstdRunning()).toBe(false);
    expect(openHere(out)).toBe(false);
  });

  it('hashes a file handed over unhashed and commits it with its SHA-256; a commit that refuses stops the archive', async () => {
    const layer = randomBytes(6 << 20);
    const file = join(dir, 'unhashed-layer');
    writeFileSync(file, layer);
    const commits: string[] = [];
    let abandoned = 0;
    const handed = (commit: (sha: string) => Promise<void>) => ({ file, commit, abandon: () => void abandoned++ });
    const files = (commit: (sha: string) => Promise<void>): ArchiveFile[] => [
      { path: 'blobs/sha256/l', size: layer.length, sha256: sha256Hex(layer), file: join(dir, 'not-this-one'), ready: () => delay(20).then(() => handed(commit)), stored: true },
      { path: 'synth/x', size: 3, sha256: '', data: Buffer.from('xyz') },
    ];
    const out = join(dir, 'unhashed.tar.zst');
    await writeArchive(out, files(async (sha) => void commits.push(sha)), 1767225600);
    expect(commits).toEqual([sha256Hex(layer)]);
    expect(execFileSync('zstd', ['-q', '-d', '-c', out], { maxBuffer: 64 << 20 }).equals(await tarBytes([['blobs/sha256/l', layer], ['synth/x', Buffer.from('xyz')]]))).toBe(true);
    expect(abandoned).toBe(0);
    const refused = new Error('the registry served other bytes');
    await expect(writeArchive(join(dir, 'unhashed-refused.tar.zst'), files(() => Promise.reject(refused)), 0)).rejects.toBe(refused);
    expect(abandoned).toBe(1); // abandoning after the commit settled changes nothing for the cache (its commit ended it)
  });

  it('refuses a file shorter than announced', async () => {
    const file = join(dir, 'short');
    writeFileSync(file, 'abc');
    const out = join(dir, 'short.tar.zst');
    await expect(writeArchive(out, [{ path: 'short', size: 5, sha256: '', file }], 0)).rejects.toThrow(/short has 3 bytes, 5 were announced/);
    expect(zstdRunning()).toBe(false);
  });

  it('stops at a file whose fetch fails, with that failure, and leaves no zstd running', async () => {
    const out = join(dir, 'failed.tar.zst');
    const failure = new Error('fetch of blob x failed');
    const data = Buffer.from('x');
    const p = writeArchive(out, [{ path: 'a', size: 1, sha256: sha256Hex(data), data }, { path: 'b', size: 1, sha256: '', file: join(dir, 'never'), ready: () => delay(50).then(() => Promise.reject(failure)) }], 0);
    await expect(p).rejects.toBe(failure);
    expect(zstdRunning()).toBe(false);
  });
});
