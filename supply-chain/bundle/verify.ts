/**
 * `sovra bundle verify`: whether a bundle can be trusted, offline, reading
 * the archive once as a stream. Checks that the archive is a well-formed
 * zstd-compressed tar of regular files at safe paths; that the provenance
 * is signed by the given key; that every file is a subject of the signed
 * statement with its digest and every subject is in the archive; that
 * every blob hashes to its name; that every manifest and index of the
 * layout finds the blobs it references (less the platforms bundle.json
 * says were left out) and no blob is unreferenced; and that the images of
 * the layout are exactly the images of the synth's SBOM, by name and
 * digest. Each kind of finding has its own exit status (contracts/bundle-codes.ts).
 */
import { createHash, type KeyObject } from 'node:crypto';
import { SovraError } from '../../core/errors.js';
import { release } from '../../core/pool.js';
import { BUNDLE_VERIFY_EXIT, type BundleFindingKind } from '../../contracts/bundle-codes.js';
import { SBOM_PATH } from '../../contracts/output-paths.js';
import { keyHint } from '../keys.js';
import { checkSignedStatement, parseStatement } from '../verify.js';
import { checkProvenancePolicy, provenanceFacts, type ProvenancePolicy } from '../verify-policy.js';
import { MAX_MANIFEST_BYTES, parseManifest, type ParsedManifest } from '../oci/manifest.js';
import { blobDigest, BUNDLE_SIGNATURE_FILE, BUNDLE_STATEMENT_FILE, IMAGE_NAME_ANNOTATION, INDEX_FILE, MANIFEST_FILE, OCI_LAYOUT_FILE, SYNTH_DIR, type BundleManifest } from './format.js';
import { archiveEntries } from './archive.js';

/** One thing wrong with a bundle. */
export interface BundleFinding {
  readonly kind: BundleFindingKind;
  readonly exit: number;
  readonly file?: string;
  readonly message: string;
}

/** What `sovra bundle verify` found. */
export interface BundleVerifyReport {
  readonly ok: boolean;
  readonly exitCode: number;
  readonly archive: string;
  /** Hint of the key verification used, and of the key that signed (when readable). */
  readonly key: string;
  readonly signedBy?: string;
  readonly files: number;
  readonly bytes: number;
  readonly images: number;
  readonly blobs: number;
  readonly findings: readonly BundleFinding[];
}

function finding(kind: BundleFindingKind, message: string, file?: string): BundleFinding {
  return { kind, exit: BUNDLE_VERIFY_EXIT[kind], ...(file ? { file } : {}), message };
}

/** Files kept in memory while streaming (small metadata). */
const KEPT = new Set([OCI_LAYOUT_FILE, INDEX_FILE, MANIFEST_FILE, BUNDLE_STATEMENT_FILE, BUNDLE_SIGNATURE_FILE, `${SYNTH_DIR}/${SBOM_PATH}`]);

/** Image components of a CycloneDX SBOM: `registry/repository:tag` → digest (or undefined when not locked). */
function sbomImages(doc: unknown): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  const walk = (cs: unknown): void => {
    if (!Array.isArray(cs)) return;
    for (const c of cs as Array<{ type?: string; name?: string; version?: string; hashes?: Array<{ alg?: string; content?: string }>; components?: unknown }>) {
      if (c.type === 'container' && c.name && c.version) {
        const h = c.hashes?.find((x) => x.alg === 'SHA-256')?.content;
        out.set(`${c.name}:${c.version}`, h ? `sha256:${h}` : undefined);
      }
      walk(c.components);
    }
  };
  walk((doc as { components?: unknown }).components);
  return out;
}

/** CI gates beyond integrity (the same as `sovra verify`'s). */
export interface BundleVerifyOptions extends ProvenancePolicy {
  /** Every image of the SBOM must be pinned by digest (`--require-locked`). */
  readonly requireLocked?: boolean;
}

