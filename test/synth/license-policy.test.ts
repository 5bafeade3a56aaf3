/**
 * The SBOM's npm tree and the license policy through the real synth: the
 * control plane's production dependencies from Sovra's own lockfile, with
 * purls, digests, licenses and the graph; a component with a denied or
 * AGPL license fails the synth and writes nothing; a waiver with a reason
 * lets it through and is listed in the SBOM; stale waivers and unknown
 * licenses under `denyUnknown` fail. The SBOM is checked with the CycloneDX
 * library's own validators (1.6 and 1.7).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { PackageURL } from 'packageurl-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImagePin } from '../../constructs/kit/image.js';
import { imageBomRef } from '../../supply-chain/sbom-components.js';
import { ImageLock } from '../../constructs/kit/image-lock.js';
import { controlPlaneImage } from '../../constructs/ai-runtime/control-plane/catalog.js';
import type { Platform } from '../../constructs/platform.js';
import { isSovraError } from '../../core/errors.js';
import { loadProfile } from '../../profiles/load.js';
import type { Profile } from '../../profiles/profile.generated.js';
import { evaluateLicensePolicy } from '../../supply-chain/license-policy.js';
import type { SynthResult } from '../../synth/synth.js';
import { ProbeComponent } from '../fixtures/components.js';
import { REPO_ROOT } from '../support/shared.js';
import { readJson, removeDir, synthProfile, tempDir } from '../support/synth-output.js';
import type { CdxBom } from '../support/cyclonedx.js';


const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string; integrity?: string; license?: string; dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> }>;
};
const installed = (name: string) => lock.packages[`node_modules/${name}`]!;

const REASON = 'Reviewed by legal on 2026-01-10: used unmodified, internal only, replacement planned.';
const PROBE_DIGEST = `sha256:${'1'.repeat(64)}`;
const probeImage = (license: string): ImagePin => ({ registry: 'ghcr.io', repository: 'example/probe', tag: '1.0.0', license });
/** The shipped lock plus the probe image, so the probe is locked like a real image. */
const probeLock = () => {
  const shipped = ImageLock.shipped().file;
  return ImageLock.parse(JSON.stringify({ lockVersion: 1, images: [...shipped.images, { reference: 'ghcr.io/example/probe:1.0.0', digest: PROBE_DIGEST, source: 'computed from the test image', recordedAt: '2026-12-01' }] }), 'test.lock.json');
};
const PROBE_REF = `image:ghcr.io/example/probe:1.0.0@${PROBE_DIGEST}`;
const withProbe = (license: string) => ({ lock: probeLock(), customize: (platform: Platform) => void new ProbeComponent(platform, 'probe', { profile: platform.profile, mode: 'on', image: probeImage(license) }) });
/** The edge profile with `extra`; waivers are added to the built-in ones (MinIO's AGPL review), as a site's derived profile does. */
const edgeWith = (extra: Partial<Profile>): Profile => {
  const base = loadProfile('edge');
  return { ...base, ...extra, ...(extra.licenseWaivers ? { licenseWaivers: [...(base.licenseWaivers ?? []), ...extra.licenseWaivers] } : {}) };
};

let root: string;
let edge: string;
let result: SynthResult;
let sbom: CdxBom;
beforeAll(async () => {
  root = tempDir();
  edge = join(root, 'edge');
  result = await synthProfile('edge', edge);
  sbom = readJson<CdxBom>(edge, 'sbom.cdx.json');
});
afterAll(() => removeDir(root));

const component = (b: CdxBom, ref: string) => {
  const c = b.components.find((x) => x['bom-ref'] === ref);
  if (!c) throw new Error(`${ref} is not in the SBOM`);
  return c;
};
const dependsOn = (b: CdxBom, ref: string) => b.dependencies.find((d) => d.ref === ref)?.dependsOn ?? [];

/** Runs a synth that must fail the policy; returns the message after checking the code, the exit status and that nothing was written. */
async function failing(name: string, extra: Parameters<typeof synthProfile>[2]): Promise<string> {
  const out = join(root, name);
  try {
    await synthProfile('edge', out, extra);
    expect.unreachable('the synth should have failed the license policy');
  } catch (e) {
    expect(isSovraError(e) && e.code, String(e)).toBe('failed-policy');
    expect((e as { exitCode: number }).exitCode).toBe(6);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(root).filter((f) => f.startsWith(`.${name}.tmp-`))).toEqual([]);
    return (e as Error).message;
  }
  return '';
}

