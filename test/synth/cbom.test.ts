/**
 * The CBOM of a real synth of each built-in profile: one entry for every
 * crypto asset the components declare (read from the construct tree, not a
 * list in this test), each occurrence pointing at an object and field that
 * the written files really hold with the value the CBOM states, valid
 * CycloneDX 1.6, byte-identical across synths, and the profile's FIPS mode.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELM_CONTROLLER_NAMESPACE } from '../../constructs/kit/chart.js';
import type { Evidence } from '../../constructs/kit/claims.js';
import { CLUSTER_SCOPED } from '../../constructs/kit/component.js';
import type { CryptoAsset } from '../../constructs/kit/crypto.js';
import { isSovraError } from '../../core/errors.js';
import { loadProfile } from '../../profiles/load.js';
import { CBOM_PATH, cryptoBomRef } from '../../supply-chain/cbom.js';
import { validateCycloneDx16 } from '../../supply-chain/cyclonedx-validate.js';
import { jsonEqual, readField } from '../../output/field-path.js';
import type { ObjectId } from '../../output/model.js';
import { buildPlatform } from '../../synth/synth.js';
import { PROFILES, readYamlDocs, removeDir, synthAll, synthProfile, type ProfileName } from '../support/synth-output.js';

interface Occurrence {
  location: string;
  additionalContext: string;
}
interface CdxComponent {
  type: string;
  'bom-ref': string;
  name: string;
  cryptoProperties?: {
    assetType: string;
    algorithmProperties?: { primitive: string; certificationLevel: string[] };
    protocolProperties?: { type: string; version?: string; cipherSuites?: Array<{ name: string; algorithms: string[] }>; cryptoRefArray?: string[] };
    relatedCryptoMaterialProperties?: { type: string; algorithmRef?: string };
  };
  evidence?: { occurrences: Occurrence[] };
  properties?: Array<{ name: string; value: string }>;
}
interface Cbom {
  specVersion: string;
  serialNumber: string;
  metadata: { timestamp: string; properties: Array<{ name: string; value: string }> };
  components: CdxComponent[];
  dependencies: Array<{ ref: string; dependsOn?: string[]; provides?: string[] }>;
}
interface Context {
  object?: ObjectId;
  path: string;
  expectation: string;
  actual: unknown;
}

let root: string;
let dirs: Record<ProfileName, string>;
beforeAll(async () => {
  ({ root, dirs } = await synthAll());
});
afterAll(() => removeDir(root));

const cbomText = (p: ProfileName) => readFileSync(join(dirs[p], CBOM_PATH), 'utf8');
const cbom = (p: ProfileName) => JSON.parse(cbomText(p)) as Cbom;

/** The document at `object` in a written file, parsed here with the `yaml` package (not the synth's own reader). */
function writtenDocument(dir: string, file: string, object: ObjectId | undefined): unknown {
  if (file.endsWith('.json')) return JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const docs = readYamlDocs(dir, file) as Array<{ apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } }>;
  if (!object) return docs[0];
  const found = docs.filter((d) => d.apiVersion === object.apiVersion && d.kind === object.kind && d.metadata?.name === object.name && d.metadata?.namespace === object.namespace);
  expect(found, `${file} holds ${object.kind} ${object.namespace ?? ''}/${object.name} exactly once`).toHaveLength(1);
  return found[0];
}

/** Where a declared setting must be in the output, worked out from the declaration and the profile. */
function expectedLocation(e: Evidence, componentId: string, terraform: boolean): { file: string; object?: ObjectId; path: string } {
  const t = e.target;
  if (t.kind === 'host-file') return { file: t.file, path: e.path };
  if (t.kind === 'chart') {
    if (terraform) return { file: 'terraform/cdk.tf.json', object: { apiVersion: 'terraform', kind: 'helm_release', name: t.release }, path: `resource.helm_release.${t.release}.values[0].${e.path}` };
    return { file: `manifests/${componentId}.yaml`, object: { apiVersion: 'helm.cattle.io/v1', kind: 'HelmChart', namespace: HELM_CONTROLLER_NAMESPACE, name: t.release }, path: `spec.valuesContent.${e.path}` };
  }
  const o = t.object;
  return {
    file: `manifests/${componentId}.yaml`,
    object: { apiVersion: o.apiVersion, kind: o.kind, name: o.name, ...(CLUSTER_SCOPED.has(o) ? {} : { namespace: o.metadata.namespace! }) },
    path: e.path,
  };
}

