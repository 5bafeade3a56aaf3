/**
 * Keys, signing and `sovra verify`: sign then verify passes; each tamper
 * (one byte of a manifest, a deleted file, an added file, an edited
 * statement, another key's signature, another key's bundle, a corrupt
 * bundle, an invalid SBOM, a denied license) has its own exit status and
 * names what is wrong. Bundles written here verify on an independent path
 * (openssl over the DSSE pre-authentication encoding) and bundles signed by
 * openssl verify here. (The bundle against the Sigstore schema: test/conformance.)
 */
import { execFileSync } from 'node:child_process';
import { createHash, createPublicKey } from 'node:crypto';
import { appendFileSync, cpSync, existsSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, keyHint, loadPublicKey } from '../../supply-chain/keys.js';
import { BUNDLE_PATH, signStatement, STATEMENT_PATH } from '../../supply-chain/sign.js';
import { LocalKeySigner } from '../../supply-chain/signer.js';
import { VERIFY_EXIT, verifyOutput, type VerifyReport } from '../../supply-chain/verify.js';
import { createPrivateKey } from 'node:crypto';
import { sovra } from '../support/process.js';
import { REPO_ROOT } from '../support/shared.js';
import { TEST_EPOCH, listFiles, readJson, removeDir, synthProfile, tempDir } from '../support/synth-output.js';
import { imageName } from '../../constructs/kit/image.js';
import { ImageLock } from '../../constructs/kit/image-lock.js';
import { loadProfile } from '../../profiles/load.js';
import { buildPlatform } from '../../synth/synth.js';

interface Statement {
  subject: Array<{ name: string; digest: { sha256: string } }>;
  predicate: {
    buildDefinition: {
      externalParameters: { profile: string; profileSource: string };
      internalParameters: { sourceDateEpoch: number };
      resolvedDependencies: Array<{ name?: string; uri?: string; digest: Record<string, string>; annotations?: Record<string, unknown> }>;
    };
    runDetails: { builder: { id: string } };
  };
}

interface SerializedBundle {
  mediaType: string;
  verificationMaterial: { publicKey: { hint: string } };
  dsseEnvelope: { payload: string; payloadType: string; signatures: Array<{ sig: string; keyid: string }> };
}

let root: string;
let signed: string; // a signed edge output, never modified
let keys: { key: string; pub: string; otherKey: string; otherPub: string; edKey: string; edPub: string };

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

function writePair(prefix: string, algorithm: 'ecdsa-p256' | 'ed25519'): [string, string] {
  const pair = generateKeyPair(algorithm);
  writeFileSync(`${prefix}.key`, pair.privateKey, { mode: 0o600 });
  writeFileSync(`${prefix}.pub`, pair.publicKey);
  return [`${prefix}.key`, `${prefix}.pub`];
}

/** A fresh copy of the signed output to tamper with. */
function copy(name: string): string {
  const dir = join(root, name);
  cpSync(signed, dir, { recursive: true });
  return dir;
}

async function verify(dir: string, pub = keys.pub): Promise<VerifyReport> {
  return verifyOutput(dir, loadPublicKey(pub));
}

/** DSSE pre-authentication encoding, written out here independently of any library. */
function pae(type: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`DSSEv1 ${Buffer.byteLength(type)} ${type} ${body.length} `), body]);
}

beforeAll(async () => {
  root = tempDir('sovra-sign-');
  const [key, pub] = writePair(join(root, 'signing'), 'ecdsa-p256');
  const [otherKey, otherPub] = writePair(join(root, 'other'), 'ecdsa-p256');
  const [edKey, edPub] = writePair(join(root, 'ed'), 'ed25519');
  keys = { key, pub, otherKey, otherPub, edKey, edPub };
  signed = join(root, 'signed');
  await synthProfile('edge', signed, { signer: LocalKeySigner.fromFile(key) });
});
afterAll(() => removeDir(root));

