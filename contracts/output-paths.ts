/**
 * Names of the files a synth writes at the root of its output: one source
 * for the synth that writes them and for `sign` and `verify` that read them
 * (a light module, so the CLI can use it without loading the emitters).
 */

/** CycloneDX SBOM. */
export const SBOM_PATH = 'sbom.cdx.json';
/** CycloneDX CBOM. */
export const CBOM_PATH = 'cbom.cdx.json';
/** `sha256sum`-compatible digests of every other file. */
export const SUMS_PATH = 'SHA256SUMS';
/** The in-toto Statement (SLSA provenance) over every other file. */
export const STATEMENT_PATH = 'provenance.intoto.json';
/** The Sigstore bundle that signs the statement (`--sign`). */
export const BUNDLE_PATH = 'provenance.sigstore.json';
/** The policy gate's report: rules, warnings, waived findings and every waiver with its reason. */
export const POLICY_REPORT_PATH = 'policy-report.json';
