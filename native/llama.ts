/**
 * The llama.cpp bindings, loaded once per process. CPU only and never
 * built or downloaded: the prebuilt binaries ship inside the npm package
 * of this platform (see prebuilt.ts).
 */
import { getLlama, LlamaLogLevel, NoBinaryFoundError, type Llama } from 'node-llama-cpp';
import { SovraError } from '../core/errors.js';
import { requirePrebuiltBuild } from './prebuilt.js';

/** Which compute backend to use: `false` is the CPU build; `'auto'` lets node-llama-cpp pick a GPU build if one is installed. */
export type GpuChoice = false | 'auto';

const loaded = new Map<GpuChoice, Promise<Llama>>();

/**
 * The shared llama.cpp instance for `gpu` (first call takes about a second and a half: node-llama-cpp tests the binary in a child process).
 * Rejects with a `bad-config` SovraError naming the package when this platform's prebuilt build is missing.
 */
export function sharedLlama(gpu: GpuChoice = false): Promise<Llama> {
  let p = loaded.get(gpu);
  if (!p) {
    p = load(gpu);
    p.catch(() => loaded.delete(gpu));
    loaded.set(gpu, p);
  }
  return p;
}

async function load(gpu: GpuChoice): Promise<Llama> {
  // Checked first: without it node-llama-cpp fails with a bare "NoBinaryFoundError".
  const build = gpu === false ? requirePrebuiltBuild() : undefined;
  try {
    return await getLlama({ gpu: build ? build.gpu : gpu, build: 'never', usePrebuiltBinaries: true, skipDownload: true, progressLogs: false, logLevel: LlamaLogLevel.error });
  } catch (e) {
    if (!(e instanceof NoBinaryFoundError)) throw e;
    const which = build ? `${build.package} is installed but node-llama-cpp cannot use it (its version must equal node-llama-cpp's; \`npm ls node-llama-cpp ${build.package}\` shows both)` : 'no installed build fits this machine';
    throw new SovraError('bad-config', `llama.cpp cannot be loaded on ${process.platform}-${process.arch}: ${which}. Sovra never compiles or downloads llama.cpp.`, { cause: e });
  }
}
