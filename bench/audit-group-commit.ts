/**
 * Durable audited records per second: the audit trail (hash chain, group
 * commit, signed checkpoints) against a naive append-only log that writes and
 * fsyncs every record on its own, in the same run, on the same disk, with the
 * same number of requests in flight. Prints the ratio (target ≥ 3×).
 *
 *   npx tsx bench/audit-group-commit.ts [--seconds 3] [--concurrency 64] [--postgres]
 *
 * Each side runs for `--seconds` (at most 100k records), `--concurrency`
 * simulated requests each looping begin → commit (await durable). Storage is
 * a PGlite data directory under the OS temp dir (the service default), run
 * twice: as the service runs it, through the audit journal (a commit is
 * durable once its batch's O_DSYNC write returned; the database copy follows),
 * and with the journal off (a commit is durable once its batch's transaction
 * flushed PGlite's WAL). For the journal the rate is also given with the time
 * the database copy needed to catch up after the last commit (`close`), so a
 * copy that falls behind cannot flatter it. `--postgres` adds a PostgreSQL 15
 * server (test/support/postgres.ts, needs the Debian `postgresql` package).
 * Journal writes and WAL fsyncs are counted to show how many records share
 * one flush.
 */
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { recordHash, GENESIS_HASH } from '../services/audit/chain.js';
import { recordBody, recordFields } from '../services/audit/record.js';
import { openAuditTrail, type AuditTrailOptions } from '../services/audit/trail.js';
import type { AuditBegin, AuditOutcome } from '../services/audit/types.js';
import { verifyAuditTrail } from '../services/audit/verify.js';
import { openStorage } from '../services/storage/open.js';
import { observePgliteFsyncs } from '../services/storage/pglite.js';
import type { Storage } from '../services/storage/types.js';
import { startPostgres } from '../test/support/postgres.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '64' },
    postgres: { type: 'boolean', default: false },
  },
});
const SECONDS = Number(values.seconds);
const CONCURRENCY = Number(values.concurrency);
const MAX_RECORDS = 100_000;

const begin: AuditBegin = {
  action: 'POST /v1/chat/completions',
  subject: 'bench-user',
  tenant: 'bench',
  sourceIp: '127.0.0.1',
  requestId: 'req',
  requestDigest: `sha256:${'a'.repeat(64)}`,
};
const outcome: AuditOutcome = { outcome: 'success', status: 200, model: 'tiny', modelDigest: `sha256:${'b'.repeat(64)}`, tier: 'upstream-0', responseDigest: `sha256:${'c'.repeat(64)}` };

/** Counts fsync calls: the naive log's (this thread), and PGlite's on WAL files (reported by its worker thread); and writes (the journal's are the only asynchronous ones). */
const fsyncs = { all: 0, wal: 0, writes: 0 };
const realWrite = fs.write;
(fs as { write: unknown }).write = (...args: unknown[]) => {
  fsyncs.writes += 1;
  return (realWrite as (...a: unknown[]) => unknown)(...args);
};
const realFsync = fs.fsyncSync;
(fs as { fsyncSync: typeof fs.fsyncSync }).fsyncSync = (fd: number) => {
  fsyncs.all += 1;
  realFsync(fd);
};
observePgliteFsyncs((file) => {
  if (file.includes(`${path.sep}pg_wal${path.sep}`)) fsyncs.wal += 1;
});

interface Result {
  readonly records: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly fsyncs: number;
}

/** Runs `CONCURRENCY` loops of `one()` until the time or record budget is spent. */
async function drive(one: () => Promise<void>, countFsyncs: () => number): Promise<Result> {
  let records = 0;
  const f0 = countFsyncs();
  const t0 = process.hrtime.bigint();
  const deadline = t0 + BigInt(Math.round(SECONDS * 1e9));
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (process.hrtime.bigint() < deadline && records < MAX_RECORDS) {
        await one();
        records += 1;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { records, seconds, perSecond: records / seconds, fsyncs: countFsyncs() - f0 };
}

/** The reference: one JSON line per record, same hash chain and body, written and fsynced alone, in order. */
async function naiveLog(dir: string): Promise<Result> {
  const file = path.join(dir, 'naive-audit.log');
  const fd = fs.openSync(file, 'a');
  let prev = GENESIS_HASH;
  let seq = 0;
  let tail: Promise<void> = Promise.resolve();
  const startedAt = new Date().toISOString();
  try {
    return await drive(
      () => {
        // Appends are serialised (the chain needs an order); each waits for its own fsync.
        const mine = tail.then(() => {
          seq += 1;
          const body = recordBody(recordFields(seq, `id-${seq}`, startedAt, new Date().toISOString(), begin, outcome, false));
          const hash = recordHash(prev, body);
          fs.writeSync(fd, `${JSON.stringify({ seq, prev, hash, body })}\n`);
          fs.fsyncSync(fd);
          prev = hash;
        });
        tail = mine;
        return mine;
      },
      () => fsyncs.all,
    );
  } finally {
    fs.closeSync(fd);
  }
}

async function trail(storage: Storage, options: AuditTrailOptions = {}): Promise<Result & { verified: boolean; caughtUpSeconds: number }> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const t = await openAuditTrail(storage, { signingKey: privateKey, checkpointEvery: 1000, checkpointIntervalMs: 1000, ...options });
  const journal = storage.kind === 'pglite' && options.journal !== false;
  const r = await drive(
    () => t.commit(t.begin(begin), outcome),
    () => (journal ? fsyncs.writes : storage.kind === 'pglite' ? fsyncs.wal : 0),
  );
  // The database copy and the last checkpoint: what the journal still owed when the last commit resolved.
  const c0 = process.hrtime.bigint();
  await t.close();
  const caughtUpSeconds = r.seconds + Number(process.hrtime.bigint() - c0) / 1e9;
  const report = await verifyAuditTrail(storage, { publicKeys: [publicKey] });
  return { ...r, caughtUpSeconds, verified: report.ok && report.records === r.records };
}

