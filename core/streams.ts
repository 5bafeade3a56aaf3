/** Stream helpers shared by writers of large files (bundle archives, the blob cache). */
import type { Writable } from 'node:stream';

/** Writes `data` to `out`, waiting when it asks to. */
export async function writeChunk(out: Writable, data: Buffer): Promise<void> {
  if (out.write(data)) return;
  await new Promise<void>((resolve, reject) => {
    const done = (e?: Error): void => {
      out.off('drain', onDrain);
      out.off('error', onError);
      if (e) reject(e);
      else resolve();
    };
    const onDrain = (): void => done();
    const onError = (e: Error): void => done(e);
    out.once('drain', onDrain);
    out.once('error', onError);
  });
}
