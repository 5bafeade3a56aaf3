/**
 * `sovra verify`'s CI gates over the signed provenance: --require-builder,
 * --require-source-commit, --require-clean, --require-profile. Each unmet
 * gate has its own exit status and names what it expected and what the
 * signed statement says; the gates read the signed statement, so editing
 * provenance.intoto.json alone cannot satisfy them.
 */
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../supply-chain/keys.js';
import { BUNDLE_PATH, signStatement, STATEMENT_PATH } from '../../supply-chain/sign.js';
import { LocalKeySigner } from '../../supply-chain/signer.js';
import { VERIFY_EXIT } from '../../supply-chain/verify.js';
import { checkProvenancePolicy, provenanceFacts } from '../../supply-chain/verify-policy.js';
import { sovra } from '../support/process.js';
import { synthProfile, tempDir } from '../support/synth-output.js';

const COMMIT = '0123456789abcdef0123456789abcdef01234567';
const OTHER = 'fedcba9876543210fedcba9876543210fedcba98';
let root: string;
let key: string;
let pub: string;
let builder: string;

/** A copy of the signed output whose signed statement records `source` (or no source), re-signed with the same key. */
async function withSource(name: string, source: { commit: string; dirty: boolean } | undefined): Promise<string> {
  const dir = join(root, name);
  cpSync(join(root, 'signed'), dir, { recursive: true });
  const st = JSON.parse(readFileSync(join(dir, STATEMENT_PATH), 'utf8'));
  const deps = st.predicate.buildDefinition.resolvedDependencies.filter((d: { name?: string }) => d.name !== 'sovra-source');
  if (source) deps.push({ name: 'sovra-source', digest: { gitCommit: source.commit }, annotations: { dirty: source.dirty } });
  st.predicate.buildDefinition.resolvedDependencies = deps;
  const bytes = Buffer.from(JSON.stringify(st, null, 2) + '\n');
  writeFileSync(join(dir, STATEMENT_PATH), bytes);
  writeFileSync(join(dir, BUNDLE_PATH), await signStatement(bytes, LocalKeySigner.fromFile(key)));
  return dir;
}

beforeAll(async () => {
  root = tempDir('sovra-gates-');
  const pair = generateKeyPair('ecdsa-p256');
  key = join(root, 'k.key');
  pub = join(root, 'k.pub');
  writeFileSync(key, pair.privateKey, { mode: 0o600 });
  writeFileSync(pub, pair.publicKey);
  await synthProfile('edge', join(root, 'signed'), { signer: LocalKeySigner.fromFile(key) });
  builder = provenanceFacts(JSON.parse(readFileSync(join(root, 'signed', STATEMENT_PATH), 'utf8'))).builder!;
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('verify gates over the signed provenance', () => {
  it('all gates met: exit 0', async () => {
    const dir = await withSource('clean', { commit: COMMIT, dirty: false });
    const r = await sovra(['verify', dir, '--key', pub, '--require-builder', builder, '--require-source-commit', COMMIT.slice(0, 12), '--require-clean', '--require-profile', 'edge']);
    expect(r.status, r.stderr).toBe(0);
    // The builder without its version accepts any version of it.
    const any = await sovra(['verify', dir, '--key', pub, '--require-builder', builder.slice(0, builder.indexOf('@'))]);
    expect(any.status, any.stderr).toBe(0);
  });

  it('another builder: 42, naming expected and found', async () => {
    const r = await sovra(['verify', join(root, 'signed'), '--key', pub, '--require-builder', 'https://ci.example/builder@1']);
    expect(r.status).toBe(VERIFY_EXIT.builder);
    expect(r.status).toBe(42);
    expect(r.stderr).toContain(`[42 builder] the statement signed in ${BUNDLE_PATH} names builder ${builder}; --require-builder expects https://ci.example/builder@1`);
  });

  it('another source commit: 43, naming expected and found; no source recorded: 43 too', async () => {
    const dir = await withSource('other', { commit: OTHER, dirty: false });
    const r = await sovra(['verify', dir, '--key', pub, '--require-source-commit', COMMIT]);
    expect(r.status).toBe(43);
    expect(r.stderr).toContain(`records source commit ${OTHER}; --require-source-commit expects ${COMMIT}`);
    const none = await withSource('none', undefined);
    const n = await sovra(['verify', none, '--key', pub, '--require-source-commit', COMMIT]);
    expect(n.status).toBe(43);
    expect(n.stderr).toContain('records no source commit');
  });

  it('uncommitted changes recorded: 44 with --require-clean, and the output still verifies without the gate', async () => {
    const dir = await withSource('dirty', { commit: COMMIT, dirty: true });
    const r = await sovra(['verify', dir, '--key', pub, '--require-clean']);
    expect(r.status).toBe(VERIFY_EXIT.dirty);
    expect(r.stderr).toContain(`records uncommitted changes in source ${COMMIT}; --require-clean expects a build from a committed tree with no changes`);
    expect((await sovra(['verify', dir, '--key', pub])).status).toBe(0);
  });

  it('another profile: 45, naming expected and found', async () => {
    const r = await sovra(['verify', join(root, 'signed'), '--key', pub, '--require-profile', 'cluster']);
    expect(r.status).toBe(45);
    expect(r.stderr).toContain('was built for profile edge; --require-profile expects cluster');
  });

  it('several unmet gates: one line each, the status is the lowest', async () => {
    const dir = await withSource('many', { commit: OTHER, dirty: true });
    const r = await sovra(['verify', dir, '--key', pub, '--require-profile', 'dev', '--require-clean', '--require-source-commit', COMMIT]);
    expect(r.status).toBe(43);
    for (const k of ['[43 source]', '[44 dirty]', '[45 profile]']) expect(r.stderr).toContain(k);
  });

  it('editing the statement file alone does not pass a gate: the signed statement is read', async () => {
    const dir = await withSource('edited', { commit: OTHER, dirty: false });
    const st = JSON.parse(readFileSync(join(dir, STATEMENT_PATH), 'utf8'));
    st.predicate.buildDefinition.externalParameters.profile = 'cluster';
    writeFileSync(join(dir, STATEMENT_PATH), JSON.stringify(st));
    const r = await sovra(['verify', dir, '--key', pub, '--require-profile', 'cluster']);
    expect(r.stderr).toContain('[45 profile]');
    expect(r.stderr).toContain('[33 statement]');
  });

  it('a malformed commit is a usage error (2) naming the flag', async () => {
    const r = await sovra(['verify', join(root, 'signed'), '--key', pub, '--require-source-commit', 'main']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--require-source-commit "main" is not a commit hash');
  });

  it('the checks themselves: a builder with a version must match exactly; a prefix needs no version', () => {
    const facts = { builder: 'https://sovra.dev/builder/sovra-synth@0.1.0', profile: 'edge', source: { commit: COMMIT, dirty: false } };
    expect(checkProvenancePolicy(facts, { requireBuilder: 'https://sovra.dev/builder/sovra-synth@0.1.0' })).toEqual([]);
    expect(checkProvenancePolicy(facts, { requireBuilder: 'https://sovra.dev/builder/sovra-synth@0.2.0' }).map((f) => f.kind)).toEqual(['builder']);
    expect(checkProvenancePolicy(facts, { requireBuilder: 'https://sovra.dev/builder/sovra-synt' }).map((f) => f.kind)).toEqual(['builder']);
    expect(checkProvenancePolicy({ ...facts, source: { commit: COMMIT } }, { requireClean: true }).map((f) => f.kind)).toEqual(['dirty']);
  });
});
