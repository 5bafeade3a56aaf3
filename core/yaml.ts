/**
 * YAML as Sovra writes and reads back its own output: block style, no line
 * folding, no anchors, documents separated by `---`. js-yaml is used for
 * speed (the synth writes and then re-reads every object to check evidence);
 * user-written files are parsed by profiles/load.ts, which reports positions.
 */
import { dump, load, loadAll } from 'js-yaml';

const DUMP_OPTIONS = { lineWidth: -1, noRefs: true, sortKeys: false, quoteStyle: 'double' } as const;

/** One or more documents as a YAML stream (sorted keys are the caller's choice). */
export function toYaml(...docs: unknown[]): string {
  return docs.map((d) => dump(d, DUMP_OPTIONS)).join('---\n');
}

/** Every non-empty document of a YAML stream. Throws with the parser's message on bad YAML. */
export function parseYamlStream(text: string): unknown[] {
  return loadAll(text).filter((d) => d !== null && d !== undefined);
}

/** One YAML document (for values embedded as text, such as a HelmChart's `valuesContent`). */
export function parseYaml(text: string): unknown {
  return load(text);
}
