/** Reads a model declaration from untrusted JSON (a declaration file), naming the first bad field. */
import { SovraError } from '../core/errors.js';
import type { ModelDeclaration } from '../contracts/model-declaration.js';

function fail(where: string, message: string): never {
  throw new SovraError('bad-input', `${where}: ${message}`);
}

function str(o: Record<string, unknown>, key: string, where: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v === '') fail(where, `${key} must be a non-empty string.`);
  return v;
}

function int(o: Record<string, unknown>, key: string, where: string, min: number): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) fail(where, `${key} must be an integer of at least ${min}.`);
  return v;
}

/** Checks that `value` is a `ModelDeclaration` and returns it; `where` names it in errors (e.g. a file name). */
export function parseModelDeclaration(value: unknown, where: string): ModelDeclaration {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(where, 'a model declaration must be a JSON object.');
  const o = value as Record<string, unknown>;
  const sha256 = str(o, 'sha256', where);
  if (!/^[0-9a-f]{64}$/.test(sha256)) fail(where, 'sha256 must be 64 lower-case hex characters.');
  if (o.format !== 'gguf') fail(where, `format must be "gguf", got ${JSON.stringify(o.format)}.`);
  const p = o.parameters;
  if (p === null || typeof p !== 'object' || Array.isArray(p)) fail(where, 'parameters must be an object.');
  const pr = p as Record<string, unknown>;
  return {
    name: str(o, 'name', where),
    version: str(o, 'version', where),
    file: str(o, 'file', where),
    sha256,
    sizeBytes: int(o, 'sizeBytes', where, 0),
    license: str(o, 'license', where),
    source: str(o, 'source', where),
    format: 'gguf',
    parameters: {
      architecture: str(pr, 'architecture', `${where} parameters`),
      contextLength: int(pr, 'contextLength', `${where} parameters`, 1),
      embeddingLength: int(pr, 'embeddingLength', `${where} parameters`, 1),
      layers: int(pr, 'layers', `${where} parameters`, 1),
      vocabSize: int(pr, 'vocabSize', `${where} parameters`, 1),
      quantization: str(pr, 'quantization', `${where} parameters`),
    },
  };
}
