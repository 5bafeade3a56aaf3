/** Storage of the control plane: PostgreSQL (server or embedded PGlite) with versioned migrations. */
export { openStorage, openExistingStorage } from './open.js';
export { MIGRATIONS, type Migration } from './migrations.js';
export { migrate, MIGRATION_LOCK_KEY } from './migrate.js';
export type { QueryResult, Queryable, Storage, StorageOptions } from './types.js';
