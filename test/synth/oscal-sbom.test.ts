/**
 * The OSCAL and CycloneDX views of every profile: the component definitions
 * carry every claim of the construct tree with evidence that is read back
 * from the file it names, and the SBOM validates with the CycloneDX
 * library's own validator. Their check against the NIST originals (OSCAL
 * schema, SP 800-53 catalog) is in test/conformance/oscal.test.ts.
 */
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { PackageURL } from 'packageurl-js';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProfile } from '../../profiles/load.js';
import { buildPlatform } from '../../synth/synth.js';
import { PROFILES, listFiles, readJson, removeDir, synthAll, type ProfileName } from '../support/synth-output.js';

interface Prop { name: string; value: string; group?: string; remarks?: string }
interface Requirement { 'control-id': string; description: string; props: Prop[]; links?: Array<{ href: string; rel?: string }> }
interface OscalComponent { title: string; 'control-implementations'?: Array<{ source: string; 'implemented-requirements': Requirement[] }> }
interface ComponentDefinition { 'component-definition': { metadata: { 'oscal-version': string }; components: OscalComponent[] } }

let root: string | undefined;
let dirs: Record<ProfileName, string>;

beforeAll(async () => {
  ({ root, dirs } = await synthAll());
});
afterAll(() => removeDir(root));

function oscalFiles(dir: string): string[] {
  return listFiles(dir).filter((f) => f === 'oscal/component-definition.json' || f.startsWith('oscal/component-definitions/'));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}

/** Reads `a.b[0].c` from `doc`, entering strings that hold YAML (Helm values). */
function field(doc: unknown, path: string): unknown {
  let cur = doc;
  // Keys, `[n]` indexes and `["key.with.dots"]` keys (the TektonConfig's Chains settings).
  const segs = [...path.matchAll(/\["((?:[^"\\]|\\.)*)"\]|\[(\d+)\]|([^.[\]]+)/g)].map((m) => (m[1] !== undefined ? (JSON.parse(`"${m[1]}"`) as string) : (m[2] ?? m[3]!)));
  for (const seg of segs) {
    if (typeof cur === 'string') cur = YAML.parse(cur) as unknown;
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[/^\d+$/.test(seg) && Array.isArray(cur) ? Number(seg) : seg];
  }
  return cur;
}

function docsOf(dir: string, file: string): unknown[] {
  const text = readFileSync(`${dir}/${file}`, 'utf8');
  return file.endsWith('.json') ? [JSON.parse(text) as unknown] : YAML.parseAllDocuments(text).map((d) => d.toJS() as unknown);
}

