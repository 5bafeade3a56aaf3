/**
 * Offline verification of the audit trail: recomputes every hash, follows the
 * chain, checks each checkpoint's signature and head, and names what was done
 * to the trail (modification, deletion, insertion, reordering, truncation,
 * bad signature).
 */
import type { KeyObject } from 'node:crypto';
import { SovraError } from '../../core/errors.js';
import type { Queryable } from '../storage/types.js';
import { GENESIS_HASH, recordHash } from './chain.js';
import { checkpointSignatureValid, keyId, type Checkpoint } from './checkpoint.js';
import { AUDIT_EXIT_CODES, AUDIT_FINDING_PRIORITY, type AuditFindingKind } from './exit-codes.js';
import { readJournal } from './journal.js';
import { selfDescription } from './record.js';

/** One problem found, located at a sequence number. */
export interface AuditFinding {
  readonly kind: AuditFindingKind;
  readonly seq: number;
  readonly message: string;
}

/** What `verifyAuditTrail` found. */
export interface AuditVerifyReport {
  readonly ok: boolean;
  readonly records: number;
  /** Highest sequence number present (0 when empty). */
  readonly headSeq: number;
  readonly checkpoints: number;
  readonly lastCheckpointSeq: number;
  /** Records after the last checkpoint: hash-chained but not yet signed. */
  readonly unsignedRecords: number;
  /** Key ids the checkpoints were checked against. */
  readonly keyIds: readonly string[];
  /**
   * Records only in the audit journal (durable, not yet copied into the database; the control
   * plane copies them at its next start). They are part of `records` and of the chain checked.
   */
  readonly journalRecords: number;
  /** Bytes at the end of the journal that hold no complete record: a write cut short by a crash, never acknowledged. */
  readonly journalTornBytes: number;
  readonly findings: readonly AuditFinding[];
  /** 0, or `AUDIT_EXIT_CODES` of the highest-priority finding. */
  readonly exitCode: number;
}

interface Row {
  readonly seq: number;
  readonly id: string;
  readonly prevHash: string;
  readonly hash: string;
  readonly body: string;
}

const PAGE = 10_000;

async function loadRows(db: Queryable): Promise<Row[]> {
  const rows: Row[] = [];
  let after = -1;
  for (;;) {
    const r = await db.query<{ seq: string | number; id: string; prev_hash: string; hash: string; body: string }>(
      'SELECT seq, id, prev_hash, hash, body FROM audit_records WHERE seq > $1 ORDER BY seq LIMIT $2',
      [after, PAGE],
    );
    for (const x of r.rows) rows.push({ seq: Number(x.seq), id: x.id, prevHash: x.prev_hash, hash: x.hash, body: x.body });
    if (r.rows.length < PAGE) return rows;
    after = rows[rows.length - 1]!.seq;
  }
}

async function loadCheckpoints(db: Queryable): Promise<Checkpoint[]> {
  const r = await db.query<{ seq: string | number; head_hash: string; key_id: string; created_at: string; signature: string }>(
    'SELECT seq, head_hash, key_id, created_at, signature FROM audit_checkpoints ORDER BY seq',
  );
  return r.rows.map((x) => ({ seq: Number(x.seq), headHash: x.head_hash, keyId: x.key_id, createdAt: x.created_at, signature: x.signature }));
}

function range(from: number, to: number): string {
  return from === to ? `seq ${from}` : `seq ${from}–${to}`;
}

