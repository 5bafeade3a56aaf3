/**
 * Tar, both ways. Reading takes what Debian's dpkg-deb and npm's tarballs
 * write (ustar, GNU long names, POSIX pax headers). Writing is
 * deterministic: each header is a pure function of the entry (no user or
 * group names, no device numbers, pax records only where ustar cannot hold
 * a field, and a fixed name for the pax header), the archive ends with two
 * zero blocks and no record padding.
 */
import { ByteReader } from './bytes.js';

/** Kinds of entries Sovra reads and writes. */
export type TarType = 'file' | 'dir' | 'symlink' | 'hardlink';

/** One entry's header. */
export interface TarHeader {
  /** Path as written, without a trailing slash. */
  readonly path: string;
  readonly type: TarType;
  /** Permission bits (including set-id and sticky bits). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  /** Seconds since the epoch. */
  readonly mtime: number;
  /** Target of a symlink or hardlink. */
  readonly linkname: string;
}

/** An entry read from an archive; its content must be read (or is skipped) before the next entry. */
export interface TarEntry extends TarHeader {
  /** The content of a file, as chunks. */
  body(): AsyncGenerator<Buffer>;
}

const BLOCK = 512;

function field(h: Buffer, start: number, len: number): string {
  const raw = h.subarray(start, start + len);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? len : end).toString('utf8');
}

function numeric(h: Buffer, start: number, len: number, what: string): number {
  const raw = h.subarray(start, start + len);
  if (raw[0]! & 0x80) {
    // GNU base-256: big-endian two's complement with the top bit as the marker.
    let v = raw[0]! & 0x7f;
    for (let i = 1; i < len; i++) v = v * 256 + raw[i]!;
    return v;
  }
  const s = raw.toString('latin1').replace(/[\0 ]+$/g, '').replace(/^[ \0]+/, '');
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new Error(`${what}: bad octal field ${JSON.stringify(s)}`);
  return parseInt(s, 8);
}

function checksum(h: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
  return sum;
}

/** pax records (`<len> key=value\n`…) of an extended header. */
function paxRecords(data: Buffer, what: string): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  while (i < data.length) {
    const sp = data.indexOf(0x20, i);
    if (sp < 0) break;
    const len = parseInt(data.subarray(i, sp).toString('latin1'), 10);
    if (!Number.isFinite(len) || len <= 0 || i + len > data.length) throw new Error(`${what}: bad pax record`);
    const rec = data.subarray(sp + 1, i + len - 1).toString('utf8');
    const eq = rec.indexOf('=');
    if (eq > 0) out.set(rec.slice(0, eq), rec.slice(eq + 1));
    i += len;
  }
  return out;
}

/**
 * The entries of a tar stream, in order. `what` names the archive in
 * errors. Device nodes and FIFOs are refused: no part Sovra reads has any.
 */
export async function* readTar(source: AsyncIterable<Buffer | Uint8Array>, what: string): AsyncGenerator<TarEntry> {
  const r = new ByteReader(source, what);
  let longName: string | undefined;
  let longLink: string | undefined;
  let pax = new Map<string, string>();
  for (;;) {
    const h = await r.read(BLOCK);
    if (h === undefined) return; // no end-of-archive blocks: tolerated, as GNU tar does
    if (h.every((b) => b === 0)) {
      await r.drain();
      return;
    }
    if (numeric(h, 148, 8, what) !== checksum(h)) throw new Error(`${what}: header checksum mismatch (a damaged archive)`);
    const flag = String.fromCharCode(h[156]!);
    const size = pax.has('size') ? Number(pax.get('size')) : numeric(h, 124, 12, what);
    const padded = Math.ceil(size / BLOCK) * BLOCK;
    if (flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K') {
      const data = await r.readExact(padded);
      const body = data.subarray(0, size);
      if (flag === 'x') pax = new Map([...pax, ...paxRecords(body, what)]);
      else if (flag === 'L') longName = field(body, 0, body.length);
      else if (flag === 'K') longLink = field(body, 0, body.length);
      continue; // a global header ('g') sets nothing Sovra uses
    }
    const magic = h.subarray(257, 263).toString('latin1');
    const prefix = magic === 'ustar\u000000' || magic.startsWith('ustar\0') ? field(h, 345, 155) : '';
    let path = pax.get('path') ?? longName ?? (prefix ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100));
    const linkname = pax.get('linkpath') ?? longLink ?? field(h, 157, 100);
    longName = longLink = undefined;
    pax = new Map();
    let type: TarType;
    if (flag === '0' || flag === '\0' || flag === '7') type = path.endsWith('/') ? 'dir' : 'file';
    else if (flag === '5') type = 'dir';
    else if (flag === '2') type = 'symlink';
    else if (flag === '1') type = 'hardlink';
    else throw new Error(`${what}: entry ${path} has tar type ${JSON.stringify(flag)} (device, FIFO or unknown), which an image part should not contain`);
    path = path.replace(/\/+$/, '');
    let consumed = false;
    const entry: TarEntry = {
      path,
      type,
      mode: numeric(h, 100, 8, what) & 0o7777,
      uid: numeric(h, 108, 8, what),
      gid: numeric(h, 116, 8, what),
      size: type === 'file' ? size : 0,
      mtime: numeric(h, 136, 12, what),
      linkname,
      async *body() {
        if (consumed) throw new Error(`${what}: ${path} read twice`);
        consumed = true;
        yield* r.stream(type === 'file' ? size : 0);
      },
    };
    yield entry;
    if (!consumed) {
      consumed = true;
      await r.skip(size);
    }
    await r.skip(padded - size);
  }
}

