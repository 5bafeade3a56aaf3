/**
 * The audit trail writer on a durable PGlite data directory: group commit
 * through the journal (concurrent requests share one O_DSYNC write, each
 * resolves only once its record is in the journal file) and straight into
 * the database (they share one WAL flush), AU-3 record content, prompt
 * capture off by default, checkpoints by count, by time and at close, and a
 * chain that continues across restarts.
 */
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isSovraError } from '../../core/errors.js';
import { openStorage } from '../storage/open.js';
import { observePgliteFsyncs } from '../storage/pglite.js';
import type { Storage } from '../storage/types.js';
import { journalDirOf, readJournal } from './journal.js';
import { openAuditTrail } from './trail.js';
import type { AuditBegin } from './types.js';
import { verifyAuditTrail } from './verify.js';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');

let root: string;
let dataDir: string;
let storage: Storage;
beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'sovra-audit-trail-'));
  dataDir = path.join(root, 'data');
  storage = await openStorage({ dataDir });
});
afterAll(async () => {
  await storage?.close();
  fs.rmSync(root, { recursive: true, force: true });
});
beforeEach(async () => {
  await storage.query('DELETE FROM audit_records');
  await storage.query('DELETE FROM audit_checkpoints');
});

function request(i: number, extra: Partial<AuditBegin> = {}): AuditBegin {
  return { action: 'POST /v1/chat/completions', subject: `user-${i}`, tenant: 'acme', sourceIp: '192.0.2.7', requestId: `req-${i}`, requestDigest: `sha256:${'1'.repeat(64)}`, ...extra };
}

async function bodies(): Promise<Record<string, unknown>[]> {
  const r = await storage.query<{ body: string }>('SELECT body FROM audit_records ORDER BY seq');
  return r.rows.map((x) => JSON.parse(x.body) as Record<string, unknown>);
}

async function checkpointSeqs(): Promise<number[]> {
  return (await storage.query<{ seq: number }>('SELECT seq FROM audit_checkpoints ORDER BY seq')).rows.map((r) => Number(r.seq));
}

/** Counts fsync calls on files under pg_wal while `fn` runs (reported by PGlite's worker thread before each answer). */
async function countWalFsyncs<T>(fn: (count: () => number) => Promise<T>): Promise<{ result: T; walFsyncs: number }> {
  let n = 0;
  const stop = observePgliteFsyncs((file) => {
    if (file.includes(`${path.sep}pg_wal${path.sep}`)) n += 1;
  });
  try {
    const result = await fn(() => n);
    return { result, walFsyncs: n };
  } finally {
    stop();
  }
}

/** Flags the journal's open segment file was opened with, read from /proc/self/fdinfo. */
function openSegmentFlags(journalDir: string): number {
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    let target = '';
    try {
      target = fs.readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue;
    }
    if (target.startsWith(journalDir + path.sep) && target.endsWith('.jsonl')) {
      return parseInt(/^flags:\s+([0-7]+)/m.exec(fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))![1]!, 8);
    }
  }
  throw new Error(`no open segment file under ${journalDir}`);
}

async function countRecords(): Promise<number> {
  return Number((await storage.query<{ n: string | number }>('SELECT count(*) AS n FROM audit_records')).rows[0]!.n);
}

/** Waits until the database copy holds `n` records. */
async function databaseHolds(n: number): Promise<void> {
  for (let i = 0; i < 400 && (await countRecords()) < n; i++) await new Promise((r) => setTimeout(r, 10));
  expect(await countRecords()).toBe(n);
}

