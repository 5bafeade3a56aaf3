/**
 * Reads and rewrites bundle archives in tests (they are small): every file
 * in order with its bytes, and a writer that puts them back through the
 * product's tar writer and zstd, so a test can change one file and nothing
 * else.
 */
import { PassThrough, Readable } from 'node:stream';
import { readTar, TarWriter } from '../../supply-chain/bundle/tar.js';
import { zstdCompressTo, zstdDecompressFrom } from '../../supply-chain/bundle/zstd.js';

/** The tar (uncompressed) the product's tar writer writes for `files`, in order. */
export async function tarBytes(files: ReadonlyArray<readonly [string, Buffer]>, mtime = 1767225600): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const w = new TarWriter(out, mtime);
  for (const [p, d] of files) await w.add(p, d.length, Readable.from([d]));
  await w.finish();
  out.end();
  return Buffer.concat(chunks);
}

/** Every file of an archive, in order, with its bytes. */
export async function readArchive(file: string): Promise<{ order: string[]; files: Map<string, Buffer> }> {
  const z = zstdDecompressFrom(file);
  const files = new Map<string, Buffer>();
  const order: string[] = [];
  for await (const e of readTar(z.output)) {
    const chunks: Buffer[] = [];
    for await (const c of e.body) chunks.push(c);
    files.set(e.path, Buffer.concat(chunks));
    order.push(e.path);
  }
  await z.done;
  return { order, files };
}

/** Writes `entries` (in order) as a zstd-compressed tar at `file`. */
export async function writeArchive(file: string, entries: ReadonlyArray<readonly [string, Buffer]>): Promise<void> {
  const z = zstdCompressTo(file);
  const tar = new TarWriter(z.input, 1767225600);
  for (const [path, data] of entries) await tar.add(path, data.length, data);
  await tar.finish();
  z.input.end();
  await z.done;
}

/** Copies archive `from` to `to`, passing each file through `edit` (return undefined to drop it). */
export async function editArchive(from: string, to: string, edit: (path: string, data: Buffer) => Buffer | undefined, add: ReadonlyArray<readonly [string, Buffer]> = []): Promise<void> {
  const { order, files } = await readArchive(from);
  const out: Array<readonly [string, Buffer]> = [];
  for (const p of order) {
    const d = edit(p, files.get(p)!);
    if (d) out.push([p, d]);
  }
  await writeArchive(to, [...out, ...add]);
}


/** One zstd frame of an archive: where it is, and whether zstd compressed it (with a content checksum) or it stores bytes as they are. */
export interface ZstdFrame {
  readonly offset: number;
  readonly length: number;
  /** Whether any of its blocks is compressed (not raw). */
  readonly compressed: boolean;
  readonly checksum: boolean;
}

/** The zstd frames of `bytes`, walked by their headers (RFC 8878 §3.1.1). */
export function zstdFrames(bytes: Buffer): ZstdFrame[] {
  const frames: ZstdFrame[] = [];
  for (let at = 0; at < bytes.length; ) {
    if (bytes.readUInt32LE(at) !== 0xfd2fb528) throw new Error(`no zstd frame at byte ${at}`);
    const fhd = bytes[at + 4]!;
    const fcsFlag = fhd >> 6;
    const single = (fhd >> 5) & 1;
    const checksum = ((fhd >> 2) & 1) === 1;
    const dictFlag = fhd & 3;
    let p = at + 5 + (single ? 0 : 1) + [0, 1, 2, 4][dictFlag]! + [single ? 1 : 0, 2, 4, 8][fcsFlag]!;
    let compressed = false;
    for (;;) {
      const h = bytes[p]! | (bytes[p + 1]! << 8) | (bytes[p + 2]! << 16);
      const type = (h >> 1) & 3;
      const size = h >> 3;
      if (type === 2) compressed = true;
      p += 3 + (type === 1 ? 1 : size);
      if (h & 1) break;
    }
    if (checksum) p += 4;
    frames.push({ offset: at, length: p - at, compressed, checksum });
    at = p;
  }
  return frames;
}
