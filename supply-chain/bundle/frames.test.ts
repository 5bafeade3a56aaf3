/**
 * The archive's frame reader: stored frames read from the file, other
 * frames through zstd, the same bytes as `zstd -d` gives for any mix of
 * them (skippable frames and RLE blocks included); a damaged or truncated
 * stream is an EZSTD error that says where; a reader that stops early
 * leaves no file open and no zstd running.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { release } from '../../core/pool.js';
import { childrenNamed, openHere } from '../../test/support/process.js';
import { zstdFileChunks } from './frames.js';

const dir = mkdtempSync(join(tmpdir(), 'sovra-frames-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stored frame as the archive writer writes it: blocks of at most 128 KiB, raw, or RLE where given. */
function storedFrame(data: Buffer, rle?: { byte: number; size: number }): Buffer {
  const parts: Buffer[] = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38])];
  const header = (size: number, type: number, last: boolean): Buffer => {
    const h = (size << 3) | (type << 1) | (last ? 1 : 0);
    return Buffer.from([h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff]);
  };
  if (rle) parts.push(header(rle.size, 1, data.length === 0), Buffer.from([rle.byte]));
  for (let at = 0; at < data.length; at += 128 << 10) {
    const block = data.subarray(at, at + (128 << 10));
    parts.push(header(block.length, 0, at + block.length >= data.length), block);
  }
  return Buffer.concat(parts);
}

const zstd = (data: Buffer): Buffer => execFileSync('zstd', ['-q', '-c'], { input: data, maxBuffer: 64 << 20 });

async function read(path: string): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of zstdFileChunks(path)) out.push(c);
  return Buffer.concat(out);
}

function file(name: string, bytes: Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}


describe('zstdFileChunks', () => {
  it('gives what zstd -d gives for stored frames, compressed frames, skippable frames and RLE blocks in any order', async () => {
    const random = randomBytes(9 << 20); // more than two of the reader's 4 MiB reads, so blocks straddle them
    const text = Buffer.from('apiVersion: v1\nkind: ConfigMap\n'.repeat(50_000));
    const skippable = Buffer.concat([Buffer.from([0x50, 0x2a, 0x4d, 0x18]), Buffer.from([5, 0, 0, 0]), Buffer.from('hello')]);
    const stream = Buffer.concat([zstd(text.subarray(0, 1000)), storedFrame(random), skippable, zstd(text), storedFrame(Buffer.from('tail'), { byte: 0, size: 1024 }), storedFrame(Buffer.alloc(0), { byte: 7, size: 10 })]);
    const path = file('mixed.zst', stream);
    const ours = await read(path);
    expect(ours.equals(execFileSync('zstd', ['-q', '-d', '-c', path], { maxBuffer: 64 << 20 }))).toBe(true);
    expect(ours.equals(Buffer.concat([text.subarray(0, 1000), random, text, Buffer.alloc(1024), Buffer.from('tail'), Buffer.alloc(10, 7)]))).toBe(true);
    expect(openHere(path)).toBe(false);
  });

  it('reads stored frames without zstd: the blocks\' bytes gathered into 1 MiB pieces across block and read boundaries', async () => {
    const data = randomBytes((5 << 20) + 300_000); // more than the reader's 4 MiB reads
    const path = file('stored.zst', storedFrame(data));
    const chunks: Buffer[] = [];
    for await (const c of zstdFileChunks(path)) chunks.push(c);
    expect(chunks.map((c) => c.length)).toEqual([1 << 20, 1 << 20, 1 << 20, 1 << 20, 1 << 20, 300_000]);
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
  });

  it('hands out stored frames in pooled pieces: a consumer that releases each chunk gets the same memory back, and the bytes stay right', async () => {
    const data = randomBytes((12 << 20) + 5000);
    const path = file('pooled.zst', Buffer.concat([storedFrame(data.subarray(0, 7 << 20)), zstd(Buffer.from('between')), storedFrame(data.subarray(7 << 20))]));
    const seen = new Set<ArrayBufferLike>();
    const hashIn = createHash('sha256');
    let n = 0;
    for await (const c of zstdFileChunks(path)) {
      hashIn.update(c);
      n += c.length;
      seen.add(c.buffer);
      release(c);
    }
    const expected = createHash('sha256').update(data.subarray(0, 7 << 20)).update('between').update(data.subarray(7 << 20)).digest('hex');
    expect([n, hashIn.digest('hex')]).toEqual([data.length + 7, expected]);
    // 13 pieces of stored bytes went through; released at once, they were a piece or two of memory, plus zstd's output.
    expect(seen.size).toBeLessThanOrEqual(4);
    // Kept instead of released, every piece is new memory.
    const kept = new Set<ArrayBufferLike>();
    const chunks: Buffer[] = [];
    for await (const c of zstdFileChunks(path)) {
      kept.add(c.buffer);
      chunks.push(c);
    }
    expect(Buffer.concat(chunks).equals(Buffer.concat([data.subarray(0, 7 << 20), Buffer.from('between'), data.subarray(7 << 20)]))).toBe(true);
    expect(kept.size).toBeGreaterThanOrEqual(13);
  });

  it('says where the stream breaks: not zstd, truncated in a stored or a compressed frame, a damaged compressed frame, a compressed block in a stored frame', async () => {
    await expect(read(file('text', Buffer.from('not a zstd stream at all')))).rejects.toMatchObject({ code: 'EZSTD', message: expect.stringMatching(/no zstd frame at byte 0/) });
    const stored = storedFrame(randomBytes(300_000));
    await expect(read(file('cut-stored', stored.subarray(0, 200_000)))).rejects.toMatchObject({ code: 'EZSTD', message: expect.stringMatching(/ends inside a block \(byte 200000\)/) });
    const compressed = zstd(randomBytes(300_000));
    await expect(read(file('cut-compressed', Buffer.concat([stored, compressed.subarray(0, compressed.length - 10)])))).rejects.toMatchObject({ code: 'EZSTD', message: expect.stringMatching(/ends inside a/) });
    const damaged = zstd(Buffer.from('apiVersion: v1\n'.repeat(10_000)));
    damaged[Math.floor(damaged.length / 2)]! ^= 0x55;
    await expect(read(file('damaged', damaged))).rejects.toMatchObject({ code: 'EZSTD', message: expect.stringMatching(/zstd decompression failed/) });
    const forged = Buffer.from(stored);
    forged[6] = (forged[6]! & ~0b110) | (2 << 1); // the first block's type: compressed
    await expect(read(file('forged', forged))).rejects.toMatchObject({ code: 'EZSTD', message: expect.stringMatching(/compressed block at byte 6 in a frame of stored blocks/) });
    await expect(read(file('garbage-after', Buffer.concat([stored, Buffer.from('xyz!')])))).rejects.toMatchObject({ code: 'EZSTD', message: expect.stringMatching(new RegExp(`no zstd frame at byte ${stored.length}`)) });
  });

  it('closes the file and stops zstd when the reader stops early', async () => {
    const path = file('early.zst', Buffer.concat([zstd(randomBytes(4 << 20)), storedFrame(randomBytes(1 << 20))]));
    for await (const c of zstdFileChunks(path)) {
      expect(c.length).toBeGreaterThan(0);
      break;
    }
    expect(openHere(path)).toBe(false);
    expect(childrenNamed('zstd')).toEqual([]);
  });
});
