/**
 * `sovra model pin` and `sovra model verify`. A few runs go through the
 * installed CLI (bin/sovra.js over lib/: dispatch, exit status, stderr);
 * since each start costs about a second of CPU here, the other cases call
 * the command in this process and read the exit status of its SovraError.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { modelCommand } from '../../cli/commands/model.js';
import { EXIT_CODES, isSovraError } from '../../core/errors.js';
import { buildTinyModel, tinyModelDeclaration, writeTinyModel } from '../../native/tiny/builder.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sovra-model-cli-'));
const model = join(dir, 'sovra-tiny-chat.gguf');

/** Runs the real CLI in a child process. */
function sovra(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/sovra.js', ...args], { cwd: root, encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** Runs `sovra model <args>` in this process, as cli/main.ts would: a SovraError becomes its exit status and one stderr line. */
async function model_(...args: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const write = { out: process.stdout.write, err: process.stderr.write };
  process.stdout.write = ((s: string) => (out.push(s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => (err.push(s), true)) as typeof process.stderr.write;
  try {
    const code = await modelCommand.run(args);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } catch (e) {
    if (!isSovraError(e)) throw e;
    return { code: e.exitCode, stdout: out.join(''), stderr: `sovra: ${e.message}\n` };
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
  }
}

function changedCopy(): Buffer {
  const bytes = Buffer.from(buildTinyModel());
  bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0x80;
  return bytes;
}

beforeAll(async () => {
  await writeTinyModel(model);
});

describe('sovra model (installed CLI)', () => {
  it('pin loads the file in a child process and prints the declaration; verify exits 9 on a changed file and 7 on a malformed declaration; --help documents both', async () => {
    const changedDir = mkdtempSync(join(dir, 'cli-'));
    writeFileSync(join(changedDir, 'sovra-tiny-chat.gguf'), changedCopy());
    const declFile = join(changedDir, 'tiny.json');
    writeFileSync(declFile, JSON.stringify(tinyModelDeclaration()));
    const notJson = join(dir, 'not.json');
    writeFileSync(notJson, '{ name: ');

    const [pin, failed, malformed, help] = await Promise.all([
      sovra('model', 'pin', model),
      sovra('model', 'verify', declFile),
      sovra('model', 'verify', notJson),
      sovra('model', '--help'),
    ]);
    expect(pin).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(pin.stdout)).toEqual(tinyModelDeclaration());

    expect(failed.code).toBe(EXIT_CODES['failed-verification']);
    expect(failed.stdout).toMatch(new RegExp(`FAILED  sovra-tiny-chat  .*\\n.*digest differs: expected sha256:${tinyModelDeclaration().sha256}, actual sha256:[0-9a-f]{64}`));
    expect(failed.stderr).toBe('sovra: 1 of 1 models do not match their declarations: sovra-tiny-chat.\n');

    expect(malformed.code).toBe(EXIT_CODES['bad-input']);
    expect(malformed.stderr).toMatch(/^sovra: .*not\.json is not JSON .*\n$/);
    expect(malformed.stdout).toBe('');

    expect(help.code).toBe(0);
    expect(help.stdout).toContain('sovra model pin <file.gguf>');
    expect(help.stdout).toContain('sovra model verify <declaration.json>...');
    expect(help.stdout).toMatch(/ 9 {2}verify: a file is missing or differs/);
    expect(help.stdout).toMatch(/ 7 {2}a malformed declaration file/);
  });
});

describe('sovra model pin / verify', () => {
  it('pin --out writes the declaration (with overrides) and verify accepts the file', async () => {
    const declFile = join(dir, 'tiny.model.json');
    expect(await model_('pin', model, '--license', 'MIT', '--out', declFile, '--no-probe')).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(JSON.parse(readFileSync(declFile, 'utf8'))).toEqual({ ...tinyModelDeclaration(), license: 'MIT' });
    expect(await model_('verify', declFile)).toEqual({ code: 0, stdout: `ok      sovra-tiny-chat  ${model}\n`, stderr: '' });
  });

  it('verify checks every declaration of a list against --dir and reports as JSON', async () => {
    const sub = mkdtempSync(join(dir, 'changed-'));
    await writeTinyModel(join(sub, 'a.gguf'));
    writeFileSync(join(sub, 'b.gguf'), changedCopy());
    const decls = [tinyModelDeclaration({}, 'a.gguf'), { ...tinyModelDeclaration({}, 'b.gguf'), name: 'b' }];
    const declFile = join(dir, 'pair.json');
    writeFileSync(declFile, JSON.stringify(decls));

    const r = await model_('verify', declFile, '--dir', sub);
    expect(r.code).toBe(EXIT_CODES['failed-verification']);
    expect(r.stdout).toContain(`ok      sovra-tiny-chat  ${join(sub, 'a.gguf')}\nFAILED  b  ${join(sub, 'b.gguf')}\n`);

    const json = await model_('verify', declFile, '--dir', sub, '--json');
    expect(json.code).toBe(EXIT_CODES['failed-verification']);
    const report = JSON.parse(json.stdout) as { ok: boolean; models: Array<{ name: string; ok: boolean; declaration: string }> };
    expect(report.ok).toBe(false);
    expect(report.models.map((m) => [m.name, m.ok, m.declaration])).toEqual([['sovra-tiny-chat', true, declFile], ['b', false, declFile]]);

    const missing = await model_('verify', declFile, '--dir', join(dir, 'nowhere'));
    expect(missing.code).toBe(EXIT_CODES['failed-verification']);
    expect(missing.stdout).toContain('a.gguf is missing.');
  });

  it('malformed input is bad input (7) naming what is wrong', async () => {
    const badField = join(dir, 'bad.json');
    writeFileSync(badField, JSON.stringify([tinyModelDeclaration(), { ...tinyModelDeclaration(), sha256: 'deadbeef' }]));
    const empty = join(dir, 'empty.json');
    writeFileSync(empty, '[]');
    const truncated = join(dir, 'truncated.gguf');
    writeFileSync(truncated, buildTinyModel().subarray(0, 4096));
    const cases: Array<[string[], RegExp]> = [
      [['verify', badField], /bad\.json \[1\]: sha256 must be 64 lower-case hex characters\./],
      [['verify', empty], /empty\.json holds an empty list/],
      [['pin', truncated], /truncated\.gguf is not a valid GGUF model: .*truncated/],
    ];
    for (const [args, message] of cases) {
      const r = await model_(...args);
      expect(r.code, r.stderr).toBe(EXIT_CODES['bad-input']);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    }
    expect((await model_('verify', join(dir, 'absent.json'))).code).toBe(EXIT_CODES.io);
  });

  it('wrong arguments are usage errors (2)', async () => {
    expect(await model_('frobnicate')).toMatchObject({ code: EXIT_CODES.usage, stderr: expect.stringMatching(/unknown subcommand "frobnicate"/) });
    expect((await model_('pin')).code).toBe(EXIT_CODES.usage);
    expect((await model_('verify')).code).toBe(EXIT_CODES.usage);
    expect((await model_('pin', model, '--bogus')).code).toBe(EXIT_CODES.usage);
  });

  it('pin --sbom prints a CycloneDX document whose model component carries the digest', async () => {
    const r = await model_('pin', model, '--sbom', '--no-probe');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { specVersion: string; components: Array<{ type: string; hashes: unknown }> };
    expect(doc.specVersion).toBe('1.6');
    expect(doc.components).toEqual([expect.objectContaining({ type: 'machine-learning-model', hashes: [{ alg: 'SHA-256', content: tinyModelDeclaration().sha256 }] })]);
  });
});
