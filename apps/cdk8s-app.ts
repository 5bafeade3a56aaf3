/**
 * The app `cdk8s synth` runs (see cdk8s.yaml). It runs the same synth as
 * `sovra synth` — evidence checks included — into cdk8s's output folder
 * (`CDK8S_OUTDIR`, `dist/cdk8s` by default): the same full output, every
 * view (manifests/, host/, oscal/, SBOM, CBOM, provenance), byte-identical
 * to `sovra synth`'s. `SOVRA_SIGNING_KEY=<private.pem>` signs it as
 * `sovra synth --sign --key` does; `SOVRA_CHARTS=<dir>` is `--charts`.
 *
 * The cdk8s CLI does not pass its arguments to the app, so the profile is
 * found in this order: `SOVRA_PROFILE`; else, on Linux, the `--profile` of
 * the `cdk8s synth` command that started this process (an ancestor's command
 * line in /proc); else `dev`, saying so. If both name a profile and they
 * differ, it stops: a user who typed `cdk8s synth --profile edge` must never
 * silently get another profile.
 */
import { readFileSync } from 'node:fs';
import { SovraError, reportError } from '../core/errors.js';
import { synth } from '../synth/synth.js';
import { chartArchivesFrom } from '../synth/chart-archives.js';
import { BUILTIN_NAMES, loadProfile } from '../profiles/load.js';
import { LocalKeySigner } from '../supply-chain/signer.js';

/** The `--profile` value in a command line, if any (`--profile x` or `--profile=x`). */
export function profileArgument(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--profile') return argv[i + 1];
    if (a.startsWith('--profile=')) return a.slice('--profile='.length);
  }
  return undefined;
}

function parentPid(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: parse after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(fields[1]);
    return Number.isInteger(ppid) && ppid > 0 ? ppid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The `--profile` of the nearest ancestor that is a `cdk8s synth` command
 * (Linux only). `found` says whether such an ancestor exists at all.
 */
export function ancestorSynthProfile(startPid: number = process.ppid): { found: boolean; profile?: string } {
  if (process.platform !== 'linux') return { found: false };
  let pid: number | undefined = startPid;
  for (let depth = 0; pid !== undefined && pid > 1 && depth < 16; depth++) {
    let argv: string[] = [];
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
    } catch {
      return { found: false };
    }
    const cli = argv.findIndex((a) => /(^|\/)cdk8s(\.js)?$/.test(a) || /cdk8s-cli\/bin\/cdk8s$/.test(a));
    if (cli >= 0 && argv.slice(cli + 1).includes('synth')) {
      const profile = profileArgument(argv.slice(cli + 1));
      return profile === undefined ? { found: true } : { found: true, profile };
    }
    pid = parentPid(pid);
  }
  return { found: false };
}

/** Chooses the profile reference, or throws when the two sources disagree. */
export function chooseProfile(env: NodeJS.ProcessEnv, ancestor: { profile?: string }): { ref: string; notice?: string } {
  const fromEnv = env.SOVRA_PROFILE !== undefined && env.SOVRA_PROFILE !== '' ? env.SOVRA_PROFILE : undefined;
  const fromCli = ancestor.profile;
  if (fromEnv !== undefined && fromCli !== undefined && fromEnv !== fromCli) {
    throw new SovraError(
      'usage',
      `SOVRA_PROFILE=${fromEnv} and \`cdk8s synth --profile ${fromCli}\` name different profiles. Use one of them, or make them the same.`,
    );
  }
  const ref = fromEnv ?? fromCli;
  if (ref !== undefined) return { ref };
  return { ref: 'dev', notice: 'sovra: no profile given (set SOVRA_PROFILE or pass `cdk8s synth --profile <name>`); synthesizing the dev profile.' };
}

/** Runs the full synth for cdk8s into `outDir` (replaced only on success); returns the files written. */
export async function synthForCdk8s(ref: string, outDir: string, env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const profile = loadProfile(ref);
  const profileFile = (BUILTIN_NAMES as readonly string[]).includes(ref) ? undefined : ref;
  const signer = env.SOVRA_SIGNING_KEY ? LocalKeySigner.fromFile(env.SOVRA_SIGNING_KEY) : undefined;
  const chartArchive = env.SOVRA_CHARTS ? chartArchivesFrom(env.SOVRA_CHARTS) : undefined;
  const result = await synth({ profile, profileSource: ref, outDir, env, ...(profileFile ? { profileFile } : {}), ...(signer ? { signer } : {}), ...(chartArchive ? { chartArchive } : {}) });
  return result.files.map((f) => f.path);
}

async function main(): Promise<number> {
  try {
    const { ref, notice } = chooseProfile(process.env, ancestorSynthProfile());
    if (notice) process.stderr.write(notice + '\n');
    await synthForCdk8s(ref, process.env.CDK8S_OUTDIR ?? 'dist/cdk8s');
    return 0;
  } catch (e) {
    return reportError(e);
  }
}

if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  process.exitCode = await main();
}
