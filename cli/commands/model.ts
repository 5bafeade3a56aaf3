/**
 * `sovra model pin` and `sovra model verify`: the declaration of a GGUF
 * model (name, file, SHA-256, license, source, parameters) is written once
 * by `pin` and checked against the files by `verify`.
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../../core/output-dir.js';
import { basename, dirname, resolve } from 'node:path';
import { EXIT_CODES, SovraError } from '../../core/errors.js';
import { parseModelDeclaration } from '../../native/declaration-check.js';
import type { ModelDeclaration } from '../../contracts/model-declaration.js';
import { pinModel, verifyModel, type ModelVerification } from '../../native/pin.js';
import { probeModelInChildProcess } from '../../native/probe.js';
import { parseCommandArgs } from '../args.js';
import type { Command } from '../command.js';

const usage = [
  'Usage: sovra model pin <file.gguf> [--name <name>] [--version <v>] [--license <spdx>] [--source <url>] [--out <file>] [--sbom] [--no-probe]',
  '       sovra model verify <declaration.json>... [--dir <model-dir>] [--json]',
  '       sovra model tiny --out <file.gguf>',
  '       sovra model verify-files --manifest <SHA256SUMS> --dir <model-dir> [--allow-unlisted] [--json]',
  '',
  'pin     reads a GGUF file (header checked, SHA-256 computed) and prints its model',
  '        declaration as JSON: name, version, file, sha256, sizeBytes, license, source,',
  '        format and parameters read from the header. The declaration is the single',
  '        source for the runtime (which refuses another digest), the SBOM and provenance.',
  '        --name, --version, --license, --source   override what the header says',
  '                     (defaults: general.name / general.version / general.license /',
  '                     general.source.url, else the file name, the digest prefix,',
  '                     NOASSERTION, NOASSERTION)',
  '        --out <file> write the declaration to <file> instead of printing it',
  '        --sbom       print a CycloneDX 1.6 SBOM with the model component instead',
  '        --no-probe   skip loading the file once with llama.cpp in a child process (by',
  '                     default pin does, so a file that would crash llama.cpp is never',
  '                     pinned; the runtime trusts a pinned file to load)',
  '',
  'verify  checks model files against declaration files. A declaration file holds one',
  '        declaration (a JSON object, as `pin` prints it) or a JSON array of them. Each',
  '        model file is `file` of its declaration, resolved against --dir, by default',
  '        the folder of the declaration file. Checks presence, size, SHA-256 and the',
  '        parameters in the GGUF header; prints one line per model (--json: a report).',
  '',
  'tiny    writes Sovra\'s generated test model sovra-tiny-chat (a two-layer GGUF built',
  '        by code from a fixed seed: the same bytes every time, so it matches the',
  '        declaration the built-in profiles pin) and prints its declaration. The',
  '        control plane\'s init container uses it to fill the model volume.',
  '',
  'verify-files  checks a model directory (safetensors shards, tokenizer, ONNX graph)',
  '        against a digest manifest in sha256sum format ("<sha256>  <path>" per line,',
  '        as `sha256sum` writes it): every listed file must be present with that digest,',
  '        and no unlisted file may be present (--allow-unlisted permits them). Prints one',
  '        line per file; a mismatch names the file and both digests. GPU model servers',
  '        run it in an init container, so a changed byte keeps the server from starting.',
  '        A manifest that does not exist means the digests were never supplied: refused.',
  '',
  'Exit status:',
  `   0  every file matches its declaration (pin: the declaration was written)`,
  `  ${String(EXIT_CODES['failed-verification']).padStart(2)}  verify: a file is missing or differs from its declaration`,
  `  ${String(EXIT_CODES['bad-input']).padStart(2)}  a malformed declaration file, or a file that is not a valid GGUF model`,
  `  ${String(EXIT_CODES.io).padStart(2)}  a file cannot be read or written`,
  `  ${String(EXIT_CODES.usage).padStart(2)}  wrong arguments`,
  '',
].join('\n');

async function pin(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('model pin', args, {
    name: { type: 'string' },
    version: { type: 'string' },
    license: { type: 'string' },
    source: { type: 'string' },
    out: { type: 'string' },
    sbom: { type: 'boolean' },
    'no-probe': { type: 'boolean' },
  }, true);
  if (positionals.length !== 1) throw new SovraError('usage', 'sovra model pin: give exactly one GGUF file. Run `sovra model --help` for usage.');
  const file = positionals[0]!;
  const decl = await pinModel(file, { name: values.name, version: values.version, license: values.license, source: values.source });
  if (!values['no-probe']) await probeModelInChildProcess(file);
  let text = JSON.stringify(decl, null, 2) + '\n';
  if (values.sbom) {
    const { modelSbomDocument } = await import('../../supply-chain/model-sbom.js');
    text = modelSbomDocument([decl]);
  }
  if (values.out !== undefined) writeFileAtomic(values.out, text);
  else process.stdout.write(text);
  return 0;
}

/** The declarations in one declaration file; a malformed file is `bad-input` naming it. */
async function readDeclarations(file: string): Promise<ModelDeclaration[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new SovraError('io', `Cannot read the declaration file ${file}: ${(e as Error).message}`, { cause: e });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new SovraError('bad-input', `${file} is not JSON (${(e as Error).message}). A declaration file holds the JSON that \`sovra model pin\` prints, or an array of such objects.`, { cause: e });
  }
  const items = Array.isArray(value) ? value : [value];
  if (items.length === 0) throw new SovraError('bad-input', `${file} holds an empty list; it must declare at least one model.`);
  return items.map((item, i) => parseModelDeclaration(item, Array.isArray(value) ? `${file} [${i}]` : file));
}

