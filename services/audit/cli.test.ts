/**
 * `sovra audit verify` as a user runs it (spawned `node bin/sovra.js`), on a
 * real PostgreSQL 15 server (every tamper case, each its own exit status)
 * and on a PGlite data directory; plus several writers on one server
 * extending a single chain.
 */
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sovra } from '../../test/support/process.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../../core/errors.js';
import { TAMPER_CASES, writeSampleTrail } from '../../test/support/audit.js';
import { startPostgres, type TestPostgres } from '../../test/support/postgres.js';
import { openStorage } from '../storage/open.js';
import { AUDIT_EXIT_CODES } from './exit-codes.js';
import { openAuditTrail } from './trail.js';
import { verifyAuditTrail } from './verify.js';



const NO_STACK = /\n\s+at /;
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');

let tmp: string;
let pub: string;
let otherPub: string;
let server: TestPostgres;

/** `server.url` with another database name. */
function dbUrl(name: string): string {
  const u = new URL(server.url);
  u.pathname = `/${name}`;
  return u.toString();
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sovra-audit-cli-'));
  pub = path.join(tmp, 'audit.pub');
  otherPub = path.join(tmp, 'other.pub');
  fs.writeFileSync(pub, publicKey.export({ type: 'spki', format: 'pem' }));
  fs.writeFileSync(otherPub, other.publicKey.export({ type: 'spki', format: 'pem' }));
  server = await startPostgres();
});
afterAll(async () => {
  await server?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('sovra audit verify on PostgreSQL 15 (DATABASE_URL)', () => {
  it('exits 0 on the intact trail and with each kind its own status on every tamper case', async () => {
    const admin = await openStorage({ databaseUrl: server.url });
    try {
      await admin.query('CREATE DATABASE audit_pristine');
      const pristine = await openStorage({ databaseUrl: dbUrl('audit_pristine') });
      await writeSampleTrail(pristine, privateKey);
      await pristine.close();
      // Each case gets its own copy of the intact trail, so the verifier processes run at once.
      for (let i = 0; i < TAMPER_CASES.length; i++) {
        await admin.query(`CREATE DATABASE audit_case_${i} TEMPLATE audit_pristine`);
        const db = await openStorage({ databaseUrl: dbUrl(`audit_case_${i}`) });
        try {
          await TAMPER_CASES[i]!.apply(db, other.privateKey);
        } finally {
          await db.close();
        }
      }
    } finally {
      await admin.close();
    }
    const [intact, wrongKey, json, ...cases] = await Promise.all([
      sovra(['audit', 'verify', dbUrl('audit_pristine'), '--key', pub]),
      sovra(['audit', 'verify', dbUrl('audit_pristine'), '--key', otherPub]),
      sovra(['audit', 'verify', dbUrl('audit_case_0'), '--key', pub, '--json']),
      ...TAMPER_CASES.map((_, i) => sovra(['audit', 'verify', dbUrl(`audit_case_${i}`), '--key', pub])),
    ]);
    expect(intact.stderr).toBe('');
    expect(intact.status).toBe(0);
    expect(intact.stdout).toContain('20 records (head seq 20), 2 checkpoints (last at seq 20)');
    expect(intact.stdout).toContain('OK: every record matches its hash');

    expect(wrongKey.status).toBe(AUDIT_EXIT_CODES['bad-signature']);
    expect(wrongKey.stdout).toContain('not the key given');

    const report = JSON.parse(json.stdout) as { ok: boolean; exitCode: number; findings: { kind: string; seq: number }[] };
    expect(json.status).toBe(AUDIT_EXIT_CODES.modification);
    expect(report).toMatchObject({ ok: false, exitCode: AUDIT_EXIT_CODES.modification, findings: [{ kind: 'modification', seq: 7 }] });

    TAMPER_CASES.forEach((c, i) => {
      const r = cases[i]!;
      expect({ name: c.name, status: r.status }).toEqual({ name: c.name, status: AUDIT_EXIT_CODES[c.kind] });
      expect(r.stdout).toContain(`TAMPERED (`);
      expect(r.stdout).toContain(`seq ${c.seq}  ${c.kind}: `);
      expect(r.stdout).toContain(c.message);
      expect(r.stderr).toBe('');
    });
  });

  it('several service instances writing to one server extend a single chain', async () => {
    const a = await openStorage({ databaseUrl: server.url });
    const b = await openStorage({ databaseUrl: server.url });
    try {
      const ta = await openAuditTrail(a, { signingKey: privateKey, checkpointEvery: 7 });
      const tb = await openAuditTrail(b, { signingKey: privateKey, checkpointEvery: 7 });
      const commits: Promise<void>[] = [];
      for (let i = 0; i < 30; i++) {
        const t = i % 2 === 0 ? ta : tb;
        commits.push(t.commit(t.begin({ action: 'POST /v1/embeddings', subject: `s${i}`, sourceIp: '127.0.0.1', requestId: `r${i}`, requestDigest: 'sha256:00' }), { outcome: 'success', status: 200 }));
        if (i % 5 === 4) await Promise.all(commits.splice(0));
      }
      await Promise.all(commits);
      await Promise.all([ta.close(), tb.close()]);
      const report = await verifyAuditTrail(a, { publicKeys: [publicKey] });
      expect(report).toMatchObject({ ok: true, records: 30, headSeq: 30, lastCheckpointSeq: 30 });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('sovra audit verify on a PGlite data directory', () => {
  it('exits 0 when intact, 21 on a deleted record (one process per data directory: PGlite allows no more), and 2/7/10 on user mistakes without a stack', async () => {
    const intact = path.join(tmp, 'intact');
    const tampered = path.join(tmp, 'tampered');
    const s = await openStorage({ dataDir: intact });
    await writeSampleTrail(s, privateKey);
    await s.close();
    fs.cpSync(intact, tampered, { recursive: true });
    const t = await openStorage({ dataDir: tampered });
    await TAMPER_CASES.find((c) => c.kind === 'deletion')!.apply(t, other.privateKey);
    await t.close();

    const notPem = path.join(tmp, 'not.pem');
    fs.writeFileSync(notPem, 'hello\n');
    const [ok, deleted, noKey, notDir, badKey, missingKey, help] = await Promise.all([
      sovra(['audit', 'verify', intact, '--key', pub]),
      sovra(['audit', 'verify', tampered, '--key', pub]),
      sovra(['audit', 'verify', intact]),
      sovra(['audit', 'verify', path.join(tmp, 'nowhere'), '--key', pub]),
      sovra(['audit', 'verify', intact, '--key', notPem]),
      sovra(['audit', 'verify', intact, '--key', path.join(tmp, 'missing.pem')]),
      sovra(['audit', 'verify', '--help']),
    ]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('OK:');
    expect(deleted.status).toBe(AUDIT_EXIT_CODES.deletion);
    expect(deleted.stdout).toContain('Records seq 5 are missing');

    expect(noKey.status).toBe(EXIT_CODES.usage);
    expect(noKey.stderr).toContain('--key <pub.pem> is required');
    expect(notDir.status).toBe(EXIT_CODES['bad-input']);
    expect(notDir.stderr).toContain('is not a Sovra data directory');
    expect(fs.existsSync(path.join(tmp, 'nowhere'))).toBe(false);
    expect(badKey.status).toBe(EXIT_CODES['bad-input']);
    expect(badKey.stderr).toContain('is not a PEM public key');
    expect(missingKey.status).toBe(EXIT_CODES.io);
    for (const r of [noKey, notDir, badKey, missingKey]) expect(r.stderr).not.toMatch(NO_STACK);

    expect(help.status).toBe(0);
    for (const [kind, code] of Object.entries(AUDIT_EXIT_CODES)) expect(help.stdout).toMatch(new RegExp(`^ +${code}  ${kind}: `, 'm'));
  });
});
