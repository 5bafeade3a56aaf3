/**
 * The embedded default: PGlite (PostgreSQL in WASM) with pgvector, kept in a
 * data directory and made crash-durable.
 *
 * PGlite starts PostgreSQL with `-F` (fsync off), and the Emscripten NODEFS
 * layer under the data directory has no `fsync` at all, so by default a
 * committed transaction is only in the OS page cache. For a data directory we
 * start without `-F`, select `wal_sync_method=fsync` (Emscripten's
 * `fdatasync` is a no-op, `fsync` goes through the stream's `fsync`), and give
 * NODEFS an `fsync` that calls the real one. A commit then returns only after
 * PostgreSQL's own WAL flush reached the disk, and checkpoints sync data files
 * as on a server.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PGlite, type PGliteInterface } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import type { QueryResult, Queryable } from './types.js';

/** PGlite's start-up flags without `-F`, and the WAL sync method that reaches `fsync`. */
function durableStartParams(): string[] {
  const defaults = (PGlite as unknown as { defaultStartParams?: string[] }).defaultStartParams;
  if (!Array.isArray(defaults) || !defaults.includes('--single')) {
    throw new Error('PGlite.defaultStartParams is missing: the PGlite version changed; review services/storage/pglite.ts');
  }
  return [...defaults.filter((p) => p !== '-F'), '-c', 'wal_sync_method=fsync'];
}

interface EmscriptenStream {
  nfd?: number;
}
interface NodeFsType {
  stream_ops: { fsync?: (stream: EmscriptenStream) => number };
}

/** Gives the Emscripten NODEFS of this PGlite instance an `fsync` that reaches the disk. */
function installFsync(db: PGlite): void {
  const nodefs = (db as unknown as { Module?: { FS?: { filesystems?: { NODEFS?: NodeFsType } } } }).Module?.FS?.filesystems?.NODEFS;
  if (!nodefs?.stream_ops) {
    throw new Error('PGlite does not expose Module.FS.filesystems.NODEFS: the PGlite version changed; review services/storage/pglite.ts');
  }
  nodefs.stream_ops.fsync = (stream) => {
    // Looked up at call time so tests can observe the calls.
    if (typeof stream.nfd === 'number') fs.fsyncSync(stream.nfd);
    return 0;
  };
}

/** An open PGlite database, with `durable` telling whether commits are fsynced. */
export interface OpenPglite {
  readonly db: PGlite;
  readonly durable: boolean;
}

/** Opens PGlite in `dataDir` (durable) or in memory when `dataDir` is undefined. */
export async function openPglite(dataDir: string | undefined): Promise<OpenPglite> {
  if (dataDir === undefined) {
    const db = await PGlite.create({ extensions: { vector } });
    return { db, durable: false };
  }
  const dir = path.resolve(dataDir);
  fs.mkdirSync(dir, { recursive: true });
  const db = await PGlite.create({ dataDir: dir, extensions: { vector }, startParams: durableStartParams() });
  installFsync(db);
  const fsyncSetting = (await db.query<{ fsync: string }>('SHOW fsync')).rows[0]?.fsync;
  if (fsyncSetting !== 'on') {
    await db.close();
    throw new Error(`PGlite started with fsync=${String(fsyncSetting)}; commits would not be durable`);
  }
  // Syncs whatever initdb and start-up wrote before fsync reached the disk.
  await db.query('CHECKPOINT');
  return { db, durable: true };
}

/** Adapts a PGlite handle (or its transaction) to the storage `Queryable`. */
export function pgliteQueryable(db: Pick<PGliteInterface, 'query'>): Queryable {
  return {
    async query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<R>> {
      const r = await db.query<R>(sql, params);
      return { rows: r.rows, rowCount: Math.max(r.affectedRows ?? 0, r.rows.length) };
    },
  };
}