async function verify(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('model verify', args, { dir: { type: 'string' }, json: { type: 'boolean' } }, true);
  if (positionals.length === 0) throw new SovraError('usage', 'sovra model verify: give at least one declaration file. Run `sovra model --help` for usage.');
  // Every declaration file is read first, so a malformed one stops the command before any hashing.
  const work: Array<{ file: string; decl: ModelDeclaration }> = [];
  for (const file of positionals) for (const decl of await readDeclarations(file)) work.push({ file, decl });
  const results: Array<ModelVerification & { declaration: string }> = [];
  for (const { file, decl } of work) {
    const dir = values.dir !== undefined ? resolve(values.dir) : dirname(resolve(file));
    results.push({ declaration: file, ...(await verifyModel(dir, decl)) });
  }
  const ok = results.every((r) => r.ok);
  if (values.json) {
    process.stdout.write(JSON.stringify({ ok, models: results }, null, 2) + '\n');
  } else {
    for (const r of results) {
      process.stdout.write(r.ok ? `ok      ${r.name}  ${r.path}\n` : `FAILED  ${r.name}  ${r.path}\n${r.problems.map((p) => `        ${p}\n`).join('')}`);
    }
  }
  if (!ok) {
    const failed = results.filter((r) => !r.ok).map((r) => r.name);
    process.stderr.write(`sovra: ${failed.length} of ${results.length} models do not match their declarations: ${failed.join(', ')}.\n`);
    return EXIT_CODES['failed-verification'];
  }
  return 0;
}

async function verifyFiles(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('model verify-files', args, { manifest: { type: 'string' }, dir: { type: 'string' }, 'allow-unlisted': { type: 'boolean' }, json: { type: 'boolean' } });
  if (positionals.length > 0 || values.manifest === undefined || values.dir === undefined) {
    throw new SovraError('usage', 'sovra model verify-files: give --manifest <SHA256SUMS> and --dir <model-dir>. Run `sovra model --help` for usage.');
  }
  const { parseManifest, verifyModelFiles, describeCheck } = await import('../../native/verify-files.js');
  let text: string;
  try {
    text = await readFile(values.manifest, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new SovraError('failed-verification', `the digest manifest ${values.manifest} does not exist: the SHA-256 digests of the model's files were not supplied, so its weights cannot be verified and the server must not start. Supply the manifest (sha256sum format) as the README says.`);
    }
    throw new SovraError('io', `Cannot read the digest manifest ${values.manifest}: ${(e as Error).message}`, { cause: e });
  }
  const entries = parseManifest(text, values.manifest);
  const result = await verifyModelFiles(resolve(values.dir), entries, { allowUnlisted: values['allow-unlisted'] === true });
  if (values.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  else for (const f of result.files) process.stdout.write(describeCheck(f) + '\n');
  if (!result.ok) {
    const bad = result.files.filter((f) => f.status !== 'ok');
    process.stderr.write(`sovra: model weights in ${values.dir} do not match ${values.manifest}: ${bad.map((f) => `${f.path} (${f.status})`).join(', ')}. Refusing to serve them.\n`);
    return EXIT_CODES['failed-verification'];
  }
  process.stderr.write(`sovra: ${result.files.length} model files in ${values.dir} match ${values.manifest}.\n`);
  return 0;
}

/** Writes Sovra's generated test model (deterministic bytes, so its pinned digest holds) and prints its declaration. */
async function tiny(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('model tiny', args, { out: { type: 'string' } });
  if (positionals.length > 0 || values.out === undefined) throw new SovraError('usage', 'sovra model tiny: give --out <file.gguf>. Run `sovra model --help` for usage.');
  const { buildTinyModel, tinyModelDeclaration } = await import('../../native/tiny/builder.js');
  writeFileAtomic(values.out, buildTinyModel());
  process.stdout.write(JSON.stringify(tinyModelDeclaration(undefined, basename(values.out)), null, 2) + '\n');
  return 0;
}

/** The model command (`pin`, `verify` and `tiny`). */
export const modelCommand: Command = {
  name: 'model',
  summary: 'Pin a GGUF model (print its declaration), or verify model files against declarations or a digest manifest',
  usage,
  async run(args) {
    const [sub, ...rest] = args;
    if (sub === 'pin') return pin(rest);
    if (sub === 'verify') return verify(rest);
    if (sub === 'tiny') return tiny(rest);
    if (sub === 'verify-files') return verifyFiles(rest);
    if (sub === undefined) {
      // `sovra model` alone: its usage, with the usage exit status, as `sovra` alone does.
      process.stdout.write(usage);
      return EXIT_CODES.usage;
    }
    throw new SovraError('usage', `sovra model: unknown subcommand ${JSON.stringify(sub)}; use \`sovra model pin\`, \`sovra model verify\`, \`sovra model verify-files\` or \`sovra model tiny\`. Run \`sovra model --help\` for usage.`);
  },
};
