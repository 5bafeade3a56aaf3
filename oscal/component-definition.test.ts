import { describe, expect, it } from 'vitest';
import { stableJson } from '../core/canonical.js';
import { mutableSynthModel, synthModel } from '../test/fixtures/synth-model.js';
import { componentUuid, requirementUuid } from './component-definition-ids.js';
import { AGGREGATE_COMPONENT_DEFINITION_PATH, componentDefinitionPath, emitComponentDefinitions } from './component-definition.js';
import type { Component, ControlImplementation, HttpCsrcNistGovNsOscal113OscalComponentDefinitionSchemaJson as Doc, Property } from './types/component-definition.generated.js';
import { validateOscal } from './validate.js';

function bytes(docs: Map<string, object>): Map<string, string> {
  return new Map([...docs].map(([p, d]) => [p, stableJson(d)]));
}

function componentOf(docs: Map<string, Doc>, id: string): Component {
  return docs.get(componentDefinitionPath(id))!['component-definition'].components![0];
}

function requirementOf(c: Component, control: string): ControlImplementation {
  const req = c['control-implementations']![0]!['implemented-requirements'].find((r) => r['control-id'] === control);
  expect(req, `requirement ${control}`).toBeDefined();
  return req!;
}

function propValues(props: readonly Property[] | undefined, name: string, group?: string): string[] {
  return (props ?? []).filter((p) => p.name === name && (group === undefined || p.group === group)).map((p) => p.value);
}

