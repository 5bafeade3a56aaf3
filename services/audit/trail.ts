/**
 * The audit trail writer: hash-chains records and writes them with group
 * commit, so the records of concurrent requests share one transaction and
 * therefore one WAL flush, and each `commit` resolves only once its record is
 * durable.
 */
import { randomBytes, type KeyObject } from 'node:crypto';
import type { Queryable, Storage } from '../storage/types.js';
import { GENESIS_HASH, recordHash } from './chain.js';
import { assertEd25519, signCheckpoint } from './checkpoint.js';
import { recordBody, recordFields } from './record.js';
import type { AuditBegin, AuditHandle, AuditOutcome, AuditTrail } from './types.js';

/** Options of `openAuditTrail`. */
export interface AuditTrailOptions {
  /** Ed25519 private key that signs checkpoints. @default none: no checkpoints are written */
  readonly signingKey?: KeyObject;
  /** Write a checkpoint once this many records follow the last one. @default 1000 */
  readonly checkpointEvery?: number;
  /** Write a checkpoint this often when records follow the last one. @default 10000 */
  readonly checkpointIntervalMs?: number;
  /** Keep the request text in the record (off unless the operator asked for prompt capture). @default false */
  readonly captureText?: boolean;
  /** Most records in one transaction. @default 2000 */
  readonly maxBatch?: number;
}

/** Key of the advisory lock that serialises writers of one chain on a server. */
export const AUDIT_LOCK_KEY = 7_345_112_902;

/**
 * A UUID version 7 (RFC 9562): 48-bit Unix milliseconds, then random bits, so the ids of
 * consecutive records sort together.
 */
