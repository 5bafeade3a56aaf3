/**
 * Signing provenance: the in-toto Statement is wrapped in a DSSE envelope
 * and written as a Sigstore bundle (media type v0.3) with a public-key hint
 * and no transparency log entry, built with `@sigstore/sign`. Offline by
 * construction: no Fulcio certificate, no Rekor witness.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleToJSON } from '@sigstore/bundle';
import { DSSEBundleBuilder, type Signer as SigstoreSigner } from '@sigstore/sign';
import { SovraError } from '../core/errors.js';
import { writeFileAtomic } from '../core/output-dir.js';
import { BUNDLE_PATH, STATEMENT_PATH } from '../contracts/output-paths.js';
import { IN_TOTO_PAYLOAD_TYPE } from './provenance.js';
import type { Signer } from './signer.js';

export { BUNDLE_PATH, STATEMENT_PATH } from '../contracts/output-paths.js';

function sigstoreSigner(signer: Signer): SigstoreSigner {
  return {
    sign: async (data) => ({
      signature: await signer.sign(data),
      key: { $case: 'publicKey', publicKey: signer.publicKeyPem, hint: signer.keyHint },
    }),
  };
}

/**
 * The Sigstore bundle (JSON text, v0.3, DSSE) signing `statement`, the exact
 * bytes of the statement file. ECDSA signatures are randomized, so two
 * bundles over the same statement differ in the signature only.
 */
export async function signStatement(statement: Uint8Array, signer: Signer): Promise<string> {
  const builder = new DSSEBundleBuilder({ signer: sigstoreSigner(signer), witnesses: [] });
  const bundle = await builder.create({ data: Buffer.from(statement), type: IN_TOTO_PAYLOAD_TYPE });
  return JSON.stringify(bundleToJSON(bundle), null, 2) + '\n';
}

/**
 * `sovra sign <dir>`: signs the statement of an existing output, after
 * checking that every file still matches it (a changed output is refused,
 * naming the first differences), and writes the bundle atomically.
 */
export async function signOutput(dir: string, signer: Signer): Promise<{ bundlePath: string; subjects: number }> {
  let statement: Buffer;
  try {
    statement = readFileSync(join(dir, STATEMENT_PATH));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new SovraError('bad-input', `${dir} has no ${STATEMENT_PATH}: it is not a synth output. Run \`sovra synth --profile <p> --out ${dir}\` first (or add --sign to it).`);
    throw new SovraError('io', `Cannot read ${join(dir, STATEMENT_PATH)}: ${(e as Error).message}`, { cause: e });
  }
  // Loaded here: `synth --sign` signs without checking files and need not load the verifier.
  const { checkSubjects, parseStatement } = await import('./verify.js');
  const parsed = parseStatement(statement);
  if (typeof parsed === 'string') throw new SovraError('bad-input', `${join(dir, STATEMENT_PATH)}: ${parsed}; refusing to sign it.`);
  const findings = await checkSubjects(dir, parsed.subjects);
  if (findings.length > 0) {
    const shown = findings.slice(0, 5).map((f) => `  - ${f.message}`).join('\n');
    throw new SovraError('failed-verification', `${dir} no longer matches its provenance, so signing it would vouch for files nobody synthesized:\n${shown}${findings.length > 5 ? `\n  … and ${findings.length - 5} more` : ''}\nRun \`sovra synth\` again, then sign.`);
  }
  const bundle = await signStatement(statement, signer);
  const bundlePath = join(dir, BUNDLE_PATH);
  writeFileAtomic(bundlePath, bundle);
  return { bundlePath, subjects: parsed.subjects.length };
}
