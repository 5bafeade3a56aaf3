/**
 * Loads a GGUF file once in a child process before this process trusts it
 * to llama.cpp. The header check (gguf/validate.ts) catches the faults known
 * to abort llama.cpp; this catches the ones nobody has listed yet: if
 * llama.cpp aborts, only the child dies, and the caller gets a SovraError
 * with the last lines it printed.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SovraError } from '../core/errors.js';
import { requirePrebuiltBuild } from './prebuilt.js';

/** Longest time a probe may take before it counts as failed. */
const PROBE_TIMEOUT_MS = 120_000;

/** The child: loads the model on the CPU build (never downloads or builds), prints `ok` and exits. */
const CHILD = `
const [url, path, gpu] = process.argv.slice(2);
const { getLlama, LlamaLogLevel } = await import(url);
const llama = await getLlama({ gpu: JSON.parse(gpu), build: 'never', usePrebuiltBinaries: true, skipDownload: true, progressLogs: false, logLevel: LlamaLogLevel.error });
try {
  const model = await llama.loadModel({ modelPath: path, gpuLayers: 0 });
  await model.dispose();
  process.stdout.write('ok');
} catch (e) {
  process.stderr.write(String(e && e.message || e));
  process.exitCode = 3;
}
`;

let script: Promise<string> | undefined;

/** The child script as a file: node-llama-cpp forks its own binary test with our exec arguments, so `node -e` would recurse. */
function childScript(): Promise<string> {
  script ??= (async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'sovra-probe-')), 'probe.mjs');
    await writeFile(file, CHILD);
    return file;
  })();
  return script;
}

/**
 * Loads `path` with llama.cpp in a child Node process; resolves when it
 * loads, rejects with SovraError('bad-input') naming the file and what
 * llama.cpp said when it fails or aborts.
 */
export async function probeModelInChildProcess(path: string): Promise<void> {
  // A missing build is this machine's fault, not the file's: say so before the child fails on it.
  const { gpu } = requirePrebuiltBuild();
  const url = pathToFileURL(createRequire(import.meta.url).resolve('node-llama-cpp')).href;
  const child = spawn(process.execPath, [await childScript(), url, path, JSON.stringify(gpu)], { stdio: ['ignore', 'pipe', 'pipe'], timeout: PROBE_TIMEOUT_MS });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (err = (err + s).slice(-4000)));
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c, s) => resolve({ code: c, signal: s }));
  });
  if (code === 0 && out === 'ok') return;
  const said = err.trim().split('\n').filter((l) => l.trim() !== '').slice(-3).join(' | ').replace(/\s+/g, ' ');
  const how = signal ? `llama.cpp crashed (signal ${signal})` : code === 3 ? 'llama.cpp refused it' : `the loader exited with status ${String(code)}`;
  throw new SovraError('bad-input', `${path} cannot be loaded: ${how}${said ? `: ${said}` : ''}. The file is malformed or uses a format this llama.cpp does not support.`);
}
