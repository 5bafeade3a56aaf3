/**
 * A sample audit trail and the ways an attacker with write access to the
 * database can tamper with it, shared by the verifier tests on PGlite, on a
 * PostgreSQL server and through the `sovra audit verify` process.
 */
import type { KeyObject } from 'node:crypto';
import { canonicalJson } from '../../core/canonical.js';
import { recordHash } from '../../services/audit/chain.js';
import { signCheckpoint } from '../../services/audit/checkpoint.js';
import type { AuditFindingKind } from '../../services/audit/exit-codes.js';
import { openAuditTrail } from '../../services/audit/trail.js';
import type { Queryable, Storage } from '../../services/storage/types.js';

/** Records in the sample trail; checkpoints are written every `SAMPLE_EVERY`. */
export const SAMPLE_RECORDS = 20;
export const SAMPLE_EVERY = 10;

/**
 * Writes the sample trail through the real writer: 20 records, one request
 * at a time, so the checkpoints land at seq 10 and 20.
 */
export async function writeSampleTrail(storage: Storage, signingKey: KeyObject): Promise<void> {
  const trail = await openAuditTrail(storage, { signingKey, checkpointEvery: SAMPLE_EVERY, checkpointIntervalMs: 0 });
  for (let i = 1; i <= SAMPLE_RECORDS; i++) {
    const h = trail.begin({
      action: 'POST /v1/chat/completions',
      subject: `user-${i}`,
      tenant: 'acme',
      sourceIp: '10.0.0.1',
      requestId: `r${i}`,
      requestDigest: `sha256:${'a'.repeat(64)}`,
    });
    await trail.commit(h, { outcome: 'success', status: 200, model: 'tiny', modelDigest: `sha256:${'b'.repeat(64)}`, tier: 'local', responseDigest: `sha256:${'c'.repeat(64)}` });
  }
  await trail.close();
}

interface RecordRow {
  seq: string | number;
  id: string;
  prev_hash: string;
  hash: string;
  body: string;
}
interface CheckpointRow {
  seq: string | number;
  head_hash: string;
  key_id: string;
  created_at: string;
  signature: string;
}

/** The rows of both audit tables, to put back between test cases. */
export interface TrailSnapshot {
  readonly records: RecordRow[];
  readonly checkpoints: CheckpointRow[];
}

export async function snapshotTrail(db: Queryable): Promise<TrailSnapshot> {
  return {
    records: (await db.query<RecordRow>('SELECT seq, id, prev_hash, hash, body FROM audit_records ORDER BY seq')).rows,
    checkpoints: (await db.query<CheckpointRow>('SELECT seq, head_hash, key_id, created_at, signature FROM audit_checkpoints ORDER BY seq')).rows,
  };
}

/** Replaces both tables' rows with the snapshot, in one transaction. */
export async function restoreTrail(storage: Storage, snap: TrailSnapshot): Promise<void> {
  await storage.transaction(async (tx) => {
    await tx.query('DELETE FROM audit_records');
    await tx.query('DELETE FROM audit_checkpoints');
    const r = snap.records;
    await tx.query(
      'INSERT INTO audit_records (seq, id, prev_hash, hash, body) SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[])',
      [r.map((x) => Number(x.seq)), r.map((x) => x.id), r.map((x) => x.prev_hash), r.map((x) => x.hash), r.map((x) => x.body)],
    );
    const c = snap.checkpoints;
    await tx.query(
      'INSERT INTO audit_checkpoints (seq, head_hash, key_id, created_at, signature) SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[])',
      [c.map((x) => Number(x.seq)), c.map((x) => x.head_hash), c.map((x) => x.key_id), c.map((x) => x.created_at), c.map((x) => x.signature)],
    );
  });
}

async function row(db: Queryable, seq: number): Promise<RecordRow> {
  const r = (await db.query<RecordRow>('SELECT seq, id, prev_hash, hash, body FROM audit_records WHERE seq = $1', [seq])).rows[0];
  if (!r) throw new Error(`sample trail has no record at seq ${seq}`);
  return r;
}

