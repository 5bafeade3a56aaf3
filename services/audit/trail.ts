/**
 * The audit trail writer: hash-chains records and writes them with group
 * commit, so the records of concurrent requests share one flush, and each
 * `commit` resolves only once its record is durable.
 *
 * On a PostgreSQL server a batch is one transaction (one WAL flush). On
 * PGlite in a data directory a batch is one write to the audit journal
 * (journal.ts), and the journaled records are copied into the database in
 * large batches behind it, with the signed checkpoints; the journal holds at
 * most `maxUnapplied` records the database does not have yet.
 */
import { randomBytes, type KeyObject } from 'node:crypto';
import { SovraError } from '../../core/errors.js';
import type { Queryable, Storage } from '../storage/types.js';
import { GENESIS_HASH, recordHash } from './chain.js';
import { assertEd25519, signCheckpoint } from './checkpoint.js';
import { AuditJournal, journalDirOf, type ChainedRecord } from './journal.js';
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
  /**
   * Write through the audit journal in the PGlite data directory (only PGlite with a data
   * directory has one). @default true there
   */
  readonly journal?: boolean;
  /** Journaled records the database may lag behind by before new commits wait for it. @default 20000 */
  readonly maxUnapplied?: number;
  /** How long journaled records wait to be copied into the database with those that follow. @default 200 */
  readonly applyDelayMs?: number;
  /** Bytes of one journal segment file. @default 16 MiB */
  readonly journalSegmentBytes?: number;
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
   * trusted for the next batch; on a server it is re-read under the lock every batch. With a
   * journal it is the journal's head, and the last checkpoint is `#applied`'s.
   */
  #head: Head | undefined;
  readonly #options: AuditTrailOptions;
  /* With a journal: */
  #journal: AuditJournal | undefined;
  /** Journaled records not yet in the database, oldest first. */
  #unapplied: ChainedRecord[] = [];
  /** The database's head (behind `#head` by `#unapplied`). */
  #applied: Head | undefined;
  #applying: Promise<void> | undefined;
  #applyTimer: NodeJS.Timeout | undefined;
  /** Commits waiting for the database to catch up with the journal. */
  #applyWaiters: (() => void)[] = [];
  /** Why the trail stopped accepting records (the database refused journaled ones). */
  #failed: Error | undefined;
  /** Set by `close` once no more records come: it copies the rest itself. */
  #finalApply = false;

  constructor(storage: Storage, options: AuditTrailOptions) {
    this.#storage = storage;
    this.#options = options;
    this.#key = options.signingKey;
    this.#every = options.checkpointEvery ?? 1000;
    this.#captureText = options.captureText ?? false;
    this.#maxBatch = options.maxBatch ?? 2000;
    const interval = options.checkpointIntervalMs ?? 10_000;
    if (this.#key && interval > 0) {
      this.#timer = setInterval(() => {
        const head = this.#journal ? this.#applied : this.#head;
        if (head && this.#head && this.#head.seq > head.checkpointSeq) {
          this.#checkpointDue = true;
          if (this.#journal) this.#scheduleApply(true);
          else this.#schedule();
        }
      }, interval);
      this.#timer.unref();
    }
  }

  async init(): Promise<void> {
    const head = await readHead(this.#storage);
    const dataDir = this.#storage.dataDir;
    if (this.#storage.kind !== 'pglite' || dataDir === undefined || this.#options.journal === false) {
      this.#head = head;
      return;
    }
    const { journal, records } = AuditJournal.open(journalDirOf(dataDir), { segmentBytes: this.#options.journalSegmentBytes });
    try {
      this.#unapplied = await recover(this.#storage, head, records, journal.dir);
      const last = this.#unapplied[this.#unapplied.length - 1];
      this.#applied = head;
      this.#head = last ? { seq: last.seq, hash: last.hash, checkpointSeq: head.checkpointSeq } : head;
      this.#journal = journal;
      // Records a crash left only in the journal go into the database before anything new.
      while (!this.#failed && this.#unapplied.length > 0) await this.#applyOnce();
      if (this.#failed) throw this.#failed;
      await journal.release(this.#applied.seq);
    } catch (e) {
      await journal.close();
      this.#journal = undefined;
      throw e;
    }
  }

  get pending(): number {
    return this.#queue.length + this.#inFlight;
  }

  get unapplied(): number {
    return this.#unapplied.length;
  }

  begin(entry: AuditBegin): AuditHandle {
    if (this.#closed) throw new Error('audit trail is closed');
    if (this.#failed) throw this.#failed;
    const handle: AuditHandle = Object.freeze({ id: timeOrderedUuid(), startedAt: new Date().toISOString() });
    this.#open.set(handle, entry);
    return handle;
  }

  commit(handle: AuditHandle, outcome: AuditOutcome): Promise<void> {
    const begin = this.#open.get(handle);
    if (!begin) return Promise.reject(new Error(`audit record ${handle.id} was not begun by this trail or was already committed`));
    if (this.#closed) return Promise.reject(new Error('audit trail is closed'));
    if (this.#failed) return Promise.reject(this.#failed);
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
    const journal = this.#journal;
    if (journal) {
      this.#finalApply = true;
      if (this.#applyTimer) clearTimeout(this.#applyTimer);
      this.#applyTimer = undefined;
      try {
        while (this.#applying) await this.#applying;
        while (!this.#failed && this.#unapplied.length > 0) await this.#applyOnce();
        if (!this.#failed && this.#key && this.#applied!.seq > this.#applied!.checkpointSeq) {
          this.#checkpointDue = true;
          await this.#applyOnce();
        }
      } finally {
        // Segments the database holds in full are deleted; anything else stays for the next start.
        await journal.close(this.#applied!.seq);
      }
      if (this.#failed) throw this.#failed;
      return;
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
      while (this.#queue.length > 0 || (this.#checkpointDue && !this.#journal)) {
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
    if (this.#journal) {
      await this.#journalWrite(this.#journal, batch);
      return;
    }
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

  /** Places `batch` in the chain after `head`: sequence numbers, bodies and hashes. */
  #chain(head: Head, batch: Queued[]): ChainedRecord[] {
    let seq = head.seq;
    let prev = head.hash;
    const rows: ChainedRecord[] = [];
    for (const q of batch) {
      seq += 1;
      const body = recordBody(recordFields(seq, q.handle.id, q.handle.startedAt, q.endedAt, q.begin, q.outcome, this.#captureText));
      const hash = recordHash(prev, body);
      rows.push({ seq, id: q.handle.id, prevHash: prev, hash, body });
      prev = hash;
    }
    return rows;
  }

  /**
   * Chains `batch` onto `head` and writes it (and a checkpoint when one is due) in one
   * statement, so on its own it is atomic; returns the new head.
   */
  async #append(db: Queryable, head: Head, batch: Queued[]): Promise<Head> {
    return this.#insert(db, head, this.#chain(head, batch));
  }

  /** Writes `rows`, which follow `head`, and a checkpoint when one is due, in one statement; returns the new head. */
  async #insert(db: Queryable, head: Head, rows: readonly ChainedRecord[]): Promise<Head> {
    const last = rows[rows.length - 1];
    const seq = last ? last.seq : head.seq;
    const headHash = last ? last.hash : head.hash;
    // One JSON parameter is much cheaper for PGlite to pass than five text arrays.
    const insert = `INSERT INTO audit_records (seq, id, prev_hash, hash, body)
      SELECT seq, id, prev_hash, hash, body FROM json_to_recordset($1::json) AS r(seq bigint, id text, prev_hash text, hash text, body text)`;
    const json = () => JSON.stringify(rows.map((r) => ({ seq: r.seq, id: r.id, prev_hash: r.prevHash, hash: r.hash, body: r.body })));
    let checkpointSeq = head.checkpointSeq;
    const due = this.#checkpointDue || seq - checkpointSeq >= this.#every;
    if (this.#key && due && seq > checkpointSeq) {
      const cp = signCheckpoint(seq, headHash, this.#key, new Date().toISOString());
      // A data-modifying CTE always runs: records and checkpoint commit together.
      await db.query(
        `WITH records AS (${insert} RETURNING seq)
         INSERT INTO audit_checkpoints (seq, head_hash, key_id, created_at, signature) VALUES ($2, $3, $4, $5, $6)`,
        [json(), cp.seq, cp.headHash, cp.keyId, cp.createdAt, cp.signature],
      );
      checkpointSeq = seq;
    } else if (rows.length > 0) {
      await db.query(insert, [json()]);
    }
    this.#checkpointDue = false;
    return { seq, hash: headHash, checkpointSeq };
  }

  /**
   * Makes `batch` durable in the journal and hands it to the database copy. Waits first
   * while the database lags `maxUnapplied` records behind.
   */
  async #journalWrite(journal: AuditJournal, batch: Queued[]): Promise<void> {
    const limit = this.#options.maxUnapplied ?? 20_000;
    while (this.#unapplied.length >= limit && !this.#failed) {
      await new Promise<void>((r) => {
        this.#applyWaiters.push(r);
        this.#scheduleApply(true);
      });
    }
    if (this.#failed) throw this.#failed;
    const rows = this.#chain(this.#head!, batch);
    await journal.append(rows);
    const last = rows[rows.length - 1]!;
    this.#head = { seq: last.seq, hash: last.hash, checkpointSeq: this.#head!.checkpointSeq };
    for (const r of rows) this.#unapplied.push(r);
    this.#scheduleApply(this.#unapplied.length >= this.#maxBatch);
  }

  /** Starts copying journaled records into the database: now, or after `applyDelayMs` so more join. */
  #scheduleApply(now: boolean): void {
    if (this.#applying || this.#failed || this.#finalApply) return;
    if (now) {
      if (this.#applyTimer) clearTimeout(this.#applyTimer);
      this.#applyTimer = undefined;
      this.#applying = this.#applyOnce().finally(() => {
        this.#applying = undefined;
        if (this.#unapplied.length > 0 || this.#checkpointDue) this.#scheduleApply(this.#unapplied.length >= this.#maxBatch || this.#applyWaiters.length > 0);
      });
      return;
    }
    this.#applyTimer ??= setTimeout(() => {
      this.#applyTimer = undefined;
      this.#scheduleApply(true);
    }, this.#options.applyDelayMs ?? 200);
  }

  /**
   * Copies the oldest journaled records (at most `maxBatch`) into the database, with a
   * checkpoint when one is due, then deletes journal segments the database holds in full.
   * A failure stops the trail: the records stay in the journal for the next start.
   */
  async #applyOnce(): Promise<void> {
    if (this.#failed) return;
    const applied = this.#applied!;
    // A batch ends where the next checkpoint is due, so checkpoints fall every `checkpointEvery` records.
    const toCheckpoint = this.#key ? Math.max(1, applied.checkpointSeq + this.#every - applied.seq) : Infinity;
    const rows = this.#unapplied.slice(0, Math.min(this.#maxBatch, toCheckpoint));
    if (rows.length === 0 && !this.#checkpointDue) return;
    try {
      this.#applied = await this.#insert(this.#storage, applied, rows);
      this.#unapplied.splice(0, rows.length);
      await this.#journal?.release(this.#applied.seq);
    } catch (e) {
      this.#failed = new SovraError(
        'io',
        `The audit trail stopped: the database refused records already durable in the audit journal (${(e as Error).message}). Requests are refused until the control plane is restarted; the journaled records are copied into the database at start-up.`,
        { cause: e },
      );
      for (const q of this.#queue.splice(0)) q.reject(this.#failed);
    } finally {
      for (const w of this.#applyWaiters.splice(0)) w();
    }
  }
}

/**
 * Checks the journal found at start-up against the database and returns the records the
 * database lacks: they must continue its chain, and records it has must be the same.
 */
async function recover(db: Queryable, head: Head, records: readonly ChainedRecord[], dir: string): Promise<ChainedRecord[]> {
  const first = records[0];
  if (!first) return [];
  if (first.seq <= head.seq) {
    const r = await db.query<{ seq: string | number; hash: string }>('SELECT seq, hash FROM audit_records WHERE seq >= $1 AND seq <= $2 ORDER BY seq', [first.seq, head.seq]);
    const inDb = new Map(r.rows.map((x) => [Number(x.seq), x.hash] as const));
    for (const rec of records) {
      if (rec.seq > head.seq) break;
      if (inDb.get(rec.seq) !== rec.hash) {
        throw new SovraError(
          'bad-config',
          `The audit journal in ${dir} and the database disagree at seq ${rec.seq}: the journal's record is ${inDb.has(rec.seq) ? 'not the one in the database' : 'missing from the database'}. One of them was changed; the control plane does not start on it. Run \`sovra audit verify <data-dir> --key <pub>\` to see the whole trail.`,
        );
      }
    }
  }
  const rest = records.filter((r) => r.seq > head.seq);
  const next = rest[0];
  if (next && (next.seq !== head.seq + 1 || next.prevHash !== head.hash)) {
    throw new SovraError(
      'bad-config',
      `The audit journal in ${dir} does not continue the database's chain: the database ends at seq ${head.seq}, the journal's next record is seq ${next.seq}${next.seq === head.seq + 1 ? ' linked to another record' : ''}. Run \`sovra audit verify <data-dir> --key <pub>\` to see the whole trail.`,
    );
  }
  return rest;
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
