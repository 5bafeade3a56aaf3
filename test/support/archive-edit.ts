/**
 * Reads and rewrites bundle archives in tests (they are small): every file
 * in order with its bytes, and a writer that puts them back through the
 * product's tar writer and zstd, so a test can change one file and nothing
 * else.
 */
import { readTar, TarWriter } from '../../supply-chain/bundle/tar.js';
import { zstdCompressTo, zstdDecompressFrom } from '../../supply-chain/bundle/zstd.js';

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