/** One way of tampering, what the verifier must call it, where, and a phrase of its message. */
export interface TamperCase {
  readonly name: string;
  readonly kind: AuditFindingKind;
  /** Sequence number the finding of `kind` must name. */
  readonly seq: number;
  readonly message: string;
  /** True when `kind` must be the only finding. */
  readonly only: boolean;
  apply(db: Queryable, otherKey: KeyObject): Promise<void>;
}

/** Every tamper case, each on the intact sample trail (checkpoints at seq 10 and 20). */
export const TAMPER_CASES: readonly TamperCase[] = [
  {
    name: 'modification: a field of a record is changed in place',
    kind: 'modification',
    seq: 7,
    message: 'does not match its hash',
    only: true,
    async apply(db) {
      await db.query(`UPDATE audit_records SET body = replace(body, '"subject":"user-7"', '"subject":"mallory"') WHERE seq = 7`);
    },
  },
  {
    name: 'modification: a record is rewritten with a recomputed hash',
    kind: 'modification',
    seq: 7,
    message: 'rewritten',
    only: false,
    async apply(db) {
      const r7 = await row(db, 7);
      const body = r7.body.replace('"subject":"user-7"', '"subject":"mallory"');
      await db.query('UPDATE audit_records SET body = $1, hash = $2 WHERE seq = 7', [body, recordHash(r7.prev_hash, body)]);
    },
  },
  {
    name: 'deletion: a record is removed from the middle',
    kind: 'deletion',
    seq: 5,
    message: 'Records seq 5 are missing',
    only: true,
    async apply(db) {
      await db.query('DELETE FROM audit_records WHERE seq = 5');
    },
  },
  {
    name: 'insertion: a well-formed record is chained onto seq 4 and the rest renumbered',
    kind: 'insertion',
    seq: 5,
    message: 'They were inserted',
    only: false,
    async apply(db) {
      const template = JSON.parse((await row(db, 6)).body) as Record<string, unknown>;
      await db.query('UPDATE audit_records SET seq = seq + 1000 WHERE seq >= 5');
      await db.query('UPDATE audit_records SET seq = seq - 999 WHERE seq >= 1000');
      const r4 = await row(db, 4);
      const body = canonicalJson({ ...template, seq: 5, id: 'forged', subject: 'mallory' });
      await db.query('INSERT INTO audit_records (seq, id, prev_hash, hash, body) VALUES (5, $1, $2, $3, $4)', ['forged', r4.hash, recordHash(r4.hash, body), body]);
    },
  },
  {
    name: 'reordering: two records swap places',
    kind: 'reordering',
    seq: 5,
    message: 'were reordered',
    only: true,
    async apply(db) {
      await db.query('UPDATE audit_records SET seq = -1 WHERE seq = 5');
      await db.query('UPDATE audit_records SET seq = 5 WHERE seq = 6');
      await db.query('UPDATE audit_records SET seq = 6 WHERE seq = -1');
    },
  },
  {
    name: 'truncation: records signed by the last checkpoint are cut from the end',
    kind: 'truncation',
    seq: 16,
    message: 'Records seq 16–20 are missing from the end',
    only: true,
    async apply(db) {
      await db.query('DELETE FROM audit_records WHERE seq > 15');
    },
  },
  {
    name: 'bad signature: a checkpoint signature is forged',
    kind: 'bad-signature',
    seq: 10,
    message: 'forged or altered',
    only: true,
    async apply(db) {
      await db.query('UPDATE audit_checkpoints SET signature = $1 WHERE seq = 10', [Buffer.alloc(64, 7).toString('base64')]);
    },
  },
  {
    name: 'bad signature: the last checkpoint is re-signed with another key',
    kind: 'bad-signature',
    seq: 20,
    message: 'signed by another key',
    only: true,
    async apply(db, otherKey) {
      const head = await row(db, 20);
      const cp = signCheckpoint(20, head.hash, otherKey, new Date().toISOString());
      await db.query('UPDATE audit_checkpoints SET key_id = $1, signature = $2, created_at = $3 WHERE seq = 20', [cp.keyId, cp.signature, cp.createdAt]);
    },
  },
];
