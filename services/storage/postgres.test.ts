import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSovraError } from '../../core/errors.js';
import { startPostgres, type TestPostgres } from '../../test/support/postgres.js';
import { MIGRATIONS } from './migrations.js';
import { openStorage } from './open.js';

let server: TestPostgres;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await server?.stop();
});

describe('PostgreSQL server storage (DATABASE_URL)', () => {
  it('migrates once when several processes start at the same time, and skips RAG without pgvector', async () => {
    const all = await Promise.all([1, 2, 3].map(() => openStorage({ databaseUrl: server.url })));
    try {
      for (const s of all) {
        expect(s.kind).toBe('postgres');
        // Debian's PostgreSQL 15 has no pgvector package.
        expect(s.hasVector).toBe(false);
      }
      const s = all[0]!;
      const rows = (await s.query<{ version: number }>('SELECT version FROM sovra_schema_migrations ORDER BY version')).rows;
      expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.filter((m) => m.requires !== 'vector').map((m) => m.version));
      const rag = await s.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'rag_chunks'");
      expect(rag.rowCount).toBe(0);
      await s.ping();
    } finally {
      await Promise.all(all.map((s) => s.close()));
    }
  });

  it('commits and rolls back transactions on one connection', async () => {
    const s = await openStorage({ databaseUrl: server.url });
    try {
      await expect(
        s.transaction(async (tx) => {
          await tx.query("INSERT INTO idempotency_keys (tenant, scope, key, body_digest, result) VALUES ('t', 's', 'k', 'd', '{}')");
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect((await s.query('SELECT * FROM idempotency_keys')).rowCount).toBe(0);
      await s.transaction((tx) => tx.query("INSERT INTO idempotency_keys (tenant, scope, key, body_digest, result) VALUES ('t', 's', 'k', 'd', '{}')"));
      expect((await s.query('SELECT * FROM idempotency_keys')).rowCount).toBe(1);
    } finally {
      await s.close();
    }
  });

  it('reports an unreachable server as an io error without the password', async () => {
    const err = await openStorage({ databaseUrl: 'postgres://app:secret@127.0.0.1:1/postgres' }).catch((e: unknown) => e);
    expect(isSovraError(err) && err.code).toBe('io');
    expect((err as Error).message).toContain('Cannot connect to PostgreSQL');
    expect((err as Error).message).not.toContain('secret');
  });
});
