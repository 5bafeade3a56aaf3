/** Exit statuses of `sovra verify`, one per kind of finding (a light module: the CLI's help imports it). */

/** Exit status of each kind of finding, most fundamental first. */
export const VERIFY_EXIT = {
  bundle: 30,
  key: 31,
  signature: 32,
  statement: 33,
  modified: 34,
  missing: 35,
  extra: 36,
  document: 37,
  license: 38,
  unlocked: 39,
  builder: 42,
  source: 43,
  dirty: 44,
  profile: 45,
} as const;

/** Kind of a verification finding. */
export type FindingKind = keyof typeof VERIFY_EXIT;

/** What each kind means, for `sovra verify --help` and the README. */
export const VERIFY_FINDING_HELP: Readonly<Record<FindingKind, string>> = {
  bundle: 'provenance.sigstore.json is missing, not JSON, or not a v0.3 DSSE bundle with a public-key hint',
  key: 'the bundle was signed by another key than --key',
  signature: 'the signature does not verify (statement or signature changed after signing)',
  statement: 'provenance.intoto.json is missing, differs from the signed statement, or is not an in-toto Statement v1',
  modified: 'a file differs from its signed digest',
  missing: 'a file the statement lists is not in the output',
  extra: 'the output has a file the statement does not list',
  document: 'sbom.cdx.json or cbom.cdx.json is missing or not valid CycloneDX 1.6/1.7',
  license: 'a component violates the license policy recorded in the SBOM',
  unlocked: 'with --require-locked: an image of the SBOM is not pinned by digest (sovra:image:locked=false)',
  builder: 'with --require-builder: the signed provenance names another builder',
  source: 'with --require-source-commit: the signed provenance records another source commit, or none',
  dirty: 'with --require-clean: the signed provenance records uncommitted changes in the source, or no source at all',
  profile: 'with --require-profile: the signed provenance names another profile',
};

/** Exit statuses of `sovra assess` and `sovra diff` are 40 and 41 (below); verify's policy gates take 42–45. */

/** Exit statuses of `sovra assess` and `sovra diff` (after verify's 30–39). */
export const ASSESS_EXIT = {
  /** At least one control's evidence no longer holds (a not-satisfied finding). */
  finding: 40,
  /** `sovra diff --exit-code`: the two outputs differ. */
  differs: 41,
} as const;
