/** Running `sovra` as a real process in tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Exit status and output of a finished process. */
export interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `sovra <args>` (the built `bin/sovra.js`) as its own process; `env` is added to this one's. */
export function sovra(args: string[], env: NodeJS.ProcessEnv = {}, cwd = REPO_ROOT): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/sovra.js'), ...args], { cwd, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Collects a running child's output as it comes. */
export function collect(child: ChildProcess): { stdout: string; stderr: string } {
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (b: Buffer) => (out.stdout += b.toString('utf8')));
  child.stderr!.on('data', (b: Buffer) => (out.stderr += b.toString('utf8')));
  return out;
}

/** Waits until `pattern` appears in the child's stdout; fails if the child exits first. */
export async function waitFor(child: ChildProcess, out: { stdout: string; stderr: string }, pattern: RegExp): Promise<RegExpExecArray> {
  for (;;) {
    const m = pattern.exec(out.stdout);
    if (m) return m;
    if (child.exitCode !== null) throw new Error(`sovra exited with ${child.exitCode}:\n${out.stderr}\n${out.stdout}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Whether this process still holds a descriptor of `path` (Linux: /proc/self/fd). */
export function openHere(path: string): boolean {
  return readdirSync('/proc/self/fd').some((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path;
    } catch {
      return false;
    }
  });
}

/** Pids of this process's running children named `name` (Linux: /proc/<pid>/stat). */
export function childrenNamed(name: string): string[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
        const close = stat.lastIndexOf(')');
        const [state, ppid] = stat.slice(close + 2).split(' ');
        return stat.slice(stat.indexOf('(') + 1, close) === name && ppid === String(process.pid) && state !== 'Z';
      } catch {
        return false;
      }
    });
}
