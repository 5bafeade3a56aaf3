/**
 * `sovra keygen`, `sovra sign` and `sovra verify`: key pairs for signing
 * provenance, signing an existing output, and the yes-or-no check CI gates
 * on. Heavy modules (sigstore) load only when a command runs.
 */
import { existsSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { SovraError } from '../../core/errors.js';
import { parseCommandArgs } from '../args.js';
import type { Command } from '../command.js';
import { unignoredInWorkTree } from '../git-work-tree.js';
import type { KeyAlgorithm } from '../../supply-chain/keys.js';
import { VERIFY_EXIT, VERIFY_FINDING_HELP, type FindingKind } from '../../contracts/verify-codes.js';

const keygenUsage = `Usage: sovra keygen --out <prefix> [--algorithm ecdsa-p256|ed25519]

Writes a signing key pair as PEM:
  <prefix>.key   private key, PKCS#8, unencrypted, file mode 0600
  <prefix>.pub   public key, SubjectPublicKeyInfo (give it to whoever runs sovra verify)
and prints the key's hint (SHA-256 of the public key, as bundles name it).
Never overwrites: if either file exists, nothing is written. Warns when the
private key lands in a git work tree that does not ignore it.

Options:
  --out <prefix>         path prefix of the two files (required)
  --algorithm <alg>      ecdsa-p256 (default) or ed25519

Keys live in files only: KMS and PKCS#11 signers are not supported yet.

Exit status: 0 written, 2 usage, 7 a file exists already, 10 I/O.
`;

/** `sovra keygen`. */
export const keygenCommand: Command = {
  name: 'keygen',
  summary: 'Create an ECDSA P-256 or Ed25519 key pair for signing provenance',
  usage: keygenUsage,
  async run(args) {
    const { values } = parseCommandArgs('keygen', args, { out: { type: 'string' }, algorithm: { type: 'string', default: 'ecdsa-p256' } });
    if (!values.out) throw new SovraError('usage', 'sovra keygen: --out <prefix> is required (it writes <prefix>.key and <prefix>.pub). Run `sovra keygen --help` for usage.');
    const { generateKeyPair, KEY_ALGORITHMS, keyExists, writeNewFile } = await import('../../supply-chain/keys.js');
    if (!(KEY_ALGORITHMS as readonly string[]).includes(values.algorithm)) {
      throw new SovraError('usage', `sovra keygen: --algorithm ${values.algorithm} is not supported; use ${KEY_ALGORITHMS.join(' or ')}.`);
    }
    const keyPath = `${values.out}.key`;
    const pubPath = `${values.out}.pub`;
    for (const p of [keyPath, pubPath]) {
      if (existsSync(p)) throw keyExists(p); // checked for both first, so a pair is written whole or not at all
    }
    const pair = generateKeyPair(values.algorithm as KeyAlgorithm);
    writeNewFile(keyPath, pair.privateKey, 0o600);
    try {
      writeNewFile(pubPath, pair.publicKey, 0o644);
    } catch (e) {
      rmSync(keyPath, { force: true }); // a lone private key without its public half is useless and confusing
      throw e;
    }
    process.stdout.write(`wrote ${keyPath} (private, 0600) and ${pubPath}: ${pair.algorithm}, key hint ${pair.hint}\n`);
    const tree = unignoredInWorkTree(keyPath);
    if (tree !== undefined) {
      process.stderr.write(
        `sovra keygen: warning: ${keyPath} is in the git work tree ${tree} and git does not ignore it, so \`git add -A\` would commit the private key. ` +
          `Add "*.key" to the .gitignore there, or keep keys outside the work tree.\n`,
      );
    }
    return 0;
  },
};

const signUsage = `Usage: sovra sign <dir> --key <private.pem>

Signs an existing synth output: checks that every file still matches
provenance.intoto.json (a changed output is refused), then wraps the statement
in a DSSE envelope and writes it as a Sigstore bundle (v0.3, public-key hint,
no transparency log: offline) to <dir>/provenance.sigstore.json, replacing an
older signature. \`sovra synth --sign --key <private.pem>\` does the same
during the synth.

Exit status: 0 signed, 2 usage, 7 bad key or not a synth output, 9 the output
no longer matches its statement, 10 I/O.
`;

/** `sovra sign`. */
export const signCommand: Command = {
  name: 'sign',
  summary: 'Sign the provenance of an existing output as a Sigstore bundle',
  usage: signUsage,
  async run(args) {
    const { values, positionals } = parseCommandArgs('sign', args, { key: { type: 'string' }, quiet: { type: 'boolean', default: false } }, true);
    if (positionals.length !== 1) throw new SovraError('usage', 'sovra sign: give exactly one output directory, e.g. `sovra sign dist/edge --key signing.key`.');
    if (!values.key) throw new SovraError('usage', 'sovra sign: --key <private.pem> is required (create one with `sovra keygen --out <prefix>`).');
    const [{ LocalKeySigner }, { signOutput }] = await Promise.all([import('../../supply-chain/signer.js'), import('../../supply-chain/sign.js')]);
    const signer = LocalKeySigner.fromFile(values.key);
    const started = performance.now();
    const { bundlePath, subjects } = await signOutput(positionals[0]!, signer);
    if (!values.quiet) process.stdout.write(`signed ${subjects} subjects: ${bundlePath} (${signer.algorithm}, key hint ${signer.keyHint}, ${(performance.now() - started).toFixed(1)} ms)\n`);
    return 0;
  },
};

const verifyUsage = `Usage: sovra verify <dir> --key <public.pem> [--require-locked] [--require-builder <id>]
         [--require-source-commit <sha>] [--require-clean] [--require-profile <name>] [--json]

Checks a synth output offline, for CI gates:
  - the Sigstore bundle's DSSE signature verifies with --key;
  - provenance.intoto.json is the statement that was signed;
  - every file is a subject with the signed SHA-256, and every subject exists;
  - sbom.cdx.json and cbom.cdx.json are valid CycloneDX (1.6 or 1.7);
  - the license policy holds on the SBOM (waivers recorded in it count);
  - with --require-locked: every image of the SBOM is pinned by digest (profiles
    with images.requireDigest need this gate before an output is shipped);
  - with --require-builder <id>: the signed provenance names that builder
    (e.g. https://sovra.dev/builder/sovra-synth for any version, or …@0.1.0);
  - with --require-source-commit <sha>: it was built from that commit (full hash or
    a prefix of 7+ hex digits);
  - with --require-clean: the source had no uncommitted changes when it was built;
  - with --require-profile <name>: it was built for that profile.
The --require-* gates read only the signed statement.
Prints one line per finding naming the file or component (--json: a report).

Exit status:
   0  everything holds
${(Object.keys(VERIFY_EXIT) as FindingKind[]).map((k) => `  ${VERIFY_EXIT[k]}  ${k}: ${VERIFY_FINDING_HELP[k]}`).join('\n')}
  With several findings, the status is the lowest of theirs.
   2  usage,  7  bad key file or not a directory,  10  I/O error
`;

/** The gate options `sovra verify` and `sovra bundle verify` share. */
export const VERIFY_POLICY_OPTIONS = {
  'require-locked': { type: 'boolean', default: false },
  'require-builder': { type: 'string' },
  'require-source-commit': { type: 'string' },
  'require-clean': { type: 'boolean', default: false },
  'require-profile': { type: 'string' },
} as const;

/** The gates asked for on the command line; a malformed value is a usage error naming it. */
export async function verifyPolicy(
  command: string,
  values: { 'require-locked'?: boolean; 'require-builder'?: string; 'require-source-commit'?: string; 'require-clean'?: boolean; 'require-profile'?: string },
): Promise<import('../../supply-chain/verify-policy.js').ProvenancePolicy & { requireLocked: boolean }> {
  const policy = {
    requireLocked: values['require-locked'] === true,
    ...(values['require-builder'] !== undefined ? { requireBuilder: values['require-builder'] } : {}),
    ...(values['require-source-commit'] !== undefined ? { requireSourceCommit: values['require-source-commit'] } : {}),
    ...(values['require-clean'] ? { requireClean: true } : {}),
    ...(values['require-profile'] !== undefined ? { requireProfile: values['require-profile'] } : {}),
  };
  const wrong = (await import('../../supply-chain/verify-policy.js')).policyUsageError(policy);
  if (wrong) throw new SovraError('usage', `sovra ${command}: ${wrong}`);
  return policy;
}

/** `sovra verify`. */
export const verifyCommand: Command = {
  name: 'verify',
  summary: 'Verify an output: signature, every file digest, SBOM/CBOM, license policy',
  usage: verifyUsage,
  async run(args) {
    const { values, positionals } = parseCommandArgs('verify', args, { key: { type: 'string' }, json: { type: 'boolean', default: false }, ...VERIFY_POLICY_OPTIONS }, true);
    if (positionals.length !== 1) throw new SovraError('usage', 'sovra verify: give exactly one output directory, e.g. `sovra verify dist/edge --key signing.pub`.');
    if (!values.key) throw new SovraError('usage', 'sovra verify: --key <public.pem> is required: the public key of whoever signed the output (`sovra keygen` wrote it as <prefix>.pub).');
    const policy = await verifyPolicy('verify', values);
    const [{ verifyOutput }, { loadPublicKey }] = await Promise.all([import('../../supply-chain/verify.js'), import('../../supply-chain/keys.js')]);
    const key = loadPublicKey(values.key);
    const report = await verifyOutput(positionals[0]!, key, policy);
    if (values.json) {
      process.stdout.write(JSON.stringify({ ...report, dir: resolve(report.dir) }, null, 2) + '\n');
      return report.exitCode;
    }
    if (report.ok) {
      const docs = report.documents.map((d) => `${d.file} (CycloneDX ${d.specVersion}, ${d.components} components)`).join(', ');
      const lic = report.license ? `; license policy holds (${report.license.waived} waived, ${report.license.review} reviewed, ${report.license.unknown} unknown)` : '';
      const img = report.images ? `; ${report.images.total - report.images.unlocked.length} of ${report.images.total} images locked by digest${report.images.unlocked.length > 0 && !values['require-locked'] ? ' (--require-locked refuses the others)' : ''}` : '';
      process.stdout.write(`verified ${report.dir}: signed by key ${report.key}; ${report.subjects} files match the signed statement; ${docs}${lic}${img}\n`);
    } else {
      for (const f of report.findings) process.stderr.write(`sovra verify: [${f.exit} ${f.kind}] ${f.message}\n`);
      process.stderr.write(`sovra verify: ${report.dir} FAILED with ${report.findings.length} finding${report.findings.length === 1 ? '' : 's'} (exit ${report.exitCode})\n`);
    }
    return report.exitCode;
  },
};