// ---- writing ----

function octal(value: number, width: number, what: string): string {
  const s = value.toString(8);
  if (s.length > width) throw new Error(`tar: ${what} ${value} does not fit in ${width} octal digits`);
  return s.padStart(width, '0');
}

/** Header block(s) of `e`: a pax header first when ustar cannot hold its path, link target or size. */
export function tarHeader(e: TarHeader): Buffer {
  const name = e.type === 'dir' ? `${e.path}/` : e.path;
  const nameBytes = Buffer.from(name, 'utf8');
  const linkBytes = Buffer.from(e.linkname, 'utf8');
  const records: Array<[string, string]> = [];
  let ustarName = nameBytes;
  let ustarPrefix = Buffer.alloc(0);
  if (nameBytes.length > 100) {
    // ustar's split: prefix (≤ 155 bytes) '/' name (≤ 100 bytes), cut at a slash.
    let cut = -1;
    for (let i = nameBytes.length - 1; i > 0; i--) {
      if (nameBytes[i] === 0x2f && i <= 155 && nameBytes.length - i - 1 <= 100 && nameBytes.length - i - 1 > 0) {
        cut = i;
        break;
      }
    }
    if (cut > 0) {
      ustarPrefix = nameBytes.subarray(0, cut);
      ustarName = nameBytes.subarray(cut + 1);
    } else {
      records.push(['path', name]);
      ustarName = nameBytes.subarray(0, 100);
    }
  }
  if (linkBytes.length > 100) records.push(['linkpath', e.linkname]);
  const size = e.type === 'file' ? e.size : 0;
  if (size > 0o77777777777) records.push(['size', String(size)]);

  const block = Buffer.alloc(BLOCK);
  ustarName.copy(block, 0);
  block.write(`${octal(e.mode & 0o7777, 7, 'mode')}\0`, 100, 'latin1');
  block.write(`${octal(e.uid, 7, 'uid')}\0`, 108, 'latin1');
  block.write(`${octal(e.gid, 7, 'gid')}\0`, 116, 'latin1');
  block.write(`${octal(Math.min(size, 0o77777777777), 11, 'size')}\0`, 124, 'latin1');
  block.write(`${octal(e.mtime, 11, 'mtime')}\0`, 136, 'latin1');
  block.write({ file: '0', dir: '5', symlink: '2', hardlink: '1' }[e.type], 156, 'latin1');
  linkBytes.subarray(0, 100).copy(block, 157);
  block.write('ustar\u000000', 257, 'latin1');
  block.write('0000000\0', 329, 'latin1');
  block.write('0000000\0', 337, 'latin1');
  ustarPrefix.copy(block, 345);
  block.write(`${octal(checksum(block), 6, 'checksum')}\0 `, 148, 'latin1');
  if (records.length === 0) return block;

  let body = '';
  for (const [k, v] of records) {
    // The length prefix counts itself: grow it until it is stable.
    const rest = ` ${k}=${v}\n`;
    let len = Buffer.byteLength(rest) + 1;
    while (String(len).length + Buffer.byteLength(rest) !== len) len = String(len).length + Buffer.byteLength(rest);
    body += `${len}${rest}`;
  }
  const paxBody = Buffer.from(body, 'utf8');
  const base = e.path.slice(e.path.lastIndexOf('/') + 1);
  const paxHead = tarHeader({ path: Buffer.from(`PaxHeader/${base}`).subarray(0, 100).toString('utf8').replace(/\uFFFD+$/, ''), type: 'file', mode: 0o644, uid: 0, gid: 0, size: paxBody.length, mtime: e.mtime, linkname: '' });
  paxHead.write('x', 156, 'latin1');
  paxHead.write('        ', 148, 'latin1');
  paxHead.write(`${octal(checksum(paxHead), 6, 'checksum')}\0 `, 148, 'latin1');
  return Buffer.concat([paxHead, paxBody, Buffer.alloc(padding(paxBody.length)), block]);
}

/** Zero bytes that pad `size` to a whole block. */
export function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

/** The end of an archive: two zero blocks. */
export const TAR_END = Buffer.alloc(2 * BLOCK);
