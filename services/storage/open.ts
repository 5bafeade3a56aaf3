/** Opens the control plane's database: a PostgreSQL server when a URL is given, else PGlite. */
import fs from 'node:fs';
import path from 'node:path';
import { SovraError } from '../../core/errors.js';
import { migrate } from './migrate.js';
import { openPglite } from './pglite.js';
import { ensureVector, openPool, pgQueryable, pgTransaction } from './postgres.js';
import type { Queryable, Storage, StorageOptions } from './types.js';

/**
 * Opens storage and applies pending migrations: `databaseUrl` wins, then
 * `dataDir` (durable PGlite, created if missing), else an in-memory PGlite
 * (for tests).
 */
export async function openStorage(options: StorageOptions): Promise<Storage> {
  return open(options, true);
}

/**
 * Opens a database that must already exist, without migrating it; for
 * offline readers such as `sovra audit verify`. A missing data directory is a
 * user mistake, not a new database.
 */
export async function openExistingStorage(options: StorageOptions): Promise<Storage> {
  if (options.databaseUrl === undefined) {
    if (options.dataDir === undefined) throw new SovraError('usage', 'Give a data directory or a database URL.');
    const dir = path.resolve(options.dataDir);
    if (!fs.existsSync(path.join(dir, 'PG_VERSION'))) {
      throw new SovraError('bad-input', `${dir} is not a Sovra data directory (no PG_VERSION file in it). Give the --data-dir the control plane runs with, or a postgres:// URL.`);
    }
  }
  return open(options, false);
}

async function open(options: StorageOptions, runMigrations: boolean): Promise<Storage> {
  if (options.databaseUrl !== undefined) {
    const pool = await openPool(options.databaseUrl);
    try {
      const hasVector = await ensureVector(pool);
      const transaction = <T>(fn: (tx: Queryable) => Promise<T>) => pgTransaction(pool, fn);
      if (runMigrations) await migrate(transaction, hasVector);
      const q = pgQueryable(pool);
      return {
        kind: 'postgres',
        hasVector,
        query: q.query,
        transaction,
        async ping() {
          await pool.query('SELECT 1');
        },
        async close() {
          await pool.end();
        },
      };
    } catch (e) {
      await pool.end().catch(() => undefined);
      throw e;
    }
  }
  const db = await openPglite(options.dataDir);
  try {
    await db.query('CREATE EXTENSION IF NOT EXISTS vector');
    const transaction = <T>(fn: (tx: Queryable) => Promise<T>) => db.transaction(fn);
    if (runMigrations) await migrate(transaction, true);
    let closed = false;
    return {
      kind: 'pglite',
      hasVector: true,
      ...(options.dataDir === undefined ? {} : { dataDir: path.resolve(options.dataDir) }),
      query: (sql, params) => db.query(sql, params),
      transaction,
      async ping() {
        await db.query('SELECT 1');
      },
      async close() {
        if (closed) return;
        closed = true;
        await db.close();
      },
    };
  } catch (e) {
    await db.close().catch(() => undefined);
    throw e;
  }
}
