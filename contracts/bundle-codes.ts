/**
 * Exit statuses of `sovra lock`, `sovra bundle`, `sovra bundle load` and
 * `sovra bundle verify` (a light module: the CLI's help imports it). The
 * findings of `bundle verify` that mean what they mean for `sovra verify`
 * keep verify's statuses (30–45, its CI gates included); those only a
 * bundle can have are 50–55;
 * what the bundle refuses to build is 56–58; registry failures are 60–65.
 */
import { VERIFY_EXIT } from './verify-codes.js';

/** Exit status of each kind of `sovra bundle verify` finding, most fundamental first. */
export const BUNDLE_VERIFY_EXIT = {
  bundle: VERIFY_EXIT.bundle,
  key: VERIFY_EXIT.key,
  signature: VERIFY_EXIT.signature,
  statement: VERIFY_EXIT.statement,
  modified: VERIFY_EXIT.modified,
  missing: VERIFY_EXIT.missing,
  extra: VERIFY_EXIT.extra,
  document: VERIFY_EXIT.document,
  unlocked: VERIFY_EXIT.unlocked,
  builder: VERIFY_EXIT.builder,
  source: VERIFY_EXIT.source,
  dirty: VERIFY_EXIT.dirty,
  profile: VERIFY_EXIT.profile,
  archive: 50,
  layout: 51,
  blob: 52,
  reference: 53,
  'image-missing': 54,
  'image-extra': 55,
} as const;

/** Kind of a `sovra bundle verify` finding. */
export type BundleFindingKind = keyof typeof BUNDLE_VERIFY_EXIT;

/** What each kind means, for `sovra bundle verify --help` and the README. */
export const BUNDLE_FINDING_HELP: Readonly<Record<BundleFindingKind, string>> = {
  bundle: 'provenance.sigstore.json is missing, not JSON, or not a v0.3 DSSE bundle with a public-key hint',
  key: 'the bundle was signed by another key than --key',
  signature: 'the signature does not verify (statement or signature changed after signing)',
  statement: 'provenance.intoto.json is missing, differs from the signed statement, or is not an in-toto Statement v1',
  modified: 'a file differs from its signed digest',
  missing: 'a file the statement lists is not in the archive',
  extra: 'the archive has a file the statement does not list',
  document: 'synth/sbom.cdx.json is missing or not CycloneDX JSON',
  unlocked: 'with --require-locked: an image of the SBOM is not pinned by digest',
  builder: 'with --require-builder: the signed provenance names another builder',
  source: 'with --require-source-commit: the signed provenance records another source commit, or none',
  dirty: 'with --require-clean: the signed provenance records uncommitted changes in the source, or no source at all',
  profile: 'with --require-profile: the signed provenance names another profile',
  archive: 'not a zstd-compressed tar, truncated or corrupt, or an entry that is not a regular file at a safe relative path (the archive was tampered with)',
  layout: 'oci-layout, index.json or bundle.json is missing or malformed',
  blob: 'a blob of the OCI layout does not hash to its name',
  reference: 'a manifest or index references a blob or manifest the layout lacks, or the layout holds a blob nothing references',
  'image-missing': 'an image of the SBOM is not in the layout (by name and digest)',
  'image-extra': 'the layout holds an image the SBOM does not list',
};

/** Exit statuses of what `sovra bundle` refuses to build from. */
export const BUNDLE_REFUSAL_EXIT = {
  /** An image is not pinned by digest (the image lock has no entry for it). */
  unlocked: 56,
  /** A chart has no pinned archive digest, or its archive does not hash to it. */
  chart: 57,
  /** A model's weights cannot be carried by digest. */
  model: 58,
} as const;

/** Exit statuses of registry failures (`sovra lock`, `sovra bundle`, `sovra bundle load`). */
export const REGISTRY_EXIT = {
  auth: 60,
  'not-found': 61,
  'digest-mismatch': 62,
  protocol: 63,
  http: 64,
  network: 65,
} as const;

/** What each registry failure means. */
export const REGISTRY_EXIT_HELP: Readonly<Record<keyof typeof REGISTRY_EXIT, string>> = {
  auth: 'the registry or its token server refused the credentials, or needs some',
  'not-found': 'a repository, tag, manifest or blob does not exist (or no platform of an index matches)',
  'digest-mismatch': 'served or pushed bytes do not hash to their digest',
  protocol: 'a manifest or reference the distribution spec does not allow',
  http: 'the registry answered with an unexpected status',
  network: 'the registry could not be reached, after every retry',
};
