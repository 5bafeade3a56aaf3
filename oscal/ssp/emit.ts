/**
 * Everything an accreditor reads, from one synth model: the SSP and its
 * network diagram, the coverage, the POA&M, the assessment results at
 * build time and the HTML report. Every OSCAL document is validated
 * against its NIST 1.1.3 schema before it is returned for writing.
 */
import { stableJson } from '../../core/canonical.js';
import type { SynthModel } from '../../output/model.js';
import { validateOscal } from '../validate.js';
import { documentText } from '../document-text.js';
import { controlEntries } from './control-status.js';
import { COVERAGE_PATH, coverage, coverageLine } from './coverage.js';
import { DIAGRAM_PATH, SSP_PATH, emitSsp } from './ssp.js';
import { REPORT_PATH, emitReport } from './report-html.js';
import { POAM_PATH, emitPoam } from './poam.js';
import { ASSESSMENT_RESULTS_PATH, emitAssessmentResults } from '../assess/assessment-results.js';
import { checksFromModel } from '../assess/claim-checks.js';

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
  files.set(SSP_PATH, documentText(SSP_PATH, ssp));
  files.set(DIAGRAM_PATH, diagram);
  const cov = coverage(model.profile.name, model.profile.baseline, entries);
  files.set(COVERAGE_PATH, stableJson(cov));
  const poam = emitPoam(model, entries);
  validateOscal('poam', poam, POAM_PATH);
  files.set(POAM_PATH, documentText(POAM_PATH, poam));
  const ar = emitAssessmentResults({
    profile: model.profile.name,
    sovraVersion: model.sovraVersion,
    epoch: model.epoch,
    sspHref: 'ssp.json',
    docPath: ASSESSMENT_RESULTS_PATH,
    checks: checksFromModel(model),
  }).document;
  validateOscal('assessment-results', ar, ASSESSMENT_RESULTS_PATH);
  files.set(ASSESSMENT_RESULTS_PATH, documentText(ASSESSMENT_RESULTS_PATH, ar));
  files.set(REPORT_PATH, emitReport(model, entries, cov, diagram));
  return { files, coverageLine: coverageLine(cov) };
}
