import { Component } from '@cyclonedx/cyclonedx-library/Models';
import { ComponentType } from '@cyclonedx/cyclonedx-library/Enums';
import { describe, expect, it } from 'vitest';
import { isSovraError } from '../core/errors.js';
import { EDGE_PROFILE } from '../test/fixtures/synth-model.js';
import { applyLicense, enforceLicensePolicy, evaluateLicensePolicy, licenseIdRule, type LicenseFinding } from './license-policy.js';
import { parseSpdx } from './spdx-expression.js';

interface Waiver { license: string; reason?: string; approvedBy?: string }

/** A CycloneDX component object as the SBOM writes it. */
function comp(ref: string, license: string | null, options: { waivers?: Waiver[]; unknown?: boolean; named?: boolean; fromParts?: boolean } = {}) {
  const props: Array<{ name: string; value: string }> = [];
  for (const w of options.waivers ?? []) {
    if (w.reason !== undefined) props.push({ name: `sovra:license:waiver:${w.license}:reason`, value: w.reason });
    if (w.approvedBy !== undefined) props.push({ name: `sovra:license:waiver:${w.license}:approved-by`, value: w.approvedBy });
  }
  if (options.unknown) props.push({ name: 'sovra:license:status', value: 'unknown' });
  if (options.fromParts) props.push({ name: 'sovra:license:concluded', value: 'from-parts' });
  return {
    type: 'library',
    name: ref.split('@')[0]!.replace(/^npm:/, ''),
    version: '1.0.0',
    'bom-ref': ref,
    ...(license === null ? {} : { licenses: [options.named ? { license: { name: license } } : { expression: license }] }),
    ...(props.length > 0 ? { properties: props } : {}),
  };
}

function bom(components: unknown[], denyUnknown = false) {
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    metadata: { properties: [{ name: 'sovra:license-policy:deny-unknown', value: String(denyUnknown) }], component: comp('platform:sovra-edge', 'Apache-2.0') },
    components,
  };
}

const REASON = 'Reviewed by legal on 2026-01-10: used unmodified, never offered as a service.';
const brief = (fs: readonly LicenseFinding[]) => fs.map((f) => `${f.bomRef} ${f.rule} ${f.ids.join(',')}`);

describe('parseSpdx', () => {
  it('reads SPDX expressions and tells apart syntax errors and ids off the list', () => {
    expect(parseSpdx('MIT').valid).toBe(true);
    expect(parseSpdx('(BSD-2-Clause OR MIT OR Apache-2.0)')).toMatchObject({ valid: true, ids: ['BSD-2-Clause', 'MIT', 'Apache-2.0'] });
    expect(parseSpdx('GPL-2.0-or-later WITH Classpath-exception-2.0 AND MIT').valid).toBe(true);
    expect(parseSpdx('LicenseRef-acme-eula').valid).toBe(true);
    for (const bad of ['Public Domain', 'MIT AND', '(MIT', 'MIT or Apache-2.0', 'SEE LICENSE IN LICENSE', '']) expect(parseSpdx(bad).valid, bad).toBe(false);
    // Syntax holds, the id is not on the SPDX list: not valid, but its id is still known to the rules.
    expect(parseSpdx('RSAL-2.0')).toMatchObject({ valid: false, ids: ['RSAL-2.0'] });
    expect(parseSpdx('MIT WITH Not-An-Exception').valid).toBe(false);
  });

  it('precedence: AND binds tighter than OR', () => {
    const t = parseSpdx('MIT OR SSPL-1.0 AND BUSL-1.1').tree!;
    expect(t.kind).toBe('or');
    expect(t.kind === 'or' && t.right.kind).toBe('and');
  });
});

describe('licenseIdRule', () => {
  it('denies the trapped licenses, asks review for AGPL, allows the rest', () => {
    for (const id of ['SSPL-1.0', 'BUSL-1.1', 'Elastic-2.0', 'RSAL-2.0', 'RSALv2', 'LicenseRef-RSAL-2.0', 'LicenseRef-SSPL', 'sspl-1.0']) expect(licenseIdRule(id), id).toBe('denied');
    for (const id of ['AGPL-3.0', 'AGPL-3.0-only', 'AGPL-3.0-or-later', 'AGPL-1.0-only']) expect(licenseIdRule(id), id).toBe('needs-review');
    for (const id of ['MIT', 'Apache-2.0', 'GPL-3.0-only', 'LGPL-3.0-only', 'MPL-2.0', 'Elasticsearch-like']) expect(licenseIdRule(id), id).toBeUndefined();
  });
});

