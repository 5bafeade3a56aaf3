/**
 * Reading a bundle archive as one stream of entries: the frame reader
 * decompresses (frames.ts: stored frames in-process, the others through
 * `zstd -d`), the tar reader splits, and whatever breaks on the way
 * (zstd's checksum, a truncated file, a malformed header, an entry that is
 * not a regular file) is one kind of error, the archive's, with zstd's own
 * message when it has one. Shared by `bundle load` and `bundle verify`.
 */
import { SovraError } from '../../core/errors.js';
import { BUNDLE_VERIFY_EXIT } from '../../contracts/bundle-codes.js';
import { readTar, TarFormatError, type TarEntry } from './tar.js';
import { zstdFileChunks } from './frames.js';

/** An archive that cannot be read (exit status 50). */
export function archiveError(message: string): SovraError {
  return new SovraError('bad-input', message, { exitCode: BUNDLE_VERIFY_EXIT.archive });
}

/**
 * Reads the archive's entries. A broken stream (a zstd frame's checksum, a
 * truncated file, a malformed header), whether found between entries or
 * while a body is read, is an archive error carrying zstd's own message
 * when it has one; the file is closed (and a zstd process stopped) when
 * the reader stops early.
 */
export async function* archiveEntries(archive: string): AsyncGenerator<TarEntry> {
  const fail = (e: unknown): unknown => {
    if (e instanceof SovraError) return e;
    if (e instanceof TarFormatError || (e as NodeJS.ErrnoException).code === 'EZSTD') return archiveError(`${archive} is not a readable bundle: ${(e as Error).message}`);
    return e;
  };
  async function* guarded(body: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    try {
      for await (const c of body) yield c;
    } catch (e) {
      throw fail(e);
    }
  }
  try {
    for await (const e of readTar(zstdFileChunks(archive))) yield { path: e.path, size: e.size, body: guarded(e.body) };
  } catch (e) {
    throw fail(e);
  }
}
