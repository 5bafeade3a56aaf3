/**
 * Which of node-llama-cpp's prebuilt llama.cpp builds local inference loads
 * on this machine, and a clear error when it is not installed. The builds
 * are optional npm dependencies, one package per platform and architecture
 * (npm installs only the one that fits), so `npm ci` and `sovra synth`
 * work everywhere and only local inference needs the package.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { SovraError } from '../core/errors.js';

/** A prebuilt build: its npm package and the `gpu` option of `getLlama` that selects it. */
export interface PrebuiltBuild {
  /** npm package holding the binaries, e.g. `@node-llama-cpp/linux-x64`. */
  readonly package: string;
  /**
   * `getLlama`'s `gpu` option for it. `false` is a CPU-only build; on Apple
   * silicon node-llama-cpp publishes only the Metal build, which Sovra loads
   * with no layers offloaded, so inference still runs on the CPU.
   */
  readonly gpu: false | 'metal';
}

// The CPU builds node-llama-cpp 3.x looks for, by `${process.platform}-${process.arch}`
// (bindings/utils/compileLLamaCpp.js, getPrebuiltBinariesPackageDirectoryForBuildOptions).
const BUILDS: Readonly<Record<string, PrebuiltBuild>> = {
  'linux-x64': { package: '@node-llama-cpp/linux-x64', gpu: false },
  'linux-arm64': { package: '@node-llama-cpp/linux-arm64', gpu: false },
  'linux-arm': { package: '@node-llama-cpp/linux-armv7l', gpu: false },
  'linux-riscv64': { package: '@node-llama-cpp/linux-riscv64', gpu: false },
  'darwin-x64': { package: '@node-llama-cpp/mac-x64', gpu: false },
  'darwin-arm64': { package: '@node-llama-cpp/mac-arm64-metal', gpu: 'metal' },
  'win32-x64': { package: '@node-llama-cpp/win-x64', gpu: false },
  'win32-arm64': { package: '@node-llama-cpp/win-arm64', gpu: false },
};

/** The prebuilt build for `platform`/`arch`, or undefined where node-llama-cpp publishes none. */
export function prebuiltBuildFor(platform: string, arch: string): PrebuiltBuild | undefined {
  return BUILDS[`${platform}-${arch}`];
}

/**
 * The prebuilt build for `platform`/`arch`, checked to be installed where
 * `from` (a file path or URL) resolves packages. Throws a `bad-config`
 * SovraError naming the missing package and how to install it.
 */
export function requirePrebuiltBuild(platform: string = process.platform, arch: string = process.arch, from: string | URL = import.meta.url): PrebuiltBuild {
  const where = `${platform}-${arch}`;
  const build = prebuiltBuildFor(platform, arch);
  if (!build) {
    throw new SovraError(
      'bad-config',
      `Local inference is not available on ${where}: node-llama-cpp publishes prebuilt llama.cpp builds only for ${Object.keys(BUILDS).join(', ')}, and Sovra never compiles or downloads one. Use an upstream tier (--upstream) on this machine.`,
    );
  }
  const require = createRequire(from);
  try {
    require.resolve(build.package);
  } catch {
    const version = nodeLlamaCppVersion(require) ?? '<the version of node-llama-cpp>';
    const libc = platform === 'linux' ? ' On Linux the builds need glibc: npm skips them on musl systems such as Alpine.' : '';
    throw new SovraError(
      'bad-config',
      `Local inference on ${where} needs node-llama-cpp's prebuilt llama.cpp build ${build.package}, which is not installed. ` +
        `npm installs it with node-llama-cpp unless optional dependencies are omitted (--omit=optional): run \`npm ci\` without that option, ` +
        `or add it with \`npm install --no-save ${build.package}@${version}\` (if the registry has no such version, node-llama-cpp ${version} has no build here ` +
        `and local inference needs an upstream tier on this machine).${libc}`,
    );
  }
  return build;
}

/** Version of the installed node-llama-cpp (its prebuilt builds must carry the same), if it can be read. */
function nodeLlamaCppVersion(require: NodeJS.Require): string | undefined {
  let dir: string;
  try {
    dir = dirname(require.resolve('node-llama-cpp'));
  } catch {
    return undefined;
  }
  // Its exports hide package.json, so walk up from the entry point to it.
  for (; dirname(dir) !== dir; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'node-llama-cpp') return pkg.version;
  }
  return undefined;
}
