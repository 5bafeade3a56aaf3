import { generateKeyPairSync, createPublicKey, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../core/canonical.js';
import { openStorage } from '../storage/open.js';
import type { Storage } from '../storage/types.js';
import { recordHash } from './chain.js';
import { signCheckpoint } from './checkpoint.js';
import { AUDIT_EXIT_CODES } from './exit-codes.js';
import { openAuditTrail } from './trail.js';
import { verifyAuditTrail } from './verify.js';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');

let storage: Storage;
beforeAll(async () => {
  storage = await openStorage({});
});
afterAll(async () => {
  await storage?.close();
});

/** Writes 20 records one by one with a checkpoint every 10: checkpoints at seq 10 and 20. */
beforeEach(async () => {
  await storage.query('DELETE FROM audit_records');
  await storage.query('DELETE FROM audit_checkpoints');
  const trail = await openAuditTrail(storage, { signingKey: privateKey, checkpointEvery: 10, checkpointIntervalMs: 0 });
  for (let i = 1; i <= 20; i++) {
    const h = trail.begin({ action: 'POST /v1/chat/completions', subject: `user-${i}`, tenant: 'acme', sourceIp: '10.0.0.1', requestId: `r${i}`, requestDigest: `sha256:${'a'.repeat(64)}` });
    await trail.commit(h, { outcome: 'success', status: 200, model: 'tiny', tier: 'local' });
  }
  await trail.close();
});

async function verify(keys: KeyObject[] = [publicKey]) {
  return verifyAuditTrail(storage, { publicKeys: keys });
}

async function row(seq: number) {
  return (await storage.query<{ id: string; prev_hash: string; hash: string; body: string }>('SELECT id, prev_hash, hash, body FROM audit_records WHERE seq = $1', [seq])).rows[0]!;
}

describe('verifyAuditTrail', () => {
  it('passes an intact trail with checkpoints at 10 and 20', async () => {
    const r = await verify();
    expect(r).toMatchObject({ ok: true, records: 20, headSeq: 20, checkpoints: 2, lastCheckpointSeq: 20, unsignedRecords: 0, exitCode: 0 });
    expect(r.findings).toEqual([]);
  });

  it('modification: a changed field is reported at its record', async () => {
    await storage.query(`UPDATE audit_records SET body = replace(body, '"subject":"user-7"', '"subject":"mallory"') WHERE seq = 7`);
    const r = await verify();
    expect(r.exitCode).toBe(AUDIT_EXIT_CODES.modification);
    expect(r.findings).toEqual([expect.objectContaining({ kind: 'modification', seq: 7 })]);
    expect(r.findings[0]!.message).toContain('does not match its hash');
  });

  it('modification: a record rewritten with a recomputed hash breaks the next link', async () => {
    const r7 = await row(7);
    const body = r7.body.replace('"subject":"user-7"', '"subject":"mallory"');
    await storage.query('UPDATE audit_records SET body = $1, hash = $2 WHERE seq = 7', [body, recordHash(r7.prev_hash, body)]);
    const r = await verify();
    expect(r.exitCode).toBe(AUDIT_EXIT_CODES.modification);
    expect(r.findings[0]).toMatchObject({ kind: 'modification', seq: 7 });
    expect(r.findings[0]!.message).toContain('rewritten');
  });

  it('deletion: a record removed from the middle', async () => {
    await storage.query('DELETE FROM audit_records WHERE seq = 5');
    const r = await verify();
    expect(r.exitCode).toBe(AUDIT_EXIT_CODES.deletion);
    expect(r.findings).toEqual([expect.objectContaining({ kind: 'deletion', seq: 5 })]);
    expect(r.findings[0]!.message).toContain('Records seq 5 are missing');
  });

  it('insertion: a well-formed record chained onto seq 4 and the rest renumbered', async () => {
    await storage.query('UPDATE audit_records SET seq = seq + 1000 WHERE seq >= 5');
    await storage.query('UPDATE audit_records SET seq = seq - 999 WHERE seq >= 1000');
    const r4 = await row(4);
    const body = canonicalJson({ ...JSON.parse((await row(6)).body), seq: 5, id: 'forged', subject: 'mallory' });
    await storage.query('INSERT INTO audit_records (seq, id, prev_hash, hash, body) VALUES (5, $1, $2, $3, $4)', ['forged', r4.hash, recordHash(r4.hash, body), body]);
    const r = await verify();
    expect(r.exitCode).toBe(AUDIT_EXIT_CODES.insertion);
    expect(r.findings.find((f) => f.kind === 'insertion')).toMatchObject({ seq: 5 });
    expect(r.findings.find((f) => f.kind === 'insertion')!.message).toContain('They were inserted');
    expect(r.findings.map((f) => f.kind)).not.toContain('deletion');
  });

  it('reordering: two records swap places', async () => {
    await storage.query('UPDATE audit_records SET seq = -1 WHERE seq = 5');
    await storage.query('UPDATE audit_records SET seq = 5 WHERE seq = 6');
    await storage.query('UPDATE audit_records SET seq = 6 WHERE seq = -1');
    const r = await verify();
    expect(r.exitCode).toBe(AUDIT_EXIT_CODES.reordering);
    expect(r.findings).toEqual([expect.objectContaining({ kind: 'reordering', seq: 5 })]);
    expect(r.findings[0]!.message).toContain('were reordered');
  });

  it('truncation: records signed by the last checkpoint are cut from the end', async () => {
    await storage.query('DELETE FROM audit_records WHERE seq > 15');
    const r = await verify();
    expect(r.exitCode).toBe(AUDIT_EXIT_CODES.truncation);
    expect(r.findings).toEqual([expect.objectContaining({ kind: 'truncation', seq: 16 })]);
    expect(r.findings[0]!.message).toContain('Records seq 16–20 are missing from the end');
  });

  it('bad signature: a forged checkpoint signature', async () => {
    await storage.query('UPDATE audit_checkpoints SET signature = $1 WHERE seq = 10', [Buffer.alloc(64, 7).toString('base64')]);
    const r = await verify();
    expect(r.exitCode).toBe(AUDIT_EXIT_CODES['bad-signature']);
    expect(r.findings).toEqual([expect.objectContaining({ kind: 'bad-signature', seq: 10 })]);
    expect(r.findings[0]!.message).toContain('forged or altered');
  });

  it('bad signature: a checkpoint re-signed with another key over a rewritten chain', async () => {
    const head = await row(20);
    const cp = signCheckpoint(20, head.hash, other.privateKey, new Date().toISOString());
    await storage.query('UPDATE audit_checkpoints SET key_id = $1, signature = $2, created_at = $3 WHERE seq = 20', [cp.keyId, cp.signature, cp.createdAt]);
    const r = await verify();
    expect(r.exitCode).toBe(AUDIT_EXIT_CODES['bad-signature']);
    expect(r.findings).toEqual([expect.objectContaining({ kind: 'bad-signature', seq: 20 })]);
    expect(r.findings[0]!.message).toContain('signed by another key');
    // Given both keys (rotation), the same trail verifies.
    expect((await verify([publicKey, createPublicKey(other.privateKey)])).ok).toBe(true);
  });

  it('distinct exit statuses for every finding kind', () => {
    expect(new Set(Object.values(AUDIT_EXIT_CODES)).size).toBe(6);
    for (const v of Object.values(AUDIT_EXIT_CODES)) expect(v).toBeGreaterThan(10);
  });
});
