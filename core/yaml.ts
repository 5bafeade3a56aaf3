/** YAML as Sovra writes it: stable, no line folding, explicit document separators. */
import YAML from 'yaml';

/** One or more documents as a YAML stream (sorted keys are the caller's choice). */
export function toYaml(...docs: unknown[]): string {
  return docs.map((d) => YAML.stringify(d, { lineWidth: 0, version: '1.2' })).join('---\n');
}

/** Every document of a YAML stream. */
export function parseYamlStream(text: string): unknown[] {
  return YAML.parseAllDocuments(text).map((d) => {
    if (d.errors.length > 0) throw new Error(d.errors[0]!.message);
    return d.toJS() as unknown;
  }).filter((d) => d !== null);
}
