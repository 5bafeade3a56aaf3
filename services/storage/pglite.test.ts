import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isSovraError } from '../../core/errors.js';
import { MIGRATIONS } from './migrations.js';
import { migrate } from './migrate.js';
import { openExistingStorage, openStorage } from './open.js';
import { DATA_DIR_LOCK, lockDataDir, observePgliteFsyncs } from './pglite.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'sovra-storage-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('PGlite storage', () => {
  it('in memory: applies every migration once, has pgvector, rolls back a failed transaction, and leaves this thread free', async () => {
    const s = await openStorage({});
    try {
      expect(s.kind).toBe('pglite');
      expect(s.hasVector).toBe(true);
      const versions = (await s.query<{ version: number }>('SELECT version FROM sovra_schema_migrations ORDER BY version')).rows.map((r) => r.version);
      expect(versions).toEqual(MIGRATIONS.map((m) => m.version));
      // A second run applies nothing.
      expect(await migrate(s.transaction.bind(s), true)).toEqual([]);
      await expect(
        s.transaction(async (tx) => {
          await tx.query("INSERT INTO idempotency_keys (tenant, scope, key, body_digest, result) VALUES ('t', 's', 'k', 'd', '{}')");
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect((await s.query('SELECT * FROM idempotency_keys')).rowCount).toBe(0);
      const n = await s.transaction(async (tx) => {
        await tx.query("INSERT INTO idempotency_keys (tenant, scope, key, body_digest, result) VALUES ('t', 's', 'k', 'd', '{}')");
        return (await tx.query('SELECT * FROM idempotency_keys')).rowCount;
      });
      expect(n).toBe(1);
      await s.ping();
      // PGlite runs in a worker thread: a long statement leaves this thread free to serve.
      let ticked = false;
      const timer = setTimeout(() => (ticked = true), 10);
      await s.query('SELECT pg_sleep(0.3)');
      clearTimeout(timer);
      expect(ticked).toBe(true);
    } finally {
      await s.close();
    }
  });

  it('in a data directory: fsyncs the WAL before a commit resolves and keeps data across reopen', async () => {
    const dir = path.join(tempDir(), 'data');
    const s = await openStorage({ dataDir: dir });
    const synced: string[] = [];
    // PGlite runs in a worker thread, which reports each real fsync (path) before the answer.
    const stop = observePgliteFsyncs((file) => synced.push(file));
    try {
      await s.query("INSERT INTO idempotency_keys (tenant, scope, key, body_digest, result) VALUES ('t', 's', 'k1', 'd', '{}')");
      expect(synced.some((p) => p.includes(`${path.sep}pg_wal${path.sep}`))).toBe(true);
      synced.length = 0;
      await s.query('SELECT count(*) FROM idempotency_keys');
      // A read-only statement writes no WAL, so nothing needs flushing.
      expect(synced.filter((p) => p.includes('pg_wal'))).toEqual([]);
    } finally {
      stop();
      await s.close();
    }
    const again = await openExistingStorage({ dataDir: dir });
    try {
      expect((await again.query<{ key: string }>('SELECT key FROM idempotency_keys')).rows).toEqual([{ key: 'k1' }]);
    } finally {
      await again.close();
    }
  });

  it('locks its data directory: a second open is refused with an io error, a copy opens, a dead holder\'s lock is taken over, close releases it', async () => {
    const dir = tempDir();
    const first = await openStorage({ dataDir: dir });
    try {
      const second = await openStorage({ dataDir: dir }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isSovraError(second) && second.code).toBe('io');
      expect((second as Error).message).toContain(`The data directory ${dir} is in use by this process (${DATA_DIR_LOCK})`);
      // A copy of a live directory carries the lock file, but the lock names the original directory.
      const copy = tempDir();
      fs.cpSync(dir, copy, { recursive: true });
      const c = await openStorage({ dataDir: copy });
      expect((await c.query<{ x: number }>('SELECT 1 AS x')).rows).toEqual([{ x: 1 }]);
      await c.close();
    } finally {
      await first.close();
    }
    expect(fs.existsSync(path.join(dir, DATA_DIR_LOCK))).toBe(false);
    // A lock left by a process that is gone (pid 2^22 + 1 is above Linux's pid_max) is taken over.
    fs.writeFileSync(path.join(dir, DATA_DIR_LOCK), `${2 ** 22 + 1}\n${fs.realpathSync(dir)}\n`);
    const lock = lockDataDir(dir);
    expect(fs.readFileSync(path.join(dir, DATA_DIR_LOCK), 'utf8')).toBe(`${process.pid}\n${fs.realpathSync(dir)}\n`);
    lock.release();
    expect(fs.existsSync(path.join(dir, DATA_DIR_LOCK))).toBe(false);
  });

  it('refuses to treat a missing directory as an existing database', async () => {
    const missing = path.join(tempDir(), 'nope');
    const err = await openExistingStorage({ dataDir: missing }).catch((e: unknown) => e);
    expect(isSovraError(err) && err.code).toBe('bad-input');
    expect((err as Error).message).toContain('is not a Sovra data directory');
    expect(fs.existsSync(missing)).toBe(false);
  });
});
