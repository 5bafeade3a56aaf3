/**
 * `sovra verify`: whether a synth output can be trusted without trusting
 * the machine that made it. Checks, offline, that
 *   - the Sigstore bundle is well formed and its DSSE signature verifies
 *     with the given public key (through `@sigstore/verify`);
 *   - the statement file is the statement that was signed;
 *   - every file of the output is a subject with the signed digest and every
 *     subject exists (modified, missing and extra files are three findings);
 *   - the SBOM and CBOM are present and valid CycloneDX;
 *   - the license policy holds on the SBOM.
 * Every failure is a finding with its own exit status; the command exits
 * with the most fundamental one (the lowest number).
 */
import { closeSync, lstatSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { createHash, type KeyObject } from 'node:crypto';
import { join, relative, sep } from 'node:path';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { BUNDLE_V03_MEDIA_TYPE, bundleFromJSON, type Bundle } from '@sigstore/bundle';
import { toSignedEntity, toTrustMaterial, Verifier, VerificationError } from '@sigstore/verify';
import { SovraError } from '../core/errors.js';
import { IN_TOTO_PAYLOAD_TYPE, IN_TOTO_STATEMENT_V1 } from './provenance.js';
import { validateCycloneDxDocument } from './cyclonedx-validate.js';
import { keyHint } from './keys.js';
import { checkProvenancePolicy, provenanceFacts, type ProvenancePolicy } from './verify-policy.js';
import { describeFinding, evaluateLicensePolicy } from './license-policy.js';
import { BUNDLE_PATH, CBOM_PATH, SBOM_PATH, STATEMENT_PATH } from '../contracts/output-paths.js';
import { VERIFY_EXIT, type FindingKind } from '../contracts/verify-codes.js';

export { VERIFY_EXIT, type FindingKind } from '../contracts/verify-codes.js';

/** One thing that is wrong with the output. */
export interface Finding {
  readonly kind: FindingKind;
  /** Exit status of this kind of finding. */
  readonly exit: number;
  /** Output file concerned (relative, POSIX), if any. */
  readonly file?: string;
  /** SBOM component concerned (bom-ref), if any. */
  readonly component?: string;
  /** One line naming what is wrong. */
  readonly message: string;
}

/** A subject of the statement. */
export interface Subject {
  readonly name: string;
  readonly sha256: string;
}

/** What `sovra verify` found. */
export interface VerifyReport {
  readonly ok: boolean;
  /** 0, or the lowest exit status among the findings. */
  readonly exitCode: number;
  readonly dir: string;
  /** Hint of the key verification used. */
  readonly key: string;
  /** Hint the bundle names, if it could be read. */
  readonly signedBy?: string;
  readonly signatureVerified: boolean;
  /** Subjects of the statement the files were checked against. */
  readonly subjects: number;
  readonly bytesHashed: number;
  readonly documents: ReadonlyArray<{ readonly file: string; readonly specVersion?: string; readonly components?: number; readonly valid: boolean }>;
  readonly license?: { readonly violations: number; readonly waived: number; readonly review: number; readonly unknown: number };
  /** Images of the SBOM, and those not pinned by digest (`registry/repository:tag`). */
  readonly images?: { readonly total: number; readonly unlocked: readonly string[] };
  readonly findings: readonly Finding[];
}

/** Output paths of the CycloneDX documents `verify` requires. */
export const CYCLONEDX_DOCUMENTS = [SBOM_PATH, CBOM_PATH] as const;

function finding(kind: FindingKind, message: string, extra: { file?: string; component?: string } = {}): Finding {
  return { kind, exit: VERIFY_EXIT[kind], ...extra, message };
}

/** A subject name that stays inside the output directory. */
function safeName(name: string): boolean {
  return name !== '' && !name.startsWith('/') && !name.includes('\\') && !name.includes('\0') && name.split('/').every((p) => p !== '' && p !== '.' && p !== '..');
}

/** The subjects of an in-toto Statement v1, or why the bytes are not one. */
export function parseStatement(bytes: Uint8Array): { subjects: Subject[] } | string {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (e) {
    return `the statement is not JSON (${(e as Error).message})`;
  }
  const st = doc as { _type?: unknown; subject?: unknown; predicateType?: unknown };
  if (typeof doc !== 'object' || doc === null || st._type !== IN_TOTO_STATEMENT_V1) return `the statement is not an in-toto Statement v1 (_type must be ${IN_TOTO_STATEMENT_V1})`;
  if (!Array.isArray(st.subject) || st.subject.length === 0) return 'the statement lists no subjects';
  const subjects: Subject[] = [];
  const seen = new Set<string>();
  for (const [i, s] of (st.subject as unknown[]).entries()) {
    const { name, digest } = (s ?? {}) as { name?: unknown; digest?: { sha256?: unknown } };
    if (typeof name !== 'string' || !safeName(name)) return `subject ${i} has no safe relative file name (${JSON.stringify(name)})`;
    if (typeof digest?.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(digest.sha256)) return `subject ${name} has no sha256 digest`;
    if (seen.has(name)) return `subject ${name} is listed twice`;
    seen.add(name);
    subjects.push({ name, sha256: digest.sha256 });
  }
  return { subjects };
}

const CHUNK = 1 << 20;
/** Below this many bytes in all, files are hashed on the main thread; above, on a pool of worker threads. */
const POOL_THRESHOLD = 32 << 20;

/** SHA-256 (hex) of a file and its size, read in 1 MiB chunks. */
function hashFile(path: string, buffer: Buffer): { sha256: string; bytes: number } {
  const fd = openSync(path, 'r');
  try {
    const hash = createHash('sha256');
    let bytes = 0;
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      hash.update(n === buffer.length ? buffer : buffer.subarray(0, n));
      bytes += n;
    }
    return { sha256: hash.digest('hex'), bytes };
  } finally {
    closeSync(fd);
  }
}