function holds(e: Evidence, actual: unknown): boolean {
  if (e.present) return actual !== undefined && actual !== null;
  if (e.contains !== undefined) return Array.isArray(actual) && actual.some((v) => jsonEqual(v, e.contains));
  return jsonEqual(actual, e.equals);
}

describe.each(PROFILES)('CBOM of profile %s', (profile) => {
  it('is valid CycloneDX 1.6 with cryptographic assets and the platform as subject', () => {
    const text = cbomText(profile);
    expect(() => validateCycloneDx16(text, 'cbom')).not.toThrow();
    const doc = cbom(profile);
    expect(doc.specVersion).toBe('1.6');
    expect(doc.serialNumber).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(doc.metadata.timestamp).toBe('2026-01-01T00:00:00Z');
    expect(doc.components.filter((c) => c.type === 'cryptographic-asset').length).toBeGreaterThan(10);
  });

  it('has an entry for every crypto asset every component declares, linked to that component, at the setting that configures it', () => {
    const doc = cbom(profile);
    const byRef = new Map(doc.components.map((c) => [c['bom-ref'], c]));
    const terraform = loadProfile(profile).deploy === 'cdktf';
    const { platform } = buildPlatform(loadProfile(profile));
    let declared = 0;
    for (const component of platform.components) {
      const provides = doc.dependencies.find((d) => d.ref === `component:${component.node.id}`)?.provides ?? [];
      for (const asset of component.cryptoAssets as readonly CryptoAsset[]) {
        declared++;
        // An algorithm a component runs in a second implementation has its own entry, `<ref>@<implementation>`.
        const base = cryptoBomRef(component.node.id, asset.type, asset.name);
        const suffixed = asset.type === 'algorithm' ? `${base}@${asset.implementation.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}` : base;
        const ref = byRef.has(suffixed) ? suffixed : base;
        const entry = byRef.get(ref);
        const what = `${component.node.id}: ${asset.type} "${asset.name}"`;
        expect(entry, `${what} is in the CBOM`).toBeDefined();
        expect(entry!.type).toBe('cryptographic-asset');
        expect(entry!.name).toBe(asset.name);
        expect(entry!.cryptoProperties?.assetType, what).toBe(asset.type);
        expect(entry!.properties).toContainEqual({ name: 'sovra:component', value: component.node.id });
        expect(provides, `component:${component.node.id} provides ${ref}`).toContain(ref);
        // The occurrence is where the declaration says, and the written file holds the declared value there.
        const where = expectedLocation(asset.configuredBy, component.node.id, terraform);
        const occ = entry!.evidence!.occurrences.map((o) => ({ location: o.location, ...(JSON.parse(o.additionalContext) as Context) }));
        const match = occ.find((o) => o.location === where.file && o.path === where.path && jsonEqual(o.object, where.object));
        expect(match, `${what}: an occurrence at ${where.file} ${JSON.stringify(where.object)} ${where.path}; got ${JSON.stringify(occ)}`).toBeDefined();
        const actual = readField(writtenDocument(dirs[profile], where.file, where.object), where.path);
        expect(holds(asset.configuredBy, actual), `${what}: ${where.file} ${where.path} = ${JSON.stringify(actual)}`).toBe(true);
        expect(match!.actual, what).toEqual(actual);
      }
    }
    expect(declared).toBeGreaterThan(10);
  });

  it('states in every occurrence a value that the written file holds at that object and field', () => {
    const doc = cbom(profile);
    const assets = doc.components.filter((c) => c.type === 'cryptographic-asset');
    for (const a of assets) {
      expect(a.evidence?.occurrences.length, a['bom-ref']).toBeGreaterThan(0);
      for (const o of a.evidence!.occurrences) {
        const ctx = JSON.parse(o.additionalContext) as Context;
        const actual = readField(writtenDocument(dirs[profile], o.location, ctx.object), ctx.path);
        expect(actual, `${a['bom-ref']}: ${o.location} ${ctx.path}`).not.toBeUndefined();
        expect(actual, `${a['bom-ref']}: ${o.location} ${ctx.path}`).toEqual(ctx.actual);
      }
    }
  });

  it('references only assets of the same document from suites, protocols, keys and the dependency graph', () => {
    const doc = cbom(profile);
    const refs = new Set(doc.components.map((c) => c['bom-ref']));
    const used = doc.components.flatMap((c) => [
      ...(c.cryptoProperties?.protocolProperties?.cipherSuites ?? []).flatMap((s) => s.algorithms),
      ...(c.cryptoProperties?.protocolProperties?.cryptoRefArray ?? []),
      ...(c.cryptoProperties?.relatedCryptoMaterialProperties?.algorithmRef ? [c.cryptoProperties.relatedCryptoMaterialProperties.algorithmRef] : []),
    ]);
    for (const d of doc.dependencies) used.push(...(d.dependsOn ?? []), ...(d.provides ?? []));
    expect(used.filter((r) => !refs.has(r) && !r.startsWith('platform:'))).toEqual([]);
    expect(used.length).toBeGreaterThan(0);
    for (const c of doc.components) expect(doc.dependencies.some((d) => d.ref === c['bom-ref']), c['bom-ref']).toBe(true);
  });
});

