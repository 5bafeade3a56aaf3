/**
 * OSCAL 1.1.3 assessment results from checked claims: one observation per
 * claim (its evidence as relevant evidence, each with the value found), one
 * finding per assessed control, satisfied only when every claim's evidence
 * holds. A claim whose evidence fails makes its control's finding
 * not-satisfied; it never reads as implemented.
 */
import { canonicalJson } from '../../core/canonical.js';
import { uuidV5 } from '../../core/hash.js';
import { isoTime } from '../../core/time.js';
import { control as catalogControl } from '../../controls/catalog.js';
import { PENDING_UUID } from '../document-text.js';
import { hrefFrom, sovraProp } from '../component-definition-requirements.js';
import type { ClaimCheck } from './claim-checks.js';

/** Output path of the assessment results the synth writes (the build-time assessment). */
export const ASSESSMENT_RESULTS_PATH = 'oscal/assessment-results.json';

/** What the assessment found, besides the document. */
export interface AssessmentSummary {
  readonly controls: number;
  readonly claims: number;
  readonly evidence: number;
  /** Controls with at least one claim whose evidence failed, sorted. */
  readonly notSatisfied: readonly string[];
}

type Json = Record<string, unknown>;

/** Inputs beside the checks. */
export interface AssessmentInput {
  readonly profile: string;
  readonly sovraVersion: string;
  /** Seconds since the epoch: when the assessment ran (SOURCE_DATE_EPOCH). */
  readonly epoch: number;
  /** Where the assessed output's SSP is, relative to where the document is written. */
  readonly sspHref: string;
  /** Path of the document relative to the output root, for evidence hrefs. */
  readonly docPath: string;
  readonly checks: readonly ClaimCheck[];
}

/** The assessment results document (its own uuid PENDING_UUID until `documentText` writes it) and its summary. */
export function emitAssessmentResults(input: AssessmentInput): { document: Json; summary: AssessmentSummary } {
  const time = isoTime(input.epoch);
  const byControl = new Map<string, ClaimCheck[]>();
  for (const c of input.checks) byControl.set(c.control, [...(byControl.get(c.control) ?? []), c]);
  const observations: Json[] = [];
  const findings: Json[] = [];
  const notSatisfied: string[] = [];
  let evidence = 0;
  for (const [id, checks] of byControl) {
    const related: string[] = [];
    for (const [i, c] of checks.entries()) {
      evidence += c.evidence.length;
      const failed = c.evidence.filter((e) => !e.holds);
      // Per control, component and claim, and whether each piece held: stable across runs over the same output.
      const uuid = uuidV5(`ar:observation:${id}:${c.component}:${i}:${c.evidence.map((e) => (e.holds ? '1' : '0')).join('')}`);
      related.push(uuid);
      observations.push({
        uuid,
        title: `${id.toUpperCase()} claim of ${c.component}`,
        description: c.statement || `Claim of ${c.component} on ${id}.`,
        props: [sovraProp('component', c.component), sovraProp('claim-status', c.status), sovraProp('evidence-held', `${c.evidence.length - failed.length}/${c.evidence.length}`)],
        methods: ['TEST'],
        types: [failed.length > 0 ? 'finding' : 'control-objective'],
        subjects: [{ 'subject-uuid': c.componentUuid, type: 'component' }],
        ...(c.evidence.length > 0
          ? {
              'relevant-evidence': c.evidence.map((e) => ({
                href: hrefFrom(input.docPath, e.record.file),
                description: `${e.record.description}: ${e.holds ? 'holds' : 'FAILS'}, found ${e.actual === undefined ? 'nothing' : canonicalJson(e.actual)}`,
                props: [sovraProp('holds', String(e.holds)), sovraProp('evidence-path', e.record.path), sovraProp('evidence-expectation', e.record.expectation)],
              })),
            }
          : {}),
        collected: time,
      });
    }
    const failedClaims = checks.filter((c) => c.evidence.some((e) => !e.holds));
    const satisfied = failedClaims.length === 0;
    if (!satisfied) notSatisfied.push(id);
    const statuses = checks.map((c) => c.status);
    const state = !satisfied ? undefined : statuses.every((s) => s === 'implemented') ? 'implemented' : statuses.every((s) => s === 'planned') ? 'planned' : 'partial';
    const label = catalogControl(id)?.label ?? id.toUpperCase();
    findings.push({
      uuid: uuidV5(`ar:finding:${id}:${satisfied}:${related.join(',')}`),
      title: `${label}: ${satisfied ? 'evidence holds' : 'evidence fails'}`,
      description: satisfied
        ? `Every piece of evidence of the ${checks.length} claim(s) on ${label} holds in the assessed output.`
        : `Evidence of ${failedClaims.map((c) => c.component).join(', ')} on ${label} no longer holds: ${failedClaims.flatMap((c) => c.evidence.filter((e) => !e.holds).map((e) => `${e.record.description} (found ${e.actual === undefined ? 'nothing' : canonicalJson(e.actual)})`)).join('; ')}. The control is not implemented as claimed.`,
      target: {
        type: 'statement-id',
        'target-id': `${id}_smt`,
        status: { state: satisfied ? 'satisfied' : 'not-satisfied' },
        ...(state ? { 'implementation-status': { state } } : {}),
      },
      'related-observations': related.map((u) => ({ 'observation-uuid': u })),
    });
    if (!satisfied) findings[findings.length - 1]!.props = [sovraProp('finding', 'evidence-fails', { class: 'finding' })];
  }
  const controls = [...byControl.keys()];
  const body = {
    metadata: {
      title: `Sovra ${input.profile}: assessment results`,
      published: time,
      'last-modified': time,
      version: `${input.sovraVersion}+${input.profile}`,
      'oscal-version': '1.1.3',
      props: [sovraProp('profile', input.profile)],
    },
    'import-ap': { href: input.sspHref, remarks: 'There is no separate assessment plan: the plan is to re-check every piece of evidence the SSP records against the output it describes.' },
    results: [
      {
        uuid: uuidV5(`ar:result:${input.profile}:${time}:${canonicalJson(findings.map((f) => f.uuid))}`),
        title: 'Evidence re-check',
        description: `Each claim's evidence (file, object, field, expected value) re-read from the output: ${controls.length} controls, ${input.checks.length} claims, ${evidence} pieces of evidence; ${notSatisfied.length} control(s) not satisfied.`,
        start: time,
        end: time,
        'reviewed-controls': { 'control-selections': [controls.length > 0 ? { 'include-controls': controls.map((c) => ({ 'control-id': c })) } : { 'include-all': {} }] },
        ...(observations.length > 0 ? { observations } : {}),
        ...(findings.length > 0 ? { findings } : {}),
      },
    ],
  };
  return {
    document: { 'assessment-results': { uuid: PENDING_UUID, ...body } },
    summary: { controls: controls.length, claims: input.checks.length, evidence, notSatisfied: notSatisfied.sort() },
  };
}
