/**
 * The offline verifier against every tamper case, on the embedded default: a
 * durable PGlite data directory written by the real trail writer.
 */
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isSovraError } from '../../core/errors.js';
import { TAMPER_CASES, restoreTrail, snapshotTrail, writeSampleTrail, type TrailSnapshot } from '../../test/support/audit.js';
import { openStorage } from '../storage/open.js';
import type { Storage } from '../storage/types.js';
import { AUDIT_EXIT_CODES } from './exit-codes.js';
import { verifyAuditTrail } from './verify.js';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');

let dir: string;
let storage: Storage;
let pristine: TrailSnapshot;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sovra-audit-verify-'));
  storage = await openStorage({ dataDir: path.join(dir, 'data') });
  await writeSampleTrail(storage, privateKey);
  pristine = await snapshotTrail(storage);
});
afterAll(async () => {
  await storage?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  await restoreTrail(storage, pristine);
});

function verify(keys: KeyObject[] = [publicKey]) {
  return verifyAuditTrail(storage, { publicKeys: keys });
}

describe('verifyAuditTrail on a PGlite data directory', () => {
  it('passes the intact trail: 20 records, checkpoints at 10 and 20', async () => {
    expect(storage.kind).toBe('pglite');
    const r = await verify();
    expect(r).toMatchObject({ ok: true, records: 20, headSeq: 20, checkpoints: 2, lastCheckpointSeq: 20, unsignedRecords: 0, exitCode: 0 });
    expect(r.findings).toEqual([]);
  });

  for (const c of TAMPER_CASES) {
    it(c.name, async () => {
      await c.apply(storage, other.privateKey);
      const r = await verify();
      expect(r.ok).toBe(false);
      expect(r.exitCode).toBe(AUDIT_EXIT_CODES[c.kind]);
      const finding = r.findings.find((f) => f.kind === c.kind);
      expect(finding).toMatchObject({ seq: c.seq });
      expect(finding!.message).toContain(c.message);
      if (c.only) expect(r.findings.map((f) => f.kind)).toEqual([c.kind]);
      // The more specific explanation is not drowned in deletion findings.
      if (c.kind === 'insertion') expect(r.findings.map((f) => f.kind)).not.toContain('deletion');
    });
  }

  it('accepts a checkpoint of a rotated key when both public keys are given', async () => {
    await TAMPER_CASES.find((c) => c.seq === 20 && c.kind === 'bad-signature')!.apply(storage, other.privateKey);
    expect((await verify([publicKey, createPublicKey(other.privateKey)])).ok).toBe(true);
  });

  it('records after the last checkpoint are chained but reported as unsigned', async () => {
    await storage.query('DELETE FROM audit_checkpoints WHERE seq = 20');
    const r = await verify();
    expect(r).toMatchObject({ ok: true, lastCheckpointSeq: 10, unsignedRecords: 10 });
  });

  it('a database without audit tables is a clear bad-input error', async () => {
    // DDL is transactional: the table is gone only inside this rolled-back transaction.
    const err = await storage
      .transaction(async (tx) => {
        await tx.query('DROP TABLE audit_checkpoints');
        await verifyAuditTrail(tx, { publicKeys: [publicKey] });
      })
      .catch((e: unknown) => e);
    expect(isSovraError(err) && err.code).toBe('bad-input');
    expect((err as Error).message).toContain('holds no Sovra audit trail');
  });

  it('every finding kind has its own exit status above the general ones', () => {
    expect(new Set(Object.values(AUDIT_EXIT_CODES)).size).toBe(Object.keys(AUDIT_EXIT_CODES).length);
    for (const v of Object.values(AUDIT_EXIT_CODES)) expect(v).toBeGreaterThan(10);
  });
});