describe.each(PROFILES)('profile %s', (profile) => {
  it('writes an OSCAL 1.1.3 component definition per component and an aggregate', () => {
    const files = oscalFiles(dirs[profile]);
    expect(files).toContain('oscal/component-definition.json');
    expect(files.filter((f) => f.startsWith('oscal/component-definitions/')).length).toBe(buildPlatform(loadProfile(profile)).platform.components.length);
    for (const f of files) expect(readJson<ComponentDefinition>(dirs[profile], f)['component-definition'].metadata['oscal-version']).toBe('1.1.3');
  });

  it('claims every control of the construct tree, against the profile baseline', () => {
    const claimed = new Set<string>();
    const baseline = loadProfile(profile).baseline;
    for (const f of oscalFiles(dirs[profile])) {
      for (const c of readJson<ComponentDefinition>(dirs[profile], f)['component-definition'].components) {
        for (const ci of c['control-implementations'] ?? []) {
          expect(ci.source).toContain(`rev5_${baseline}-baseline`);
          for (const r of ci['implemented-requirements']) claimed.add(r['control-id']);
        }
      }
    }
    // The claims in the construct tree are all there, and all are catalog controls.
    const { platform } = buildPlatform(loadProfile(profile));
    for (const c of platform.components) for (const claim of c.claims) expect(claimed).toContain(claim.control);
    expect(claimed.size).toBeGreaterThan(5);
  });

  it('carries each claim statement and evidence that holds in the file it names', () => {
    const dir = dirs[profile];
    const { platform } = buildPlatform(loadProfile(profile));
    // Claims made from the whole platform (SPIRE's identities) exist once it is finalized, as in the synth.
    platform.finalize();
    const files = new Set(listFiles(dir));
    let checked = 0;
    for (const component of platform.components) {
      const file = `oscal/component-definitions/${component.node.id}.json`;
      const [c] = readJson<ComponentDefinition>(dir, file)['component-definition'].components;
      const reqs = c!['control-implementations']?.flatMap((ci) => ci['implemented-requirements']) ?? [];
      for (const claim of component.claims) {
        const req = reqs.find((r) => r['control-id'] === claim.control);
        expect(req, `${file}: ${claim.control}`).toBeDefined();
        expect(req!.description).toContain(claim.statement);
      }
      for (const req of reqs) {
        for (const link of req.links ?? []) {
          expect(files, `${file}: link ${link.href}`).toContain(posix.normalize(posix.join(posix.dirname(file), link.href)));
        }
        // A control with only a customer responsibility (no claim) is stated without evidence.
        if (!component.claims.some((cl) => cl.control === req['control-id'])) {
          expect(req.description, `${file}: ${req['control-id']}`).toContain('Customer responsibility: ');
          continue;
        }
        const groups = [...new Set(req.props.filter((p) => p.group?.includes('-evidence-')).map((p) => p.group!))];
        // A customer responsibility alone is stated without evidence (nothing of the output implements it).
        if (!component.claims.some((claim) => claim.control === req['control-id'])) {
          expect(req.props.map((p) => p.name)).toContain('customer-responsibility');
          expect(groups).toEqual([]);
          continue;
        }
        expect(groups.length).toBeGreaterThan(0);
        for (const g of groups) {
          const get = (name: string) => req.props.find((p) => p.group === g && p.name === name)?.value;
          const evFile = get('evidence-file')!;
          expect(files).toContain(evFile);
          const docs = docsOf(dir, evFile);
          // Terraform evidence names its helm_release but reads the path from the file's root.
          const kind = get('evidence-api-version') === 'terraform' ? undefined : get('evidence-kind');
          const target = kind
            ? docs.find((d) => {
                const o = d as { kind?: string; metadata?: { name?: string; namespace?: string } };
                return o.kind === kind && o.metadata?.name === get('evidence-name') && o.metadata?.namespace === get('evidence-namespace');
              })
            : docs[0];
          expect(target, `${file} ${req['control-id']} ${g}: object ${kind} ${get('evidence-name')} in ${evFile}`).toBeDefined();
          const actual = field(target, get('evidence-path')!);
          expect(actual, `${file} ${req['control-id']} ${g}: ${get('evidence-path')}`).not.toBeUndefined();
          expect(JSON.stringify(sortKeys(actual)), `${file} ${req['control-id']} ${g}`).toBe(get('evidence-actual'));
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('writes a CycloneDX 1.6 SBOM that the CycloneDX library validates, listing every image by digest', async () => {
    const json = readFileSync(`${dirs[profile]}/sbom.cdx.json`, 'utf8');
    expect(await new Validation.JsonStrictValidator(Spec.Version.v1dot6).validate(json)).toBeNull();
    const bom = JSON.parse(json) as { specVersion: string; components: Array<{ type: string; name: string; purl?: string; licenses?: unknown[]; 'bom-ref': string }> };
    expect(bom.specVersion).toBe('1.6');
    const { platform } = buildPlatform(loadProfile(profile));
    const images = platform.components.flatMap((c) => c.images);
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) {
      const c = bom.components.find((x) => x.type === 'container' && x.name === `${image.registry}/${image.repository}`);
      expect(c, `${image.registry}/${image.repository}`).toBeDefined();
      expect(PackageURL.fromString(c!.purl!).version).toBe(image.digest);
    }
    for (const chart of platform.components.flatMap((c) => c.charts)) {
      expect(bom.components.some((x) => x.name === chart.chart && x['bom-ref'].includes(chart.version))).toBe(true);
    }
    for (const c of bom.components) expect(c.licenses?.length, c['bom-ref']).toBeGreaterThan(0);
  });
});
