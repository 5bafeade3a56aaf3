/**
 * The audit journal: append-only segment files, kept in the PGlite data
 * directory, that make a batch of audit records durable with one `write` on
 * a file opened `O_DSYNC`.
 *
 * PGlite runs PostgreSQL in WebAssembly behind an emulated file system: one
 * commit costs about a millisecond of work in its worker before its WAL
 * flush, which is several times the flush itself. With the journal a
 * request's record is durable once its line is on disk; the same records are
 * then copied into `audit_records` in large batches, off the request path,
 * and a segment file is deleted once every record in it is in the database.
 * At start-up the trail applies whatever the journal holds beyond the
 * database (a crash between the two), and `sovra audit verify` reads both.
 *
 * One line per record: `{"seq","id","prev_hash","hash","body"}` as JSON. A
 * line carries its own hash, so a line cut short by a crash during a write
 * (a write that was never acknowledged) is told apart from a complete one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SovraError } from '../../core/errors.js';
import { recordHash } from './chain.js';
import { selfDescription } from './record.js';

/** Name of the journal's directory inside the PGlite data directory. */
const JOURNAL_DIR = 'sovra-audit-journal';

/** The journal directory of the PGlite data directory `dataDir`. */
export function journalDirOf(dataDir: string): string {
  return path.join(dataDir, JOURNAL_DIR);
}

/** A new segment file is started once the current one holds this many bytes. */
const DEFAULT_SEGMENT_BYTES = 16 * 1024 * 1024;

/** One hash-chained record, as the journal and `audit_records` hold it. */
export interface ChainedRecord {
  readonly seq: number;
  readonly id: string;
  readonly prevHash: string;
  readonly hash: string;
  /** Canonical JSON of the record: what the hash covers. */
  readonly body: string;
}

/** One segment file: its records are consecutive, from `firstSeq` to `lastSeq`. */
interface Segment {
  readonly file: string;
  readonly firstSeq: number;
  lastSeq: number;
  bytes: number;
}

/** What `readJournal` found in a journal directory. */
export interface JournalContents {
  /** Every complete record, in order; consecutive and chained to each other. */
  readonly records: readonly ChainedRecord[];
  readonly segments: readonly { readonly file: string; readonly firstSeq: number; readonly lastSeq: number; readonly bytes: number }[];
  /**
   * Bytes at the end of the last segment that hold no complete record: a write cut short by a
   * crash. Such a write never returned, so no request was answered on it.
   */
  readonly tornTail?: { readonly file: string; readonly offset: number; readonly bytes: number };
  /** A record that is not what the journal wrote, where no crash can explain it. Records after it are not read. */
  readonly damage?: { readonly file: string; readonly line: number; readonly message: string };
}

function lineOf(r: ChainedRecord): string {
  return `${JSON.stringify({ seq: r.seq, id: r.id, prev_hash: r.prevHash, hash: r.hash, body: r.body })}\n`;
}

/** Parses one line; undefined when it is not a whole record whose hash matches its content. */
function parseLine(text: string): ChainedRecord | undefined {
  let x: unknown;
  try {
    x = JSON.parse(text);
  } catch {
    return undefined;
  }
  const o = x as { seq?: unknown; id?: unknown; prev_hash?: unknown; hash?: unknown; body?: unknown };
  if (typeof o !== 'object' || o === null || !Number.isSafeInteger(o.seq) || typeof o.id !== 'string' || typeof o.prev_hash !== 'string' || typeof o.hash !== 'string' || typeof o.body !== 'string') {
    return undefined;
  }
  if (recordHash(o.prev_hash, o.body) !== o.hash) return undefined;
  // The body states its own seq and id; the line's must be the same.
  const self = selfDescription(o.body);
  if (!self || self.seq !== o.seq || self.id !== o.id) return undefined;
  return { seq: o.seq as number, id: o.id, prevHash: o.prev_hash, hash: o.hash, body: o.body };
}

function segmentName(firstSeq: number): string {
  return `${String(firstSeq).padStart(16, '0')}.jsonl`;
}

const SEGMENT_RE = /^(\d{16})\.jsonl$/;

