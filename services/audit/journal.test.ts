/**
 * The audit journal: segment files, a write cut short by a crash, damage,
 * and a writer process killed with SIGKILL after its commits were
 * acknowledged but before the database copy ran: `sovra audit verify` sees
 * the acknowledged records, and the next start puts them in the database.
 */
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSovraError } from '../../core/errors.js';
import { collect, sovra, waitFor } from '../../test/support/process.js';
import { openStorage } from '../storage/open.js';
import { GENESIS_HASH, recordHash } from './chain.js';
import { AuditJournal, journalDirOf, readJournal, type ChainedRecord } from './journal.js';
import { openAuditTrail } from './trail.js';
import { verifyAuditTrail } from './verify.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const { privateKey, publicKey } = generateKeyPairSync('ed25519');

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sovra-audit-journal-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** `n` chained records after `from` (seq and hash). */
function chain(n: number, from = { seq: 0, hash: GENESIS_HASH }): ChainedRecord[] {
  const out: ChainedRecord[] = [];
  let { seq, hash } = from;
  for (let i = 0; i < n; i++) {
    seq += 1;
    const body = JSON.stringify({ id: `id-${seq}`, seq });
    const next = recordHash(hash, body);
    out.push({ seq, id: `id-${seq}`, prevHash: hash, hash: next, body });
    hash = next;
  }
  return out;
}

function fresh(name: string): string {
  return path.join(tmp, name);
}

function segments(dir: string): string[] {
  return fs.readdirSync(dir).sort();
}

/** A journal in a new directory holding `records`, closed; returns the directory and its one segment file. */
async function written(name: string, records: readonly ChainedRecord[]): Promise<{ dir: string; file: string }> {
  const dir = fresh(name);
  const { journal } = AuditJournal.open(dir);
  await journal.append(records);
  await journal.close();
  return { dir, file: path.join(dir, segments(dir)[0]!) };
}

describe('audit journal files', () => {
  it('appends records, starts a new segment past its size, and deletes only segments the database holds in full', async () => {
    const dir = fresh('segments');
    const { journal, records } = AuditJournal.open(dir, { segmentBytes: 300 });
    expect(records).toEqual([]);
    const all = chain(9);
    for (let i = 0; i < 9; i += 3) await journal.append(all.slice(i, i + 3));
    // Each batch of three lines passes 300 bytes, so every batch after the first starts a segment.
    expect(segments(dir)).toEqual(['0000000000000001.jsonl', '0000000000000004.jsonl', '0000000000000007.jsonl']);
    expect(readJournal(dir).records).toEqual(all);
    await journal.release(5);
    expect(segments(dir)).toEqual(['0000000000000004.jsonl', '0000000000000007.jsonl']);
    // The segment being written stays even when the database holds all of it.
    await journal.release(9);
    expect(segments(dir)).toEqual(['0000000000000007.jsonl']);
    await journal.close(9);
    expect(segments(dir)).toEqual([]);
  });

  it('cuts off a write a crash left unfinished, and keeps every complete record', async () => {
    const all = chain(4);
    const { dir, file } = await written('torn', all.slice(0, 3));
    const whole = fs.statSync(file).size;
    // Half of the fourth record's line: its write never returned.
    const line = `${JSON.stringify({ seq: 4, id: all[3]!.id, prev_hash: all[3]!.prevHash, hash: all[3]!.hash, body: all[3]!.body })}\n`;
    fs.appendFileSync(file, line.slice(0, 40));
    expect(readJournal(dir)).toMatchObject({ records: all.slice(0, 3), tornTail: { file, offset: whole, bytes: 40 } });

    const reopened = AuditJournal.open(dir);
    expect(reopened.records).toEqual(all.slice(0, 3));
    expect(fs.statSync(file).size).toBe(whole);
    // Appending goes on in a new segment after the cut.
    await reopened.journal.append(all.slice(3));
    await reopened.journal.close();
    expect(readJournal(dir).records).toEqual(all);
  });

  it('an empty segment (created, never written before a crash) is removed at open and its name used again', async () => {
    const dir = fresh('empty-segment');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, '0000000000000001.jsonl'), '');
    const { journal, records } = AuditJournal.open(dir);
    expect(records).toEqual([]);
    await journal.append(chain(2));
    await journal.close();
    expect(readJournal(dir).records).toHaveLength(2);
  });

  it('a changed record is damage, not a crash: the writer refuses to open and names the file and line', async () => {
    const { dir, file } = await written('damaged', chain(3));
    const original = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, original.replace('"id-2"', '"id-X"'));
    expect(readJournal(dir)).toMatchObject({ records: chain(1), damage: { file, line: 2 } });
    const err = (() => {
      try {
        AuditJournal.open(dir);
      } catch (e) {
        return e;
      }
    })();
    expect(isSovraError(err) && err.code).toBe('bad-config');
    expect((err as Error).message).toContain(`${file}, line 2 is not a complete audit record whose hash matches its content`);
    // Refused before it became the directory's writer: once the record is put back, it opens.
    fs.writeFileSync(file, original);
    await AuditJournal.open(dir).journal.close();
  });

  it('a record removed from the middle, or a gap between segments, is damage', async () => {
    const { dir, file } = await written('gap', chain(3));
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    fs.writeFileSync(file, [lines[0], lines[2], ''].join('\n'));
    expect(readJournal(dir).damage).toMatchObject({ line: 2, message: expect.stringContaining('(seq 3) does not follow the record before it (expected seq 2') });

    const dir2 = fresh('segment-gap');
    const all = chain(6);
    const j2 = AuditJournal.open(dir2, { segmentBytes: 1 }).journal;
    for (const r of all) await j2.append([r]);
    await j2.close();
    fs.rmSync(path.join(dir2, '0000000000000003.jsonl'));
    expect(readJournal(dir2)).toMatchObject({ records: all.slice(0, 2), damage: { file: path.join(dir2, '0000000000000004.jsonl'), line: 1 } });
  });
});

