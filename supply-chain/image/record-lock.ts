/**
 * Records a built image's digest in an image lock (images.lock.json
 * format): the entry of its reference is added or replaced, the others are
 * kept, entries stay sorted by reference, and the file is replaced
 * atomically. The result is checked by the same parser the synth uses.
 */
import { existsSync, readFileSync } from 'node:fs';
import { ImageLock, type ImageLockFile, type LockedImage } from '../../constructs/kit/image-lock.js';
import { writeFileAtomic } from '../../core/output-dir.js';

/** Adds or replaces `entry` in the lock at `path` (created when absent); returns whether an entry was replaced. */
export function recordInLock(path: string, entry: LockedImage): { replaced: boolean } {
  const current: ImageLockFile = existsSync(path) ? ImageLock.parse(readFileSync(path, 'utf8'), path).file : { lockVersion: 1, images: [] };
  const others = current.images.filter((i) => i.reference !== entry.reference);
  const images = [...others, entry].sort((a, b) => (a.reference < b.reference ? -1 : a.reference > b.reference ? 1 : 0));
  const text = JSON.stringify({ lockVersion: 1, images }, null, 2) + '\n';
  ImageLock.parse(text, path);
  writeFileAtomic(path, text);
  return { replaced: others.length !== current.images.length };
}