/** Reads every segment of the journal in `dir` (a missing directory is an empty journal). Changes nothing. */
export function readJournal(dir: string): JournalContents {
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => SEGMENT_RE.test(n)).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], segments: [] };
    throw e;
  }
  const records: ChainedRecord[] = [];
  const segments: Segment[] = [];
  let prev: ChainedRecord | undefined;
  for (let s = 0; s < names.length; s++) {
    const file = path.join(dir, names[s]!);
    const text = fs.readFileSync(file, 'utf8');
    const lastSegment = s === names.length - 1;
    const firstSeq = Number(SEGMENT_RE.exec(names[s]!)![1]);
    const segment: Segment = { file, firstSeq, lastSeq: firstSeq - 1, bytes: 0 };
    segments.push(segment);
    let offset = 0;
    let lineNo = 0;
    while (offset < text.length) {
      lineNo += 1;
      const nl = text.indexOf('\n', offset);
      const r = nl < 0 ? undefined : parseLine(text.slice(offset, nl));
      // A segment is named by its first record, and follows the segment before it.
      const expectedSeq = lineNo === 1 ? firstSeq : prev!.seq + 1;
      const breaks = r !== undefined && (r.seq !== expectedSeq || (prev !== undefined && (r.prevHash !== prev.hash || expectedSeq !== prev.seq + 1)));
      if (r === undefined || breaks) {
        // A write cut short leaves no complete record after the cut: bytes at the end of the last
        // segment that hold none are an unfinished write, anything else is damage.
        const rest = text.slice(offset);
        const laterRecord = rest.split('\n').slice(1).some((l) => parseLine(l) !== undefined);
        const bytes = Buffer.byteLength(rest);
        if (lastSegment && r === undefined && !laterRecord) {
          const at = Buffer.byteLength(text.slice(0, offset));
          return { records, segments: segments.map(frozen), tornTail: { file, offset: at, bytes } };
        }
        const message =
          r === undefined
            ? `line ${lineNo} is not a complete audit record whose hash matches its content`
            : `line ${lineNo} (seq ${r.seq}) does not follow the record before it (expected seq ${prev ? prev.seq + 1 : firstSeq}${prev ? ` linked to ${prev.hash.slice(0, 12)}…` : ''})`;
        return { records, segments: segments.map(frozen), damage: { file, line: lineNo, message } };
      }
      records.push(r);
      prev = r;
      segment.lastSeq = r.seq;
      offset = nl + 1;
    }
    segment.bytes = Buffer.byteLength(text);
  }
  return { records, segments: segments.map(frozen) };
}

function frozen(s: Segment) {
  return { file: s.file, firstSeq: s.firstSeq, lastSeq: s.lastSeq, bytes: s.bytes };
}

function write(fd: number, buf: Buffer, position: number): Promise<number> {
  return new Promise((resolve, reject) => fs.write(fd, buf, 0, buf.length, position, (e, n) => (e ? reject(e) : resolve(n))));
}

/** Journal directories open in this process: one writer each. */
const openDirs = new Set<string>();

/** The writer of one journal directory. */
export class AuditJournal {
  readonly dir: string;
  readonly #segmentBytes: number;
  readonly #segments: Segment[];
  #fd: number | undefined;
  #closed = false;
  /** Set when a failed write could not be cut back off: nothing more is appended after it. */
  #broken: unknown;

  private constructor(dir: string, segments: Segment[], segmentBytes: number) {
    this.dir = dir;
    this.#segments = segments;
    this.#segmentBytes = segmentBytes;
  }

