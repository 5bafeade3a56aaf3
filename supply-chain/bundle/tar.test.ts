/**
 * The bundle's tar writer and reader: fixed headers (mode, owner, time),
 * PAX records only where ustar cannot hold a path, GNU tar reads what the
 * writer writes, and the reader refuses what the writer never writes.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { tarBytes } from '../../test/support/archive-edit.js';
import { fileHeader, readTar, TarFormatError, TarWriter } from './tar.js';

async function entries(bytes: Buffer): Promise<Array<[string, string]>> {
  const out: Array<[string, string]> = [];
  for await (const e of readTar(Readable.from([bytes]))) {
    const c: Buffer[] = [];
    for await (const b of e.body) c.push(b);
    out.push([e.path, Buffer.concat(c).toString()]);
  }
  return out;
}

const long = `synth/${'deep/'.repeat(40)}${'n'.repeat(110)}.json`;
const split = `synth/${'deep/'.repeat(25)}file.json`;

describe('the tar writer', () => {
  it('writes fixed ustar headers: mode 0644, owner 0:0 without names, the given time', () => {
    const h = fileHeader('index.json', 5, 1767225600);
    expect(h.length).toBe(512);
    expect(h.subarray(100, 107).toString()).toBe('0000644');
    expect(h.subarray(108, 115).toString()).toBe('0000000');
    expect(h.subarray(136, 147).toString()).toBe((1767225600).toString(8).padStart(11, '0'));
    expect(h.subarray(257, 262).toString()).toBe('ustar');
    expect(h.subarray(265, 297).every((b) => b === 0)).toBe(true);
  });

  it('uses a PAX path record only for a path ustar cannot hold', () => {
    expect(fileHeader('blobs/sha256/' + 'a'.repeat(64), 1, 0).length).toBe(512);
    // Longer than 100 bytes, but ustar's prefix field holds the folders.
    const h0 = fileHeader(split, 1, 0);
    expect(h0.length).toBe(512);
    const field = (at: number, width: number): string => h0.toString('utf8', at, at + width).replace(/\0+$/, '');
    expect(`${field(345, 155)}/${field(0, 100)}`).toBe(split);
    const h = fileHeader(long, 1, 0);
    expect(h.length).toBe(3 * 512);
    expect(String.fromCharCode(h[156]!)).toBe('x');
    expect(h.toString('utf8', 512, 1024)).toContain(` path=${long}\n`);
  });

  it('writes what GNU tar lists and extracts, and reads it back', async () => {
    const files: Array<[string, Buffer]> = [
      ['oci-layout', Buffer.from('{"imageLayoutVersion":"1.0.0"}\n')],
      [long, Buffer.from('x'.repeat(1000))],
      ['empty', Buffer.alloc(0)],
      [split, Buffer.from('split')],
    ];
    const bytes = await tarBytes(files);
    const dir = mkdtempSync(join(tmpdir(), 'sovra-tar-'));
    try {
      writeFileSync(join(dir, 'a.tar'), bytes);
      const listing = execFileSync('tar', ['-tvf', join(dir, 'a.tar'), '--numeric-owner'], { encoding: 'utf8' });
      expect(listing).toContain(' 0/0 ');
      expect(listing).toContain('-rw-r--r--');
      execFileSync('tar', ['-xf', join(dir, 'a.tar'), '-C', dir]);
      expect(readFileSync(join(dir, long), 'utf8')).toBe('x'.repeat(1000));
      expect(readFileSync(join(dir, split), 'utf8')).toBe('split');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(await entries(bytes)).toEqual(files.map(([p, d]) => [p, d.toString()]));
  });

  it('refuses unsafe paths and a stream shorter or longer than announced', async () => {
    expect(() => fileHeader('../etc/passwd', 1, 0)).toThrow(/unsafe/);
    expect(() => fileHeader('/abs', 1, 0)).toThrow(/unsafe/);
    const w = new TarWriter(new PassThrough(), 0);
    await expect(w.add('a', 10, Readable.from([Buffer.alloc(5)]))).rejects.toThrow(/5 bytes, 10 were announced/);
    await expect(new TarWriter(new PassThrough(), 0).add('a', 1, Readable.from([Buffer.alloc(5)]))).rejects.toThrow(/longer/);
  });
});

describe('the tar reader', () => {
  it('refuses a header whose checksum is wrong, and a truncated archive', async () => {
    const bytes = await tarBytes([['a', Buffer.from('hello')]]);
    const bad = Buffer.from(bytes);
    bad[0] = 0x62;
    await expect(entries(bad)).rejects.toThrow(TarFormatError);
    await expect(entries(bytes.subarray(0, 600))).rejects.toThrow(/ends inside a/);
    await expect(entries(bytes.subarray(0, 1024))).rejects.toThrow(/without its end-of-archive/);
  });

  it('reads its stream to the end, past the end-of-archive blocks and the padding after them', async () => {
    // A stream left with unread bytes never ends (and a child process whose output it is never closes).
    const src = new PassThrough();
    src.write(await tarBytes([['a', Buffer.from('hello')]]));
    src.end(Buffer.alloc(9216)); // GNU tar pads to 10 KiB records
    const names: string[] = [];
    for await (const e of readTar(src)) names.push(e.path);
    expect(names).toEqual(['a']);
    expect(src.readableEnded).toBe(true);
  });

  it('refuses data after the end-of-archive blocks (no entry covers it)', async () => {
    const bytes = await tarBytes([['a', Buffer.from('hello')]]);
    await expect(entries(Buffer.concat([bytes, Buffer.from('hidden')]))).rejects.toThrow(/data after its end-of-archive blocks/);
    const tail = Buffer.from(bytes);
    tail[tail.length - 1] = 1; // inside the second zero block
    await expect(entries(tail)).rejects.toThrow(/data after its end-of-archive blocks/);
  });

  it('refuses links and unsafe paths written by another tool', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sovra-tar-'));
    try {
      execFileSync('ln', ['-s', '/etc/passwd', join(dir, 'link')]);
      execFileSync('tar', ['-cf', join(dir, 'l.tar'), '-C', dir, 'link']);
      await expect(entries(readFileSync(join(dir, 'l.tar')))).rejects.toThrow(/not a regular file/);
      writeFileSync(join(dir, 'f'), 'x');
      execFileSync('tar', ['-cf', join(dir, 'p.tar'), '-P', '--transform', 's,^,../,', '-C', dir, 'f']);
      await expect(entries(readFileSync(join(dir, 'p.tar')))).rejects.toThrow(/not a safe relative path/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
