/**
 * `sovra model verify-files`, the weight verifier GPU model servers run in
 * an init container: real files on disk, a manifest written by the system's
 * `sha256sum` (the format a site uses to supply digests), and one run of the
 * installed CLI for exit status and log lines. A changed byte, a missing
 * file, an unlisted file or an absent manifest each stop it.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { modelCommand } from '../../cli/commands/model.js';
import { digestManifest, type ServedModelDeclaration } from '../../contracts/served-model.js';
import { EXIT_CODES, isSovraError } from '../../core/errors.js';
import { sha256File } from '../../native/digest.js';
import { parseManifest, verifyModelFiles } from '../../native/verify-files.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `sovra model <args>` in this process; a SovraError becomes its exit status and one stderr line, as cli/main.ts does. */
async function model(...args: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const write = { out: process.stdout.write, err: process.stderr.write };
  process.stdout.write = ((s: string) => (out.push(s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => (err.push(s), true)) as typeof process.stderr.write;
  try {
    return { code: await modelCommand.run(args), stdout: out.join(''), stderr: err.join('') };
  } catch (e) {
    if (!isSovraError(e)) throw e;
    return { code: e.exitCode, stdout: out.join(''), stderr: `sovra: ${e.message}\n` };
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
  }
}

/** A model directory like a Hugging Face snapshot: shards in the top folder and a tokenizer in a subfolder. */
function modelDir(): { dir: string; manifest: string } {
  const base = mkdtempSync(join(tmpdir(), 'sovra-verify-files-'));
  const dir = join(base, 'model');
  mkdirSync(join(dir, 'tokenizer'), { recursive: true });
  const shard = Buffer.alloc(3 << 20);
  for (let i = 0; i < shard.length; i++) shard[i] = (i * 2654435761) >>> 24;
  writeFileSync(join(dir, 'model-00001-of-00002.safetensors'), shard);
  writeFileSync(join(dir, 'model-00002-of-00002.safetensors'), shard.subarray(0, 1 << 20));
  writeFileSync(join(dir, 'config.json'), '{"architectures":["Qwen2ForCausalLM"]}\n');
  writeFileSync(join(dir, 'tokenizer', 'tokenizer.json'), '{"version":"1.0"}\n');
  // The site's way of supplying digests: sha256sum over every file, run in the model directory.
  const r = spawnSync('sh', ['-c', 'find . -type f | sed "s|^./||" | sort | xargs sha256sum'], { cwd: dir, encoding: 'utf8' });
  expect(r.status).toBe(0);
  const manifest = join(base, 'SHA256SUMS');
  writeFileSync(manifest, r.stdout);
  return { dir, manifest };
}

describe('sovra model verify-files', () => {
  it('accepts a directory that matches a sha256sum manifest, one ok line per file', async () => {
    const { dir, manifest } = modelDir();
    const r = await model('verify-files', '--manifest', manifest, '--dir', dir);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').map((l) => l.split(/\s+/)[0])).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(r.stdout).toContain(`ok        tokenizer/tokenizer.json  sha256:${await sha256File(join(dir, 'tokenizer/tokenizer.json'))}`);
    expect(r.stderr).toBe(`sovra: 4 model files in ${dir} match ${manifest}.\n`);
  });

  it('a changed byte in one shard stops it: exit 9, the file named with both digests (installed CLI)', async () => {
    const { dir, manifest } = modelDir();
    const file = join(dir, 'model-00001-of-00002.safetensors');
    const expected = await sha256File(file);
    const bytes = readFileSync(file);
    bytes[1234567] = bytes[1234567]! ^ 0x01;
    writeFileSync(file, bytes);
    const actual = await sha256File(file);
    expect(actual).not.toBe(expected);
    const r = await new Promise<Run>((resolve) =>
      execFile(process.execPath, ['bin/sovra.js', 'model', 'verify-files', '--manifest', manifest, '--dir', dir], { cwd: root, encoding: 'utf8' }, (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
      ),
    );
    expect(r.code).toBe(EXIT_CODES['failed-verification']);
    expect(r.stdout).toContain(`MISMATCH  model-00001-of-00002.safetensors: expected sha256:${expected}, found sha256:${actual}\n`);
    expect(r.stdout).toMatch(/^ok {8}model-00002-of-00002\.safetensors /m);
    expect(r.stderr).toBe(`sovra: model weights in ${dir} do not match ${manifest}: model-00001-of-00002.safetensors (mismatch). Refusing to serve them.\n`);
  });

  it('a missing file, or a file the manifest does not list, stops it; --allow-unlisted permits the latter', async () => {
    const { dir, manifest } = modelDir();
    writeFileSync(join(dir, 'extra.bin'), 'pickled weights the manifest never saw');
    const unlisted = await model('verify-files', '--manifest', manifest, '--dir', dir);
    expect(unlisted.code).toBe(EXIT_CODES['failed-verification']);
    expect(unlisted.stdout).toMatch(/^UNLISTED {2}extra\.bin: sha256:[0-9a-f]{64} is not in the digest manifest/m);
    expect((await model('verify-files', '--manifest', manifest, '--dir', dir, '--allow-unlisted')).code).toBe(0);

    const missing = join(dir, 'config.json');
    const expected = await sha256File(missing);
    writeFileSync(manifest, readFileSync(manifest, 'utf8'));
    spawnSync('rm', [missing]);
    const r = await model('verify-files', '--manifest', manifest, '--dir', dir, '--allow-unlisted');
    expect(r.code).toBe(EXIT_CODES['failed-verification']);
    expect(r.stdout).toContain(`MISSING   config.json: expected sha256:${expected}, the file is not in the model directory\n`);
  });

  it('refuses to start without digests: an absent manifest (supplied at install, not supplied yet), an empty one, a malformed one', async () => {
    const { dir } = modelDir();
    const absent = await model('verify-files', '--manifest', join(dir, '..', 'not-supplied', 'SHA256SUMS'), '--dir', dir);
    expect(absent.code).toBe(EXIT_CODES['failed-verification']);
    expect(absent.stderr).toContain('does not exist: the SHA-256 digests of the model\'s files were not supplied');
    const empty = join(dir, '..', 'EMPTY');
    writeFileSync(empty, '# no files\n');
    expect((await model('verify-files', '--manifest', empty, '--dir', dir)).code).toBe(EXIT_CODES['bad-input']);
    expect(() => parseManifest('abc  file\n', 'm')).toThrow('m line 1 is not "<sha256>  <path>"');
    expect(() => parseManifest(`${'a'.repeat(64)}  ../etc/passwd\n`, 'm')).toThrow('must be a path inside the model directory');
  });

  it('the manifest Sovra writes from a declaration is the one sha256sum writes for the same files', async () => {
    const { dir, manifest } = modelDir();
    const entries = parseManifest(readFileSync(manifest, 'utf8'), manifest);
    const decl: ServedModelDeclaration = { name: 'm', version: '1', license: 'Apache-2.0', source: 'https://example.invalid/m', format: 'safetensors', digests: 'declared', files: [...entries].reverse() };
    expect(digestManifest(decl)).toBe(readFileSync(manifest, 'utf8'));
    expect((await verifyModelFiles(dir, entries)).ok).toBe(true);
  });
});