// The same loop in a worker thread (CommonJS source, so it runs from lib/ and under the test runner alike).
const HASH_WORKER = String.raw`
'use strict';
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const { createHash } = require('node:crypto');
const buffer = Buffer.allocUnsafe(${CHUNK});
parentPort.on('message', ({ i, path }) => {
  let fd;
  try {
    fd = fs.openSync(path, 'r');
    const hash = createHash('sha256');
    let bytes = 0;
    for (;;) {
      const n = fs.readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      hash.update(n === buffer.length ? buffer : buffer.subarray(0, n));
      bytes += n;
    }
    parentPort.postMessage({ i, sha256: hash.digest('hex'), bytes });
  } catch (e) {
    parentPort.postMessage({ i, error: String(e && e.message || e) });
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
});
`;

type HashResult = { sha256: string; bytes: number } | { error: string };

/**
 * SHA-256 of each file. Large sets are spread over one worker thread per
 * core (largest files first), so hashing is not bound to one core.
 */
async function hashFiles(files: ReadonlyArray<{ path: string; size: number }>): Promise<HashResult[]> {
  const total = files.reduce((n, f) => n + f.size, 0);
  const threads = Math.min(availableParallelism(), 8, files.length);
  if (total < POOL_THRESHOLD || threads < 2) {
    const buffer = Buffer.allocUnsafe(CHUNK);
    return files.map((f) => {
      try {
        return hashFile(f.path, buffer);
      } catch (e) {
        return { error: (e as Error).message };
      }
    });
  }
  const results: HashResult[] = new Array<HashResult>(files.length);
  const order = files.map((f, i) => ({ i, size: f.size })).sort((a, b) => b.size - a.size);
  let next = 0;
  const workers = Array.from({ length: threads }, () => new Worker(HASH_WORKER, { eval: true }));
  try {
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            const feed = (): void => {
              const job = order[next++];
              if (!job) return resolve();
              w.postMessage({ i: job.i, path: files[job.i]!.path });
            };
            w.on('message', (m: { i: number } & HashResult) => {
              const { i, ...r } = m;
              results[i] = r as HashResult;
              feed();
            });
            w.on('error', reject);
            feed();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}

/** Every entry under `dir` (relative POSIX paths), with whether it is a regular file. */
function listOutput(dir: string): Array<{ name: string; regular: boolean }> {
  const entries = readdirSync(dir, { recursive: true, withFileTypes: true });
  const out: Array<{ name: string; regular: boolean }> = [];
  for (const e of entries) {
    if (e.isDirectory()) continue;
    const name = relative(dir, join(e.parentPath, e.name)).split(sep).join('/');
    out.push({ name, regular: e.isFile() });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Compares the files of `dir` with `subjects`: a modified, missing or extra
 * file is a finding. The statement and the bundle themselves are not subjects.
 */
export async function checkSubjects(dir: string, subjects: readonly Subject[], stats = { bytes: 0 }): Promise<Finding[]> {
  const findings: Finding[] = [];
  const expected = new Map(subjects.map((s) => [s.name, s.sha256]));
  let entries: Array<{ name: string; regular: boolean }>;
  try {
    entries = listOutput(dir);
  } catch (e) {
    throw new SovraError('io', `Cannot list ${dir}: ${(e as Error).message}`, { cause: e });
  }
  const present = new Set<string>();
  const toHash: Array<{ name: string; path: string; size: number; want: string }> = [];
  for (const { name, regular } of entries) {
    if (name === STATEMENT_PATH || name === BUNDLE_PATH) continue;
    present.add(name);
    const want = expected.get(name);
    if (want === undefined) {
      findings.push(finding('extra', `extra file ${name}: it is not a subject of the signed statement (added after the synth)`, { file: name }));
      continue;
    }
    if (!regular) {
      findings.push(finding('modified', `modified file ${name}: it is not a regular file (a link or device where the synth wrote a file)`, { file: name }));
      continue;
    }
    const path = join(dir, ...name.split('/'));
    toHash.push({ name, path, size: lstatSync(path).size, want });
  }
  const hashes = await hashFiles(toHash);
  for (const [i, f] of toHash.entries()) {
    const got = hashes[i]!;
    if ('error' in got) throw new SovraError('io', `Cannot read ${f.path}: ${got.error}`);
    stats.bytes += got.bytes;
    if (got.sha256 !== f.want) findings.push(finding('modified', `modified file ${f.name}: sha256 ${got.sha256}, the signed statement says ${f.want}`, { file: f.name }));
  }
  for (const s of subjects) {
    if (!present.has(s.name)) findings.push(finding('missing', `missing file ${s.name}: the signed statement lists it (sha256 ${s.sha256}) but the output has no such file`, { file: s.name }));
  }
  return findings;
}

function readOptional(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SovraError('io', `Cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
}

/** Parses and checks the shape of the bundle; returns it or the finding that says why not. */
function readBundle(bytes: Buffer | undefined): Bundle | Finding {
  const file = BUNDLE_PATH;
  if (!bytes) return finding('bundle', `no ${BUNDLE_PATH}: the output is not signed (synth with --sign --key <private.pem>, or run sovra sign <dir> --key <private.pem>)`, { file });
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    return finding('bundle', `${BUNDLE_PATH} is not valid JSON (${(e as Error).message})`, { file });
  }
  let bundle: Bundle;
  try {
    bundle = bundleFromJSON(json);
  } catch (e) {
    return finding('bundle', `${BUNDLE_PATH} is not a Sigstore bundle (${(e as Error).message})`, { file });
  }
  if (bundle.mediaType !== BUNDLE_V03_MEDIA_TYPE) return finding('bundle', `${BUNDLE_PATH} has media type ${bundle.mediaType}; expected ${BUNDLE_V03_MEDIA_TYPE}`, { file });
  if (bundle.content.$case !== 'dsseEnvelope') return finding('bundle', `${BUNDLE_PATH} holds a ${bundle.content.$case}; expected a DSSE envelope with the in-toto statement`, { file });
  const env = bundle.content.dsseEnvelope;
  if (env.payloadType !== IN_TOTO_PAYLOAD_TYPE) return finding('bundle', `${BUNDLE_PATH}: the DSSE payload type is ${JSON.stringify(env.payloadType)}; expected ${IN_TOTO_PAYLOAD_TYPE}`, { file });
  if (env.signatures.length !== 1) return finding('bundle', `${BUNDLE_PATH}: the DSSE envelope has ${env.signatures.length} signatures; expected exactly one`, { file });
  if (bundle.verificationMaterial.content.$case !== 'publicKey') return finding('bundle', `${BUNDLE_PATH} is signed with a ${bundle.verificationMaterial.content.$case}; sovra verify checks key-signed bundles (a public-key hint)`, { file });
  return bundle;
}

/** Verifies the DSSE signature with `key` through @sigstore/verify; returns findings (none when it holds). */
function checkSignature(bundle: Bundle, key: KeyObject, hint: string): Finding[] {
  const material = bundle.verificationMaterial.content;
  const signedBy = material.$case === 'publicKey' ? material.publicKey.hint : '';
  const trust = toTrustMaterial(
    { mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1', tlogs: [], certificateAuthorities: [], ctlogs: [], timestampAuthorities: [] },
    (wanted: string) => {
      if (wanted !== hint) throw new VerificationError({ code: 'PUBLIC_KEY_ERROR', message: `no trusted key with hint ${wanted}` });
      return { publicKey: key, validFor: () => true };
    },
  );
  const verifier = new Verifier(trust, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 });
  try {
    verifier.verify(toSignedEntity(bundle));
    return [];
  } catch (e) {
    if (!(e instanceof VerificationError)) throw e;
    if (e.code === 'PUBLIC_KEY_ERROR') {
      return [finding('key', `${BUNDLE_PATH} is signed by key ${signedBy || '(no hint)'}, not by the given key ${hint}: check --key, or the output was re-signed by someone else`, { file: BUNDLE_PATH })];
    }
    return [finding('signature', `${BUNDLE_PATH}: the signature does not verify with the given key ${hint} (${e.message}): the statement or the signature was changed after signing`, { file: BUNDLE_PATH })];
  }
}

/** Options of `verifyOutput`: gates beyond integrity. */
export interface VerifyOptions extends ProvenancePolicy {
  /** Every image of the SBOM must be pinned by digest (`--require-locked`). */
  readonly requireLocked?: boolean;
}

/** Image components of an SBOM and whether each is locked by digest. */
function sbomImages(doc: { components?: unknown[] }): Array<{ bomRef: string; name: string; locked: boolean }> {
  const out: Array<{ bomRef: string; name: string; locked: boolean }> = [];
  for (const c of (doc.components ?? []) as Array<{ type?: string; 'bom-ref'?: string; name?: string; version?: string; properties?: Array<{ name: string; value: string }> }>) {
    if (c.type !== 'container') continue;
    const locked = (c.properties ?? []).some((p) => p.name === 'sovra:image:locked' && p.value === 'true');
    out.push({ bomRef: c['bom-ref'] ?? '', name: `${c.name ?? ''}:${c.version ?? ''}`, locked });
  }
  return out;
}

/** Validity of the CycloneDX documents, the license policy, and (when asked) locked images. */
function checkDocuments(dir: string, options: VerifyOptions): { findings: Finding[]; documents: VerifyReport['documents']; license?: VerifyReport['license']; images?: VerifyReport['images'] } {
  const findings: Finding[] = [];
  const documents: Array<VerifyReport['documents'][number]> = [];
  let license: VerifyReport['license'];
  let images: VerifyReport['images'];
  for (const file of CYCLONEDX_DOCUMENTS) {
    const bytes = readOptional(join(dir, file));
    if (!bytes) {
      findings.push(finding('document', `missing ${file}: every output carries a CycloneDX ${file === SBOM_PATH ? 'SBOM' : 'CBOM'}`, { file }));
      documents.push({ file, valid: false });
      continue;
    }
    let doc: { bomFormat?: unknown; specVersion?: unknown; components?: unknown[] };
    try {
      doc = JSON.parse(bytes.toString('utf8')) as typeof doc;
    } catch (e) {
      findings.push(finding('document', `${file} is not valid JSON (${(e as Error).message})`, { file }));
      documents.push({ file, valid: false });
      continue;
    }
    const specVersion = typeof doc.specVersion === 'string' ? doc.specVersion : undefined;
    if (doc.bomFormat !== 'CycloneDX' || (specVersion !== '1.6' && specVersion !== '1.7')) {
      findings.push(finding('document', `${file} is not a CycloneDX 1.6 or 1.7 document (bomFormat ${JSON.stringify(doc.bomFormat)}, specVersion ${JSON.stringify(doc.specVersion)})`, { file }));
      documents.push({ file, valid: false, ...(specVersion ? { specVersion } : {}) });
      continue;
    }
    try {
      validateCycloneDxDocument(doc, file, specVersion);
    } catch (e) {
      if (!(e instanceof SovraError)) throw e;
      findings.push(finding('document', e.message.replace(/\n/g, ' '), { file }));
      documents.push({ file, specVersion, valid: false });
      continue;
    }
    documents.push({ file, specVersion, components: Array.isArray(doc.components) ? doc.components.length : 0, valid: true });
    if (file === SBOM_PATH) {
      const result = evaluateLicensePolicy(doc);
      license = { violations: result.violations.length + result.stale.length, waived: result.waived.length, review: result.review.length, unknown: result.unknown.length };
      for (const v of result.violations) findings.push(finding('license', `license policy: ${describeFinding(v)}`, { file, component: v.bomRef }));
      for (const w of result.stale) findings.push(finding('license', `license policy: the waiver of ${w.license} on component ${w.bomRef} is not valid: ${w.problem}`, { file, component: w.bomRef }));
      const list = sbomImages(doc);
      images = { total: list.length, unlocked: list.filter((i) => !i.locked).map((i) => i.name).sort() };
      if (options.requireLocked) {
        for (const i of list.filter((x) => !x.locked)) findings.push(finding('unlocked', `image ${i.name} is not pinned by digest (--require-locked): lock it in images.lock.json (or a site lock) and synthesize again`, { file, component: i.bomRef }));
      }
    }
  }
  return { findings, documents, ...(license ? { license } : {}), ...(images ? { images } : {}) };
}

/** Verifies the output in `dir` against `publicKey`. Never touches the network. */
export async function verifyOutput(dir: string, publicKey: KeyObject, options: VerifyOptions = {}): Promise<VerifyReport> {
  try {
    if (!lstatSync(dir).isDirectory()) throw new SovraError('bad-input', `${dir} is not a directory; give the output directory of a synth (e.g. dist/edge).`);
  } catch (e) {
    if (e instanceof SovraError) throw e;
    throw new SovraError('bad-input', `${dir} does not exist; give the output directory of a synth (e.g. dist/edge).`, { cause: e });
  }
  const hint = keyHint(publicKey);
  const findings: Finding[] = [];

  const bundleOrFinding = readBundle(readOptional(join(dir, BUNDLE_PATH)));
  const bundle = 'kind' in bundleOrFinding ? undefined : bundleOrFinding;
  if (!bundle) findings.push(bundleOrFinding as Finding);
  let signedBy: string | undefined;
  let signatureVerified = false;
  let signed: Buffer | undefined;
  if (bundle) {
    const material = bundle.verificationMaterial.content;
    if (material.$case === 'publicKey') signedBy = material.publicKey.hint;
    const sigFindings = checkSignature(bundle, publicKey, hint);
    signatureVerified = sigFindings.length === 0;
    findings.push(...sigFindings);
    if (bundle.content.$case === 'dsseEnvelope') signed = bundle.content.dsseEnvelope.payload;
  }

  // The statement the files are checked against: the signed one when there is a bundle, else the file (for diagnostics).
  const statementFile = readOptional(join(dir, STATEMENT_PATH));
  if (!statementFile) findings.push(finding('statement', `missing ${STATEMENT_PATH}: the output must carry its in-toto statement`, { file: STATEMENT_PATH }));
  else if (signed && !statementFile.equals(signed)) findings.push(finding('statement', `${STATEMENT_PATH} differs from the statement signed in ${BUNDLE_PATH}: it was edited after signing`, { file: STATEMENT_PATH }));
  const statementBytes = signed ?? statementFile;
  let subjects: Subject[] = [];
  if (statementBytes) {
    const parsed = parseStatement(statementBytes);
    if (typeof parsed === 'string') findings.push(finding('statement', `${signed ? `the statement signed in ${BUNDLE_PATH}` : STATEMENT_PATH}: ${parsed}`, { file: signed ? BUNDLE_PATH : STATEMENT_PATH }));
    else {
      subjects = parsed.subjects;
      // The gates read the signed statement only; without a signature they read the file, and the missing bundle is already a finding.
      const facts = provenanceFacts(JSON.parse(statementBytes.toString('utf8')));
      for (const f of checkProvenancePolicy(facts, options, signed ? `the statement signed in ${BUNDLE_PATH}` : STATEMENT_PATH)) findings.push(finding(f.kind, f.message, { file: signed ? BUNDLE_PATH : STATEMENT_PATH }));
    }
  }

  const stats = { bytes: 0 };
  if (subjects.length > 0) findings.push(...(await checkSubjects(dir, subjects, stats)));
  const docs = checkDocuments(dir, options);
  findings.push(...docs.findings);

  const exitCode = findings.length === 0 ? 0 : Math.min(...findings.map((f) => f.exit));
  return {
    ok: findings.length === 0,
    exitCode,
    dir,
    key: hint,
    ...(signedBy !== undefined ? { signedBy } : {}),
    signatureVerified,
    subjects: subjects.length,
    bytesHashed: stats.bytes,
    documents: docs.documents,
    ...(docs.license ? { license: docs.license } : {}),
    ...(docs.images ? { images: docs.images } : {}),
    findings,
  };
}

/**
 * The shape and signature of a Sigstore bundle (`bytes`, undefined when the
 * file is missing), checked with `publicKey`: the findings, and the signed
 * statement's bytes when the bundle could be read. `sovra bundle verify`
 * checks an archive's signature with it.
 */
export function checkSignedStatement(bytes: Buffer | undefined, publicKey: KeyObject): { findings: Finding[]; signed?: Buffer; signedBy?: string } {
  const read = readBundle(bytes);
  if ('kind' in read) return { findings: [read] };
  const material = read.verificationMaterial.content;
  const signedBy = material.$case === 'publicKey' ? material.publicKey.hint : undefined;
  const findings = checkSignature(read, publicKey, keyHint(publicKey));
  const signed = read.content.$case === 'dsseEnvelope' ? read.content.dsseEnvelope.payload : undefined;
  return { findings, ...(signed ? { signed } : {}), ...(signedBy ? { signedBy } : {}) };
}