describe('sovra keygen', () => {
  it('writes a PKCS#8 private key with mode 0600 and an SPKI public key, and never overwrites', async () => {
    const prefix = join(root, 'kg');
    const r = await sovra(['keygen', '--out', prefix]);
    expect(r.status, r.stderr).toBe(0);
    expect(statSync(`${prefix}.key`).mode & 0o777).toBe(0o600);
    const priv = readFileSync(`${prefix}.key`, 'utf8');
    expect(priv).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const pub = createPublicKey(readFileSync(`${prefix}.pub`));
    expect(pub.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(r.stdout).toContain(keyHint(pub));
    // The pair belongs together.
    expect(createPublicKey(createPrivateKey(priv)).export({ type: 'spki', format: 'pem' })).toBe(readFileSync(`${prefix}.pub`, 'utf8'));

    const again = await sovra(['keygen', '--out', prefix]);
    expect(again.status).toBe(7);
    expect(again.stderr).toMatch(/kg\.key already exists; sovra keygen never overwrites/);
    expect(readFileSync(`${prefix}.key`, 'utf8')).toBe(priv);
  });

  it('writes Ed25519 on request and rejects unknown algorithms and a missing --out', async () => {
    const prefix = join(root, 'kg-ed');
    expect((await sovra(['keygen', '--out', prefix, '--algorithm', 'ed25519'])).status).toBe(0);
    expect(createPublicKey(readFileSync(`${prefix}.pub`)).asymmetricKeyType).toBe('ed25519');
    const bad = await sovra(['keygen', '--out', join(root, 'kg-rsa'), '--algorithm', 'rsa']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--algorithm rsa is not supported; use ecdsa-p256 or ed25519');
    expect(existsSync(join(root, 'kg-rsa.key'))).toBe(false);
    expect((await sovra(['keygen'])).stderr).toContain('--out <prefix> is required');
  });
});

describe('signing', () => {
  it('writes a v0.3 DSSE bundle with the key hint over the exact statement file, and no transparency log', () => {
    const bundle = readJson<SerializedBundle & { verificationMaterial: { tlogEntries?: unknown[] } }>(signed, BUNDLE_PATH);
    expect(bundle.mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
    expect(bundle.verificationMaterial.publicKey.hint).toBe(keyHint(loadPublicKey(keys.pub)));
    expect(bundle.verificationMaterial.tlogEntries ?? []).toEqual([]);
    expect(bundle.dsseEnvelope.payloadType).toBe('application/vnd.in-toto+json');
    expect(Buffer.from(bundle.dsseEnvelope.payload, 'base64').equals(readFileSync(join(signed, STATEMENT_PATH)))).toBe(true);
  });

  it('records builder, source commit, profile, inputs by digest and SOURCE_DATE_EPOCH in the SLSA predicate', () => {
    const st = readJson<Statement>(signed, STATEMENT_PATH);
    const def = st.predicate.buildDefinition;
    expect(st.predicate.runDetails.builder.id).toMatch(/^https:\/\/sovra\.dev\/builder\/sovra-synth@\d+\.\d+\.\d+$/);
    expect(def.externalParameters.profile).toBe('edge');
    expect(def.internalParameters.sourceDateEpoch).toBe(Number(TEST_EPOCH));
    const byName = new Map(def.resolvedDependencies.map((d) => [d.name, d]));
    expect(byName.get('package-lock.json')?.digest.sha256).toBe(sha256(readFileSync(join(REPO_ROOT, 'package-lock.json'))));
    const head = execFileSync('git', ['-C', REPO_ROOT, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    expect(byName.get('sovra-source')?.digest.gitCommit).toBe(head);
    expect(typeof byName.get('sovra-source')?.annotations?.dirty).toBe('boolean');
    expect(byName.get('profile:edge')?.digest.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('records a profile file by the digest of its bytes', async () => {
    const file = join(root, 'site.yaml');
    writeFileSync(file, 'extends: edge\nname: site\nreplicas: { stateless: 1, stateful: 1 }\n');
    const out = join(root, 'site-out');
    await synthProfile(file, out, { profileFile: file });
    const deps = readJson<Statement>(out, STATEMENT_PATH).predicate.buildDefinition.resolvedDependencies;
    expect(deps.find((d) => d.name === 'profile-file')?.digest.sha256).toBe(sha256(readFileSync(file)));
  });

  it('gives the same statement when signing twice, with either key type', async () => {
    const again = join(root, 'signed-again');
    await synthProfile('edge', again, { signer: LocalKeySigner.fromFile(keys.edKey) });
    expect(readFileSync(join(again, STATEMENT_PATH)).equals(readFileSync(join(signed, STATEMENT_PATH)))).toBe(true);
    const a = readJson<SerializedBundle>(signed, BUNDLE_PATH);
    const b = readJson<SerializedBundle>(again, BUNDLE_PATH);
    expect(b.dsseEnvelope.payload).toBe(a.dsseEnvelope.payload);
    // Ed25519 is deterministic: signing the same statement again gives the same bundle.
    const twice = await signStatement(readFileSync(join(again, STATEMENT_PATH)), LocalKeySigner.fromFile(keys.edKey));
    expect(twice).toBe(readFileSync(join(again, BUNDLE_PATH), 'utf8'));
    expect((await verify(again, keys.edPub)).exitCode).toBe(0);
  });

});

describe('independent paths', () => {
  it('a bundle written here verifies with openssl over the DSSE pre-authentication encoding', () => {
    const bundle = readJson<SerializedBundle>(signed, BUNDLE_PATH);
    const payload = Buffer.from(bundle.dsseEnvelope.payload, 'base64');
    writeFileSync(join(root, 'pae.bin'), pae(bundle.dsseEnvelope.payloadType, payload));
    writeFileSync(join(root, 'sig.der'), Buffer.from(bundle.dsseEnvelope.signatures[0]!.sig, 'base64'));
    const out = execFileSync('openssl', ['dgst', '-sha256', '-verify', keys.pub, '-signature', join(root, 'sig.der'), join(root, 'pae.bin')], { encoding: 'utf8' });
    expect(out.trim()).toBe('Verified OK');
    // And openssl refuses the other key, so the check above means something.
    expect(() => execFileSync('openssl', ['dgst', '-sha256', '-verify', keys.otherPub, '-signature', join(root, 'sig.der'), join(root, 'pae.bin')], { stdio: 'pipe' })).toThrow();
  });

  it('a bundle signed by openssl (no Sigstore code) verifies with sovra verify', async () => {
    const dir = copy('openssl-signed');
    const statement = readFileSync(join(dir, STATEMENT_PATH));
    const type = 'application/vnd.in-toto+json';
    writeFileSync(join(root, 'pae2.bin'), pae(type, statement));
    const sig = execFileSync('openssl', ['dgst', '-sha256', '-sign', keys.otherKey, join(root, 'pae2.bin')]);
    const pub = readFileSync(keys.otherPub, 'utf8');
    const hint = sha256(createPublicKey(pub).export({ type: 'spki', format: 'der' }));
    const bundle = {
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      verificationMaterial: { publicKey: { hint }, tlogEntries: [], timestampVerificationData: { rfc3161Timestamps: [] } },
      dsseEnvelope: { payload: statement.toString('base64'), payloadType: type, signatures: [{ sig: sig.toString('base64'), keyid: '' }] },
    };
    writeFileSync(join(dir, BUNDLE_PATH), JSON.stringify(bundle));
    const r = await sovra(['verify', dir, '--key', keys.otherPub]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`signed by key ${hint}`);
  });
});

describe('sovra verify', () => {
  it('passes on a signed output (real process) and prints a JSON report', async () => {
    const r = await sovra(['verify', signed, '--key', keys.pub]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/files match the signed statement; sbom\.cdx\.json \(CycloneDX 1\.6, \d+ components\), cbom\.cdx\.json/);
    const j = await sovra(['verify', signed, '--key', keys.pub, '--json']);
    const report = JSON.parse(j.stdout) as VerifyReport;
    expect(report.ok).toBe(true);
    expect(report.signatureVerified).toBe(true);
    expect(report.subjects).toBe(listFiles(signed).length - 2);
    expect(report.findings).toEqual([]);
  });

  it('--require-locked: unlocked images (39) naming each; a fully locked output passes the gate', async () => {
    const r = await sovra(['verify', signed, '--key', keys.pub, '--require-locked']);
    expect(r.status).toBe(VERIFY_EXIT.unlocked);
    expect(r.status).toBe(39);
    const sbom = readJson<{ components: Array<{ type: string; name: string; version: string; properties?: Array<{ name: string; value: string }> }> }>(signed, 'sbom.cdx.json');
    const unlocked = sbom.components.filter((c) => c.type === 'container' && c.properties?.some((p) => p.name === 'sovra:image:locked' && p.value === 'false'));
    expect(unlocked.length).toBeGreaterThan(0);
    for (const c of unlocked) expect(r.stderr).toContain(`[39 unlocked] image ${c.name}:${c.version} is not pinned by digest`);
    // Without the flag the same output verifies, and says how many images are locked.
    const plain = await sovra(['verify', signed, '--key', keys.pub]);
    expect(plain.status).toBe(0);
    expect(plain.stdout).toMatch(/\d+ of \d+ images locked by digest \(--require-locked refuses the others\)/);
    // Lock every image of the platform (test digests) and the gate passes.
    const shippedLock = ImageLock.shipped();
    const images = buildPlatform(loadProfile('edge')).platform.images();
    const lock = ImageLock.parse(
      JSON.stringify({
        lockVersion: 1,
        images: images.map((i, n) => shippedLock.entry(i) ?? { reference: imageName(i), digest: `sha256:${String(n).padStart(64, '0')}`, source: 'computed from test bytes', recordedAt: '2026-12-01' }),
      }),
      'test.lock.json',
    );
    const locked = join(root, 'locked');
    await synthProfile('edge', locked, { signer: LocalKeySigner.fromFile(keys.key), lock });
    const gate = await sovra(['verify', locked, '--key', keys.pub, '--require-locked']);
    expect(gate.status, gate.stderr).toBe(0);
    expect(gate.stdout).toMatch(/(\d+) of \1 images locked by digest/);
  });

  it('one changed byte in a manifest: modified (34), naming the file', async () => {
    const dir = copy('t-byte');
    const file = join(dir, 'manifests/nats.yaml');
    const bytes = readFileSync(file);
    bytes[100] = bytes[100]! ^ 1;
    writeFileSync(file, bytes);
    const r = await sovra(['verify', dir, '--key', keys.pub]);
    expect(r.status).toBe(VERIFY_EXIT.modified);
    expect(r.stderr).toMatch(/\[34 modified\] modified file manifests\/nats\.yaml: sha256 [0-9a-f]{64}, the signed statement says [0-9a-f]{64}/);
  });

  it('a deleted file: missing (35), naming it', async () => {
    const dir = copy('t-delete');
    unlinkSync(join(dir, 'host/config.yaml'));
    const report = await verify(dir);
    expect(report.exitCode).toBe(VERIFY_EXIT.missing);
    expect(report.findings.map((f) => [f.kind, f.file])).toEqual([['missing', 'host/config.yaml']]);
  });

  it('an added file: extra (36), naming it', async () => {
    const dir = copy('t-add');
    writeFileSync(join(dir, 'manifests/backdoor.yaml'), 'kind: Pod\n');
    const report = await verify(dir);
    expect(report.exitCode).toBe(VERIFY_EXIT.extra);
    expect(report.findings.map((f) => [f.kind, f.file])).toEqual([['extra', 'manifests/backdoor.yaml']]);
  });

  it('an edited statement file: statement (33)', async () => {
    const dir = copy('t-statement');
    const st = readJson<Statement>(dir, STATEMENT_PATH);
    st.subject[0]!.digest.sha256 = '0'.repeat(64);
    writeFileSync(join(dir, STATEMENT_PATH), JSON.stringify(st));
    const report = await verify(dir);
    expect(report.exitCode).toBe(VERIFY_EXIT.statement);
    expect(report.findings.map((f) => f.message)).toEqual([`${STATEMENT_PATH} differs from the statement signed in ${BUNDLE_PATH}: it was edited after signing`]);
  });

  it('an edited statement inside the bundle: signature (32)', async () => {
    const dir = copy('t-payload');
    const bundle = readJson<SerializedBundle>(dir, BUNDLE_PATH);
    const st = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8')) as Statement;
    st.subject = st.subject.filter((s) => s.name !== 'host/config.yaml');
    bundle.dsseEnvelope.payload = Buffer.from(JSON.stringify(st)).toString('base64');
    writeFileSync(join(dir, BUNDLE_PATH), JSON.stringify(bundle));
    const report = await verify(dir);
    expect(report.exitCode).toBe(VERIFY_EXIT.signature);
    expect(report.signatureVerified).toBe(false);
    expect(report.findings[0]!.message).toMatch(/the signature does not verify with the given key/);
  });

  it("another key's signature swapped in (same hint): signature (32)", async () => {
    const dir = copy('t-swap-sig');
    const bundle = readJson<SerializedBundle>(dir, BUNDLE_PATH);
    const statement = Buffer.from(bundle.dsseEnvelope.payload, 'base64');
    const other = JSON.parse(await signStatement(statement, LocalKeySigner.fromFile(keys.otherKey))) as SerializedBundle;
    bundle.dsseEnvelope.signatures[0]!.sig = other.dsseEnvelope.signatures[0]!.sig;
    writeFileSync(join(dir, BUNDLE_PATH), JSON.stringify(bundle));
    const r = await sovra(['verify', dir, '--key', keys.pub]);
    expect(r.status).toBe(VERIFY_EXIT.signature);
    expect(r.stderr).toContain('[32 signature]');
  });

  it("another key's whole bundle: key (31), naming both hints", async () => {
    const dir = copy('t-swap-key');
    writeFileSync(join(dir, BUNDLE_PATH), await signStatement(readFileSync(join(dir, STATEMENT_PATH)), LocalKeySigner.fromFile(keys.otherKey)));
    const report = await verify(dir);
    expect(report.exitCode).toBe(VERIFY_EXIT.key);
    const otherHint = keyHint(loadPublicKey(keys.otherPub));
    expect(report.findings[0]!.message).toContain(`signed by key ${otherHint}, not by the given key ${keyHint(loadPublicKey(keys.pub))}`);
    // With the right key the same output passes.
    expect((await verify(dir, keys.otherPub)).exitCode).toBe(0);
  });

  it('a corrupt bundle: bundle (30); a missing bundle: bundle (30)', async () => {
    const dir = copy('t-corrupt');
    const text = readFileSync(join(dir, BUNDLE_PATH), 'utf8');
    writeFileSync(join(dir, BUNDLE_PATH), text.slice(0, text.length / 2));
    const r = await sovra(['verify', dir, '--key', keys.pub]);
    expect(r.status).toBe(VERIFY_EXIT.bundle);
    expect(r.stderr).toMatch(/\[30 bundle\] provenance\.sigstore\.json is not valid JSON/);
    unlinkSync(join(dir, BUNDLE_PATH));
    const report = await verify(dir);
    expect(report.exitCode).toBe(VERIFY_EXIT.bundle);
    expect(report.findings[0]!.message).toMatch(/the output is not signed/);
  });

  it('a signed output whose SBOM is not valid CycloneDX: document (37); with a denied license: license (38)', async () => {
    // Re-sign after the change, as a faulty or malicious synth would: the digests hold, the content does not.
    const resign = async (dir: string, edit: (sbom: { components: Array<Record<string, unknown>> }) => void) => {
      const sbom = readJson<{ components: Array<Record<string, unknown>> }>(dir, 'sbom.cdx.json');
      edit(sbom);
      const text = JSON.stringify(sbom, null, 2) + '\n';
      writeFileSync(join(dir, 'sbom.cdx.json'), text);
      const st = readJson<Statement>(dir, STATEMENT_PATH);
      st.subject.find((s) => s.name === 'sbom.cdx.json')!.digest.sha256 = sha256(text);
      writeFileSync(join(dir, STATEMENT_PATH), JSON.stringify(st));
      writeFileSync(join(dir, BUNDLE_PATH), await signStatement(readFileSync(join(dir, STATEMENT_PATH)), LocalKeySigner.fromFile(keys.key)));
    };
    const invalid = copy('t-sbom');
    await resign(invalid, (s) => (s.components[0]!.type = 'not-a-type'));
    const a = await verify(invalid);
    expect(a.exitCode).toBe(VERIFY_EXIT.document);
    expect(a.findings.map((f) => f.file)).toEqual(['sbom.cdx.json']);

    const denied = copy('t-license');
    let victim = '';
    await resign(denied, (s) => {
      const c = s.components.find((x) => typeof x['bom-ref'] === 'string' && (x['bom-ref'] as string).startsWith('image:'))!;
      victim = c['bom-ref'] as string;
      c.licenses = [{ expression: 'SSPL-1.0' }];
    });
    const b = await verify(denied);
    expect(b.exitCode).toBe(VERIFY_EXIT.license);
    expect(b.findings).toHaveLength(1);
    expect(b.findings[0]!.component).toBe(victim);
    expect(b.findings[0]!.message).toContain('SSPL-1.0');
  });

  it('hashes a large output on worker threads and still finds one changed byte in a large file', async () => {
    const dir = copy('t-large');
    // 5 × 8 MiB: above the 32 MiB at which verify spreads files over a pool of worker threads.
    const big = Buffer.alloc(8 << 20);
    for (let i = 0; i < 5; i++) writeFileSync(join(dir, `blob-${i}.bin`), big.fill(i + 1));
    const st = readJson<Statement>(dir, STATEMENT_PATH);
    for (let i = 0; i < 5; i++) st.subject.push({ name: `blob-${i}.bin`, digest: { sha256: sha256(readFileSync(join(dir, `blob-${i}.bin`))) } });
    writeFileSync(join(dir, STATEMENT_PATH), JSON.stringify(st));
    writeFileSync(join(dir, BUNDLE_PATH), await signStatement(readFileSync(join(dir, STATEMENT_PATH)), LocalKeySigner.fromFile(keys.key)));
    const ok = await verify(dir);
    expect(ok.exitCode, JSON.stringify(ok.findings)).toBe(0);
    expect(ok.bytesHashed).toBeGreaterThan(40 << 20);
    const file = join(dir, 'blob-3.bin');
    const bytes = readFileSync(file);
    bytes[(8 << 20) - 1] = 0;
    writeFileSync(file, bytes);
    const bad = await verify(dir);
    expect(bad.exitCode).toBe(VERIFY_EXIT.modified);
    expect(bad.findings.map((f) => f.file)).toEqual(['blob-3.bin']);
  });

  it('reports every finding and exits with the most fundamental one', async () => {
    const dir = copy('t-many');
    appendFileSync(join(dir, 'manifests/cilium.yaml'), '# x\n');
    writeFileSync(join(dir, 'extra.txt'), 'x');
    unlinkSync(join(dir, 'SHA256SUMS'));
    const report = await verify(dir);
    expect(report.findings.map((f) => f.kind).sort()).toEqual(['extra', 'missing', 'modified']);
    expect(report.exitCode).toBe(VERIFY_EXIT.modified);
  });

  it('rejects a private key as --key, a missing directory and missing arguments with clear messages', async () => {
    const priv = await sovra(['verify', signed, '--key', keys.key]);
    expect(priv.status).toBe(7);
    expect(priv.stderr).toContain('holds a private key; verification takes the public key');
    const nodir = await sovra(['verify', join(root, 'nope'), '--key', keys.pub]);
    expect(nodir.status).toBe(7);
    expect(nodir.stderr).toContain('does not exist; give the output directory of a synth');
    expect((await sovra(['verify', signed])).status).toBe(2);
  });
});

describe('sovra sign and synth --sign', () => {
  it('signs an existing output; refuses one that no longer matches its statement', async () => {
    const dir = join(root, 'unsigned');
    const r = await sovra(['synth', '--profile', 'edge', '--out', dir, '--quiet'], { SOURCE_DATE_EPOCH: TEST_EPOCH });
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(dir, BUNDLE_PATH))).toBe(false);
    expect((await verify(dir)).exitCode).toBe(VERIFY_EXIT.bundle);
    const s = await sovra(['sign', dir, '--key', keys.key]);
    expect(s.status, s.stderr).toBe(0);
    expect((await verify(dir)).exitCode).toBe(0);
    // The CLI synth with --sign writes the same statement as the in-process synth.
    expect(readFileSync(join(dir, STATEMENT_PATH)).equals(readFileSync(join(signed, STATEMENT_PATH)))).toBe(true);

    appendFileSync(join(dir, 'host/config.yaml'), 'debug: true\n');
    const bundleBefore = readFileSync(join(dir, BUNDLE_PATH));
    const refused = await sovra(['sign', dir, '--key', keys.key]);
    expect(refused.status).toBe(9);
    expect(refused.stderr).toContain('modified file host/config.yaml');
    expect(readFileSync(join(dir, BUNDLE_PATH)).equals(bundleBefore)).toBe(true);
  });

  it('synth --sign signs in the same atomic step; a bad key fails before anything is written', async () => {
    const dir = join(root, 'cli-signed');
    const r = await sovra(['synth', '--profile', 'dev', '--out', dir, '--sign', '--key', keys.edKey, '--cyclonedx', '1.7'], { SOURCE_DATE_EPOCH: TEST_EPOCH });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`signed with key ${keyHint(loadPublicKey(keys.edPub))}`);
    const v = await sovra(['verify', dir, '--key', keys.edPub, '--json']);
    expect(v.status, v.stderr).toBe(0);
    // --cyclonedx 1.7 writes both documents in 1.7, and verify validates each against its own version.
    expect((JSON.parse(v.stdout) as VerifyReport).documents.map((d) => [d.file, d.specVersion, d.valid])).toEqual([
      ['sbom.cdx.json', '1.7', true],
      ['cbom.cdx.json', '1.7', true],
    ]);
    expect((await sovra(['synth', '--profile', 'dev', '--out', join(root, 'v15'), '--cyclonedx', '1.5'])).stderr).toContain('--cyclonedx 1.5 is not supported; use 1.6 (the default) or 1.7');

    const bad = join(root, 'bad.key');
    writeFileSync(bad, 'not a key');
    const out = join(root, 'never');
    const f = await sovra(['synth', '--profile', 'dev', '--out', out, '--sign', '--key', bad]);
    expect(f.status).toBe(7);
    expect(f.stderr).toContain('is not a PEM file');
    expect(existsSync(out)).toBe(false);
    expect((await sovra(['synth', '--profile', 'dev', '--sign'])).status).toBe(2);
    rmSync(dir, { recursive: true, force: true });
  });
});
