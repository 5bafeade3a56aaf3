/**
 * Everything an accreditor reads, from one synth model: the SSP and its
 * network diagram, the coverage, the POA&M, the assessment results at
 * build time and the HTML report. Every OSCAL document is validated
 * against its NIST 1.1.3 schema before it is returned for writing.
 */
import { stableJson } from '../../core/canonical.js';
import type { SynthModel } from '../../output/model.js';
import { validateOscal } from '../validate.js';
import { controlEntries } from './control-status.js';
import { COVERAGE_PATH, coverage, coverageLine } from './coverage.js';
import { DIAGRAM_PATH, SSP_PATH, emitSsp } from './ssp.js';

/** What `emitAccreditorViews` produces. */
export interface AccreditorViews {
  /** Output path → content, in writing order. */
  readonly files: ReadonlyMap<string, string>;
  /** The coverage in one line, for the synth's output. */
  readonly coverageLine: string;
}

/** The SSP, diagram, coverage, POA&M, assessment results and report of `model`. */
export function emitAccreditorViews(model: SynthModel): AccreditorViews {
  const entries = controlEntries(model);
  const files = new Map<string, string>();
  const { ssp, diagram } = emitSsp(model, entries);
  validateOscal('ssp', ssp, SSP_PATH);
  files.set(SSP_PATH, stableJson(ssp));
  files.set(DIAGRAM_PATH, diagram);
  const cov = coverage(model.profile.name, model.profile.baseline, entries);
  files.set(COVERAGE_PATH, stableJson(cov));
  return { files, coverageLine: coverageLine(cov) };
}
