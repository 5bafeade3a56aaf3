/**
 * The accreditor's documents over real synth outputs (edge, MODERATE, and
 * cluster, HIGH): schema validity, every baseline control with a status,
 * by-components and inventory that point at what exists, deterministic
 * UUIDs, set-parameters from claims, the POA&M with policy waivers plugged
 * in, assessment results that turn broken evidence into findings, and
 * `sovra diff`.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { catalog } from '../../controls/catalog.js';
import { validateOscal } from '../validate.js';
import { assessOutput } from '../assess/assess.js';
import { diffOutputs, diffText } from '../diff/diff.js';
import { emitPoam } from './poam.js';
import { controlEntries, COVERAGE_STATUSES } from './control-status.js';
import { run } from '../../cli/main.js';
import { readJson, synthProfile, tempDir } from '../../test/support/synth-output.js';
import { loadProfile } from '../../profiles/load.js';
import { IDENTITY_BASELINES } from '../../constructs/identity/keycloak/baseline.js';

type Json = Record<string, any>;
let root: string;
const dirs: Record<'edge' | 'cluster', string> = { edge: '', cluster: '' };

beforeAll(async () => {
  root = tempDir('sovra-ssp-');
  for (const p of ['edge', 'cluster'] as const) {
    dirs[p] = join(root, p);
    await synthProfile(p, dirs[p]);
  }
});

const ssp = (p: 'edge' | 'cluster'): Json => readJson<Json>(dirs[p], 'oscal/ssp.json')['system-security-plan'];
const reqs = (p: 'edge' | 'cluster'): Json[] => ssp(p)['control-implementation']['implemented-requirements'];
const status = (r: Json): string => r.props.find((x: Json) => x.name === 'coverage-status').value;

describe('SSP', () => {
  it('every document is valid against its NIST OSCAL 1.1.3 schema', () => {
    for (const p of ['edge', 'cluster'] as const) {
      validateOscal('ssp', readJson(dirs[p], 'oscal/ssp.json'));
      validateOscal('poam', readJson(dirs[p], 'oscal/poam.json'));
      validateOscal('assessment-results', readJson(dirs[p], 'oscal/assessment-results.json'));
    }
  });

  it('lists every control of the profile baseline, each with one of the six statuses, and counts them in coverage.json', () => {
    for (const [p, baseline, size] of [['edge', 'MODERATE', 287], ['cluster', 'HIGH', 370]] as const) {
      const expected = catalog().controls.filter((c) => !c.withdrawn && c.baselines.includes(baseline)).map((c) => c.id);
      expect(expected).toHaveLength(size);
      const inBaseline = reqs(p).filter((r) => r.props.find((x: Json) => x.name === 'in-baseline').value === 'true');
      expect(inBaseline.map((r) => r['control-id'])).toEqual(expected);
      for (const r of reqs(p)) expect(COVERAGE_STATUSES).toContain(status(r));
      const cov = readJson<Json>(dirs[p], 'oscal/coverage.json');
      expect(cov.overall.total).toBe(size);
      for (const s of COVERAGE_STATUSES) expect(cov.overall[s], s).toBe(inBaseline.filter((r) => status(r) === s).length);
      expect(cov.families.reduce((n: number, f: Json) => n + f.total, 0)).toBe(size);
      // Organizational controls are the customer's and planned by default; nothing is left silently.
      expect(status(reqs(p).find((r) => r['control-id'] === 'at-2')!)).toBe('planned');
      expect(cov.overall['not-addressed']).toBeGreaterThan(0);
      for (const r of inBaseline.filter((x) => status(x) === 'not-addressed')) expect(r.remarks).toMatch(/^Not addressed\./);
    }
  });

  it('marks a control implemented only when all its claims are implemented and their evidence was checked', () => {
    for (const r of reqs('cluster').filter((x) => status(x) === 'implemented')) {
      for (const bc of r['by-components'] ?? []) {
        expect(bc['implementation-status'].state, r['control-id']).toBe('implemented');
        const claims = bc.props.filter((x: Json) => x.name === 'claim-status');
        for (const c of claims) expect(bc.props.some((x: Json) => x.group?.startsWith(`${c.group}-evidence-`) && x.name === 'evidence-actual'), `${r['control-id']} ${c.group}`).toBe(true);
      }
    }
  });

  it('every by-component names a component of the system implementation', () => {
    for (const p of ['edge', 'cluster'] as const) {
      const uuids = new Set(ssp(p)['system-implementation'].components.map((c: Json) => c.uuid));
      for (const r of reqs(p)) for (const bc of r['by-components'] ?? []) expect(uuids.has(bc['component-uuid']), `${r['control-id']} ${bc['component-uuid']}`).toBe(true);
    }
  });

  it("every inventory item's digest is the digest of its SBOM entry; unlocked images say so", () => {
    for (const p of ['edge', 'cluster'] as const) {
      const sbom = readJson<Json>(dirs[p], 'sbom.cdx.json');
      const byRef = new Map(sbom.components.map((c: Json) => [c['bom-ref'], c]));
      const items: Json[] = ssp(p)['system-implementation']['inventory-items'];
      expect(items.length).toBeGreaterThan(5);
      for (const item of items) {
        const prop = (n: string) => item.props.find((x: Json) => x.name === n)?.value;
        const entry = byRef.get(prop('sbom-bom-ref')) as Json | undefined;
        expect(entry, prop('sbom-bom-ref')).toBeDefined();
        const digest = prop('digest');
        if (digest) expect(entry!.hashes.map((h: Json) => `sha256:${h.content}`)).toContain(digest);
        else expect(item.description).toMatch(/named by tag|digest manifest the site supplies at install/);
      }
    }
  });

  it('UUIDs are UUIDv5, unique, and the same on a second run', async () => {
    const again = join(root, 'edge-again');
    await synthProfile('edge', again);
    for (const f of ['oscal/ssp.json', 'oscal/poam.json', 'oscal/assessment-results.json', 'oscal/coverage.json', 'oscal/ssp.html', 'oscal/network.svg']) {
      expect(readFileSync(join(again, f), 'utf8'), f).toBe(readFileSync(join(dirs.edge, f), 'utf8'));
    }
    const text = readFileSync(join(dirs.edge, 'oscal/ssp.json'), 'utf8');
    const uuids = [...text.matchAll(/"uuid": "([0-9a-f-]{36})"/g)].map((m) => m[1]!);
    expect(uuids.length).toBeGreaterThan(300);
    for (const u of uuids) expect(u[14], u).toBe('5');
    // A by-component uuid is per control and component; the document's own uuid once.
    expect(new Set(uuids).size).toBe(uuids.length);
  });

  it('writes the parameter values the claims record as set-parameters (AC-7 from the realm, per baseline)', () => {
    for (const [p, baseline] of [['edge', 'MODERATE'], ['cluster', 'HIGH']] as const) {
      const ac7 = reqs(p).find((r) => r['control-id'] === 'ac-7')!;
      const attempts = ac7['set-parameters'].find((s: Json) => s['param-id'] === 'ac-7_prm_1');
      expect(attempts.values).toEqual([String(IDENTITY_BASELINES[baseline].lockout.attempts)]);
      const params = new Set(catalog().controls.find((c) => c.id === 'ia-5.1')!.params);
      for (const r of reqs(p)) for (const s of r['set-parameters'] ?? []) expect(catalog().controls.find((c) => c.id === r['control-id'])!.params).toContain(s['param-id']);
      expect(params.size).toBeGreaterThan(0);
    }
  });

  it('describes users from the Keycloak realm, the network from the peer declarations, and embeds the diagram', () => {
    const s = ssp('cluster');
    const titles = s['system-implementation'].users.map((u: Json) => u.title);
    expect(titles).toContain('Realm sovra group sovra-chat');
    expect(titles).toContain('Realm sovra administrator');
    expect(s['system-characteristics']['security-sensitivity-level']).toBe('fips-199-high');
    expect(s['system-characteristics']['data-flow'].description).toMatch(/control-plane\/control-plane \(sovra-system\) → keycloak\/keycloak/);
    const res = s['back-matter'].resources[0];
    expect(Buffer.from(res.base64.value, 'base64').toString('utf8')).toBe(readFileSync(join(dirs.cluster, 'oscal/network.svg'), 'utf8'));
    expect(s['system-characteristics']['network-architecture'].diagrams[0].links[0].href).toBe(`#${res.uuid}`);
  });
});

describe('POA&M', () => {
  it('has one item per planned or not-addressed baseline control', () => {
    const poam = readJson<Json>(dirs.cluster, 'oscal/poam.json')['plan-of-action-and-milestones'];
    const open = reqs('cluster').filter((r) => ['planned', 'not-addressed'].includes(status(r)) && r.props.find((x: Json) => x.name === 'in-baseline').value === 'true');
    const ids = poam['poam-items'].map((i: Json) => i.props.find((x: Json) => x.name === 'control-id').value);
    expect(ids).toEqual(open.map((r) => r['control-id']));
  });

  it('turns waived policy findings into items (the list the policy gate plugs in)', () => {
    const profile = loadProfile('edge');
    const model = { profile, epoch: 0, sovraVersion: '0.0.0', components: [] };
    const waiver = { rule: 'no-host-network', object: 'DaemonSet kube-system/cilium', reason: 'The CNI needs the host network.', approver: 'ISSO J. Doe', expiry: '2027-01-31' };
    const doc = emitPoam(model, controlEntries(model), [waiver]);
    validateOscal('poam', doc);
    const item = (doc['plan-of-action-and-milestones'] as Json)['poam-items'].at(-1);
    expect(item.title).toBe('Waived policy finding: rule no-host-network on DaemonSet kube-system/cilium');
    expect(item.props.find((x: Json) => x.name === 'expiry').value).toBe('2027-01-31');
  });
});

describe('sovra assess and sovra diff', () => {
  it('finds nothing in an untouched output', () => {
    const { summary } = assessOutput(dirs.edge);
    expect(summary.notSatisfied).toEqual([]);
    expect(summary.evidence).toBeGreaterThan(50);
  });

  it('turns a claim whose evidence fails into a not-satisfied finding, never an implemented line; exit 40', async () => {
    const broken = join(root, 'edge-broken');
    cpSync(dirs.edge, broken, { recursive: true });
    const file = join(broken, 'manifests/keycloak.yaml');
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/"failureFactor": 3,/);
    writeFileSync(file, text.replace(/"failureFactor": 3,/, '"failureFactor": 30,'));
    const { document, summary } = assessOutput(broken, { epoch: 1767225600 });
    expect(summary.notSatisfied).toEqual(['ac-7']);
    const findings: Json[] = (document['assessment-results'] as Json).results[0].findings;
    const f = findings.find((x) => x.target['target-id'] === 'ac-7_smt')!;
    expect(f.target.status.state).toBe('not-satisfied');
    expect(f.target['implementation-status']).toBeUndefined();
    expect(f.description).toMatch(/failureFactor/);
    const out = join(root, 'ar.json');
    expect(await run(['assess', broken, '--out', out])).toBe(40);
    validateOscal('assessment-results', JSON.parse(readFileSync(out, 'utf8')));
    expect(await run(['assess', dirs.edge, '--out', out])).toBe(0);

    // The diff sees the changed object; an output against itself has no change.
    const d = diffOutputs(dirs.edge, broken);
    expect(d.objects).toEqual([{ object: 'ConfigMap sovra-identity/keycloak-realm (v1)', file: 'manifests/keycloak.yaml', change: 'changed', fields: ['data.sovra'] }]);
    const same = diffOutputs(dirs.edge, dirs.edge);
    expect(same.controls.length + same.objects.length + same.files.length).toBe(0);
  });

  it('diff edge → cluster: status, parameter and evidence changes and objects, as text and JSON', async () => {
    const d = diffOutputs(dirs.edge, dirs.cluster);
    expect(d.controls.some((c) => c.change === 'added')).toBe(true); // HIGH has controls MODERATE lacks
    const minutes = (b: 'MODERATE' | 'HIGH') => `${IDENTITY_BASELINES[b].lockout.lockSeconds / 60} minutes`;
    expect(d.controls).toContainEqual({ control: 'ac-7', change: 'parameter', param: 'ac-7_prm_4', from: minutes('MODERATE'), to: minutes('HIGH') });
    expect(d.objects.some((o) => o.change === 'changed')).toBe(true);
    const text = diffText(d);
    expect(text).toMatch(/~ ac-7 {2}parameter ac-7_prm_4: 30 minutes → 180 minutes/);
    expect(await run(['diff', dirs.edge, dirs.cluster, '--exit-code', '--json'])).toBe(41);
  });
});