  /**
   * Opens the journal in `dir` for appending (creating the directory), cuts off an unfinished
   * write at its end, and returns the records it holds. A damaged journal stops the open with
   * an error naming the file and line.
   */
  static open(dir: string, options: { segmentBytes?: number } = {}): { journal: AuditJournal; records: readonly ChainedRecord[] } {
    const abs = path.resolve(dir);
    if (openDirs.has(abs)) throw new Error(`the audit journal ${abs} is already open in this process: one audit trail writes it`);
    if (!fs.existsSync(abs)) {
      fs.mkdirSync(abs, { recursive: true, mode: 0o700 });
      syncDir(path.dirname(abs));
    }
    const contents = readJournal(abs);
    if (contents.damage) {
      throw new SovraError(
        'bad-config',
        `The audit journal is damaged: ${contents.damage.file}, ${contents.damage.message}. Its records were acknowledged as durable and may not all be in the database yet, so the control plane does not start on it. Run \`sovra audit verify <data-dir> --key <pub>\` to see the whole trail; keep a copy of the file for the investigation before moving it away.`,
      );
    }
    if (contents.tornTail) {
      const fd = fs.openSync(contents.tornTail.file, 'r+');
      try {
        fs.ftruncateSync(fd, contents.tornTail.offset);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    }
    const segments: Segment[] = [];
    for (const s of contents.segments) {
      const bytes = s.file === contents.tornTail?.file ? contents.tornTail.offset : s.bytes;
      // A segment created by a write that never happened holds nothing; its name would be taken again.
      if (bytes === 0) fs.rmSync(s.file, { force: true });
      else segments.push({ ...s, bytes });
    }
    const journal = new AuditJournal(abs, segments, options.segmentBytes ?? DEFAULT_SEGMENT_BYTES);
    openDirs.add(abs);
    return { journal, records: contents.records };
  }

  /**
   * Appends `records` (consecutive, following the last one appended) with one write and
   * resolves once they are on disk. On failure the file is cut back to where it was.
   */
  async append(records: readonly ChainedRecord[]): Promise<void> {
    if (this.#closed) throw new Error('the audit journal is closed');
    if (this.#broken) throw new Error(`the audit journal stopped after a failed write: ${String(this.#broken)}`, { cause: this.#broken });
    if (records.length === 0) return;
    let seg = this.#segments[this.#segments.length - 1];
    if (this.#fd === undefined || !seg || seg.bytes >= this.#segmentBytes) {
      seg = this.#startSegment(records[0]!.seq);
    }
    const buf = Buffer.from(records.map(lineOf).join(''), 'utf8');
    const start = seg.bytes;
    let done = 0;
    try {
      while (done < buf.length) {
        const n = await write(this.#fd!, done === 0 ? buf : buf.subarray(done), start + done);
        if (n <= 0) throw new Error(`short write to the audit journal ${seg.file}`);
        done += n;
      }
    } catch (e) {
      try {
        fs.ftruncateSync(this.#fd!, start);
      } catch {
        // The file keeps a partial write at its end; the next open cuts it off as an unfinished write.
        this.#broken = e;
      }
      throw e;
    }
    seg.bytes = start + buf.length;
    seg.lastSeq = records[records.length - 1]!.seq;
  }

  /**
   * Deletes the segments, other than the one being written, whose records are all at or below
   * `appliedSeq`. Off this thread: unlinking a full segment takes milliseconds.
   */
  async release(appliedSeq: number): Promise<void> {
    const current = this.#fd === undefined ? undefined : this.#segments[this.#segments.length - 1];
    const done = this.#segments.filter((s) => s !== current && s.lastSeq <= appliedSeq);
    if (done.length === 0) return;
    for (const s of done) this.#segments.splice(this.#segments.indexOf(s), 1);
    await Promise.all(done.map((s) => fs.promises.rm(s.file, { force: true })));
    const dir = await fs.promises.open(this.dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }

  /** Closes the file; with `appliedSeq`, then deletes every segment the database holds in full. */
  async close(appliedSeq?: number): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeFd();
    try {
      if (appliedSeq !== undefined) await this.release(appliedSeq);
    } finally {
      openDirs.delete(this.dir);
    }
  }

  #closeFd(): void {
    if (this.#fd !== undefined) fs.closeSync(this.#fd);
    this.#fd = undefined;
  }

  /** Creates the segment whose first record is `firstSeq` and makes its name durable before anything is written to it. */
  #startSegment(firstSeq: number): Segment {
    this.#closeFd();
    const file = path.join(this.dir, segmentName(firstSeq));
    const c = fs.constants;
    // O_DSYNC: a write returns once its bytes (and the file size) are on disk; one system call per batch.
    this.#fd = fs.openSync(file, c.O_WRONLY | c.O_CREAT | c.O_EXCL | c.O_DSYNC, 0o600);
    syncDir(this.dir);
    const seg: Segment = { file, firstSeq, lastSeq: firstSeq - 1, bytes: 0 };
    this.#segments.push(seg);
    return seg;
  }
}

/** Makes the entries of `dir` (a created or deleted file) durable. */
function syncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
