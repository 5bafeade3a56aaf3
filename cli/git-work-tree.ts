/**
 * Whether git would pick up a file: used to warn before a secret written
 * into a work tree ends up in a commit through `git add -A`.
 */
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';

/**
 * The top folder of the git work tree holding `path` when git does not
 * ignore `path` there; undefined when it is ignored, not in a work tree, or
 * git is not installed (then there is nothing to warn about).
 */
export function unignoredInWorkTree(path: string): string | undefined {
  const abs = resolve(path);
  const cwd = dirname(abs);
  // Exit status 0: ignored; 1: not ignored; 128: not in a work tree.
  const check = spawnSync('git', ['check-ignore', '-q', '--', abs], { cwd, encoding: 'utf8' });
  if (check.error || check.status !== 1) return undefined;
  const top = spawnSync('git', ['rev-parse', '--show-toplevel'], { cwd, encoding: 'utf8' });
  return top.status === 0 ? top.stdout.trim() : cwd;
}
