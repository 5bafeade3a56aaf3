/**
 * One image layer as a file tree, written as a reproducible tar: entries
 * sorted by their path's UTF-8 bytes (so every parent directory comes
 * before what it holds), every parent directory present, one fixed
 * modification time, numeric owners only. File contents wait on disk (or in
 * memory when small) until the tar is written, so a layer of any size is
 * streamed and hashed, never held whole.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { open, rename, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { padding, TAR_END, tarHeader, type TarType } from './tar.js';

/** An entry of a layer. */
export interface LayerEntry {
  readonly type: TarType;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Content of a file: bytes, or where on disk they lie. */
  readonly content?: Buffer | StagedContent;
  /** Target of a symlink. */
  readonly linkname?: string;
}

/** A written layer: its digest and size (uncompressed tar, so also its diff id). */
export interface WrittenLayer {
  /** `sha256:<hex>`. */
  readonly digest: string;
  readonly size: number;
  readonly entries: number;
}

/** `./usr//lib/` → `usr/lib`; absolute and `..` paths are refused. */
export function normalizePath(path: string, what: string): string {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new Error(`${what}: path ${JSON.stringify(path)} leaves the root`);
  return parts.join('/');
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Where staged content lies: a byte range of a file. */
export interface StagedContent {
  readonly path: string;
  readonly offset: number;
  readonly size: number;
}

/**
 * Contents staged on disk for the layers of one build, appended to one
 * pack file: thousands of small files cost one file, not thousands of
 * creations and deletions.
 */
export class Staging {
  private fh: FileHandle | undefined;
  private offset = 0;
  private packs = 0;
  private path = '';

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  /** Removes every staged content (after the layers that needed it are written). */
  async clear(): Promise<void> {
    await this.fh?.close();
    this.fh = undefined;
    rmSync(this.dir, { recursive: true, force: true });
    mkdirSync(this.dir, { recursive: true });
  }

  /** Appends `chunks`; where they lie. */
  async write(chunks: AsyncIterable<Buffer>): Promise<StagedContent> {
    if (!this.fh) {
      this.path = join(this.dir, `pack-${this.packs++}`);
      this.fh = await open(this.path, 'w');
      this.offset = 0;
    }
    const start = this.offset;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const flush = async () => {
      if (pendingBytes === 0) return;
      const b = pending.length === 1 ? pending[0]! : Buffer.concat(pending);
      pending = [];
      pendingBytes = 0;
      await this.fh!.write(b, 0, b.length, this.offset);
      this.offset += b.length;
    };
    for await (const c of chunks) {
      pending.push(c);
      pendingBytes += c.length;
      if (pendingBytes >= 1 << 20) await flush();
    }
    await flush();
    return { path: this.path, offset: start, size: this.offset - start };
  }
}

/** Reads byte ranges of files, keeping one handle per file open. */
class RangeReader {
  private readonly handles = new Map<string, FileHandle>();

  async *read(c: StagedContent): AsyncGenerator<Buffer> {
    let fh = this.handles.get(c.path);
    if (!fh) {
      fh = await open(c.path, 'r');
      this.handles.set(c.path, fh);
    }
    let done = 0;
    while (done < c.size) {
      const buf = Buffer.allocUnsafe(Math.min(c.size - done, 1 << 20));
      const { bytesRead } = await fh.read(buf, 0, buf.length, c.offset + done);
      if (bytesRead === 0) throw new Error(`${c.path}: ends before byte ${c.offset + c.size} (changed while the layer was written?)`);
      done += bytesRead;
      yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
    }
  }

  async close(): Promise<void> {
    for (const fh of this.handles.values()) await fh.close();
    this.handles.clear();
  }
}

/** Buffered writes to a file, hashed with SHA-256 on the way. */
class HashingFile {
  private readonly hash = createHash('sha256');
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  size = 0;
  private constructor(private readonly fh: FileHandle) {}

  static async create(path: string): Promise<HashingFile> {
    return new HashingFile(await open(path, 'wx'));
  }

  async write(b: Buffer): Promise<void> {
    if (b.length === 0) return;
    this.hash.update(b);
    this.size += b.length;
    if (b.length >= 1 << 20) {
      await this.flush();
      await this.fh.write(b);
      return;
    }
    this.pending.push(b);
    this.pendingBytes += b.length;
    if (this.pendingBytes >= 1 << 20) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const all = Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    await this.fh.write(all);
  }

  async close(): Promise<string> {
    await this.flush();
    await this.fh.close();
    return this.hash.digest('hex');
  }
}

/** A layer being assembled. */
export class Layer {
  private readonly entries = new Map<string, LayerEntry>();

  constructor(
    /** What the layer holds, for messages and the image history. */
    readonly description: string,
    /** Modification time of every entry (seconds since the epoch). */
    readonly mtime: number,
    /** Mode of the parent directories the layer adds where none was given. */
    private readonly parentMode = 0o755,
  ) {}

  /** Number of entries added so far (parents added at write time not counted). */
  get size(): number {
    return this.entries.size;
  }

  /** Adds `entry` at `path`. A directory given twice keeps its first mode; a file or link given twice is an error naming `source`. */
  add(path: string, entry: LayerEntry, source: string): void {
    const p = normalizePath(path, source);
    if (p === '') return; // the root itself
    const known = this.entries.get(p);
    if (known) {
      if (known.type === 'dir' && entry.type === 'dir') return;
      throw new Error(`${this.description}: ${p} is added twice (again by ${source})`);
    }
    this.entries.set(p, entry);
  }

  /** Removes `path` if present (a later copy of a file replaces the earlier one). */
  remove(path: string): void {
    this.entries.delete(normalizePath(path, 'remove'));
  }

  /** Whether `path` is in the layer. */
  has(path: string): boolean {
    return this.entries.has(normalizePath(path, 'has'));
  }

  /** Adds a directory (root-owned 0755 unless said otherwise). */
  dir(path: string, mode = 0o755, uid = 0, gid = 0): void {
    this.add(path, { type: 'dir', mode, uid, gid }, 'directory');
  }

  /** Adds a file with `content` (root-owned 0644 unless said otherwise). */
  file(path: string, content: Buffer | string, mode = 0o644, uid = 0, gid = 0): void {
    this.add(path, { type: 'file', mode, uid, gid, content: typeof content === 'string' ? Buffer.from(content, 'utf8') : content }, 'file');
  }

  /**
   * Writes the layer as a tar to a new file in `dir` and renames it to its
   * digest (`dir/<hex>`); returns digest and size. Hardlinks are written as
   * copies of their target, so sorting can never put a link before the file
   * it names.
   */
  async writeTar(dir: string): Promise<WrittenLayer> {
    // Every parent directory gets an entry of its own (root-owned, `parentMode`, where none was given).
    for (const p of [...this.entries.keys()]) {
      for (let i = p.indexOf('/'); i > 0; i = p.indexOf('/', i + 1)) {
        const parent = p.slice(0, i);
        const e = this.entries.get(parent);
        if (!e) this.entries.set(parent, { type: 'dir', mode: this.parentMode, uid: 0, gid: 0 });
        else if (e.type !== 'dir') throw new Error(`${this.description}: ${parent} is a ${e.type} but ${p} is inside it`);
      }
    }
    const paths = [...this.entries.keys()].sort(compareBytes);
    const tmp = join(dir, `.layer-${randomBytes(6).toString('hex')}`);
    const out = await HashingFile.create(tmp);
    const reader = new RangeReader();
    for (const path of paths) {
      let e = this.entries.get(path)!;
      if (e.type === 'hardlink') {
        const target = this.entries.get(normalizePath(e.linkname ?? '', path));
        if (!target || target.type !== 'file') throw new Error(`${this.description}: hardlink ${path} names ${e.linkname}, which is not a file of the layer`);
        e = { ...target, mode: e.mode };
      }
      const size = e.type !== 'file' ? 0 : Buffer.isBuffer(e.content) ? e.content.length : e.content?.size ?? 0;
      await out.write(tarHeader({ path, type: e.type, mode: e.mode, uid: e.uid, gid: e.gid, size, mtime: this.mtime, linkname: e.linkname ?? '' }));
      if (e.type !== 'file' || size === 0) continue;
      if (Buffer.isBuffer(e.content)) await out.write(e.content);
      else for await (const c of reader.read(e.content!)) await out.write(c);
      await out.write(Buffer.alloc(padding(size)));
    }
    await reader.close();
    await out.write(TAR_END);
    const hex = await out.close();
    await rename(tmp, join(dir, hex));
    return { digest: `sha256:${hex}`, size: out.size, entries: paths.length };
  }
}
