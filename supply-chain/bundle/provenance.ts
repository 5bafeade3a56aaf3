/**
 * The bundle's own provenance: an in-toto Statement v1 with a SLSA v1
 * predicate whose subjects are every file of the archive (the layout's
 * index and every blob, bundle.json, charts, models, the synth output),
 * and whose resolved dependencies name every image, chart and model by
 * digest and where it came from. Signed like the synth's (sign.ts).
 */
import { isoTime } from '../../core/time.js';
import { IN_TOTO_STATEMENT_V1, SLSA_PROVENANCE_V1, type ResourceDescriptor } from '../provenance.js';
import type { BundleChart, BundleImage, BundleModel } from './format.js';

/** URI of the build type of a bundle. */
export const BUNDLE_BUILD_TYPE = 'https://sovra.dev/provenance/bundle/v1';

/** What the bundle's statement records. */
export interface BundleProvenanceInput {
  readonly subjects: ReadonlyArray<{ readonly name: string; readonly sha256: string }>;
  readonly profile: { readonly name: string; readonly source: string; readonly digest: string };
  readonly sovraVersion: string;
  readonly epoch: number;
  readonly platforms: 'all' | readonly string[];
  readonly zstd: string;
  readonly images: readonly BundleImage[];
  readonly charts: readonly BundleChart[];
  readonly models: readonly BundleModel[];
  /** Other inputs by digest (image lock, package-lock.json, source commit). */
  readonly inputs: readonly ResourceDescriptor[];
}

const hex = (d: string): string => d.replace(/^sha256:/, '');

/** The statement as a plain object. */
export function bundleStatement(input: BundleProvenanceInput): object {
  const time = isoTime(input.epoch);
  return {
    _type: IN_TOTO_STATEMENT_V1,
    subject: input.subjects.map((s) => ({ name: s.name, digest: { sha256: s.sha256 } })),
    predicateType: SLSA_PROVENANCE_V1,
    predicate: {
      buildDefinition: {
        buildType: BUNDLE_BUILD_TYPE,
        externalParameters: { profile: input.profile.name, profileSource: input.profile.source, platforms: input.platforms },
        internalParameters: { sourceDateEpoch: input.epoch, zstd: input.zstd },
        resolvedDependencies: [
          { name: `profile:${input.profile.name}`, digest: { sha256: input.profile.digest }, annotations: { content: 'the resolved profile, canonical JSON' } },
          ...input.images.map((i) => ({ name: `image:${i.name}`, uri: `oci://${i.registry}/${i.repository}@${i.digest}`, digest: { sha256: hex(i.digest) } })),
          ...input.charts.map((c) => ({ name: `chart:${c.release}`, uri: `${c.repository}#${c.chart}-${c.version}`, digest: { sha256: hex(c.digest) } })),
          ...input.models.flatMap((m) => m.files.map((f) => ({ name: `model:${m.name}@${m.version}#${f.path}`, digest: { sha256: f.sha256 } }))),
          ...input.inputs,
        ],
      },
      runDetails: {
        builder: { id: `https://sovra.dev/builder/sovra-bundle@${input.sovraVersion}`, version: { sovra: input.sovraVersion } },
        metadata: { startedOn: time, finishedOn: time },
      },
    },
  };
}