describe('a writer killed after its commits were acknowledged', () => {
  it('loses no acknowledged record: verify sees them in the journal, the next start copies them into the database and continues the chain', async () => {
    const dataDir = fresh('killed');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'test/support/audit-crash-writer.ts'), dataDir, '23', Buffer.from(pem).toString('base64')], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = collect(child);
    try {
      await waitFor(child, out, /^all acked$/m);
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('close', r));
    }
    const acked = [...out.stdout.matchAll(/^acked \d+ (\S+)$/gm)].map((m) => m[1]!);
    expect(acked).toHaveLength(23);
    const journalDir = journalDirOf(dataDir);
    expect(new Set(readJournal(journalDir).records.map((r) => r.id))).toEqual(new Set(acked));

    // Offline, before any restart: the records exist only in the journal, and the trail is intact.
    const pub = path.join(tmp, 'killed.pub');
    fs.writeFileSync(pub, publicKey.export({ type: 'spki', format: 'pem' }));
    const verified = await sovra(['audit', 'verify', dataDir, '--key', pub, '--json']);
    expect(verified.status).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, records: 23, headSeq: 23, checkpoints: 0, journalRecords: 23 });

    // The next start (the dead process's database lock is taken over) copies them in and goes on.
    const storage = await openStorage({ dataDir });
    try {
      expect(Number((await storage.query<{ n: number }>('SELECT count(*) AS n FROM audit_records')).rows[0]!.n)).toBe(0);
      const trail = await openAuditTrail(storage, { signingKey: privateKey, checkpointEvery: 10, checkpointIntervalMs: 0 });
      const ids = (await storage.query<{ id: string }>('SELECT id FROM audit_records ORDER BY seq')).rows.map((r) => r.id);
      expect(new Set(ids)).toEqual(new Set(acked));
      await trail.commit(trail.begin({ action: 'GET /v1/models', subject: 'after-restart', sourceIp: '127.0.0.1', requestId: 'r-after', requestDigest: `sha256:${'b'.repeat(64)}` }), { outcome: 'success', status: 200 });
      await trail.close();
      const report = await verifyAuditTrail(storage, { publicKeys: [publicKey], journalDir });
      expect(report).toMatchObject({ ok: true, records: 24, headSeq: 24, journalRecords: 0, lastCheckpointSeq: 24 });
      expect(readJournal(journalDir).segments).toEqual([]);
    } finally {
      await storage.close();
    }
  }, 60_000);

  it('refuses to start on a journal that disagrees with the database, and verify names the record', async () => {
    const dataDir = fresh('disagree');
    const storage = await openStorage({ dataDir });
    try {
      const trail = await openAuditTrail(storage, { journal: false });
      for (let i = 0; i < 3; i++) await trail.commit(trail.begin({ action: 'GET /v1/models', subject: `u${i}`, sourceIp: '127.0.0.1', requestId: `r${i}`, requestDigest: `sha256:${'c'.repeat(64)}` }), { outcome: 'success', status: 200 });
      await trail.close();
      // A journal whose seq 2 is another record than the database's seq 2.
      const rows = (await storage.query<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_records ORDER BY seq')).rows;
      const forged = chain(1, { seq: 1, hash: rows[0]!.hash });
      const journalDir = journalDirOf(dataDir);
      const { journal } = AuditJournal.open(journalDir);
      await journal.append(forged);
      await journal.close();
      const err = await openAuditTrail(storage, {}).catch((e: unknown) => e);
      expect(isSovraError(err) && err.code).toBe('bad-config');
      expect((err as Error).message).toContain('and the database disagree at seq 2');
      const report = await verifyAuditTrail(storage, { publicKeys: [publicKey], journalDir });
      expect(report.findings).toEqual([expect.objectContaining({ kind: 'modification', seq: 2, message: expect.stringContaining('is not the one the audit journal holds') })]);
    } finally {
      await storage.close();
    }
  });
});
