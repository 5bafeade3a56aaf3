/**
 * The llama.cpp bindings, loaded once per process. CPU only and never
 * built or downloaded: the prebuilt binaries ship inside the npm package.
 */
import { getLlama, LlamaLogLevel, type Llama } from 'node-llama-cpp';

/** Which compute backend to use: `false` is the CPU build; `'auto'` lets node-llama-cpp pick a GPU build if one is installed. */
export type GpuChoice = false | 'auto';

const loaded = new Map<GpuChoice, Promise<Llama>>();

/** The shared llama.cpp instance for `gpu` (first call takes about a second and a half: node-llama-cpp tests the binary in a child process). */
export function sharedLlama(gpu: GpuChoice = false): Promise<Llama> {
  let p = loaded.get(gpu);
  if (!p) {
    p = getLlama({ gpu, build: 'never', usePrebuiltBinaries: true, skipDownload: true, progressLogs: false, logLevel: LlamaLogLevel.error });
    p.catch(() => loaded.delete(gpu));
    loaded.set(gpu, p);
  }
  return p;
}