/** Checks the chain of records: every hash, every link and the numbering. */
function checkChain(rows: Row[]): AuditFinding[] {
  const findings: AuditFinding[] = [];
  const position = new Map<string, number>();
  rows.forEach((r, i) => {
    if (!position.has(r.hash)) position.set(r.hash, i);
  });
  const renumbered: Row[] = [];
  // Records after a detected insertion or reordering also break links; they are consequences, not findings.
  let explainedUntil = -1;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const self = selfDescription(r.body);
    if (!self || recordHash(r.prevHash, r.body) !== r.hash || self.id !== r.id) {
      findings.push({ kind: 'modification', seq: r.seq, message: `Record at seq ${r.seq} (id ${r.id}) does not match its hash: its content was changed after it was written.` });
      continue;
    }
    if (i <= explainedUntil) continue;
    const prev = i === 0 ? undefined : rows[i - 1]!;
    const expectedPrev = prev ? prev.hash : GENESIS_HASH;
    const expectedSeq = prev ? prev.seq + 1 : 1;
    if (r.prevHash === expectedPrev) {
      if (self.seq !== r.seq || r.seq !== expectedSeq) renumbered.push(r);
      continue;
    }
    const j = position.get(r.prevHash);
    if (j === undefined) {
      const next = rows[i + 1];
      if (next && next.prevHash === expectedPrev) {
        findings.push({ kind: 'insertion', seq: r.seq, message: `Record at seq ${r.seq} (id ${r.id}) is not part of the chain: the record after it links over it to seq ${prev?.seq ?? 0}. It was inserted.` });
        explainedUntil = i + 1;
      } else if (r.seq > expectedSeq || self.seq > r.seq) {
        const missingTo = Math.max(r.seq, self.seq) - 1;
        findings.push({ kind: 'deletion', seq: expectedSeq, message: `Records ${range(expectedSeq, missingTo)} are missing: the record at seq ${r.seq} links to a record that is no longer in the trail. They were deleted.` });
      } else {
        findings.push({ kind: 'modification', seq: prev?.seq ?? r.seq, message: `Record at seq ${r.seq} links to a hash no longer in the trail although no record is missing: the record before it (seq ${prev?.seq ?? 0}) was rewritten and re-hashed.` });
      }
    } else if (j < i - 1) {
      const inserted = rows.slice(j + 1, i);
      findings.push({
        kind: 'insertion',
        seq: inserted[0]!.seq,
        message: `Records at ${range(inserted[0]!.seq, inserted[inserted.length - 1]!.seq)} are not part of the chain: the record at seq ${r.seq} links past them to seq ${rows[j]!.seq}. They were inserted.`,
      });
    } else if (j > i) {
      findings.push({
        kind: 'reordering',
        seq: r.seq,
        message: `Record at seq ${r.seq} (id ${r.id}) links to the record now at seq ${rows[j]!.seq}, which comes after it: records between seq ${r.seq} and ${rows[j]!.seq} were reordered.`,
      });
      explainedUntil = j + 1;
    } else {
      findings.push({ kind: 'modification', seq: r.seq, message: `Record at seq ${r.seq} links to itself: its links were rewritten.` });
    }
  }
  if (findings.length === 0 && renumbered.length > 0) {
    const r = renumbered[0]!;
    findings.push({ kind: 'modification', seq: r.seq, message: `Record at seq ${r.seq} (id ${r.id}) is numbered differently from the sequence number it was hashed with: the trail was renumbered.` });
  }
  return findings;
}

/** Checks every checkpoint's signature and that the chain still has the head it signed. */
function checkCheckpoints(rows: Row[], checkpoints: Checkpoint[], keys: readonly KeyObject[]): AuditFinding[] {
  const findings: AuditFinding[] = [];
  const byId = new Map(keys.map((k) => [keyId(k), k] as const));
  const bySeq = new Map(rows.map((r) => [r.seq, r] as const));
  const headSeq = rows.length > 0 ? rows[rows.length - 1]!.seq : 0;
  let truncation: Checkpoint | undefined;
  for (const cp of checkpoints) {
    const key = byId.get(cp.keyId);
    if (!key) {
      findings.push({ kind: 'bad-signature', seq: cp.seq, message: `Checkpoint at seq ${cp.seq} names signing key ${cp.keyId}, which is not the key given (${[...byId.keys()].join(', ')}): it was signed by another key.` });
    } else if (!checkpointSignatureValid(cp, key)) {
      findings.push({ kind: 'bad-signature', seq: cp.seq, message: `The signature of the checkpoint at seq ${cp.seq} does not verify with key ${cp.keyId}: the checkpoint was forged or altered.` });
    }
    const row = bySeq.get(cp.seq);
    if (!row) {
      if (cp.seq > headSeq) truncation = cp;
      else findings.push({ kind: 'deletion', seq: cp.seq, message: `The record at seq ${cp.seq}, signed by a checkpoint, is missing: it was deleted.` });
    } else if (row.hash !== cp.headHash) {
      findings.push({ kind: 'modification', seq: cp.seq, message: `The chain up to seq ${cp.seq} is not the one the checkpoint at seq ${cp.seq} signed: records at or before seq ${cp.seq} were rewritten.` });
    }
  }
  if (truncation) {
    findings.push({
      kind: 'truncation',
      seq: headSeq + 1,
      message: `Records ${range(headSeq + 1, truncation.seq)} are missing from the end: the checkpoint at seq ${truncation.seq} signed them, the trail now ends at seq ${headSeq}. It was truncated.`,
    });
  }
  return findings;
}