/** Verifies the bundle at `archive` with `publicKey`. Never touches the network. */
export async function verifyBundle(archive: string, publicKey: KeyObject, options: BundleVerifyOptions = {}): Promise<BundleVerifyReport> {
  const hint = keyHint(publicKey);
  const findings: BundleFinding[] = [];
  const hashes = new Map<string, string>();
  const kept = new Map<string, Buffer>();
  /** Blobs that parse as manifests or indexes. */
  const manifests = new Map<string, ParsedManifest>();
  let bytes = 0;
  const report = (extra: Partial<BundleVerifyReport> = {}): BundleVerifyReport => {
    const exitCode = findings.length === 0 ? 0 : Math.min(...findings.map((f) => f.exit));
    return { ok: findings.length === 0, exitCode, archive, key: hint, files: hashes.size, bytes, images: 0, blobs: [...hashes.keys()].filter((p) => blobDigest(p)).length, findings, ...extra };
  };

  try {
    for await (const entry of archiveEntries(archive)) {
      if (hashes.has(entry.path)) {
        findings.push(finding('archive', `${entry.path} is in the archive twice (a later copy would replace the first when unpacked)`, entry.path));
        for await (const _ of entry.body) void _;
        continue;
      }
      const digest = blobDigest(entry.path);
      const keep = KEPT.has(entry.path) || (digest !== undefined && entry.size <= MAX_MANIFEST_BYTES);
      const hash = createHash('sha256');
      const chunks: Buffer[] = [];
      for await (const c of entry.body) {
        hash.update(c);
        if (keep) chunks.push(c);
        else release(c);
      }
      bytes += entry.size;
      const hex = hash.digest('hex');
      hashes.set(entry.path, hex);
      if (digest && `sha256:${hex}` !== digest) findings.push(finding('blob', `${entry.path} hashes to sha256:${hex}, not to its name`, entry.path));
      if (!keep) continue;
      const data = Buffer.concat(chunks);
      if (KEPT.has(entry.path)) kept.set(entry.path, data);
      else if (digest && data[0] === 0x7b) {
        // A blob that is JSON may be a manifest or index; configs do not parse as one.
        try {
          manifests.set(digest, parseManifest(data, undefined, entry.path));
        } catch {
          /* a config or other JSON blob */
        }
      }
    }
  } catch (e) {
    if (e instanceof SovraError && e.exitCode === BUNDLE_VERIFY_EXIT.archive) {
      findings.splice(0, findings.length, finding('archive', e.message.replace(/^.*? is not a readable bundle: /, 'not a readable bundle: ')));
      return report();
    }
    throw e;
  }

  // Signature and statement.
  const sig = checkSignedStatement(kept.get(BUNDLE_SIGNATURE_FILE), publicKey);
  for (const f of sig.findings) findings.push(finding(f.kind as BundleFindingKind, f.message, f.file));
  const statementFile = kept.get(BUNDLE_STATEMENT_FILE);
  if (!statementFile) findings.push(finding('statement', `missing ${BUNDLE_STATEMENT_FILE}: a bundle carries its in-toto statement`, BUNDLE_STATEMENT_FILE));
  else if (sig.signed && !statementFile.equals(sig.signed)) findings.push(finding('statement', `${BUNDLE_STATEMENT_FILE} differs from the statement signed in ${BUNDLE_SIGNATURE_FILE}: it was edited after signing`, BUNDLE_STATEMENT_FILE));
  const statementBytes = sig.signed ?? statementFile;
  if (statementBytes) {
    const parsed = parseStatement(statementBytes);
    if (typeof parsed === 'string') findings.push(finding('statement', `the bundle's statement: ${parsed}`, BUNDLE_STATEMENT_FILE));
    else {
      // The gates read the signed statement (the file only when unsigned, which is a finding already).
      const where = sig.signed ? `the statement signed in ${BUNDLE_SIGNATURE_FILE}` : BUNDLE_STATEMENT_FILE;
      for (const f of checkProvenancePolicy(provenanceFacts(JSON.parse(statementBytes.toString('utf8'))), options, where)) findings.push(finding(f.kind, f.message, BUNDLE_STATEMENT_FILE));
      const expected = new Map(parsed.subjects.map((s) => [s.name, s.sha256]));
      for (const [path, hex] of hashes) {
        if (path === BUNDLE_STATEMENT_FILE || path === BUNDLE_SIGNATURE_FILE) continue;
        const want = expected.get(path);
        if (want === undefined) findings.push(finding('extra', `extra file ${path}: it is not a subject of the signed statement`, path));
        else if (want !== hex) findings.push(finding('modified', `modified file ${path}: sha256 ${hex}, the signed statement says ${want}`, path));
      }
      for (const s of parsed.subjects) if (!hashes.has(s.name)) findings.push(finding('missing', `missing file ${s.name}: the signed statement lists it (sha256 ${s.sha256})`, s.name));
    }
  }

  // The layout and its references.
  let images = 0;
  const layout = kept.get(OCI_LAYOUT_FILE);
  let layoutVersion: unknown;
  try {
    layoutVersion = layout ? (JSON.parse(layout.toString('utf8')) as { imageLayoutVersion?: unknown }).imageLayoutVersion : undefined;
  } catch {
    layoutVersion = undefined;
  }
  if (layoutVersion !== '1.0.0') findings.push(finding('layout', `${OCI_LAYOUT_FILE} is missing or does not declare imageLayoutVersion 1.0.0`, OCI_LAYOUT_FILE));
  let bundleManifest: BundleManifest | undefined;
  try {
    bundleManifest = JSON.parse(kept.get(MANIFEST_FILE)?.toString('utf8') ?? 'null') as BundleManifest;
    if (!bundleManifest || bundleManifest.bundleVersion !== 1 || !Array.isArray(bundleManifest.images)) throw new Error('not a version 1 bundle manifest');
  } catch (e) {
    findings.push(finding('layout', `${MANIFEST_FILE} is missing or malformed (${(e as Error).message})`, MANIFEST_FILE));
    bundleManifest = undefined;
  }
  const skipped = new Set((bundleManifest?.images ?? []).flatMap((i) => i.skipped.map((s) => s.digest)));
  let index: { manifests?: Array<{ digest?: string; annotations?: Record<string, string> }> } | undefined;
  try {
    index = JSON.parse(kept.get(INDEX_FILE)?.toString('utf8') ?? 'null') as typeof index;
    if (!index || !Array.isArray(index.manifests)) throw new Error('no manifests array');
  } catch (e) {
    findings.push(finding('layout', `${INDEX_FILE} is missing or malformed (${(e as Error).message})`, INDEX_FILE));
    index = undefined;
  }
  if (index) {
    const referenced = new Set<string>();
    const visit = (d: string, from: string): void => {
      if (referenced.has(d)) return;
      referenced.add(d);
      if (!hashes.has(`blobs/sha256/${d.slice(7)}`)) {
        findings.push(finding('reference', `${from} references ${d}, which the layout does not hold`, `blobs/sha256/${d.slice(7)}`));
        return;
      }
      const m = manifests.get(d);
      if (!m) return;
      if (m.kind === 'index') {
        for (const c of m.manifests) if (!skipped.has(c.digest)) visit(c.digest, `index ${d}`);
      } else for (const b of [m.config, ...m.layers]) visit(b.digest, `manifest ${d}`);
    };
    for (const [i, m] of index.manifests!.entries()) {
      if (typeof m.digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(m.digest)) {
        findings.push(finding('layout', `${INDEX_FILE} manifests[${i}] has no sha256 digest`, INDEX_FILE));
        continue;
      }
      visit(m.digest, `${INDEX_FILE} (${m.annotations?.[IMAGE_NAME_ANNOTATION] ?? m.digest})`);
    }
    for (const path of hashes.keys()) {
      const d = blobDigest(path);
      if (d && !referenced.has(d)) findings.push(finding('reference', `${path} is in the layout but nothing references it`, path));
    }

    // The images of the layout against the SBOM of the synth output.
    const sbomFile = `${SYNTH_DIR}/${SBOM_PATH}`;
    const sbomBytes = kept.get(sbomFile);
    let sbom: Map<string, string | undefined> | undefined;
    try {
      const doc = JSON.parse(sbomBytes?.toString('utf8') ?? 'null') as { bomFormat?: string } | null;
      if (!doc || doc.bomFormat !== 'CycloneDX') throw new Error('not a CycloneDX document');
      sbom = sbomImages(doc);
    } catch (e) {
      findings.push(finding('document', `${sbomFile} is missing or not CycloneDX JSON (${(e as Error).message})`, sbomFile));
    }
    if (sbom) {
      const layoutImages = new Map<string, string>();
      for (const m of index.manifests!) {
        const name = m.annotations?.[IMAGE_NAME_ANNOTATION];
        if (name && m.digest) layoutImages.set(name, m.digest);
        else if (m.digest) findings.push(finding('image-extra', `${INDEX_FILE} holds ${m.digest} without an image name`, INDEX_FILE));
      }
      images = layoutImages.size;
      for (const [name, digest] of sbom) {
        const got = layoutImages.get(name);
        if (!digest) {
          findings.push(finding('image-missing', `image ${name} of the SBOM is not locked by digest, so the layout cannot hold it`, INDEX_FILE));
          if (options.requireLocked) findings.push(finding('unlocked', `image ${name} is not pinned by digest (--require-locked)`, sbomFile));
        }
        else if (got === undefined) findings.push(finding('image-missing', `image ${name}@${digest} of the SBOM is not in the layout`, INDEX_FILE));
        else if (got !== digest) findings.push(finding('image-missing', `image ${name}: the SBOM says ${digest}, the layout holds ${got}`, INDEX_FILE));
      }
      for (const [name, digest] of layoutImages) if (!sbom.has(name)) findings.push(finding('image-extra', `the layout holds image ${name}@${digest}, which the SBOM does not list`, INDEX_FILE));
    }
  }
  return report({ images, ...(sig.signedBy ? { signedBy: sig.signedBy } : {}) });
}
