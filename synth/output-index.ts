/** The written output, parsed once, so evidence is checked against what is on disk. */
import { parseYamlStream } from '../core/yaml.js';
import type { ObjectId } from './model.js';

/** Parsed documents of the output, by file. */
export class OutputIndex {
  private readonly docs = new Map<string, unknown[]>();
  private readonly byId = new Map<string, Map<string, Record<string, unknown>>>();

  constructor(private readonly read: (file: string) => Buffer | undefined) {}

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
  object(file: string, id: ObjectId): Record<string, unknown> | undefined {
    let index = this.byId.get(file);
    if (!index) {
      const docs = this.documents(file);
      if (!docs) return undefined;
      index = new Map();
      for (const d of docs) {
        const o = d as { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } } | null;
        if (typeof o !== 'object' || o === null) continue;
        const key = objectKey({ apiVersion: String(o.apiVersion), kind: String(o.kind), name: String(o.metadata?.name), ...(o.metadata?.namespace === undefined ? {} : { namespace: o.metadata.namespace }) });
        if (!index.has(key)) index.set(key, d as Record<string, unknown>);
      }
      this.byId.set(file, index);
    }
    return index.get(objectKey(id));
  }
}

function objectKey(id: ObjectId): string {
  return `${id.apiVersion}\u0000${id.kind}\u0000${id.namespace ?? ''}\u0000${id.name}`;
}