describe('evaluateLicensePolicy', () => {
  it('passes allowed licenses and OR-expressions with an allowed branch', () => {
    const r = evaluateLicensePolicy(bom([comp('npm:a@1', 'MIT'), comp('npm:b@1', 'SSPL-1.0 OR MIT'), comp('npm:c@1', '(BUSL-1.1 OR Apache-2.0) AND MIT'), comp('npm:d@1', 'AGPL-3.0-only OR MIT')]));
    expect(r.violations).toEqual([]);
    expect(r.review).toEqual([]);
  });

  it('denies a trapped license wherever no OR-branch avoids it, naming component, license and rule', () => {
    const r = evaluateLicensePolicy(bom([comp('npm:a@1', 'SSPL-1.0'), comp('npm:b@1', 'MIT AND BUSL-1.1'), comp('npm:c@1', 'Elastic-2.0 OR SSPL-1.0'), comp('npm:d@1', 'MIT OR (Apache-2.0 AND LicenseRef-RSAL-2.0)'), comp('npm:e@1', 'MIT OR RSAL-2.0 AND MIT')]));
    expect(brief(r.violations)).toEqual(['npm:a@1 denied SSPL-1.0', 'npm:b@1 denied BUSL-1.1', 'npm:c@1 denied Elastic-2.0,SSPL-1.0']);
    expect(r.violations[0]).toMatchObject({ bomRef: 'npm:a@1', name: 'a@1.0.0', license: 'SSPL-1.0', rule: 'denied' });
  });

  it('asks review for AGPL (a violation until waived), and prefers a review branch over a denied one', () => {
    const r = evaluateLicensePolicy(bom([comp('npm:a@1', 'AGPL-3.0-or-later'), comp('npm:b@1', 'SSPL-1.0 OR AGPL-3.0-only')]));
    expect(brief(r.violations)).toEqual(['npm:a@1 needs-review AGPL-3.0-or-later', 'npm:b@1 needs-review AGPL-3.0-only']);
    expect(brief(r.review)).toEqual(brief(r.violations));
    const waived = evaluateLicensePolicy(bom([comp('npm:a@1', 'AGPL-3.0-or-later', { waivers: [{ license: 'AGPL-3.0-or-later', reason: REASON, approvedBy: 'legal@example.org' }] })]));
    expect(waived.violations).toEqual([]);
    expect(brief(waived.review)).toEqual(['npm:a@1 needs-review AGPL-3.0-or-later']); // still reported as reviewed
    expect(waived.waived).toEqual([{ bomRef: 'npm:a@1', name: 'a@1.0.0', license: 'AGPL-3.0-or-later', ids: ['AGPL-3.0-or-later'], rule: 'needs-review', waiver: { license: 'AGPL-3.0-or-later', reason: REASON, approvedBy: 'legal@example.org' } }]);
  });

  it('lifts a denied license only with a waiver of that license on that component', () => {
    const r = evaluateLicensePolicy(bom([comp('npm:a@1', 'SSPL-1.0 AND BUSL-1.1', { waivers: [{ license: 'SSPL-1.0', reason: REASON }] }), comp('npm:b@1', 'SSPL-1.0')]));
    expect(brief(r.violations)).toEqual(['npm:a@1 denied BUSL-1.1', 'npm:b@1 denied SSPL-1.0']);
    expect(r.waived.map((w) => `${w.bomRef} ${w.waiver.license}`)).toEqual(['npm:a@1 SSPL-1.0']);
    // Either waiver alone opens a way through an OR of two denied licenses: neither is stale.
    const either = evaluateLicensePolicy(bom([comp('npm:c@1', 'SSPL-1.0 OR BUSL-1.1', { waivers: [{ license: 'BUSL-1.1', reason: REASON }, { license: 'SSPL-1.0', reason: REASON }] })]));
    expect(either.violations).toEqual([]);
    expect(either.stale).toEqual([]);
  });

  it('reports waivers that lift nothing or carry no real reason as stale', () => {
    const r = evaluateLicensePolicy(
      bom([
        comp('npm:a@1', 'MIT', { waivers: [{ license: 'SSPL-1.0', reason: REASON }] }),
        comp('npm:b@1', 'SSPL-1.0 OR MIT', { waivers: [{ license: 'SSPL-1.0', reason: REASON }] }),
        comp('npm:c@1', 'SSPL-1.0', { waivers: [{ license: 'SSPL-1.0', reason: 'ok' }] }),
        comp('npm:d@1', 'SSPL-1.0', { waivers: [{ license: 'SSPL-1.0', approvedBy: 'me' }] }),
      ]),
    );
    expect(r.stale.map((s) => `${s.bomRef} ${s.license}`)).toEqual(['npm:a@1 SSPL-1.0', 'npm:b@1 SSPL-1.0', 'npm:c@1 SSPL-1.0', 'npm:d@1 SSPL-1.0']);
    expect(r.stale[0]!.problem).toContain('raises no finding');
    expect(r.stale[2]!.problem).toContain('shorter than 20');
    expect(brief(r.violations)).toEqual(['npm:c@1 denied SSPL-1.0', 'npm:d@1 denied SSPL-1.0']);
  });

  it('reports unknown licenses, and fails them only under denyUnknown unless waived', () => {
    const components = [comp('npm:a@1', 'Public Domain', { named: true, unknown: true }), comp('npm:b@1', null, { unknown: true }), comp('npm:c@1', 'MIT')];
    const lax = evaluateLicensePolicy(bom(components));
    expect(lax.denyUnknown).toBe(false);
    expect(lax.violations).toEqual([]);
    expect(brief(lax.unknown)).toEqual(['npm:a@1 unknown ', 'npm:b@1 unknown ']);
    const strict = evaluateLicensePolicy(bom(components, true));
    expect(brief(strict.violations)).toEqual(['npm:a@1 unknown ', 'npm:b@1 unknown ']);
    const waived = evaluateLicensePolicy(bom([comp('npm:a@1', 'Public Domain', { named: true, unknown: true, waivers: [{ license: 'unknown', reason: REASON }] })], true));
    expect(waived.violations).toEqual([]);
    expect(waived.waived.map((w) => w.rule)).toEqual(['unknown']);
  });

  it('judges license ids that are off the SPDX list and licenses named in words', () => {
    const r = evaluateLicensePolicy(bom([comp('npm:a@1', 'RSAL-2.0', { unknown: true }), comp('npm:b@1', 'Server Side Public License, v 1', { named: true, unknown: true })]));
    expect(brief(r.violations)).toEqual(['npm:a@1 denied RSAL-2.0', 'npm:b@1 denied SSPL-1.0']);
    expect(brief(r.unknown)).toEqual(['npm:a@1 unknown ', 'npm:b@1 unknown ']);
  });

  it('skips licenses concluded from parts (the parts are judged) and reads the metadata component', () => {
    const r = evaluateLicensePolicy({ ...bom([comp('component:x', 'SSPL-1.0', { fromParts: true })]), metadata: { component: comp('platform:p', 'BUSL-1.1') } });
    expect(brief(r.violations)).toEqual(['platform:p denied BUSL-1.1']);
  });

  it('reads ids and names listed as separate licenses as their conjunction', () => {
    const c = { ...comp('npm:a@1', null), licenses: [{ license: { id: 'MIT' } }, { license: { id: 'SSPL-1.0' } }] };
    expect(brief(evaluateLicensePolicy(bom([c])).violations)).toEqual(['npm:a@1 denied SSPL-1.0']);
  });
});

