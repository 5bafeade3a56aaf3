/**
 * SHA256SUMS and the in-toto Statement v1 with a SLSA Provenance v1
 * predicate whose subjects are every other file of the output.
 */
import { sha256Hex } from '../core/hash.js';
import { isoTime } from '../core/time.js';

/** `sha256sum`-compatible listing of `files` (sorted by path). */
export function sha256sums(files: ReadonlyArray<readonly [string, Uint8Array]>): string {
  return files.map(([path, data]) => `${sha256Hex(data)}  ${path}\n`).join('');
}

/** What the provenance records about the build. */
export interface ProvenanceInput {
  readonly files: ReadonlyArray<readonly [string, Uint8Array]>;
  readonly profile: { readonly name: string; readonly source: string; readonly digest: string };
  readonly sovraVersion: string;
  readonly epoch: number;
}

/** URI of the build type Sovra's synth defines. */
export const SYNTH_BUILD_TYPE = 'https://sovra.dev/provenance/synth/v1';

/** The in-toto Statement as a plain object. */
export function provenanceStatement(input: ProvenanceInput): object {
  const time = isoTime(input.epoch);
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: input.files.map(([name, data]) => ({ name, digest: { sha256: sha256Hex(data) } })),
    predicateType: 'https://slsa.dev/provenance/v1',
    predicate: {
      buildDefinition: {
        buildType: SYNTH_BUILD_TYPE,
        externalParameters: { profile: input.profile.name, profileSource: input.profile.source },
        internalParameters: { sourceDateEpoch: input.epoch },
        resolvedDependencies: [{ name: `profile:${input.profile.name}`, digest: { sha256: input.profile.digest } }],
      },
      runDetails: {
        builder: { id: `https://sovra.dev/builder/sovra-synth@${input.sovraVersion}`, version: { sovra: input.sovraVersion } },
        metadata: { startedOn: time, finishedOn: time },
      },
    },
  };
}
