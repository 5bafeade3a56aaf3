/**
 * The embedded default: PGlite (PostgreSQL in WASM) with pgvector, kept in a
 * data directory and made crash-durable, and run on its own thread.
 *
 * PGlite starts PostgreSQL with `-F` (fsync off), and the Emscripten NODEFS
 * layer under the data directory has no `fsync` at all, so by default a
 * committed transaction is only in the OS page cache. For a data directory we
 * start without `-F`, select `wal_sync_method=fsync` (Emscripten's
 * `fdatasync` is a no-op, `fsync` goes through the stream's `fsync`), and give
 * NODEFS an `fsync` that calls the real one. A commit then returns only after
 * PostgreSQL's own WAL flush reached the disk, and checkpoints sync data files
 * as on a server.
 *
 * PGlite runs every statement, and that `fsync`, synchronously. On the
 * request thread that would stall every other request for the length of each
 * commit, so the database lives in a `worker_threads` worker and statements
 * travel as messages: the caller's promise still resolves only after the
 * statement (and its WAL flush) finished in the worker, while the request
 * thread keeps serving. A transaction is held open in the worker and its
 * statements are routed to it by id; PGlite runs one transaction at a time and
 * queues other statements until it ends, as it does in process.
 *
 * The worker's source is a string evaluated by `worker_threads` (it loads
 * PGlite's CommonJS build by absolute path), so it runs the same from the
 * compiled `lib/`, under tsx and under vitest.
 */
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { SovraError } from '../../core/errors.js';
import type { QueryResult, Queryable } from './types.js';

const WORKER_SOURCE = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const { PGlite } = require(workerData.pglite);
const { vector } = require(workerData.vector);

let db;
let observe = false;
const txs = new Map();
class Rollback extends Error {}

function durableStartParams() {
  const defaults = PGlite.defaultStartParams;
  if (!Array.isArray(defaults) || !defaults.includes('--single')) {
    throw new Error('PGlite.defaultStartParams is missing: the PGlite version changed; review services/storage/pglite.ts');
  }
  return [...defaults.filter((p) => p !== '-F'), '-c', 'wal_sync_method=fsync'];
}

function installFsync(pg) {
  const nodefs = pg.Module && pg.Module.FS && pg.Module.FS.filesystems && pg.Module.FS.filesystems.NODEFS;
  if (!nodefs || !nodefs.stream_ops) {
    throw new Error('PGlite does not expose Module.FS.filesystems.NODEFS: the PGlite version changed; review services/storage/pglite.ts');
  }
  nodefs.stream_ops.fsync = (stream) => {
    if (typeof stream.nfd === 'number') {
      fs.fsyncSync(stream.nfd);
      // Reported before the statement's answer, on the same port, so an observer sees it first.
      if (observe) parentPort.postMessage({ fsync: fs.readlinkSync('/proc/self/fd/' + stream.nfd) });
    }
    return 0;
  };
}

function shape(r) {
  return { rows: r.rows, rowCount: Math.max(r.affectedRows || 0, r.rows.length) };
}

