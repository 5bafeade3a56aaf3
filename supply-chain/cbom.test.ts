import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { describe, expect, it } from 'vitest';
import { onHostFile } from '../constructs/kit/claims.js';
import { tls13Assets, type CryptoAsset } from '../constructs/kit/crypto.js';
import { isSovraError } from '../core/errors.js';
import type { ResolvedCryptoAsset, ResolvedEvidence, SynthModel } from '../output/model.js';
import { synthModel } from '../test/fixtures/synth-model.js';
import { CBOM_PATH, cryptoBomRef, emitCbom } from './cbom.js';

interface Cbom {
  specVersion: string;
  serialNumber: string;
  components: Array<{ 'bom-ref': string; name: string; type: string; description?: string; evidence?: { occurrences: Array<{ location: string; additionalContext: string }> }; cryptoProperties?: Record<string, unknown> }>;
  dependencies: Array<{ ref: string; dependsOn?: string[]; provides?: string[] }>;
}

/** Resolved evidence as the synth would record it for `host/config.yaml` field `path`. */
function found(path: string, actual: unknown): ResolvedEvidence {
  return { file: 'host/config.yaml', path, expectation: `equals ${JSON.stringify(actual)}`, actual, description: `host/config.yaml ${path} equals ${JSON.stringify(actual)}` };
}

function resolved(asset: CryptoAsset, evidence: ResolvedEvidence): ResolvedCryptoAsset {
  return { ...asset, evidence };
}

/** The fixture model with crypto assets on its NATS component. */
function modelWith(assets: ResolvedCryptoAsset[]): SynthModel {
  const m = synthModel();
  return { ...m, components: m.components.map((c) => (c.id === 'nats' ? { ...c, cryptoAssets: assets } : c)) };
}

const tlsSetting = found('tls.min', '1.3');
const tls = tls13Assets({ name: 'TLS 1.3 (test)', purpose: 'Test connections.', configuredBy: onHostFile('host/config.yaml', 'tls.min', { equals: '1.3' }), implementation: 'test server' }).map((a) => resolved(a, tlsSetting));
const aesAtRest = resolved(
  { type: 'algorithm', name: 'AES-256-GCM', purpose: 'Data at rest.', configuredBy: onHostFile('host/config.yaml', 'store.cipher', { equals: 'aes' }), implementation: 'test server' },
  found('store.cipher', 'aes'),
);