/**
 * Adds to `rows` (the database's, in order) the records of the audit journal in `dir` that
 * follow the database's last one, and finds where the two disagree on a record both hold.
 */
function withJournal(rows: Row[], dir: string): { added: number; tornBytes: number; findings: AuditFinding[] } {
  const journal = readJournal(dir);
  const findings: AuditFinding[] = [];
  const bySeq = new Map(rows.map((r) => [r.seq, r] as const));
  const dbHead = rows.length > 0 ? rows[rows.length - 1]!.seq : 0;
  let added = 0;
  for (const r of journal.records) {
    if (r.seq > dbHead) {
      rows.push(r);
      added += 1;
      continue;
    }
    const inDb = bySeq.get(r.seq);
    if (inDb && (inDb.hash !== r.hash || inDb.body !== r.body)) {
      findings.push({ kind: 'modification', seq: r.seq, message: `The record at seq ${r.seq} in the database is not the one the audit journal holds (${dir}): one of the two was changed after it was written.` });
    }
  }
  if (journal.damage) {
    const last = journal.records[journal.records.length - 1];
    findings.push({
      kind: 'modification',
      seq: (last?.seq ?? dbHead) + 1,
      message: `The audit journal ${journal.damage.file} is damaged: ${journal.damage.message}. Records after it in the journal were not read.`,
    });
  }
  return { added, tornBytes: journal.tornTail?.bytes ?? 0, findings };
}

/**
 * Verifies the audit trail in `db` against the checkpoint public key(s),
 * with the records of the audit journal in `journalDir` (a PGlite data
 * directory's) that the database does not hold yet: returns every finding and
 * the exit status `sovra audit verify` uses.
 */
export async function verifyAuditTrail(db: Queryable, options: { publicKeys: readonly KeyObject[]; journalDir?: string }): Promise<AuditVerifyReport> {
  const tables = await db.query<{ n: string | number }>(
    "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = current_schema() AND table_name IN ('audit_records', 'audit_checkpoints')",
  );
  if (Number(tables.rows[0]?.n ?? 0) !== 2) {
    throw new SovraError('bad-input', 'This database holds no Sovra audit trail (tables audit_records and audit_checkpoints are missing).');
  }
  const rows = await loadRows(db);
  const checkpoints = await loadCheckpoints(db);
  const journal = options.journalDir === undefined ? undefined : withJournal(rows, options.journalDir);
  const findings = [...(journal?.findings ?? []), ...checkChain(rows), ...checkCheckpoints(rows, checkpoints, options.publicKeys)].sort((a, b) => a.seq - b.seq);
  const kinds = new Set(findings.map((f) => f.kind));
  const worst = AUDIT_FINDING_PRIORITY.find((k) => kinds.has(k));
  const headSeq = rows.length > 0 ? rows[rows.length - 1]!.seq : 0;
  const lastCheckpointSeq = checkpoints.length > 0 ? checkpoints[checkpoints.length - 1]!.seq : 0;
  return {
    ok: findings.length === 0,
    records: rows.length,
    headSeq,
    checkpoints: checkpoints.length,
    lastCheckpointSeq,
    unsignedRecords: Math.max(0, headSeq - lastCheckpointSeq),
    keyIds: options.publicKeys.map((k) => keyId(k)),
    journalRecords: journal?.added ?? 0,
    journalTornBytes: journal?.tornBytes ?? 0,
    findings,
    exitCode: worst ? AUDIT_EXIT_CODES[worst] : 0,
  };
}
