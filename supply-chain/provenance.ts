/**
 * SHA256SUMS and the in-toto Statement v1 with a SLSA Provenance v1
 * predicate whose subjects are every other file of the output. The
 * predicate names the builder, the source commit, the profile, the inputs
 * (profile file, lockfile) by digest and SOURCE_DATE_EPOCH; it depends on
 * nothing else, so the same inputs give the same statement.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { sha256Hex } from '../core/hash.js';
import { packageRoot } from '../core/paths.js';
import { isoTime } from '../core/time.js';

/** `sha256sum`-compatible listing of `files` (sorted by path). */
export function sha256sums(files: ReadonlyArray<readonly [string, Uint8Array]>): string {
  return files.map(([path, data]) => `${sha256Hex(data)}  ${path}\n`).join('');
}

/** An SLSA ResourceDescriptor of a build input. */
export interface ResourceDescriptor {
  readonly name?: string;
  readonly uri?: string;
  readonly digest: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string | boolean>>;
}

/** Where Sovra's own source came from: the commit of its checkout, if it is one. */
export interface SourceCommit {
  readonly commit: string;
  /** The checkout had uncommitted changes to tracked files: the commit alone does not describe the build. */
  readonly dirty: boolean;
}

/** What the provenance records about the build. */
export interface ProvenanceInput {
  readonly files: ReadonlyArray<readonly [string, Uint8Array]>;
  readonly profile: { readonly name: string; readonly source: string; readonly digest: string };
  readonly sovraVersion: string;
  readonly epoch: number;
  /** Build inputs by digest (profile file, lockfile, source commit). */
  readonly inputs?: readonly ResourceDescriptor[];
}

/** URI of the build type Sovra's synth defines. */
export const SYNTH_BUILD_TYPE = 'https://sovra.dev/provenance/synth/v1';
/** DSSE payload type of an in-toto Statement. */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
/** `_type` of an in-toto Statement v1. */
export const IN_TOTO_STATEMENT_V1 = 'https://in-toto.io/Statement/v1';
/** `predicateType` of SLSA Provenance v1. */
export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';

let cachedSource: SourceCommit | null | undefined;

/**
 * The git commit of Sovra's own checkout (the construct code that made the
 * output), or null when Sovra is not run from a git checkout of itself.
 */
export function sovraSourceCommit(): SourceCommit | null {
  if (cachedSource !== undefined) return cachedSource;
  const root = packageRoot();
  const git = (...args: string[]): string | undefined => {
    try {
      return execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return undefined;
    }
  };
  const top = existsSync(`${root}/.git`) ? git('rev-parse', '--show-toplevel') : undefined;
  const commit = top !== undefined && realpathSync(top) === realpathSync(root) ? git('rev-parse', 'HEAD') : undefined;
  if (!commit || !/^[0-9a-f]{40,64}$/.test(commit)) return (cachedSource = null);
  const status = git('status', '--porcelain', '--untracked-files=no');
  return (cachedSource = { commit, dirty: status === undefined || status !== '' });
}

/** Digest of Sovra's lockfile, the pin of every npm package the synth and the control plane run. */
export function lockfileInput(): ResourceDescriptor | undefined {
  const path = `${packageRoot()}/package-lock.json`;
  if (!existsSync(path)) return undefined;
  return { name: 'package-lock.json', uri: 'pkg:npm/sovra#package-lock.json', digest: { sha256: sha256Hex(readFileSync(path)) } };
}

/** The in-toto Statement as a plain object. */
export function provenanceStatement(input: ProvenanceInput): object {
  const time = isoTime(input.epoch);
  return {
    _type: IN_TOTO_STATEMENT_V1,
    subject: input.files.map(([name, data]) => ({ name, digest: { sha256: sha256Hex(data) } })),
    predicateType: SLSA_PROVENANCE_V1,
    predicate: {
      buildDefinition: {
        buildType: SYNTH_BUILD_TYPE,
        externalParameters: { profile: input.profile.name, profileSource: input.profile.source },
        internalParameters: { sourceDateEpoch: input.epoch },
        resolvedDependencies: [
          { name: `profile:${input.profile.name}`, digest: { sha256: input.profile.digest }, annotations: { content: 'the resolved profile, canonical JSON' } },
          ...(input.inputs ?? []),
        ],
      },
      runDetails: {
        builder: { id: `https://sovra.dev/builder/sovra-synth@${input.sovraVersion}`, version: { sovra: input.sovraVersion } },
        metadata: { startedOn: time, finishedOn: time },
      },
    },
  };
}
