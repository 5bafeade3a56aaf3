/**
 * Reading a bundle archive as one stream of entries: zstd decompresses, the
 * tar reader splits, and whatever breaks on the way (zstd's checksum, a
 * truncated file, a malformed header, an entry that is not a regular file)
 * is one kind of error, the archive's, with zstd's own message when it has
 * one. Shared by `bundle load` and `bundle verify`.
 */
import { SovraError } from '../../core/errors.js';
import { BUNDLE_VERIFY_EXIT } from '../../contracts/bundle-codes.js';
import { readTar, TarFormatError, type TarEntry } from './tar.js';
import { zstdDecompressFrom } from './zstd.js';

/** An archive that cannot be read (exit status 50). */
export function archiveError(message: string): SovraError {
  return new SovraError('bad-input', message, { exitCode: BUNDLE_VERIFY_EXIT.archive });
}

/**
 * Reads the archive's entries. A broken stream (zstd's checksum, a
 * truncated file, a malformed header), whether found between entries or
 * while a body is read, is an archive error carrying zstd's own message
 * when it has one; zstd is stopped when the reader stops early.
 */
export async function* archiveEntries(archive: string): AsyncGenerator<TarEntry> {
  const z = zstdDecompressFrom(archive);
  let finished = false;
  const broken = async (e: unknown): Promise<unknown> => {
    if (e instanceof SovraError) return e;
    z.kill();
    const zerr = await z.done.then(() => undefined, (x: NodeJS.ErrnoException) => x);
    const zstdFailed = zerr?.code === 'EZSTD' && !/SIGKILL/.test(zerr.message);
    if (zstdFailed) return archiveError(`${archive} is not a readable bundle: ${zerr.message}`);
    if (e instanceof TarFormatError || (e as NodeJS.ErrnoException).code === 'EZSTD') return archiveError(`${archive} is not a readable bundle: ${(e as Error).message}`);
    return e;
  };
  async function* guarded(body: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    try {
      for await (const c of body) yield c;
    } catch (e) {
      throw await broken(e);
    }
  }
  try {
    for await (const e of readTar(z.output)) yield { path: e.path, size: e.size, body: guarded(e.body) };
    await z.done;
    finished = true;
  } catch (e) {
    throw await broken(e);
  } finally {
    if (!finished) {
      z.kill();
      await z.done.catch(() => undefined);
    }
  }
}

