/**
 * Re-checks evidence records against an output directory on disk: the file
 * is read, the object found by identity, the field read by its path and the
 * value compared with the recorded expectation, exactly as the synth does.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join, normalize, sep } from 'node:path';
import { jsonEqual, readField } from '../../output/field-path.js';
import { OutputIndex } from '../../output/output-index.js';
import type { EvidenceCheck, EvidenceRecord } from './claim-checks.js';

/** Whether `actual` meets `expectation` (`present`, `equals <json>`, `contains <json>`); an unreadable expectation never holds. */
export function meets(expectation: string, actual: unknown): boolean {
  if (expectation === 'present') return actual !== undefined && actual !== null;
  const m = /^(equals|contains) ([\s\S]*)$/.exec(expectation);
  if (!m) return false;
  let expected: unknown;
  try {
    // `equals undefined` is how a claim on an absent value reads.
    expected = m[2] === 'undefined' ? undefined : JSON.parse(m[2]!);
  } catch {
    return false;
  }
  if (m[1] === 'contains') return Array.isArray(actual) && actual.some((v) => jsonEqual(v, expected));
  return jsonEqual(actual, expected);
}

/** A checker of evidence records over the output directory `dir`. */
export function evidenceChecker(dir: string): (record: EvidenceRecord) => EvidenceCheck {
  const index = new OutputIndex((file) => {
    // Only files inside the output: a record naming another path is missing evidence, never a read elsewhere.
    const rel = normalize(file);
    if (isAbsolute(rel) || rel === '..' || rel.startsWith(`..${sep}`)) return undefined;
    try {
      return readFileSync(join(dir, rel));
    } catch {
      return undefined;
    }
  });
  return (record) => {
    let doc: unknown;
    try {
      const o = record.object;
      doc = o && o.apiVersion !== 'terraform' ? index.object(record.file, o) : index.documents(record.file)?.[0];
    } catch {
      doc = undefined; // a file that no longer parses proves nothing
    }
    const actual = doc === undefined ? undefined : readField(doc, record.path);
    return { record, holds: doc !== undefined && meets(record.expectation, actual), actual };
  };
}