describe('applyLicense', () => {
  it('writes an SPDX expression, or the text as a named license flagged unknown', () => {
    const spdx = new Component(ComponentType.Library, 'a');
    applyLicense(spdx, 'MIT OR Apache-2.0');
    expect([...spdx.licenses].map((l) => ('expression' in l ? l.expression : null))).toEqual(['MIT OR Apache-2.0']);
    expect(spdx.properties.size).toBe(0);
    const named = new Component(ComponentType.Library, 'b');
    applyLicense(named, 'Public Domain');
    expect([...named.licenses].map((l) => ('name' in l ? l.name : null))).toEqual(['Public Domain']);
    expect([...named.properties].map((p) => `${p.name}=${p.value}`)).toEqual(['sovra:license:status=unknown']);
    const none = new Component(ComponentType.Library, 'c');
    applyLicense(none, undefined);
    expect(none.licenses.size).toBe(0);
    expect([...none.properties].map((p) => p.value)).toEqual(['unknown']);
  });
});

describe('enforceLicensePolicy', () => {
  it('throws failed-policy (exit 6) naming component, license and rule, stale waivers, and waivers of absent components', () => {
    const json = JSON.stringify(bom([comp('npm:a@1', 'SSPL-1.0'), comp('npm:b@1', 'MIT', { waivers: [{ license: 'AGPL-3.0-only', reason: REASON }] })]));
    const profile = { ...EDGE_PROFILE, licenseWaivers: [{ component: 'npm:b@1', license: 'AGPL-3.0-only', reason: REASON }, { component: 'npm:nope@9', license: 'SSPL-1.0', reason: REASON }] };
    try {
      enforceLicensePolicy(json, profile);
      expect.unreachable('should have thrown');
    } catch (e) {
      expect(isSovraError(e) && e.code).toBe('failed-policy');
      expect((e as { exitCode: number }).exitCode).toBe(6);
      const m = (e as Error).message;
      expect(m).toContain('component npm:a@1 (a@1.0.0) has license "SSPL-1.0" (SSPL-1.0): rule "denied"');
      expect(m).toContain('the waiver of AGPL-3.0-only for component npm:b@1 is stale');
      expect(m).toContain('the waiver of SSPL-1.0 for component npm:nope@9 matches no component of the SBOM');
    }
  });

  it('returns the result when the policy holds', () => {
    const json = JSON.stringify(bom([comp('npm:a@1', 'Public Domain', { named: true, unknown: true })]));
    expect(enforceLicensePolicy(json, EDGE_PROFILE).unknown).toHaveLength(1);
  });
});
