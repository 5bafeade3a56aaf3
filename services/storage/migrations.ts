/** The versioned schema of the control plane's database, oldest first. */

/** One schema change; `requires: 'vector'` ones run only where pgvector is installed. */
export interface Migration {
  /** Positive, unique, never reused; the applied set is kept in `sovra_schema_migrations`. */
  readonly version: number;
  readonly name: string;
  /** Single statements, run in order inside the migration transaction. */
  readonly statements: readonly string[];
  readonly requires?: 'vector';
}

/** Every migration the code knows, in version order. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'audit trail',
    statements: [
      // `body` is the canonical JSON that the hash covers, kept byte for byte (text, not jsonb,
      // so nothing is re-ordered or normalised and the verifier hashes exactly what was written).
      `CREATE TABLE audit_records (
        seq bigint PRIMARY KEY,
        id text NOT NULL UNIQUE,
        prev_hash text NOT NULL,
        hash text NOT NULL,
        body text NOT NULL
      )`,
      `CREATE TABLE audit_checkpoints (
        seq bigint PRIMARY KEY,
        head_hash text NOT NULL,
        key_id text NOT NULL,
        created_at text NOT NULL,
        signature text NOT NULL
      )`,
    ],
  },
  {
    version: 2,
    name: 'idempotency keys',
    statements: [
      `CREATE TABLE idempotency_keys (
        tenant text NOT NULL,
        scope text NOT NULL,
        key text NOT NULL,
        body_digest text NOT NULL,
        result text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant, scope, key)
      )`,
    ],
  },
  {
    version: 3,
    name: 'rag chunks',
    requires: 'vector',
    statements: [
      // Dimensions vary by embedding model, so the column is untyped and each dimension count
      // gets its own HNSW expression index (created on first use, see services/rag).
      `CREATE TABLE rag_chunks (
        id bigserial PRIMARY KEY,
        tenant text NOT NULL,
        source_id text NOT NULL,
        chunk_index integer NOT NULL,
        text text NOT NULL,
        metadata text NOT NULL DEFAULT '{}',
        dims integer NOT NULL,
        embedding vector NOT NULL,
        UNIQUE (tenant, source_id, chunk_index)
      )`,
    ],
  },
  {
    version: 4,
    name: 'rag chunks record their embedding model',
    requires: 'vector',
    statements: [
      // Chunks embedded by one model are only comparable with queries embedded by the same model.
      `ALTER TABLE rag_chunks ADD COLUMN embedding_model text NOT NULL DEFAULT ''`,
    ],
  },
  {
    version: 5,
    name: 'audit record ids need no unique index',
    statements: [
      // The id is inside the hashed body and the chain is keyed by seq: a copied or altered record
      // is found by the hash chain, not by this index. Nothing looks records up by id, and the
      // index cost every durable commit about a sixth of its time (bench/audit-group-commit.ts).
      'ALTER TABLE audit_records DROP CONSTRAINT IF EXISTS audit_records_id_key',
    ],
  },
];
