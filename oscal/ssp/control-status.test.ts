/**
 * Status derivation without a synth: the README's example profile (site
 * responsibilities and a leveraged authorization) changes exactly the
 * controls it names; a not-applicable entry needs a reason.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProfile } from '../../profiles/load.js';
import type { Profile } from '../../profiles/profile.generated.js';
import { controlEntries } from './control-status.js';
import { coverage, coverageLine } from './coverage.js';
import { REPO_ROOT } from '../../test/support/shared.js';

const model = (profile: Profile) => ({ profile, epoch: 0, sovraVersion: '0.0.0', components: [] });

/** The profile example of the README's SSP section, loaded as a site would. */
function readmeProfile(): Profile {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const block = /```yaml\n(extends: edge\nresponsibilities:[\s\S]*?)```/.exec(readme);
  expect(block, 'README example').not.toBeNull();
  const dir = mkdtempSync(join(tmpdir(), 'sovra-resp-'));
  writeFileSync(join(dir, 'site.yaml'), block![1]!);
  return loadProfile(join(dir, 'site.yaml'));
}

describe('control status', () => {
  it('built-in profiles: organizational controls planned (the customer\'s), the rest of an empty platform not addressed', () => {
    const entries = controlEntries(model(loadProfile('edge')));
    const at2 = entries.find((e) => e.control.id === 'at-2')!;
    expect(at2.status).toBe('planned');
    expect(at2.responsibility?.role).toBe('system-owner');
    expect(entries.find((e) => e.control.id === 'ac-1')!.status).toBe('planned');
    expect(entries.find((e) => e.control.id === 'sc-8')!.status).toBe('not-addressed');
    const cov = coverage('edge', 'MODERATE', entries);
    expect(cov.overall.total).toBe(287);
    expect(coverageLine(cov)).toMatch(/^coverage of the MODERATE baseline \(287 controls\): 0 implemented, 0 partial, \d+ planned, 0 inherited, 0 not applicable, \d+ not addressed$/);
  });

  it('the README example: site statements, an inherited control and a not-applicable one with its reason', () => {
    const entries = controlEntries(model(readmeProfile()));
    const by = (id: string) => entries.find((e) => e.control.id === id)!;
    expect(by('at-2').status).toBe('implemented');
    expect(by('pe-3').status).toBe('partial');
    expect(by('ac-14').status).toBe('not-applicable');
    expect(by('ac-14').reason).toMatch(/no action without/);
    // pe-2 keeps its planned default (a responsibility wins over inheritance); pe-6 likewise.
    expect(by('pe-2').status).toBe('planned');
    expect(by('sc-8').status).toBe('not-addressed');
  });

  it('inherits a control nothing else addresses from a leveraged authorization', () => {
    const p = loadProfile('edge');
    const profile = { ...p, leveragedAuthorizations: [{ id: 'dc', title: 'DC', party: 'Hosting', dateAuthorized: '2026-01-15', controls: ['sc-8' as string] }] } as Profile;
    const e = controlEntries(model(profile)).find((x) => x.control.id === 'sc-8')!;
    expect(e.status).toBe('inherited');
    expect(e.inheritedFrom?.party).toBe('Hosting');
  });

  it('refuses not-applicable without a reason, and unknown control ids', () => {
    const p = loadProfile('edge');
    const noReason = { ...p, responsibilities: { ...p.responsibilities, 'ac-14': { statement: 'x', role: 'system-owner', status: 'not-applicable' as const } } };
    expect(() => controlEntries(model(noReason))).toThrow(/responsibilities\/ac-14 has status not-applicable but no reason/);
    const unknown = { ...p, responsibilities: { 'zz-99': { statement: 'x', role: 'system-owner', status: 'planned' as const } } };
    expect(() => controlEntries(model(unknown))).toThrow(/zz-99 is not an SP 800-53 rev5 control id/);
  });
});
