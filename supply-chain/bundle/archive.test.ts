/**
 * Reading a bundle archive through zstd: the reader returns once the
 * archive is read, whatever follows its end-of-archive blocks (zstd exits
 * only when its output is read to the end, and its 'close' only comes
 * then), and a broken archive is the archive's error.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tarBytes } from '../../test/support/archive-edit.js';
import { archiveEntries } from './archive.js';

const dir = mkdtempSync(join(tmpdir(), 'sovra-archive-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function zstdFile(name: string, bytes: Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, execFileSync('zstd', ['-q', '-c'], { input: bytes, maxBuffer: 64 << 20 }));
  return path;
}

/** The paths of the archive's entries, or a rejection if reading has not finished within 20 s. */
async function paths(file: string): Promise<string[]> {
  const read = (async () => {
    const out: string[] = [];
    for await (const e of archiveEntries(file)) out.push(e.path);
    return out;
  })();
  let timer: NodeJS.Timeout | undefined;
  const stuck = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('archiveEntries still waits for zstd after 20 s')), 20_000);
  });
  try {
    return await Promise.race([read, stuck]);
  } finally {
    clearTimeout(timer);
  }
}

describe('archiveEntries', () => {
  it('returns when the archive ends, with more zero bytes after its end-of-archive blocks than a pipe holds', async () => {
    const tar = await tarBytes([
      ['bundle.json', Buffer.from('{}')],
      ['blobs/sha256/' + 'a'.repeat(64), Buffer.alloc(300_000, 7)],
    ]);
    // 1 MiB of padding: zstd cannot exit until it is read, and its 'close' needs the pipe read to the end.
    const file = zstdFile('padded.tar.zst', Buffer.concat([tar, Buffer.alloc(1 << 20)]));
    expect(await paths(file)).toEqual(['bundle.json', 'blobs/sha256/' + 'a'.repeat(64)]);
    // And as GNU tar pads (10 KiB records), many times over: whether the tail comes in one read or two must not matter.
    const gnu = zstdFile('gnu.tar.zst', Buffer.concat([tar, Buffer.alloc(10240 - (tar.length % 10240))]));
    for (let i = 0; i < 20; i++) expect(await paths(gnu)).toHaveLength(2);
  }, 120_000);

  it('stops zstd when the reader stops early', async () => {
    const tar = await tarBytes([
      ['first', Buffer.alloc(10)],
      ['second', Buffer.alloc(4 << 20, 1)],
    ]);
    const file = zstdFile('early.tar.zst', tar);
    for await (const e of archiveEntries(file)) {
      expect(e.path).toBe('first');
      break;
    }
  });

  it('turns a truncated archive into an archive error with zstd\u2019s message', async () => {
    const tar = await tarBytes([['f', Buffer.alloc(1 << 20, 3)]]);
    const whole = execFileSync('zstd', ['-q', '-c'], { input: tar });
    const file = join(dir, 'cut.tar.zst');
    writeFileSync(file, whole.subarray(0, whole.length - 40));
    await expect(paths(file)).rejects.toMatchObject({ code: 'bad-input', message: expect.stringMatching(/cut\.tar\.zst is not a readable bundle/) });
  });
});
