import { describe, expect, it } from 'vitest';
import { isSovraError, type SovraError } from '../core/errors.js';
import { synthModel } from '../test/fixtures/synth-model.js';
import { AGGREGATE_COMPONENT_DEFINITION_PATH, emitComponentDefinitions } from './component-definition.js';
import { validateOscal } from './validate.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function aggregate(): Json {
  return structuredClone(emitComponentDefinitions(synthModel()).get(AGGREGATE_COMPONENT_DEFINITION_PATH)) as Json;
}

function failure(fn: () => void): SovraError {
  try {
    fn();
  } catch (e) {
    if (isSovraError(e)) return e;
    throw e;
  }
  throw new Error('expected a SovraError');
}

describe('validateOscal', () => {
  it('accepts the emitted component definitions', () => {
    expect(() => validateOscal('component-definition', aggregate())).not.toThrow();
  });

  it('rejects a bad uuid, naming the document, the pointer and the value', () => {
    const doc = aggregate();
    doc['component-definition'].components[1].uuid = 'not-a-uuid';
    const e = failure(() => validateOscal('component-definition', doc, 'oscal/component-definition.json'));
    expect(e.code).toBe('invalid-output');
    expect(e.message).toContain('oscal/component-definition.json');
    expect(e.message).toContain('/component-definition/components/1/uuid');
    expect(e.message).toContain('"not-a-uuid"');
  });

  it('rejects an unknown property and a missing required field', () => {
    const extra = aggregate();
    extra['component-definition'].metadata.colour = 'blue';
    expect(failure(() => validateOscal('component-definition', extra)).message).toMatch(/\/component-definition\/metadata.*colour/);
    const missing = aggregate();
    delete missing['component-definition'].metadata.title;
    expect(failure(() => validateOscal('component-definition', missing)).message).toMatch(/\/component-definition\/metadata: must have required property 'title'/);
  });

  it('rejects a bad timestamp format (formats are checked)', () => {
    const doc = aggregate();
    doc['component-definition'].metadata['last-modified'] = 'yesterday';
    expect(failure(() => validateOscal('component-definition', doc)).message).toContain('/component-definition/metadata/last-modified');
  });

  it('rejects unknown and withdrawn control ids with their pointer', () => {
    const doc = aggregate();
    doc['component-definition'].components[0]['control-implementations'][0]['implemented-requirements'][0]['control-id'] = 'zz-99';
    const e = failure(() => validateOscal('component-definition', doc, 'agg'));
    expect(e.code).toBe('invalid-output');
    expect(e.message).toContain('/component-definition/components/0/control-implementations/0/implemented-requirements/0/control-id');
    expect(e.message).toContain('"zz-99"');
    const withdrawn = aggregate();
    withdrawn['component-definition'].components[0]['control-implementations'][0]['implemented-requirements'][0]['control-id'] = 'ac-2.10';
    expect(failure(() => validateOscal('component-definition', withdrawn)).message).toContain('"ac-2.10"');
  });

  it('validates SSP documents against the SSP schema', () => {
    expect(failure(() => validateOscal('ssp', aggregate())).message).toMatch(/OSCAL ssp/);
    expect(failure(() => validateOscal('ssp', { 'system-security-plan': {} })).message).toContain("required property 'uuid'");
  });
  // That the shipped schemas are the NIST originals is checked in test/conformance/oscal.test.ts.
});