describe('audit trail writer (PGlite data directory)', () => {
  it('group commit through the journal: 40 concurrent requests share one O_DSYNC write, each resolves only once its record is in the journal file, and the database copy follows', async () => {
    const journalDir = journalDirOf(dataDir);
    // The database copy is held back, so what a resolved commit stands on is the journal alone.
    const trail = await openAuditTrail(storage, { applyDelayMs: 60_000 });
    const realWrite = fs.write;
    let writes = 0;
    (fs as { write: unknown }).write = (...args: unknown[]) => {
      writes += 1;
      return (realWrite as (...a: unknown[]) => unknown)(...args);
    };
    let inJournal: boolean[];
    try {
      const handles = Array.from({ length: 40 }, (_, i) => trail.begin(request(i)));
      inJournal = await Promise.all(
        handles.map(async (h) => {
          await trail.commit(h, { outcome: 'success', status: 200 });
          return readJournal(journalDir).records.some((r) => r.id === h.id);
        }),
      );
    } finally {
      (fs as { write: unknown }).write = realWrite;
    }
    expect(inJournal).toEqual(Array(40).fill(true));
    expect(writes).toBeGreaterThanOrEqual(1);
    expect(writes).toBeLessThanOrEqual(3);
    // O_DSYNC: each write returns only once its bytes are on disk.
    expect(openSegmentFlags(journalDir) & fs.constants.O_DSYNC).toBe(fs.constants.O_DSYNC);
    expect(await countRecords()).toBe(0);
    expect(trail.unapplied).toBe(40);
    await trail.close();
    expect(trail.unapplied).toBe(0);
    // At close the database holds every record and the journal's segments are gone.
    expect(await countRecords()).toBe(40);
    expect(readJournal(journalDir).segments).toEqual([]);
    const report = await verifyAuditTrail(storage, { publicKeys: [publicKey] });
    expect(report).toMatchObject({ ok: true, records: 40, headSeq: 40, checkpoints: 0 });
  });

  it('the database copy follows the journal by itself, in batches, with checkpoints every N records', async () => {
    const trail = await openAuditTrail(storage, { signingKey: privateKey, checkpointEvery: 7, checkpointIntervalMs: 0, applyDelayMs: 5 });
    await Promise.all(Array.from({ length: 30 }, (_, i) => trail.commit(trail.begin(request(i)), { outcome: 'success', status: 200 })));
    await databaseHolds(30);
    expect(await checkpointSeqs()).toEqual([7, 14, 21, 28]);
    await trail.close();
    expect(await checkpointSeqs()).toEqual([7, 14, 21, 28, 30]);
  });

  it('commits wait while the database is maxUnapplied records behind the journal, then go on', async () => {
    // The copy never runs by its timer here: only commits held back by the limit start it.
    const trail = await openAuditTrail(storage, { maxUnapplied: 10, applyDelayMs: 60_000 });
    for (let round = 0; round < 7; round++) {
      await Promise.all(Array.from({ length: 5 }, (_, i) => trail.commit(trail.begin(request(round * 5 + i)), { outcome: 'success', status: 200 })));
      expect(trail.unapplied).toBeLessThanOrEqual(10 + 5);
    }
    expect(await countRecords()).toBeGreaterThanOrEqual(35 - 15);
    await trail.close();
    expect(await verifyAuditTrail(storage, { publicKeys: [publicKey] })).toMatchObject({ ok: true, records: 35 });
  });

  it('group commit straight into the database (journal off): 40 concurrent requests share a few WAL flushes, and each resolves only after a flush', async () => {
    const trail = await openAuditTrail(storage, { journal: false });
    const { result: flushedBeforeResolve, walFsyncs } = await countWalFsyncs(async (count) => {
      const handles = Array.from({ length: 40 }, (_, i) => trail.begin(request(i)));
      expect(trail.pending).toBe(0);
      const done = handles.map(async (h) => {
        const at = count();
        await trail.commit(h, { outcome: 'success', status: 200 });
        return count() > at;
      });
      expect(trail.pending).toBe(40);
      return Promise.all(done);
    });
    expect(flushedBeforeResolve).toEqual(Array(40).fill(true));
    // One transaction for the batch; a naive log would flush 40 times.
    expect(walFsyncs).toBeGreaterThanOrEqual(1);
    expect(walFsyncs).toBeLessThanOrEqual(3);
    expect(trail.pending).toBe(0);
    await trail.close();
    const report = await verifyAuditTrail(storage, { publicKeys: [publicKey] });
    expect(report).toMatchObject({ ok: true, records: 40, headSeq: 40, checkpoints: 0 });
  });

  it('one record per request with the AU-3 fields, and no prompt text unless capture is configured', async () => {
    const trail = await openAuditTrail(storage, {});
    const h = trail.begin(request(1, { requestText: 'the secret prompt' }));
    expect(h.id).toMatch(/^[0-9a-f-]{36}$/);
    await trail.commit(h, { outcome: 'success', status: 200, model: 'tiny-chat', modelDigest: `sha256:${'2'.repeat(64)}`, tier: 'upstream-0', responseDigest: `sha256:${'3'.repeat(64)}` });
    const d = trail.begin(request(2, { requestText: 'another prompt', subject: 'anonymous' }));
    await trail.commit(d, { outcome: 'denied', status: 403, reason: 'policy:require-scope' });
    await trail.close();
    const captured = await openAuditTrail(storage, { captureText: true });
    await captured.commit(captured.begin(request(3, { requestText: 'kept on purpose' })), { outcome: 'error', status: 502, reason: 'upstream_unavailable' });
    await captured.close();

    const [first, second, third] = await bodies();
    expect(first).toEqual({
      v: 1,
      seq: 1,
      id: h.id,
      startedAt: h.startedAt,
      endedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      action: 'POST /v1/chat/completions',
      subject: 'user-1',
      tenant: 'acme',
      sourceIp: '192.0.2.7',
      requestId: 'req-1',
      requestDigest: `sha256:${'1'.repeat(64)}`,
      outcome: 'success',
      status: 200,
      model: 'tiny-chat',
      modelDigest: `sha256:${'2'.repeat(64)}`,
      tier: 'upstream-0',
      responseDigest: `sha256:${'3'.repeat(64)}`,
    });
    expect(second).toMatchObject({ seq: 2, subject: 'anonymous', outcome: 'denied', status: 403, reason: 'policy:require-scope' });
    expect(JSON.stringify([first, second])).not.toContain('prompt');
    expect(third).toMatchObject({ seq: 3, outcome: 'error', requestText: 'kept on purpose' });
  });

  it('signs a checkpoint every N records and at close', async () => {
    const trail = await openAuditTrail(storage, { signingKey: privateKey, checkpointEvery: 5, checkpointIntervalMs: 0 });
    for (let i = 1; i <= 12; i++) await trail.commit(trail.begin(request(i)), { outcome: 'success', status: 200 });
    // Checkpoints are written with the database copy, which follows the journal within milliseconds.
    await databaseHolds(12);
    expect(await checkpointSeqs()).toEqual([5, 10]);
    await trail.close();
    expect(await checkpointSeqs()).toEqual([5, 10, 12]);
    expect(await verifyAuditTrail(storage, { publicKeys: [publicKey] })).toMatchObject({ ok: true, checkpoints: 3, unsignedRecords: 0 });
  });

  it('signs a checkpoint after an idle interval without a new request', async () => {
    const trail = await openAuditTrail(storage, { signingKey: privateKey, checkpointEvery: 1000, checkpointIntervalMs: 50 });
    // Both in one batch, so the only head there ever is is seq 2.
    await Promise.all([1, 2].map((i) => trail.commit(trail.begin(request(i)), { outcome: 'success', status: 200 })));
    for (let i = 0; i < 400 && !(await checkpointSeqs()).includes(2); i++) await new Promise((r) => setTimeout(r, 25));
    expect(await checkpointSeqs()).toEqual([2]);
    await trail.close();
    expect(await checkpointSeqs()).toEqual([2]);
  });

  it('continues the same chain after the service restarts on the data directory', async () => {
    const a = await openAuditTrail(storage, { signingKey: privateKey, checkpointEvery: 100 });
    await Promise.all([1, 2, 3].map((i) => a.commit(a.begin(request(i)), { outcome: 'success', status: 200 })));
    await a.close();
    await storage.close();
    storage = await openStorage({ dataDir });
    const b = await openAuditTrail(storage, { signingKey: privateKey, checkpointEvery: 100 });
    await b.commit(b.begin(request(4)), { outcome: 'success', status: 200 });
    await b.close();
    const report = await verifyAuditTrail(storage, { publicKeys: [publicKey] });
    expect(report).toMatchObject({ ok: true, records: 4, headSeq: 4, checkpoints: 2, lastCheckpointSeq: 4 });
  });

  it('one journal has one writer: a second trail on the data directory is refused while the first is open', async () => {
    const a = await openAuditTrail(storage, {});
    await expect(openAuditTrail(storage, {})).rejects.toThrow('is already open in this process');
    await a.close();
    const b = await openAuditTrail(storage, {});
    await b.close();
  });

  it('two writers on one PGlite database without the journal still extend a single chain', async () => {
    const a = await openAuditTrail(storage, { journal: false });
    const b = await openAuditTrail(storage, { journal: false });
    // Each starts from the same head, so every other commit finds its cached head stale.
    for (let i = 0; i < 6; i++) {
      const t = i % 2 === 0 ? a : b;
      await t.commit(t.begin(request(i)), { outcome: 'success', status: 200 });
    }
    await Promise.all([a.close(), b.close()]);
    expect(await verifyAuditTrail(storage, { publicKeys: [publicKey] })).toMatchObject({ ok: true, records: 6, headSeq: 6 });
  });

  it('refuses a handle it did not open or already committed, and a non-Ed25519 signing key', async () => {
    const trail = await openAuditTrail(storage, {});
    const h = trail.begin(request(1));
    await trail.commit(h, { outcome: 'success', status: 200 });
    await expect(trail.commit(h, { outcome: 'success', status: 200 })).rejects.toThrow('already committed');
    await trail.close();
    expect(() => trail.begin(request(2))).toThrow('closed');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    const err = await openAuditTrail(storage, { signingKey: rsa }).catch((e: unknown) => e);
    expect(isSovraError(err) && err.code).toBe('bad-config');
    expect((err as Error).message).toContain('must be an Ed25519 private key');
  });
});