export function timeOrderedUuid(now = Date.now()): string {
  const b = randomBytes(16);
  b.writeUIntBE(now, 0, 6);
  b[6] = (b[6]! & 0x0f) | 0x70;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

interface Queued {
  readonly handle: AuditHandle;
  readonly begin: AuditBegin;
  readonly outcome: AuditOutcome;
  readonly endedAt: string;
  resolve(): void;
  reject(e: unknown): void;
}

class GroupCommitTrail implements AuditTrail {
  readonly #storage: Storage;
  readonly #key: KeyObject | undefined;
  readonly #every: number;
  readonly #captureText: boolean;
  readonly #maxBatch: number;
  readonly #open = new WeakMap<AuditHandle, AuditBegin>();
  #queue: Queued[] = [];
  #inFlight = 0;
  #running: Promise<void> | undefined;
  #scheduled = false;
  #checkpointDue = false;
  #closed = false;
  #timer: NodeJS.Timeout | undefined;
  /**
   * The chain head as this writer left it. PGlite is one process's alone, so there it is
   * trusted for the next batch; on a server it is re-read under the lock every batch.
   */
  #head: Head | undefined;

  constructor(storage: Storage, options: AuditTrailOptions) {
    this.#storage = storage;
    this.#key = options.signingKey;
    this.#every = options.checkpointEvery ?? 1000;
    this.#captureText = options.captureText ?? false;
    this.#maxBatch = options.maxBatch ?? 2000;
    const interval = options.checkpointIntervalMs ?? 10_000;
    if (this.#key && interval > 0) {
      this.#timer = setInterval(() => {
        if (this.#head && this.#head.seq > this.#head.checkpointSeq) {
          this.#checkpointDue = true;
          this.#schedule();
        }
      }, interval);
      this.#timer.unref();
    }
  }

  async init(): Promise<void> {
    this.#head = await readHead(this.#storage);
  }

  get pending(): number {
    return this.#queue.length + this.#inFlight;
  }

  begin(entry: AuditBegin): AuditHandle {
    if (this.#closed) throw new Error('audit trail is closed');
    const handle: AuditHandle = Object.freeze({ id: timeOrderedUuid(), startedAt: new Date().toISOString() });
    this.#open.set(handle, entry);
    return handle;
  }

  commit(handle: AuditHandle, outcome: AuditOutcome): Promise<void> {
    const begin = this.#open.get(handle);
    if (!begin) return Promise.reject(new Error(`audit record ${handle.id} was not begun by this trail or was already committed`));
    if (this.#closed) return Promise.reject(new Error('audit trail is closed'));
    this.#open.delete(handle);
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ handle, begin, outcome, endedAt: new Date().toISOString(), resolve, reject });
      this.#schedule();
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    while (this.#running || this.#scheduled || this.#queue.length > 0) {
      if (!this.#running && !this.#scheduled) this.#schedule();
      await (this.#running ?? new Promise((r) => setImmediate(r)));
    }
    if (this.#key && (!this.#head || this.#head.seq > this.#head.checkpointSeq)) {
      this.#checkpointDue = true;
      await this.#drain();
    }
  }

  /** Starts a flush on the next turn, so commits made in the same turn join one batch. */
  #schedule(): void {
    if (this.#scheduled || this.#running) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      if (!this.#running) void this.#drain();
    });
  }

  #drain(): Promise<void> {
    const run = (async () => {
      // While one batch is written, new commits queue up and form the next batch.
      while (this.#queue.length > 0 || this.#checkpointDue) {
        const batch = this.#queue.splice(0, this.#maxBatch);
        this.#inFlight = batch.length;
        try {
          await this.#write(batch);
          for (const q of batch) q.resolve();
        } catch (e) {
          for (const q of batch) q.reject(e);
          this.#checkpointDue = false;
        } finally {
          this.#inFlight = 0;
        }
      }
    })();
    this.#running = run.finally(() => {
      this.#running = undefined;
      // A commit made while the last batch resolved saw a flush running and did not schedule
      // one; it is picked up here.
      if (this.#queue.length > 0 || this.#checkpointDue) this.#schedule();
    });
    return this.#running;
  }

  async #write(batch: Queued[]): Promise<void> {
    if (this.#storage.kind === 'pglite' && this.#head) {
      try {
        this.#head = await this.#append(this.#storage, this.#head, batch);
        return;
      } catch (e) {
        // Another writer in this process extended the chain (the unique seq refused ours):
        // fall back to reading the head inside a transaction.
        this.#head = undefined;
        if ((e as { code?: string }).code !== '23505') throw e;
      }
    }
    this.#head = await this.#storage.transaction(async (tx) => {
      if (this.#storage.kind === 'postgres') await tx.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK_KEY]);
      // The head is read inside the transaction (under the lock on a server), so several
      // writers on one database still extend a single chain.
      return this.#append(tx, await readHead(tx), batch);
    });
  }

  /**
   * Chains `batch` onto `head` and writes it (and a checkpoint when one is due) in one
   * statement, so on its own it is atomic; returns the new head.
   */
  async #append(db: Queryable, head: Head, batch: Queued[]): Promise<Head> {
    let seq = head.seq;
    let prev = head.hash;
    const rows: { seq: number; id: string; prev_hash: string; hash: string; body: string }[] = [];
    for (const q of batch) {
      seq += 1;
      const body = recordBody(recordFields(seq, q.handle.id, q.handle.startedAt, q.endedAt, q.begin, q.outcome, this.#captureText));
      const hash = recordHash(prev, body);
      rows.push({ seq, id: q.handle.id, prev_hash: prev, hash, body });
      prev = hash;
    }
    // One JSON parameter is much cheaper for PGlite to pass than five text arrays.
    const insert = `INSERT INTO audit_records (seq, id, prev_hash, hash, body)
      SELECT seq, id, prev_hash, hash, body FROM json_to_recordset($1::json) AS r(seq bigint, id text, prev_hash text, hash text, body text)`;
    let checkpointSeq = head.checkpointSeq;
    const due = this.#checkpointDue || seq - checkpointSeq >= this.#every;
    if (this.#key && due && seq > checkpointSeq) {
      const cp = signCheckpoint(seq, prev, this.#key, new Date().toISOString());
      // A data-modifying CTE always runs: records and checkpoint commit together.
      await db.query(
        `WITH records AS (${insert} RETURNING seq)
         INSERT INTO audit_checkpoints (seq, head_hash, key_id, created_at, signature) VALUES ($2, $3, $4, $5, $6)`,
        [JSON.stringify(rows), cp.seq, cp.headHash, cp.keyId, cp.createdAt, cp.signature],
      );
      checkpointSeq = seq;
    } else if (rows.length > 0) {
      await db.query(insert, [JSON.stringify(rows)]);
    }
    this.#checkpointDue = false;
    return { seq, hash: prev, checkpointSeq };
  }
}

interface Head {
  readonly seq: number;
  readonly hash: string;
  readonly checkpointSeq: number;
}

async function readHead(db: Queryable): Promise<Head> {
  const r = await db.query<{ seq: string | number | null; hash: string | null; cp: string | number | null }>(
    `SELECT (SELECT seq FROM audit_records ORDER BY seq DESC LIMIT 1) AS seq,
            (SELECT hash FROM audit_records ORDER BY seq DESC LIMIT 1) AS hash,
            (SELECT max(seq) FROM audit_checkpoints) AS cp`,
  );
  const row = r.rows[0];
  return { seq: Number(row?.seq ?? 0), hash: row?.hash ?? GENESIS_HASH, checkpointSeq: Number(row?.cp ?? 0) };
}

/** Opens the audit trail on migrated storage, continuing the chain already there. */
export async function openAuditTrail(storage: Storage, options: AuditTrailOptions = {}): Promise<AuditTrail> {
  if (options.signingKey) assertEd25519(options.signingKey, 'The audit signing key', 'bad-config', 'private');
  if (options.checkpointEvery !== undefined && !(Number.isInteger(options.checkpointEvery) && options.checkpointEvery > 0)) {
    throw new RangeError(`checkpointEvery must be a positive integer, got ${options.checkpointEvery}`);
  }
  const trail = new GroupCommitTrail(storage, options);
  await trail.init();
  return trail;
}