function plainError(e) {
  const out = { message: e && e.message !== undefined ? String(e.message) : String(e), name: e && e.name ? String(e.name) : 'Error' };
  if (e && typeof e === 'object') {
    for (const [k, v] of Object.entries(e)) {
      if (k !== 'message' && k !== 'name' && (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')) out[k] = v;
    }
  }
  return out;
}

async function open(dataDir) {
  if (dataDir === undefined) {
    db = await PGlite.create({ extensions: { vector } });
    return { durable: false };
  }
  fs.mkdirSync(dataDir, { recursive: true });
  db = await PGlite.create({ dataDir, extensions: { vector }, startParams: durableStartParams() });
  installFsync(db);
  const setting = (await db.query('SHOW fsync')).rows[0];
  if (!setting || setting.fsync !== 'on') {
    await db.close();
    throw new Error('PGlite started with fsync=' + String(setting && setting.fsync) + '; commits would not be durable');
  }
  // Syncs whatever initdb and start-up wrote before fsync reached the disk.
  await db.query('CHECKPOINT');
  return { durable: true };
}

function begin(id) {
  return new Promise((started, failed) => {
    const t = { tx: undefined, end: undefined, settle: undefined };
    const ended = new Promise((r) => { t.end = r; });
    let began = false;
    db.transaction(async (tx) => {
      t.tx = tx;
      txs.set(id, t);
      began = true;
      started(undefined);
      if ((await ended) === 'rollback') throw new Rollback();
    }).then(() => undefined, (e) => (e instanceof Rollback ? undefined : e)).then((err) => {
      if (!began) return failed(err);
      txs.delete(id);
      // The answer to commit/rollback waits for PGlite's COMMIT or ROLLBACK.
      if (t.settle) t.settle(err);
    });
  });
}

function finish(id, how) {
  const t = txs.get(id);
  if (!t) return Promise.reject(new Error('no open transaction ' + id));
  return new Promise((resolve, reject) => {
    t.settle = (e) => (e === undefined ? resolve(undefined) : reject(e));
    t.end(how);
  });
}

async function handle(m) {
  switch (m.op) {
    case 'open': return open(m.dataDir);
    case 'query': {
      if (m.tx === undefined) return shape(await db.query(m.sql, m.params));
      const t = txs.get(m.tx);
      if (!t) throw new Error('no open transaction ' + m.tx);
      return shape(await t.tx.query(m.sql, m.params));
    }
    case 'begin': return begin(m.id);
    case 'commit': return finish(m.tx, 'commit');
    case 'rollback': return finish(m.tx, 'rollback');
    case 'observe': observe = m.on; return undefined;
    case 'close': if (db) await db.close(); db = undefined; return undefined;
    default: throw new Error('unknown storage operation ' + m.op);
  }
}

parentPort.on('message', (m) => {
  handle(m).then(
    (result) => parentPort.postMessage({ id: m.id, result }),
    (e) => parentPort.postMessage({ id: m.id, error: plainError(e) }),
  );
});
`;

/** Listeners of `observePgliteFsyncs`, and the live workers they are reported from. */
const fsyncListeners = new Set<(file: string) => void>();
const liveWorkers = new Set<PgliteWorker>();

/**
 * Calls `listener` with the path of every file PGlite fsyncs in a data directory (WAL
 * segments on commit, data files at checkpoints), from every open PGlite storage, until
 * the returned function is called. Each report arrives before the answer of the statement
 * that caused it. For tests and benchmarks; reporting costs a message per fsync.
 */
export function observePgliteFsyncs(listener: (file: string) => void): () => void {
  fsyncListeners.add(listener);
  if (fsyncListeners.size === 1) for (const w of liveWorkers) w.observe(true);
  return () => {
    if (!fsyncListeners.delete(listener)) return;
    if (fsyncListeners.size === 0) for (const w of liveWorkers) w.observe(false);
  };
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

interface Reply {
  readonly id?: number;
  readonly result?: unknown;
  readonly error?: { message: string; name: string } & Record<string, unknown>;
  readonly fsync?: string;
}

/** A PGlite database running in a worker thread. */
export class PgliteWorker implements Queryable {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #next = 1;
  #dead: Error | undefined;
  durable = false;

  constructor() {
    const require = createRequire(import.meta.url);
    this.#worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { pglite: require.resolve('@electric-sql/pglite'), vector: require.resolve('@electric-sql/pglite-pgvector') },
    });
    this.#worker.unref();
    this.#worker.on('message', (m: Reply) => {
      if (m.fsync !== undefined) {
        for (const l of fsyncListeners) l(m.fsync);
        return;
      }
      const p = this.#pending.get(m.id!);
      if (!p) return;
      this.#pending.delete(m.id!);
      if (this.#pending.size === 0) this.#worker.unref();
      if (m.error) p.reject(Object.assign(new Error(m.error.message), m.error));
      else p.resolve(m.result);
    });
    const fail = (e: Error) => {
      this.#dead ??= e;
      liveWorkers.delete(this);
      for (const p of this.#pending.values()) p.reject(e);
      this.#pending.clear();
    };
    this.#worker.on('error', fail);
    this.#worker.on('exit', (code) => fail(new Error(`the PGlite worker exited (code ${code})`)));
    liveWorkers.add(this);
    if (fsyncListeners.size > 0) this.observe(true);
  }

  /** Sends one operation to the worker; resolves with its answer. */
  call<T>(message: Record<string, unknown>): Promise<T> {
    return this.#send<T>(message).answer;
  }

  #send<T>(message: Record<string, unknown>): { id: number; answer: Promise<T> } {
    const id = this.#next++;
    if (this.#dead) return { id, answer: Promise.reject(this.#dead) };
    const answer = new Promise<T>((resolve, reject) => {
      if (this.#pending.size === 0) this.#worker.ref();
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#worker.postMessage({ ...message, id });
    });
    return { id, answer };
  }

  observe(on: boolean): void {
    if (!this.#dead) this.#worker.postMessage({ op: 'observe', on });
  }

  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<R>> {
    return this.call<QueryResult<R>>({ op: 'query', sql, params });
  }

  /** Runs `fn` in one transaction held open in the worker; commits when it resolves, rolls back when it throws. */
  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const { id: tx, answer: begun } = this.#send<undefined>({ op: 'begin' });
    await begun;
    const q: Queryable = {
      query: <R = Record<string, unknown>>(sql: string, params?: unknown[]) => this.call<QueryResult<R>>({ op: 'query', tx, sql, params }),
    };
    let result: T;
    try {
      result = await fn(q);
    } catch (e) {
      await this.call({ op: 'rollback', tx }).catch(() => undefined);
      throw e;
    }
    await this.call({ op: 'commit', tx });
    return result;
  }

  /** The data directory lock this instance holds, released at close. */
  lock: DataDirLock | undefined;

  async close(): Promise<void> {
    if (!this.#dead) await this.call({ op: 'close' }).catch(() => undefined);
    liveWorkers.delete(this);
    await this.#worker.terminate();
    this.lock?.release();
    this.lock = undefined;
  }
}

/** Name of the lock file a process holds in a PGlite data directory while it has it open. */
export const DATA_DIR_LOCK = 'sovra.lock';

/** A held data directory lock. */
export interface DataDirLock {
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the lock of a PGlite data directory: PGlite itself does not lock it,
 * and two processes (or two opens in one process) writing one directory
 * corrupt it. A lock left by a process that no longer runs is taken over.
 */
export function lockDataDir(dir: string): DataDirLock {
  const file = path.join(dir, DATA_DIR_LOCK);
  // The lock names its directory too, so a copy of a live directory (which carries the file) is not locked.
  const real = fs.realpathSync(dir);
  const content = `${process.pid}\n${real}\n`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx', 0o600);
      fs.writeSync(fd, content);
      fs.closeSync(fd);
      return {
        release: () => {
          try {
            if (fs.readFileSync(file, 'utf8') === content) fs.unlinkSync(file);
          } catch {
            // Already gone.
          }
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const [pidText, lockedDir] = fs.readFileSync(file, 'utf8').split('\n');
      const holder = Number.parseInt(pidText ?? '', 10);
      if (lockedDir === real && Number.isInteger(holder) && holder > 0 && alive(holder)) {
        throw new SovraError(
          'io',
          `The data directory ${dir} is in use by ${holder === process.pid ? 'this process' : `process ${holder}`} (${DATA_DIR_LOCK}); PGlite allows one user at a time. Stop that process, or work on a copy of the directory.`,
        );
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new SovraError('io', `Could not take the lock ${file}; another process keeps taking it.`);
}

/** Opens PGlite in `dataDir` (durable) or in memory when `dataDir` is undefined, in a worker thread. */
export async function openPglite(dataDir: string | undefined): Promise<PgliteWorker> {
  const db = new PgliteWorker();
  try {
    const dir = dataDir === undefined ? undefined : path.resolve(dataDir);
    if (dir !== undefined) {
      fs.mkdirSync(dir, { recursive: true });
      db.lock = lockDataDir(dir);
    }
    const { durable } = await db.call<{ durable: boolean }>({ op: 'open', dataDir: dir });
    db.durable = durable;
    return db;
  } catch (e) {
    await db.close().catch(() => undefined);
    throw e;
  }
}
