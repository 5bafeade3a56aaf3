/** The fields of one audit record (AU-3: what, when, where, source, outcome, identity). */
import { canonicalJson } from '../../core/canonical.js';
import type { AuditBegin, AuditOutcome } from './types.js';

/** Version of the record layout, inside every record. */
export const AUDIT_RECORD_VERSION = 1;

/** One record as hashed and stored: the request and its outcome, placed in the chain (absent optional fields are left out, not null). */
export interface AuditRecordFields extends AuditBegin, AuditOutcome {
  /** Version of the record layout. */
  readonly v: number;
  readonly seq: number;
  readonly id: string;
  readonly startedAt: string;
  readonly endedAt: string;
}

/** Builds the fields of a record; the prompt text is kept only when `captureText` is on. */
export function recordFields(
  seq: number,
  id: string,
  startedAt: string,
  endedAt: string,
  begin: AuditBegin,
  outcome: AuditOutcome,
  captureText: boolean,
): AuditRecordFields {
  return {
    v: AUDIT_RECORD_VERSION,
    seq,
    id,
    startedAt,
    endedAt,
    action: begin.action,
    subject: begin.subject,
    tenant: begin.tenant,
    sourceIp: begin.sourceIp,
    requestId: begin.requestId,
    requestDigest: begin.requestDigest,
    requestText: captureText ? begin.requestText : undefined,
    outcome: outcome.outcome,
    status: outcome.status,
    model: outcome.model,
    modelDigest: outcome.modelDigest,
    tier: outcome.tier,
    responseDigest: outcome.responseDigest,
    reason: outcome.reason,
  };
}

/** The stored and hashed form of a record: canonical JSON (sorted keys, no whitespace). */
export function recordBody(fields: AuditRecordFields): string {
  return canonicalJson(fields);
}

/** The `seq` and `id` a record body states about itself, or undefined when it is not canonical JSON stating both. */
export function selfDescription(body: string): { seq: number; id: string } | undefined {
  try {
    const parsed = JSON.parse(body) as { seq?: unknown; id?: unknown };
    if (canonicalJson(parsed) !== body || typeof parsed.seq !== 'number' || typeof parsed.id !== 'string') return undefined;
    return { seq: parsed.seq, id: parsed.id };
  } catch {
    return undefined;
  }
}