describe('emitCbom', () => {
  it('is CycloneDX 1.6 that the library’s own strict validator accepts, written to cbom.cdx.json', async () => {
    const json = emitCbom(modelWith([...tls, aesAtRest]));
    expect(CBOM_PATH).toBe('cbom.cdx.json');
    expect((JSON.parse(json) as Cbom).specVersion).toBe('1.6');
    expect(await new Validation.JsonStrictValidator(Spec.Version.v1dot6).validate(json)).toBeNull();
  });

  it('writes CycloneDX 1.7 on request, valid against the 1.7 schema', async () => {
    const json = emitCbom(modelWith([...tls, aesAtRest]), { specVersion: '1.7' });
    expect((JSON.parse(json) as Cbom).specVersion).toBe('1.7');
    expect(await new Validation.JsonStrictValidator(Spec.Version.v1dot7).validate(json)).toBeNull();
  });

  it('merges two settings that configure the same algorithm of one component into one entry with two occurrences', () => {
    const doc = JSON.parse(emitCbom(modelWith([...tls, aesAtRest]))) as Cbom;
    const aes = doc.components.filter((c) => c.name === 'AES-256-GCM');
    expect(aes).toHaveLength(1);
    expect(aes[0]!['bom-ref']).toBe(cryptoBomRef('nats', 'algorithm', 'AES-256-GCM'));
    expect(aes[0]!.evidence!.occurrences.map((o) => (JSON.parse(o.additionalContext) as { path: string }).path)).toEqual(['store.cipher', 'tls.min']);
    expect(aes[0]!.description).toBe('Data at rest. TLS 1.3 (test) cipher suites.');
    expect(doc.dependencies.find((d) => d.ref === 'component:nats')!.provides).toContain(aes[0]!['bom-ref']);
    // Components without crypto assets are not in the CBOM.
    expect(doc.components.some((c) => c['bom-ref'] === 'component:cilium')).toBe(false);
  });

  it('refuses one asset declared twice with different details', () => {
    const other = resolved({ ...(aesAtRest as CryptoAsset & { type: 'algorithm' }), certificationLevel: ['fips140-3-l1'] }, found('x', 1));
    const err = (() => {
      try {
        emitCbom(modelWith([aesAtRest, other]));
      } catch (e) {
        return e;
      }
    })();
    expect(isSovraError(err) && err.code).toBe('bad-input');
    expect((err as Error).message).toMatch(/Component "nats" declares crypto asset "AES-256-GCM" twice with different details/);
  });

  it('keeps one algorithm run by two implementations of one component apart, and points each protocol at its own', () => {
    const dbSetting = found('db.tls', '1.3');
    const db = tls13Assets({ name: 'TLS 1.3 (database)', purpose: 'Database connections.', configuredBy: onHostFile('host/config.yaml', 'db.tls', { equals: '1.3' }), implementation: 'database (OpenSSL)' }).map((a) => resolved(a, dbSetting));
    const doc = JSON.parse(emitCbom(modelWith([...tls, ...db]))) as Cbom;
    const sha = doc.components.filter((c) => c.name === 'SHA-256').map((c) => c['bom-ref']).sort();
    expect(sha).toEqual([cryptoBomRef('nats', 'algorithm', 'SHA-256'), `${cryptoBomRef('nats', 'algorithm', 'SHA-256')}@database-openssl`]);
    const protocolUses = (name: string) => doc.dependencies.find((d) => d.ref === cryptoBomRef('nats', 'protocol', name))!.dependsOn ?? [];
    expect(protocolUses('TLS 1.3 (database)')).toContain(`${cryptoBomRef('nats', 'algorithm', 'SHA-256')}@database-openssl`);
    expect(protocolUses('TLS 1.3 (test)')).toContain(cryptoBomRef('nats', 'algorithm', 'SHA-256'));
    expect(protocolUses('TLS 1.3 (test)')).not.toContain(`${cryptoBomRef('nats', 'algorithm', 'SHA-256')}@database-openssl`);
  });

  it('refuses a protocol or key that uses an algorithm the component does not declare', () => {
    const key = resolved(
      { type: 'related-crypto-material', name: 'Signing key', purpose: 'Signs.', configuredBy: onHostFile('host/config.yaml', 'key', { present: true }), material: { type: 'private-key', algorithm: 'Ed25519' } },
      found('key', 'k'),
    );
    expect(() => emitCbom(modelWith([key]))).toThrow(/crypto asset "Signing key" uses algorithm "Ed25519", which the component does not declare/);
  });

  it('validates what it writes: a certification level outside the schema fails as invalid output', () => {
    const bad = resolved({ ...(aesAtRest as CryptoAsset & { type: 'algorithm' }), certificationLevel: ['fips140-9-l1' as 'none'] }, found('store.cipher', 'aes'));
    const err = (() => {
      try {
        emitCbom(modelWith([bad]));
      } catch (e) {
        return e;
      }
    })();
    expect(isSovraError(err) && err.code).toBe('invalid-output');
    expect((err as Error).message).toContain('not a valid CycloneDX 1.6 document');
  });

  it('is byte-identical for the same model whatever the declaration order, and its serial number follows the content', () => {
    const a = emitCbom(modelWith([...tls, aesAtRest]));
    expect(emitCbom(modelWith([aesAtRest, ...[...tls].reverse()]))).toBe(a);
    const changed = emitCbom(modelWith([...tls]));
    expect((JSON.parse(changed) as Cbom).serialNumber).not.toBe((JSON.parse(a) as Cbom).serialNumber);
    expect((JSON.parse(emitCbom(modelWith([...tls, aesAtRest]))) as Cbom).serialNumber).toBe((JSON.parse(a) as Cbom).serialNumber);
  });
});
