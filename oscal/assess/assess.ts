/**
 * `sovra assess`: re-checks every claim's evidence that an output's SSP
 * records against the files of that output, and writes OSCAL assessment
 * results. A change to a file after the synth that breaks a claimed
 * setting shows up as a not-satisfied finding on the control.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SovraError } from '../../core/errors.js';
import { validateOscal } from '../validate.js';
import { SSP_PATH } from '../ssp/ssp.js';
import { ASSESSMENT_RESULTS_PATH, emitAssessmentResults, type AssessmentSummary } from './assessment-results.js';
import { claimsFromSsp } from './claim-checks.js';
import { evidenceChecker } from './recheck.js';

/** The assessment of the output in `dir`. */
export function assessOutput(dir: string, options: { readonly epoch?: number } = {}): { document: Record<string, unknown>; summary: AssessmentSummary } {
  let ssp: Record<string, Record<string, unknown>>;
  try {
    ssp = JSON.parse(readFileSync(join(dir, SSP_PATH), 'utf8')) as typeof ssp;
  } catch (e) {
    throw new SovraError('bad-input', `sovra assess: ${join(dir, SSP_PATH)} cannot be read as JSON (${(e as Error).message}); point it at a directory \`sovra synth\` wrote.`, { cause: e });
  }
  validateOscal('ssp', ssp, join(dir, SSP_PATH));
  const plan = ssp['system-security-plan']!;
  const meta = plan.metadata as { 'last-modified': string; version: string; props?: Array<{ name: string; value: string }> };
  const profile = meta.props?.find((p) => p.name === 'profile')?.value ?? 'unknown';
  const check = evidenceChecker(dir);
  const checks = claimsFromSsp(ssp).map(({ records, ...claim }) => ({ ...claim, evidence: records.map(check) }));
  const { document, summary } = emitAssessmentResults({
    profile,
    sovraVersion: meta.version.replace(/\+.*$/, ''),
    // The time of the run: SOURCE_DATE_EPOCH when given, else the time of the assessed SSP.
    epoch: options.epoch ?? Math.floor(Date.parse(meta['last-modified']) / 1000),
    sspHref: '../' + SSP_PATH,
    docPath: ASSESSMENT_RESULTS_PATH,
    checks,
  });
  validateOscal('assessment-results', document, 'assessment results');
  return { document, summary };
}
