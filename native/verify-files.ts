/**
 * The weight verifier of GPU model servers: checks a model directory
 * against a digest manifest in `sha256sum` format before the server may
 * start. Every listed file must exist with the listed SHA-256, and (unless
 * allowed) no file may be present that the manifest does not list, since a
 * server loads whatever shards it finds. The result names each file and,
 * for a mismatch, both digests, so the pod's log says exactly what is wrong.
 */
import { readdir } from 'node:fs/promises';
import { isAbsolute, join, normalize, sep } from 'node:path';
import { SovraError } from '../core/errors.js';
import { sha256File } from './digest.js';

/** One line of a manifest. */
export interface ManifestEntry {
  readonly path: string;
  readonly sha256: string;
}

/** What was found for one file. */
export interface FileCheck {
  readonly path: string;
  readonly status: 'ok' | 'mismatch' | 'missing' | 'unlisted';
  /** Listed digest (absent for unlisted files). */
  readonly expected?: string;
  /** Digest of the bytes found (absent for missing files). */
  readonly actual?: string;
}

/** The verdict over a directory. */
export interface FilesVerification {
  readonly ok: boolean;
  readonly files: readonly FileCheck[];
}

/**
 * Parses a `sha256sum` manifest (`<64 hex>  <path>` or `<64 hex> *<path>`;
 * blank lines and `#` comments ignored). Paths must stay inside the model
 * directory. An empty or malformed manifest is a user mistake naming the line.
 */
export function parseManifest(text: string, what: string): ManifestEntry[] {
  const entries: ManifestEntry[] = [];
  const seen = new Set<string>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '' || line.startsWith('#')) return;
    const m = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line);
    if (!m) throw new SovraError('bad-input', `${what} line ${i + 1} is not "<sha256>  <path>": ${JSON.stringify(line.slice(0, 120))}.`);
    const path = normalize(m[2]!);
    if (isAbsolute(m[2]!) || path === '..' || path.startsWith(`..${sep}`)) throw new SovraError('bad-input', `${what} line ${i + 1}: ${m[2]} must be a path inside the model directory.`);
    if (seen.has(path)) throw new SovraError('bad-input', `${what} lists ${path} twice.`);
    seen.add(path);
    entries.push({ path, sha256: m[1]!.toLowerCase() });
  });
  if (entries.length === 0) throw new SovraError('bad-input', `${what} lists no files; a model is verified only against the digest of every one of its files.`);
  return entries;
}

/** Every regular file under `dir`, as relative paths, sorted. */
async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(join(dir, prefix), { withFileTypes: true });
  } catch (e) {
    throw new SovraError('io', `Cannot read the model directory ${join(dir, prefix)}: ${(e as Error).message}`, { cause: e });
  }
  const out: string[] = [];
  for (const e of entries) {
    const rel = prefix ? join(prefix, e.name) : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else out.push(rel);
  }
  return out.sort();
}

/**
 * Checks `dir` against `entries`. Hidden entries whose name starts with `.`
 * at the top level (a volume's `lost+found`, `..data` links of projected
 * volumes) are skipped when looking for unlisted files.
 */
export async function verifyModelFiles(dir: string, entries: readonly ManifestEntry[], options: { allowUnlisted?: boolean } = {}): Promise<FilesVerification> {
  const present = new Set(await listFiles(dir));
  const files: FileCheck[] = [];
  for (const e of entries) {
    if (!present.has(e.path)) {
      files.push({ path: e.path, status: 'missing', expected: e.sha256 });
      continue;
    }
    const actual = await sha256File(join(dir, e.path));
    files.push({ path: e.path, status: actual === e.sha256 ? 'ok' : 'mismatch', expected: e.sha256, actual });
  }
  if (!options.allowUnlisted) {
    const listed = new Set(entries.map((e) => e.path));
    for (const p of present) {
      if (listed.has(p) || p.startsWith('.') || p.startsWith(`lost+found${sep}`) || p === 'lost+found') continue;
      files.push({ path: p, status: 'unlisted', actual: await sha256File(join(dir, p)) });
    }
  }
  return { ok: files.every((f) => f.status === 'ok'), files };
}

/** One log line per file: what the pod's log shows. */
export function describeCheck(f: FileCheck): string {
  switch (f.status) {
    case 'ok':
      return `ok        ${f.path}  sha256:${f.actual}`;
    case 'mismatch':
      return `MISMATCH  ${f.path}: expected sha256:${f.expected}, found sha256:${f.actual}`;
    case 'missing':
      return `MISSING   ${f.path}: expected sha256:${f.expected}, the file is not in the model directory`;
    case 'unlisted':
      return `UNLISTED  ${f.path}: sha256:${f.actual} is not in the digest manifest (a server could load it unverified)`;
  }
}
