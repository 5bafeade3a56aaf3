/** The tamper-evident audit trail: group-commit writer, signed checkpoints and offline verifier. */
export { openAuditTrail, AUDIT_LOCK_KEY, type AuditTrailOptions } from './trail.js';
export { verifyAuditTrail, type AuditFinding, type AuditVerifyReport } from './verify.js';
export { AUDIT_EXIT_CODES, AUDIT_FINDING_PRIORITY, type AuditFindingKind } from './exit-codes.js';
export { GENESIS_HASH, recordHash } from './chain.js';
export { keyId, signCheckpoint, checkpointSignatureValid, type Checkpoint, type CheckpointPayload } from './checkpoint.js';
export { recordFields, recordBody, AUDIT_RECORD_VERSION, type AuditRecordFields } from './record.js';
export type { AuditBegin, AuditHandle, AuditOutcome, AuditTrail } from './types.js';
