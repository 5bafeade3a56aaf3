/** The storage the control plane uses: PostgreSQL, embedded (PGlite) or a server. */

/** Rows and affected count of one statement. */
export interface QueryResult<R = Record<string, unknown>> {
  readonly rows: R[];
  readonly rowCount: number;
}

/** A connection-like handle; `Storage` and a transaction both provide it. */
export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<R>>;
}

/** An open database with migrations applied. */
export interface Storage extends Queryable {
  /** `pglite` for the embedded default, `postgres` for a `DATABASE_URL` server. */
  readonly kind: 'pglite' | 'postgres';
  /** True when the pgvector extension is available (RAG needs it). */
  readonly hasVector: boolean;
  /** Absolute path of the PGlite data directory; undefined for a server and for in-memory PGlite. */
  readonly dataDir?: string;
  /** Runs `fn` in one transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Cheap liveness check for `/readyz`. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** How to open storage: a server URL wins over the data directory. */
export interface StorageOptions {
  readonly databaseUrl?: string;
  /** Directory of the embedded PGlite database (created if missing). */
  readonly dataDir?: string;
}
