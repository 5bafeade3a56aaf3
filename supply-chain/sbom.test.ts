import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import type { ModelDeclaration } from '../contracts/model-declaration.js';
import { PackageURL } from 'packageurl-js';
import { describe, expect, it } from 'vitest';
import { isSovraError } from '../core/errors.js';
import { mutableSynthModel, synthModel } from '../test/fixtures/synth-model.js';
import { validateCycloneDx, validateCycloneDx16 } from './cyclonedx-validate.js';
import { emitSbom } from './sbom.js';
import type { CdxBom } from '../test/support/cyclonedx.js';


function bom(json = emitSbom(synthModel())): CdxBom {
  return JSON.parse(json) as CdxBom;
}

describe('emitSbom', () => {
  it('is valid CycloneDX 1.6 for the library’s own (asynchronous) strict validator too', async () => {
    const json = emitSbom(synthModel());
    expect(bom(json).specVersion).toBe('1.6');
    const errors = await new Validation.JsonStrictValidator(Spec.Version.v1dot6).validate(json);
    expect(errors).toBeNull();
  });

  it('is byte-identical for the same model, whatever the declaration order of components', () => {
    const a = emitSbom(synthModel());
    expect(emitSbom(synthModel())).toBe(a);
    const reordered = mutableSynthModel();
    reordered.components.reverse();
    expect(emitSbom(reordered)).toBe(a);
  });

  it('derives the serial number from content and stamps the epoch', () => {
    const a = bom();
    expect(a.serialNumber).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a.metadata.timestamp).toBe('2026-01-01T00:00:00Z');
    const changed = mutableSynthModel();
    changed.components[0]!.images[0]!.tag = 'v1.16.6';
    expect(bom(emitSbom(changed)).serialNumber).not.toBe(a.serialNumber);
    const later = mutableSynthModel();
    later.epoch += 1;
    expect(bom(emitSbom(later)).metadata.timestamp).toBe('2026-01-01T00:00:01Z');
  });

  it('names the platform and the tool in the metadata', () => {
    const md = bom().metadata;
    expect(md.component.name).toBe('sovra-edge');
    expect(md.component.version).toBe('0.1.0');
    expect(md.tools.components.map((t) => t.name)).toEqual(['sovra']);
  });

  it('lists every image as a container whose purl carries the digest, with its SHA-256', () => {
    const model = synthModel();
    const images = bom().components.filter((c) => c.type === 'container');
    const declared = model.components.flatMap((c) => c.images);
    expect(images).toHaveLength(declared.length);
    for (const image of declared) {
      const c = images.find((i) => i.name === `${image.registry}/${image.repository}`)!;
      expect(c.version).toBe(image.tag);
      const purl = PackageURL.fromString(c.purl!);
      expect(purl.type).toBe('oci');
      expect(purl.version).toBe(image.digest);
      expect(purl.qualifiers).toMatchObject({ repository_url: `${image.registry}/${image.repository}`, tag: image.tag });
      expect(c.hashes).toEqual([{ alg: 'SHA-256', content: image.digest!.slice(7) }]);
    }
  });

  it('lists models as machine-learning-model with SHA-256 and their source', () => {
    const m = synthModel().components[1]!.models[0] as ModelDeclaration;
    const c = bom().components.find((x) => x.type === 'machine-learning-model')!;
    expect(c.name).toBe(m.name);
    expect(c.hashes).toEqual([{ alg: 'SHA-256', content: m.sha256 }]);
    expect(c.externalReferences!.map((r) => r.url)).toContain(m.source);
  });

  it('lists charts with name, group, version, a generic purl and the digest when known', () => {
    const charts = bom().components.filter((c) => c['bom-ref'].startsWith('chart:'));
    const cilium = charts.find((c) => c.name === 'cilium')!;
    expect(cilium).toMatchObject({ type: 'application', group: 'helm.cilium.io', version: '1.16.5' });
    expect(PackageURL.fromString(cilium.purl!).type).toBe('generic');
    expect(cilium.hashes).toEqual([{ alg: 'SHA-256', content: 'c'.repeat(64) }]);
    expect(charts.find((c) => c.name === 'nats')!.hashes).toBeUndefined();
  });

  it('gives every component a license', () => {
    const b = bom();
    for (const c of [...b.components, b.metadata.component]) {
      expect(c.licenses?.length, c['bom-ref']).toBeGreaterThan(0);
    }
    const mixed = mutableSynthModel();
    mixed.components[0]!.images[0]!.license = 'MIT OR Apache-2.0';
    const cilium = bom(emitSbom(mixed)).components.find((c) => c['bom-ref'] === 'component:cilium')!;
    // Parts are sorted by their expression as declared, then compound ones are parenthesized.
    expect(cilium.licenses).toEqual([{ expression: 'Apache-2.0 AND (MIT OR Apache-2.0)' }]);
    // The order of the parts does not depend on which artifact declared which license.
    const swapped = mutableSynthModel();
    swapped.components[0]!.charts[0]!.license = 'MIT OR Apache-2.0';
    const cilium2 = bom(emitSbom(swapped)).components.find((c) => c['bom-ref'] === 'component:cilium')!;
    expect(cilium2.licenses).toEqual(cilium.licenses);
  });

  it('records the component graph: platform → components → their artifacts and dependencies', () => {
    const deps = new Map(bom().dependencies.map((d) => [d.ref, d.dependsOn ?? []]));
    expect(deps.get('platform:sovra-edge')).toEqual(['component:cilium', 'component:control-plane', 'component:nats']);
    expect(deps.get('component:control-plane')).toEqual(
      expect.arrayContaining(['component:cilium', 'component:nats', 'model:sovra-tiny-chat@1']),
    );
    expect(deps.get('component:cilium')!.some((r) => r.startsWith('image:quay.io/cilium/cilium:v1.16.5@sha256:'))).toBe(true);
  });

  it('lists an artifact shared by two components once, and refuses conflicting declarations', () => {
    const shared = mutableSynthModel();
    shared.components[2]!.images.push(structuredClone(shared.components[0]!.images[0]!));
    const b = bom(emitSbom(shared));
    expect(b.components.filter((c) => c.name === 'quay.io/cilium/cilium')).toHaveLength(1);
    const conflict = mutableSynthModel();
    conflict.components[2]!.images.push({ ...structuredClone(conflict.components[0]!.images[0]!), license: 'MIT' });
    expect(() => emitSbom(conflict)).toThrow(/declare image:quay\.io\/cilium\/cilium/);
  });

  it('writes CycloneDX 1.7 when asked, valid for the library’s own 1.7 validator', async () => {
    const json = emitSbom(synthModel(), { specVersion: '1.7' });
    expect(bom(json).specVersion).toBe('1.7');
    expect(await new Validation.JsonStrictValidator(Spec.Version.v1dot7).validate(json)).toBeNull();
  });

  it('lists the npm tree of an image built from a lockfile, under that image', () => {
    const m = mutableSynthModel();
    const cp = m.components.find((c) => c.id === 'control-plane')!;
    cp.images[0] = { ...cp.images[0]!, npmLockfile: 'package-lock.json' };
    const b = bom(emitSbom(m));
    const image = `image:${cp.images[0].registry}/${cp.images[0].repository}:${cp.images[0].tag}@${cp.images[0].digest}`;
    const deps = b.dependencies.find((d) => d.ref === image)!.dependsOn!;
    expect(deps.length).toBeGreaterThan(10);
    expect(deps.every((r) => r.startsWith('npm:'))).toBe(true);
    expect(b.components.filter((c) => c.type === 'library').length).toBeGreaterThan(300);
    // Without the lockfile, no npm component at all.
    expect(bom().components.some((c) => c.type === 'library')).toBe(false);
  });

  it('writes profile waivers on the component they name, and refuses a waiver given twice', () => {
    const m = mutableSynthModel();
    const ref = 'model:sovra-tiny-chat@1';
    const reason = 'Reviewed: the weights are used unmodified for internal testing only.';
    m.profile = { ...m.profile, licenseWaivers: [{ component: ref, license: 'AGPL-3.0-only', reason }] };
    const c = bom(emitSbom(m)).components.find((x) => x['bom-ref'] === ref) as unknown as { properties: Array<{ name: string; value: string }> };
    expect(c.properties).toEqual(expect.arrayContaining([{ name: 'sovra:license:waiver:AGPL-3.0-only:reason', value: reason }]));
    m.profile = { ...m.profile, licenseWaivers: [{ component: ref, license: 'AGPL-3.0-only', reason }, { component: ref, license: 'agpl-3.0-only', reason }] };
    expect(() => emitSbom(m)).toThrow(/waives agpl-3\.0-only for component model:sovra-tiny-chat@1 twice/);
  });

  it('refuses a dependency on a component that is not in the model', () => {
    const m = mutableSynthModel();
    m.components[0]!.dependsOn = ['keycloak'];
    expect(() => emitSbom(m)).toThrow(/depends on "keycloak"/);
  });
});

