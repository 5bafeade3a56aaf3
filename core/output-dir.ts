/**
 * Writes an output tree atomically: files go to a temporary sibling
 * directory that is renamed into place only when the caller's work
 * succeeded. A failed synth leaves no partial output behind.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve, basename, sep, posix } from 'node:path';
import { SovraError } from './errors.js';

/** A directory being filled; `commit()` moves it to its final path. */
export class StagedDirectory {
  /** Final location. */
  readonly target: string;
  /** Temporary location being written. */
  readonly staging: string;
  private readonly written = new Map<string, Buffer>();

  constructor(target: string) {
    this.target = resolve(target);
    mkdirSync(dirname(this.target), { recursive: true });
    // Not mkdtemp: it makes the folder 0700, and the staging folder becomes the output, which
    // must get the mode every other folder gets (0777 less the umask, like its subfolders) so
    // whoever deploys it can read it. The random suffix only avoids clashing with another synth.
    this.staging = join(dirname(this.target), `.${basename(this.target)}.tmp-${randomBytes(6).toString('hex')}`);
    mkdirSync(this.staging);
  }

  /** Writes `relPath` (POSIX separators) inside the staging directory. */
  write(relPath: string, content: string | Uint8Array): void {
    if (relPath.startsWith('/') || relPath.split('/').includes('..')) throw new Error(`bad output path ${relPath}`);
    const buf = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
    const abs = join(this.staging, ...relPath.split('/'));
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, buf);
    this.written.set(relPath, buf);
  }

  /** Every file written so far, by relative POSIX path, in sorted order. */
  files(): Array<[string, Buffer]> {
    return [...this.written.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** Content of a file written earlier. */
  read(relPath: string): Buffer | undefined {
    return this.written.get(relPath);
  }

  /** Replaces the target with the staged tree. */
  commit(): void {
    let old: string | undefined;
    if (existsSync(this.target)) {
      old = `${this.staging}.old`;
      renameSync(this.target, old);
    }
    renameSync(this.staging, this.target);
    if (old) rmSync(old, { recursive: true, force: true });
  }

  /** Removes the staged tree; the target is left as it was. */
  abort(): void {
    rmSync(this.staging, { recursive: true, force: true });
  }
}

/** `p` with POSIX separators. */
export function toPosix(p: string): string {
  return p.split(sep).join(posix.sep);
}

/**
 * Writes one file through a temporary sibling and a rename, so a reader sees
 * the old content or the new one, never a partial file.
 */
export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  const tmp = `${path}.${process.pid}.${Math.random().toString(16).slice(2, 10)}.tmp`;
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new SovraError('io', `Cannot write ${path}: ${(e as Error).message}`, { cause: e });
  }
}