describe('what the CBOM says about the stack', () => {
  const asset = (p: ProfileName, component: string, type: string, name: string) => {
    const c = cbom(p).components.find((x) => x['bom-ref'] === cryptoBomRef(component, type, name));
    if (!c) throw new Error(`${p}: no ${component} ${type} ${name}`);
    return c;
  };
  const meta = (p: ProfileName, name: string) => cbom(p).metadata.properties.find((x) => x.name === name)?.value;

  it('records FIPS mode true for cluster (RKE2) and false for dev and edge (K3s)', () => {
    expect(meta('cluster', 'sovra:fips:mode')).toBe('true');
    expect(meta('edge', 'sovra:fips:mode')).toBe('false');
    expect(meta('dev', 'sovra:fips:mode')).toBe('false');
    expect(meta('cluster', 'sovra:distribution')).toBe('rke2');
    expect(meta('edge', 'sovra:distribution')).toBe('k3s');
  });

  it('claims a FIPS 140 certification only for algorithms that RKE2 binaries implement, never for Cilium, NATS or the control plane, and none on K3s', () => {
    const certified = (p: ProfileName) =>
      cbom(p)
        .components.filter((c) => (c.cryptoProperties?.algorithmProperties?.certificationLevel ?? []).some((l) => l.startsWith('fips')))
        .map((c) => c['bom-ref'])
        .sort();
    expect(certified('cluster')).toEqual(['aes-128-gcm', 'aes-256-cbc', 'aes-256-gcm', 'sha-256', 'sha-384'].map((a) => `crypto:distribution:algorithm:${a}`));
    // ChaCha20-Poly1305 is no FIPS-approved algorithm, even in the API server of RKE2.
    expect(asset('cluster', 'distribution', 'algorithm', 'ChaCha20-Poly1305').cryptoProperties?.algorithmProperties?.certificationLevel).toEqual(['none']);
    expect(certified('edge')).toEqual([]);
    expect(certified('dev')).toEqual([]);
    expect(meta('cluster', 'sovra:fips:precondition')).toMatch(/FIPS mode/);
    expect(meta('edge', 'sovra:fips:precondition')).toBeUndefined();
  });

  it('lists TLS 1.3 with its three suites for the API server and NATS, WireGuard with its algorithms, and the keys by role', () => {
    for (const p of PROFILES) {
      const tls = asset(p, 'nats', 'protocol', 'TLS 1.3 (NATS client connections)').cryptoProperties!.protocolProperties!;
      expect(tls.type).toBe('tls');
      expect(tls.version).toBe('1.3');
      expect(tls.cipherSuites!.map((s) => s.name)).toEqual(['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']);
      expect(tls.cipherSuites![1]!.algorithms).toEqual(['crypto:nats:algorithm:aes-256-gcm', 'crypto:nats:algorithm:sha-384']);
      expect(asset(p, 'distribution', 'protocol', 'TLS 1.3 (Kubernetes API server)').cryptoProperties!.protocolProperties!.version).toBe('1.3');
      expect(asset(p, 'cilium', 'protocol', 'WireGuard').cryptoProperties!.protocolProperties!.cryptoRefArray).toEqual(
        ['blake2s-256', 'chacha20-poly1305', 'x25519'].map((a) => `crypto:cilium:algorithm:${a}`),
      );
      expect(asset(p, 'cilium', 'protocol', 'Hubble mTLS').properties).toContainEqual({ name: 'sovra:crypto:mutual-authentication', value: 'true' });
      const jsKey = asset(p, 'nats', 'related-crypto-material', 'JetStream encryption key');
      expect(jsKey.cryptoProperties!.relatedCryptoMaterialProperties).toMatchObject({ type: 'secret-key', algorithmRef: 'crypto:nats:algorithm:aes-256-gcm' });
      expect(jsKey.properties).toContainEqual({ name: 'sovra:crypto:stored-in', value: 'Secret sovra-messaging/nats-jetstream-key key key' });
      const auditKey = asset(p, 'control-plane', 'related-crypto-material', 'Audit checkpoint signing key');
      expect(auditKey.cryptoProperties!.relatedCryptoMaterialProperties).toMatchObject({ type: 'private-key', algorithmRef: 'crypto:control-plane:algorithm:ed25519' });
      expect(auditKey.properties).toContainEqual({ name: 'sovra:crypto:stored-in', value: 'Secret sovra-system/control-plane-audit-key key key.pem' });
      expect(asset(p, 'nats', 'certificate', 'nats-server-tls certificate').properties).toContainEqual({ name: 'sovra:crypto:stored-in', value: 'Secret sovra-messaging/nats-server-tls key tls.crt' });
      expect(asset(p, 'distribution', 'algorithm', 'AES-256-CBC').cryptoProperties!.algorithmProperties).toMatchObject({ primitive: 'block-cipher', mode: 'cbc', padding: 'pkcs7' });
      // No component configures a post-quantum key exchange, so none is listed.
      expect(cbom(p).components.some((c) => /MLKEM|Kyber/i.test(c.name))).toBe(false);
    }
    // Route TLS only where NATS runs more than one server.
    expect(cbom('cluster').components.some((c) => c.name === 'TLS 1.3 (NATS cluster routes)')).toBe(true);
    expect(cbom('edge').components.some((c) => c.name === 'TLS 1.3 (NATS cluster routes)')).toBe(false);
  });

  it('is byte-identical when the same profile is synthesized again', async () => {
    const again = join(root, 'edge-again');
    await synthProfile('edge', again);
    expect(readFileSync(join(again, CBOM_PATH), 'utf8')).toBe(cbomText('edge'));
  });

  it('fails the synth, naming the asset, when a component declares a crypto setting the output does not carry', async () => {
    const { ProbeCryptoComponent } = await import('../fixtures/crypto-probe.js');
    const out = join(root, 'edge-bad-crypto');
    const err = await synthProfile('edge', out, { customize: (platform) => new ProbeCryptoComponent(platform, 'crypto-probe', { profile: platform.profile, cipher: 'aes', claimedCipher: 'chachapoly' }) }).catch((e: unknown) => e);
    expect(isSovraError(err) && err.code).toBe('failed-evidence');
    expect((err as Error).message).toContain('crypto asset "AES-256-GCM" of component "crypto-probe"');
    expect((err as Error).message).toContain('data.cipher');
  });
});
