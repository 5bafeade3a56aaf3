/** The written output, parsed once, so evidence is checked against what is on disk. */
import { parseYamlStream } from '../core/yaml.js';
import type { ObjectId } from './model.js';

/** Parsed documents of the output, by file. */
export class OutputIndex {
  private readonly docs = new Map<string, unknown[]>();

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

  /** The Kubernetes object `id` in `file`. */
  object(file: string, id: ObjectId): Record<string, unknown> | undefined {
    return this.documents(file)?.find((d): d is Record<string, unknown> => {
      const o = d as { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } };
      return o?.apiVersion === id.apiVersion && o.kind === id.kind && o.metadata?.name === id.name && (o.metadata?.namespace ?? undefined) === (id.namespace ?? undefined);
    });
  }
}