describe('the npm tree of the control plane', () => {
  it('lists fastify as a library with its npm purl, the SHA-512 of its integrity and its SPDX license', () => {
    const entry = installed('fastify');
    const c = component(sbom, `npm:fastify@${entry.version}`);
    expect(c).toMatchObject({ type: 'library', name: 'fastify', version: entry.version, purl: `pkg:npm/fastify@${entry.version}`, licenses: [{ expression: entry.license }] });
    expect(c.hashes).toEqual([{ alg: 'SHA-512', content: Buffer.from(entry.integrity!.slice(7), 'base64').toString('hex') }]);
    const scoped = component(sbom, `npm:@fastify/swagger@${installed('@fastify/swagger').version}`);
    expect(scoped.group).toBe('@fastify');
    expect(PackageURL.fromString(scoped.purl!)).toMatchObject({ type: 'npm', namespace: '@fastify', name: 'swagger' });
    expect(scoped.purl).toMatch(/^pkg:npm\/%40fastify\/swagger@/);
  });

  it('gives fastify the dependency edges the lockfile gives it', () => {
    const deps = Object.keys(installed('fastify').dependencies!);
    // A dependency nested under fastify (light-my-request, pinned by an override) wins over the top level.
    const resolved = (d: string) => lock.packages[`node_modules/fastify/node_modules/${d}`] ?? installed(d);
    expect(dependsOn(sbom, `npm:fastify@${installed('fastify').version}`)).toEqual(deps.map((d) => `npm:${d}@${resolved(d).version}`).sort());
  });

  it('hangs the tree under the control plane image, which the control plane component depends on', () => {
    const image = imageBomRef(ImageLock.shipped().resolve(controlPlaneImage()));
    expect(dependsOn(sbom, 'component:control-plane')).toContain(image);
    // The optional dependency (node-llama-cpp's linux-x64 build) installs on the image's linux/x64 too.
    const roots = Object.keys({ ...lock.packages['']!.dependencies!, ...lock.packages['']!.optionalDependencies });
    expect(dependsOn(sbom, image)).toEqual(roots.map((d) => `npm:${d}@${installed(d).version}`).sort());
    // Every npm component is reachable from the image.
    const seen = new Set<string>();
    const walk = (ref: string) => {
      if (seen.has(ref)) return;
      seen.add(ref);
      dependsOn(sbom, ref).forEach(walk);
    };
    walk(image);
    for (const c of sbom.components.filter((x) => x['bom-ref'].startsWith('npm:'))) expect(seen.has(c['bom-ref']), c['bom-ref']).toBe(true);
    // The graph between Sovra components is still there.
    expect(dependsOn(sbom, 'component:control-plane')).toEqual(expect.arrayContaining(['component:cilium', 'component:postgres']));
  });

  it('flags a license that is not an SPDX expression as unknown, and the synth reports it', () => {
    const jsonify = component(sbom, 'npm:jsonify@0.0.1');
    expect(jsonify.licenses).toEqual([{ license: { name: 'Public Domain' } }]);
    expect(jsonify.properties).toEqual(expect.arrayContaining([{ name: 'sovra:license:status', value: 'unknown' }]));
    expect(result.licenses.unknown.map((f) => f.bomRef)).toContain('npm:jsonify@0.0.1');
    expect(result.licenses.violations).toEqual([]);
    // Every component has an SPDX expression or the flag.
    for (const c of sbom.components) {
      const flagged = c.properties?.some((p) => p.name === 'sovra:license:status' && p.value === 'unknown') ?? false;
      expect(flagged || c.licenses?.[0]?.expression !== undefined, c['bom-ref']).toBe(true);
    }
  });

  it('is valid CycloneDX 1.6 for the library’s own validator, and the policy holds when evaluated from the file alone', async () => {
    const json = readFileSync(join(edge, 'sbom.cdx.json'), 'utf8');
    expect(sbom.specVersion).toBe('1.6');
    expect(await new Validation.JsonStrictValidator(Spec.Version.v1dot6).validate(json)).toBeNull();
    const r = evaluateLicensePolicy(JSON.parse(json));
    expect(r.violations).toEqual([]);
    expect(r.denyUnknown).toBe(false);
  });

  it('writes CycloneDX 1.7 when asked, valid for the library’s 1.7 validator', async () => {
    const out = join(root, 'edge-17');
    await synthProfile('edge', out, { cyclonedx: '1.7' });
    const json = readFileSync(join(out, 'sbom.cdx.json'), 'utf8');
    expect((JSON.parse(json) as CdxBom).specVersion).toBe('1.7');
    expect(await new Validation.JsonStrictValidator(Spec.Version.v1dot7).validate(json)).toBeNull();
    expect(JSON.parse(json).components.length).toBe(sbom.components.length);
  });
});