describe('validateCycloneDx16', () => {
  it('throws invalid-output with the validator’s message for a broken document', () => {
    const b = bom() as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    b.components[0].hashes = [{ alg: 'SHA-256', content: 'not-hex' }];
    try {
      validateCycloneDx16(JSON.stringify(b), 'broken SBOM');
      expect.unreachable('should have thrown');
    } catch (e) {
      expect(isSovraError(e) && e.code).toBe('invalid-output');
      expect((e as Error).message).toContain('broken SBOM');
      expect((e as Error).message).toContain('/components/0/hashes/0/content');
    }
  });
});

describe('validateCycloneDx', () => {
  it('refuses duplicate top-level items (uniqueItems, checked outside Ajv) in 1.6 and 1.7', () => {
    for (const version of ['1.6', '1.7'] as const) {
      const b = bom(emitSbom(synthModel(), { specVersion: version })) as unknown as { components: unknown[] };
      // Same object with its keys in another order: still a duplicate.
      const first = b.components[0] as Record<string, unknown>;
      b.components.push(Object.fromEntries(Object.entries(first).reverse()));
      expect(() => validateCycloneDx(JSON.stringify(b), 'dup SBOM', version)).toThrow(new RegExp(`dup SBOM is not a valid CycloneDX ${version.replace('.', '\\.')} document: at /components: must NOT have duplicate items \\(items ## ${b.components.length - 1} and 0 are identical\\)`));
    }
  });

  it('checks each version against its own schema', () => {
    const json = emitSbom(synthModel(), { specVersion: '1.7' });
    expect(() => validateCycloneDx(json, 'x', '1.7')).not.toThrow();
    // `isExternal` is new in 1.7: valid there, an unknown property for 1.6.
    const b = JSON.parse(json) as { components: Array<Record<string, unknown>> };
    b.components[0]!.isExternal = false;
    expect(() => validateCycloneDx(JSON.stringify(b), 'x', '1.7')).not.toThrow();
    expect(() => validateCycloneDx(JSON.stringify(b), 'x', '1.6')).toThrow(/not a valid CycloneDX 1\.6 document: at \/components\/0: must NOT have additional properties/);
  });
});
