/** A PostgreSQL server reached through `DATABASE_URL`, with a `pg` connection pool. */
import pg from 'pg';
import { SovraError } from '../../core/errors.js';
import type { QueryResult, Queryable } from './types.js';

/** The URL with its password replaced, safe for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable database URL>';
  }
}

/** Opens a pool and checks that the server answers; an unreachable server is a user mistake. */
export async function openPool(databaseUrl: string): Promise<pg.Pool> {
  let pool: pg.Pool;
  try {
    pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  } catch (e) {
    throw new SovraError('bad-config', `DATABASE_URL ${redactUrl(databaseUrl)} is not a valid PostgreSQL URL: ${(e as Error).message}`, { cause: e });
  }
  // An idle client losing its connection must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  try {
    await pool.query('SELECT 1');
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw new SovraError('io', `Cannot connect to PostgreSQL at ${redactUrl(databaseUrl)}: ${(e as Error).message}. Check DATABASE_URL and that the server is running.`, { cause: e });
  }
  return pool;
}

/** Adapts a pool or a checked-out client to the storage `Queryable`. */
export function pgQueryable(client: Pick<pg.Pool, 'query'> | pg.PoolClient): Queryable {
  return {
    async query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<R>> {
      const r = await (client as pg.Pool).query(sql, params);
      return { rows: r.rows as R[], rowCount: r.rowCount ?? r.rows.length };
    },
  };
}

/** Runs `fn` in a transaction on one client of `pool`. */
export async function pgTransaction<T>(pool: pg.Pool, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(pgQueryable(client));
    await client.query('COMMIT');
    return result;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}

/** Installs pgvector when the server has it and reports whether it is usable. */
export async function ensureVector(pool: pg.Pool): Promise<boolean> {
  const installed = async () => (await pool.query("SELECT 1 FROM pg_extension WHERE extname = 'vector'")).rowCount === 1;
  if (await installed()) return true;
  const available = (await pool.query("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")).rowCount === 1;
  if (!available) return false;
  try {
    await pool.query('CREATE EXTENSION IF NOT EXISTS vector');
  } catch {
    // Not allowed for this role: RAG reports the missing extension with the fix.
    return false;
  }
  return installed();
}
