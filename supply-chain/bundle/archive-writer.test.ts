/**
 * The worker-thread archive writer: the same bytes as the tar writer piped
 * through zstd on the main thread, entries in the order given whatever
 * order their files become ready in, and failures (a file shorter than
 * announced, a fetch that fails) that stop zstd and reject.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../core/hash.js';
import { writeArchive, type ArchiveFile } from './archive-writer.js';
import { TarWriter } from './tar.js';
import { zstdCompressTo } from './zstd.js';

const dir = mkdtempSync(join(tmpdir(), 'sovra-archive-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Whether a zstd process is still writing `path`. */
function zstdWriting(path: string): boolean {
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmd.startsWith('zstd\0') && cmd.includes(path)) return true;
    } catch {
      // gone
    }
  }
  return false;
}

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

  it('refuses a file shorter than announced', async () => {
    const file = join(dir, 'short');
    writeFileSync(file, 'abc');
    const out = join(dir, 'short.tar.zst');
    await expect(writeArchive(out, [{ path: 'short', size: 5, sha256: '', file }], 0)).rejects.toThrow(/short has 3 bytes, 5 were announced/);
    expect(zstdWriting(out)).toBe(false);
  });

  it('stops at a file whose fetch fails, with that failure, and leaves no zstd running', async () => {
    const out = join(dir, 'failed.tar.zst');
    const failure = new Error('fetch of blob x failed');
    const data = Buffer.from('x');
    const p = writeArchive(out, [{ path: 'a', size: 1, sha256: sha256Hex(data), data }, { path: 'b', size: 1, sha256: '', file: join(dir, 'never'), ready: () => delay(50).then(() => Promise.reject(failure)) }], 0);
    await expect(p).rejects.toBe(failure);
    expect(zstdWriting(out)).toBe(false);
  });
});
