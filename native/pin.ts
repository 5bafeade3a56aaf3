/**
 * Model pinning: `pinModel` writes the declaration of a GGUF file (digest,
 * size, facts from its header); `verifyModel` checks a file against its
 * declaration. The declaration is the single source for the runtime, the
 * SBOM and provenance.
 */
import { stat } from 'node:fs/promises';
import { basename, isAbsolute, join, normalize, sep } from 'node:path';
import type { ModelDeclaration } from '../contracts/model-declaration.js';
import { sha256File } from './digest.js';
import { readGgufHeader } from './gguf/reader.js';
import { validateGgufModel } from './gguf/validate.js';
import { isSovraError } from '../core/errors.js';

/** Facts a GGUF header cannot tell, given when pinning. */
export interface PinMetadata {
  /** @default `general.name` of the file, else the file name without `.gguf` */
  readonly name?: string;
  /** @default `general.version`, else the first 12 hex characters of the digest */
  readonly version?: string;
  /** SPDX expression. @default `general.license`, else `NOASSERTION` */
  readonly license?: string;
  /** @default `general.source.url`, else `NOASSERTION` */
  readonly source?: string;
}

/** Outcome of checking one file against its declaration. */
export interface ModelVerification {
  /** Declared model name. */
  readonly name: string;
  /** Path that was checked. */
  readonly path: string;
  readonly ok: boolean;
  /** One sentence per mismatch; empty when `ok`. */
  readonly problems: readonly string[];
}

function metaString(header: ReturnType<typeof readGgufHeader>, key: string): string | undefined {
  const v = header.metadata.get(key);
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/** Reads `file` and returns its declaration (the file name is stored without its folder). */
export async function pinModel(file: string, meta: PinMetadata = {}): Promise<ModelDeclaration> {
  const header = readGgufHeader(file);
  const parameters = validateGgufModel(header, file);
  const sha256 = await sha256File(file);
  return {
    name: meta.name ?? metaString(header, 'general.name') ?? basename(file).replace(/\.gguf$/i, ''),
    version: meta.version ?? metaString(header, 'general.version') ?? sha256.slice(0, 12),
    file: basename(file),
    sha256,
    sizeBytes: header.fileSize,
    license: meta.license ?? metaString(header, 'general.license') ?? 'NOASSERTION',
    source: meta.source ?? metaString(header, 'general.source.url') ?? 'NOASSERTION',
    format: 'gguf',
    parameters,
  };
}

/** Checks the file `decl.file` under `dir` against `decl`: presence, size, SHA-256 and header facts. Never throws for a mismatch. */
export async function verifyModel(dir: string, decl: ModelDeclaration): Promise<ModelVerification> {
  const problems: string[] = [];
  const rel = normalize(decl.file);
  const path = join(dir, rel);
  const result = (): ModelVerification => ({ name: decl.name, path, ok: problems.length === 0, problems });
  if (isAbsolute(decl.file) || rel === '..' || rel.startsWith(`..${sep}`)) {
    problems.push(`file ${decl.file} must be a path inside the model directory.`);
    return result();
  }
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch {
    problems.push(`${path} is missing.`);
    return result();
  }
  if (size !== decl.sizeBytes) problems.push(`${path} has ${size} bytes, declared ${decl.sizeBytes}.`);
  const actual = await sha256File(path);
  if (actual !== decl.sha256) problems.push(`${path} digest differs: expected sha256:${decl.sha256}, actual sha256:${actual}.`);
  try {
    const found = validateGgufModel(readGgufHeader(path), path);
    for (const [key, value] of Object.entries(decl.parameters) as Array<[keyof typeof found, unknown]>) {
      if (found[key] !== value) problems.push(`${path} parameter ${key} is ${String(found[key])}, declared ${String(value)}.`);
    }
  } catch (e) {
    if (!isSovraError(e)) throw e;
    problems.push(e.message);
  }
  return result();
}