function row(name: string, r: Result, ref: Result, fsyncNote: string): string {
  return `| ${name} | ${r.records} | ${r.seconds.toFixed(2)} | ${r.perSecond.toFixed(0)} | ${fsyncNote} | **${(r.perSecond / ref.perSecond).toFixed(1)}×** |`;
}

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sovra-bench-audit-'));
try {
  console.log(`# audit group commit: ${SECONDS} s per side, ${CONCURRENCY} requests in flight, temp dir on ${root}`);
  const naive = await naiveLog(root);
  console.log(`naive fsync-per-record log: ${naive.records} records in ${naive.seconds.toFixed(2)} s = ${naive.perSecond.toFixed(0)}/s (${naive.fsyncs} fsyncs)`);

  /** One trail run on a data directory of its own. */
  const onPglite = async (name: string, options: AuditTrailOptions) => {
    const storage = await openStorage({ dataDir: path.join(root, name) });
    try {
      return await trail(storage, options);
    } finally {
      await storage.close();
    }
  };
  const pgl = await onPglite('journal', {});
  const direct = await onPglite('direct', { journal: false });
  const caughtUp: Result = { ...pgl, seconds: pgl.caughtUpSeconds, perSecond: pgl.records / pgl.caughtUpSeconds };
  console.log(`audit trail, PGlite data dir, through the journal: ${pgl.records} records in ${pgl.seconds.toFixed(2)} s = ${pgl.perSecond.toFixed(0)}/s (${pgl.fsyncs} journal writes, ${(pgl.records / Math.max(1, pgl.fsyncs)).toFixed(1)} records per write; database copy caught up ${(pgl.caughtUpSeconds - pgl.seconds).toFixed(3)} s after the last commit; chain verified: ${pgl.verified})`);
  console.log(`audit trail, PGlite data dir, journal off: ${direct.records} records in ${direct.seconds.toFixed(2)} s = ${direct.perSecond.toFixed(0)}/s (${direct.fsyncs} WAL fsyncs, ${(direct.records / Math.max(1, direct.fsyncs)).toFixed(1)} records per WAL fsync; chain verified: ${direct.verified})`);
  const rows = [
    '| writer | records | seconds | records/s | flushes | vs naive |',
    '| --- | --- | --- | --- | --- | --- |',
    row('naive log, fsync per record', naive, naive, `${naive.fsyncs}`),
    row('audit trail, PGlite data dir, journal (as served)', pgl, naive, `${pgl.fsyncs} O_DSYNC writes`),
    row('the same, until the database copy caught up', caughtUp, naive, ''),
    row('audit trail, PGlite data dir, journal off', direct, naive, `${direct.fsyncs} WAL`),
  ];
  if (values.postgres) {
    const server = await startPostgres();
    try {
      const s = await openStorage({ databaseUrl: server.url });
      try {
        const pg = await trail(s);
        console.log(`audit trail on PostgreSQL 15: ${pg.records} records in ${pg.seconds.toFixed(2)} s = ${pg.perSecond.toFixed(0)}/s (chain verified: ${pg.verified})`);
        rows.push(row('audit trail, PostgreSQL 15 server', pg, naive, 'server'));
      } finally {
        await s.close();
      }
    } finally {
      await server.stop();
    }
  }
  console.log('');
  console.log(rows.join('\n'));
  console.log('');
  console.log(`ratio group commit (PGlite, journal) / naive fsync-per-record: ${(pgl.perSecond / naive.perSecond).toFixed(2)}× (target ≥ 3×); counting the database copy's catch-up: ${(caughtUp.perSecond / naive.perSecond).toFixed(2)}×; journal off: ${(direct.perSecond / naive.perSecond).toFixed(2)}×`);
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
