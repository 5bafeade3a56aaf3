/** Applies the versioned migrations once, under a lock so concurrent starts do not race. */
import type { Queryable } from './types.js';
import { MIGRATIONS, type Migration } from './migrations.js';

/** Arbitrary constant key of the advisory lock that serialises migration runs on a server. */
export const MIGRATION_LOCK_KEY = 7_345_112_901;

/** Runs the migrations not yet applied (in one transaction) and returns the versions it applied. */
export async function migrate(
  transaction: <T>(fn: (tx: Queryable) => Promise<T>) => Promise<T>,
  hasVector: boolean,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number[]> {
  return transaction(async (tx) => {
    // Held until commit; a second process starting at the same time waits here, then sees
    // the versions the first one applied.
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.query(`CREATE TABLE IF NOT EXISTS sovra_schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const done = new Set(
      (await tx.query<{ version: number }>('SELECT version FROM sovra_schema_migrations')).rows.map((r) => Number(r.version)),
    );
    const applied: number[] = [];
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(m.version)) continue;
      if (m.requires === 'vector' && !hasVector) continue;
      for (const sql of m.statements) await tx.query(sql);
      await tx.query('INSERT INTO sovra_schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }
    return applied;
  });
}
