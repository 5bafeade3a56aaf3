/**
 * The written output, read back, so evidence is checked against what is on
 * disk. A YAML stream is parsed document by document, and only the
 * documents evidence asks for: the writer says in which position it wrote
 * each object (`order`), the document at that position is parsed from the
 * written bytes and its identity checked, and any disagreement falls back to
 * parsing the whole file.
 */
import { parseYaml, parseYamlStream } from '../core/yaml.js';
import type { ObjectId } from './model.js';

type Doc = Record<string, unknown>;

/** Parsed documents of the output, by file. */
export class OutputIndex {
  private readonly docs = new Map<string, unknown[]>();
  private readonly byId = new Map<string, Map<string, Doc>>();
  private readonly chunks = new Map<string, string[] | null>();
  private readonly positions = new Map<string, Map<string, number>>();
  private readonly parsedChunks = new Map<string, Map<number, Doc | null>>();

  /**
   * @param read the bytes of a written file, or undefined when it was not written
   * @param order the identities of the objects of a YAML stream, in the order they were written
   */
  constructor(
    private readonly read: (file: string) => Buffer | undefined,
    private readonly order: (file: string) => readonly ObjectId[] | undefined = () => undefined,
  ) {}

  /** Every document of `file` (YAML stream or JSON), or undefined when the file was not written. */
  documents(file: string): unknown[] | undefined {
    const cached = this.docs.get(file);
    if (cached) return cached;
    const buf = this.read(file);
    if (!buf) return undefined;
    const text = buf.toString('utf8');
    const docs = file.endsWith('.json') ? [JSON.parse(text) as unknown] : parseYamlStream(text);
    this.docs.set(file, docs);
    return docs;
  }

  /** The Kubernetes object `id` in `file` (the first one, if a file held it twice). */
  object(file: string, id: ObjectId): Doc | undefined {
    if (!this.byId.has(file)) {
      const quick = this.positional(file, id);
      if (quick) return quick;
    }
    return this.indexOf(file)?.get(objectKey(id));
  }

  /** The document written at the position the writer gives for `id`, if it really is `id`. */
  private positional(file: string, id: ObjectId): Doc | undefined {
    const order = this.order(file);
    if (!order) return undefined;
    let positions = this.positions.get(file);
    if (!positions) {
      positions = new Map();
      for (const [i, o] of order.entries()) if (!positions.has(objectKey(o))) positions.set(objectKey(o), i);
      this.positions.set(file, positions);
    }
    const at = positions.get(objectKey(id));
    if (at === undefined) return undefined;
    let chunks = this.chunks.get(file);
    if (chunks === undefined) {
      const buf = this.read(file);
      // Sovra's writer separates documents with a `---` line; nothing else in its YAML starts a line with it.
      const split = buf ? buf.toString('utf8').split(/^---\n/m) : [];
      chunks = split.length === order.length ? split : null;
      this.chunks.set(file, chunks);
    }
    if (!chunks) return undefined;
    // Several evidence items read the same object: parse its chunk once.
    let parsed = this.parsedChunks.get(file);
    if (!parsed) this.parsedChunks.set(file, (parsed = new Map()));
    let doc = parsed.get(at);
    if (doc === undefined) parsed.set(at, (doc = parseYaml(chunks[at]!) as Doc | null));
    return doc !== null && typeof doc === 'object' && objectKey(identity(doc)) === objectKey(id) ? doc : undefined;
  }

  private indexOf(file: string): Map<string, Doc> | undefined {
    let index = this.byId.get(file);
    if (!index) {
      const docs = this.documents(file);
      if (!docs) return undefined;
      index = new Map();
      for (const d of docs) {
        if (typeof d !== 'object' || d === null) continue;
        const key = objectKey(identity(d as Doc));
        if (!index.has(key)) index.set(key, d as Doc);
      }
      this.byId.set(file, index);
    }
    return index;
  }
}

/** Identity of a written object. */
export function identity(doc: Doc): ObjectId {
  const o = doc as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
  return {
    apiVersion: String(o.apiVersion),
    kind: String(o.kind),
    name: String(o.metadata?.name),
    ...(o.metadata?.namespace === undefined ? {} : { namespace: String(o.metadata.namespace) }),
  };
}

function objectKey(id: ObjectId): string {
  return `${id.apiVersion}\u0000${id.kind}\u0000${id.namespace ?? ''}\u0000${id.name}`;
}