describe('emitComponentDefinitions', () => {
  it('writes one document per component plus the aggregate, all valid OSCAL 1.1.3', () => {
    const docs = emitComponentDefinitions(synthModel());
    expect([...docs.keys()].sort()).toEqual([
      AGGREGATE_COMPONENT_DEFINITION_PATH,
      'oscal/component-definitions/cilium.json',
      'oscal/component-definitions/control-plane.json',
      'oscal/component-definitions/nats.json',
    ]);
    for (const [path, doc] of docs) validateOscal('component-definition', doc, path);
    const agg = docs.get(AGGREGATE_COMPONENT_DEFINITION_PATH)!['component-definition'];
    expect(agg.components!.map((c) => c.title)).toEqual(['Cilium', 'Sovra control plane', 'NATS']);
  });

  it('fills metadata from the model: version, time, role and party', () => {
    const md = emitComponentDefinitions(synthModel()).get(AGGREGATE_COMPONENT_DEFINITION_PATH)!['component-definition'].metadata;
    expect(md.version).toBe('0.1.0+edge');
    expect(md['oscal-version']).toBe('1.1.3');
    expect(md['last-modified']).toBe('2026-01-01T00:00:00Z');
    expect(md.published).toBe('2026-01-01T00:00:00Z');
    expect(md.roles![0].id).toBe('platform-engineering');
    expect(md['responsible-parties']![0]['party-uuids'][0]).toBe(md.parties![0].uuid);
    expect(propValues(md.props, 'baseline')).toEqual(['MODERATE']);
  });

  it('is deterministic: the same model twice gives byte-identical documents', () => {
    expect(bytes(emitComponentDefinitions(synthModel()))).toEqual(bytes(emitComponentDefinitions(synthModel())));
  });

  it('sets the control source to the NIST resolved baseline of the profile', () => {
    const ci = componentOf(emitComponentDefinitions(synthModel()), 'cilium')['control-implementations']![0];
    expect(ci.source).toMatch(/^https:\/\/.*NIST_SP-800-53_rev5_MODERATE-baseline-resolved-profile_catalog-min\.json$/);
    expect(propValues(ci.props, 'baseline')).toEqual(['MODERATE']);
    const low = mutableSynthModel();
    low.profile.baseline = 'LOW';
    expect(componentOf(emitComponentDefinitions(low), 'cilium')['control-implementations']![0].source).toContain('rev5_LOW-baseline');
  });

  it('carries every claim: statement, status and each piece of evidence', () => {
    const model = synthModel();
    const docs = emitComponentDefinitions(model);
    for (const view of model.components) {
      const c = componentOf(docs, view.id);
      view.claims.forEach((claim) => {
        const req = requirementOf(c, claim.control);
        expect(req.description).toContain(claim.statement);
        const claimProp = req.props!.find((p) => p.name === 'claim-status' && p.remarks === claim.statement)!;
        expect(claimProp.value).toBe(claim.status);
        for (const [j, ev] of claim.evidence.entries()) {
          const group = `${claimProp.group}-evidence-${j + 1}`;
          expect(propValues(req.props, 'evidence-file', group)).toEqual([ev.file]);
          expect(propValues(req.props, 'evidence-path', group)).toEqual([ev.path]);
          expect(propValues(req.props, 'evidence-expectation', group)).toEqual([ev.expectation]);
          expect(propValues(req.props, 'evidence-actual', group)).toEqual([JSON.stringify(ev.actual)]);
          expect(propValues(req.props, 'evidence-description', group)).toEqual([ev.description]);
          expect(propValues(req.props, 'evidence-kind', group)).toEqual(ev.object ? [ev.object.kind] : []);
          expect(propValues(req.props, 'evidence-name', group)).toEqual(ev.object ? [ev.object.name] : []);
          expect(req.links!.some((l) => l.rel === 'evidence' && l.href === `../../${ev.file}` && l.text === ev.description)).toBe(true);
        }
      });
    }
  });

  it('groups claims on the same control into one requirement with a combined status', () => {
    const cilium = componentOf(emitComponentDefinitions(synthModel()), 'cilium');
    const reqs = cilium['control-implementations']![0]['implemented-requirements'];
    expect(reqs.map((r) => r['control-id'])).toEqual(['sc-8']);
    expect(propValues(reqs[0].props, 'implementation-status')).toEqual(['partial']);
    const nats = componentOf(emitComponentDefinitions(synthModel()), 'nats');
    expect(propValues(requirementOf(nats, 'sc-28').props, 'implementation-status')).toEqual(['planned']);
  });

  it('lists requirements in catalog order', () => {
    const cp = componentOf(emitComponentDefinitions(synthModel()), 'control-plane');
    // declared au-12 first, ac-6 second
    expect(cp['control-implementations']![0]['implemented-requirements'].map((r) => r['control-id'])).toEqual(['ac-6', 'au-12']);
  });

  it('states customer responsibilities: on a claimed control beside the claim, alone as a planned requirement without evidence', () => {
    const m = mutableSynthModel();
    const cilium = m.components.find((c) => c.id === 'cilium')!;
    cilium.responsibilities = [
      { control: 'sc-8', statement: 'The site rotates nothing here.', procedure: 'README.md#x' },
      { control: 'cp-9', statement: 'The site backs up the node keys.' },
    ];
    const docs = emitComponentDefinitions(m);
    for (const [path, doc] of docs) validateOscal('component-definition', doc, path);
    const c = componentOf(docs, 'cilium');
    const sc8 = requirementOf(c, 'sc-8');
    // The claims decide the status; a responsibility beside them does not change it.
    expect(propValues(sc8.props, 'implementation-status')).toEqual(propValues(requirementOf(componentOf(emitComponentDefinitions(synthModel()), 'cilium'), 'sc-8').props, 'implementation-status'));
    expect(sc8.props!.find((p) => p.name === 'customer-responsibility')).toMatchObject({ value: 'README.md#x', remarks: 'The site rotates nothing here.' });
    expect(sc8.description).toContain('Customer responsibility: The site rotates nothing here.');
    const cp9 = requirementOf(c, 'cp-9');
    expect(propValues(cp9.props, 'implementation-status')).toEqual(['planned']);
    expect(cp9.links).toBeUndefined();
  });

  it('shows baseline exceptions with their reason', () => {
    const c = componentOf(emitComponentDefinitions(synthModel()), 'cilium');
    const ex = c.props!.find((p) => p.name === 'baseline-exception')!;
    expect(ex.value).toBe('apps/v1 DaemonSet kube-system/cilium: privileged');
    expect(ex.remarks).toBe('The CNI agent loads eBPF programs into the host kernel.');
    expect(c.remarks).toContain('The CNI agent loads eBPF programs into the host kernel.');
  });

  it('describes the component: type, props, links to image purl with digest and to its output files', () => {
    const c = componentOf(emitComponentDefinitions(synthModel()), 'cilium');
    expect(c.type).toBe('service');
    expect(propValues(c.props, 'layer')).toEqual(['network']);
    expect(propValues(c.props, 'version')).toEqual(['1.16.5']);
    expect(c.links!.find((l) => l.rel === 'image')!.href).toContain(`sha256:${'a'.repeat(64)}`);
    expect(c.links!.find((l) => l.rel === 'output')!.href).toBe('../../manifests/cilium.yaml');
    const agg = emitComponentDefinitions(synthModel()).get(AGGREGATE_COMPONENT_DEFINITION_PATH)!['component-definition'].components![0];
    expect(agg.links!.find((l) => l.rel === 'output')!.href).toBe('../manifests/cilium.yaml');
  });

  it('derives UUIDs from content: identities stay, the document uuid follows its content', () => {
    const before = emitComponentDefinitions(synthModel());
    const changed = mutableSynthModel();
    changed.components[0]!.claims[0]!.statement = 'Pod traffic is encrypted with WireGuard (changed).';
    const after = emitComponentDefinitions(changed);
    const uuid = (d: Map<string, Doc>, p: string): string => d.get(p)!['component-definition'].uuid;
    // the changed component and the aggregate get new document UUIDs, the others keep theirs
    expect(uuid(after, componentDefinitionPath('cilium'))).not.toBe(uuid(before, componentDefinitionPath('cilium')));
    expect(uuid(after, AGGREGATE_COMPONENT_DEFINITION_PATH)).not.toBe(uuid(before, AGGREGATE_COMPONENT_DEFINITION_PATH));
    expect(uuid(after, componentDefinitionPath('nats'))).toBe(uuid(before, componentDefinitionPath('nats')));
    // component and requirement identities do not depend on wording
    expect(componentOf(after, 'cilium').uuid).toBe(componentOf(before, 'cilium').uuid);
    expect(requirementOf(componentOf(after, 'cilium'), 'sc-8').uuid).toBe(requirementUuid('cilium', 'sc-8'));
    expect(componentOf(before, 'cilium').uuid).toBe(componentUuid('cilium'));
    expect(componentUuid('cilium')).not.toBe(componentUuid('cilium-2'));
    // every uuid in a document is unique
    const all = stableJson(before.get(AGGREGATE_COMPONENT_DEFINITION_PATH)).match(/"uuid": "[^"]+"/g)!;
    const partyUuid = before.get(AGGREGATE_COMPONENT_DEFINITION_PATH)!['component-definition'].metadata.parties![0].uuid;
    expect(new Set(all.filter((u) => !u.includes(partyUuid))).size).toBe(all.filter((u) => !u.includes(partyUuid)).length);
  });

  it('omits control implementations for a component without claims and still validates', () => {
    const m = mutableSynthModel();
    m.components[2]!.claims = [];
    const c = componentOf(emitComponentDefinitions(m), 'nats');
    expect(c['control-implementations']).toBeUndefined();
    validateOscal('component-definition', emitComponentDefinitions(m).get(componentDefinitionPath('nats')));
  });

  it('writes multi-line or padded evidence values as valid OSCAL strings', () => {
    const m = mutableSynthModel();
    m.components[0]!.claims[0]!.evidence[0]!.actual = '  line one\nline two  ';
    m.components[0]!.claims[1]!.evidence[0]!.actual = undefined;
    m.components[0]!.claims[0]!.evidence[0]!.path = ' spec.x \n';
    const docs = emitComponentDefinitions(m);
    for (const [p, d] of docs) validateOscal('component-definition', d, p);
    const req = requirementOf(componentOf(docs, 'cilium'), 'sc-8');
    expect(propValues(req.props, 'evidence-actual', 'claim-1-evidence-1')).toEqual([JSON.stringify('  line one\nline two  ')]);
    expect(propValues(req.props, 'evidence-actual', 'claim-2-evidence-1')).toEqual(['null']);
    expect(propValues(req.props, 'evidence-path', 'claim-1-evidence-1')).toEqual(['spec.x']);
  });
});