describe('the license policy in the synth', () => {
  it('fails on a denied license, naming component, license and rule, and writes nothing', async () => {
    const m = await failing('denied', withProbe('SSPL-1.0'));
    expect(m).toContain(`component ${PROBE_REF} (ghcr.io/example/probe@1.0.0) has license "SSPL-1.0" (SSPL-1.0): rule "denied"`);
    expect(m).toContain('licenseWaivers');
  });

  it('passes the same component with a waiver, and lists the waiver on it in the SBOM', async () => {
    const out = join(root, 'waived');
    const profile = edgeWith({ licenseWaivers: [{ component: PROBE_REF, license: 'SSPL-1.0', reason: REASON, approvedBy: 'legal@example.org' }] });
    const r = await synthProfile('edge', out, { ...withProbe('SSPL-1.0'), profile });
    const b = readJson<CdxBom>(out, 'sbom.cdx.json');
    expect(component(b, PROBE_REF).properties).toEqual(
      expect.arrayContaining([
        { name: 'sovra:license:waiver:SSPL-1.0:reason', value: REASON },
        { name: 'sovra:license:waiver:SSPL-1.0:approved-by', value: 'legal@example.org' },
      ]),
    );
    expect(r.licenses.waived.map((w) => `${w.bomRef} ${w.waiver.license}`).filter((x) => !x.includes('AGPL'))).toEqual([`${PROBE_REF} SSPL-1.0`]);
    // A verifier reading only the file comes to the same conclusion.
    const again = evaluateLicensePolicy(b);
    expect(again.violations).toEqual([]);
    expect(again.waived).toEqual(r.licenses.waived);
  });

  it('asks review for AGPL: fails without a waiver', async () => {
    const m = await failing('agpl', withProbe('AGPL-3.0-only'));
    expect(m).toContain(`component ${PROBE_REF} (ghcr.io/example/probe@1.0.0) has license "AGPL-3.0-only" (AGPL-3.0-only): rule "needs-review"`);
  });

  it('fails on a waiver that matches no component, and on one that lifts nothing', async () => {
    const m = await failing('stale', {
      profile: edgeWith({
        licenseWaivers: [
          { component: 'npm:left-pad@1.3.0', license: 'SSPL-1.0', reason: REASON },
          { component: `npm:fastify@${installed('fastify').version}`, license: 'AGPL-3.0-only', reason: REASON },
        ],
      }),
    });
    expect(m).toContain('the waiver of SSPL-1.0 for component npm:left-pad@1.3.0 matches no component of the SBOM');
    expect(m).toContain(`the waiver of AGPL-3.0-only for component npm:fastify@${installed('fastify').version} is stale`);
  });

  it('fails unknown licenses under licensePolicy.denyUnknown, unless waived', async () => {
    const m = await failing('deny-unknown', { profile: edgeWith({ licensePolicy: { denyUnknown: true } }) });
    expect(m).toContain('component npm:jsonify@0.0.1 (jsonify@0.0.1) has license "Public Domain": rule "unknown"');
    const out = join(root, 'unknown-waived');
    const profile = edgeWith({ licensePolicy: { denyUnknown: true }, licenseWaivers: [{ component: 'npm:jsonify@0.0.1', license: 'unknown', reason: 'jsonify is dedicated to the public domain by its author (see its README).' }] });
    const r = await synthProfile('edge', out, { profile });
    expect(r.licenses.waived.filter((w) => !w.waiver.license.startsWith('AGPL')).map((w) => w.rule)).toEqual(['unknown']);
    expect(readJson<CdxBom>(out, 'sbom.cdx.json').metadata.properties).toEqual(expect.arrayContaining([{ name: 'sovra:license-policy:deny-unknown', value: 'true' }]));
  });

  it('a profile file cannot waive without a written reason', () => {
    const file = join(root, 'short.yaml');
    writeFileSync(file, `extends: edge\nlicenseWaivers:\n  - component: ${PROBE_REF}\n    license: SSPL-1.0\n    reason: because\n`);
    try {
      loadProfile(file);
      expect.unreachable('should have thrown');
    } catch (e) {
      expect(isSovraError(e) && e.code).toBe('bad-profile');
      expect((e as Error).message).toContain('/licenseWaivers/0/reason');
    }
  });
});
