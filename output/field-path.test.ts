import { describe, expect, it } from 'vitest';
import { parseFieldPath, readField } from './field-path.js';

describe('field paths', () => {
  it('splits dotted keys and array indexes', () => {
    expect(parseFieldPath('spec.template.spec.containers[0].args[2]')).toEqual(['spec', 'template', 'spec', 'containers', 0, 'args', 2]);
  });

  it('reads a key that holds dots when it is written in brackets and quotes', () => {
    expect(parseFieldPath('spec.chain["artifacts.taskrun.format"]')).toEqual(['spec', 'chain', 'artifacts.taskrun.format']);
    const doc = { spec: { chain: { 'artifacts.taskrun.format': 'slsa/v2alpha4', artifacts: { taskrun: { format: 'in-toto' } } } } };
    expect(readField(doc, 'spec.chain["artifacts.taskrun.format"]')).toBe('slsa/v2alpha4');
    expect(readField(doc, 'spec.chain.artifacts.taskrun.format')).toBe('in-toto');
    expect(readField({ data: { 'a"b': 1 } }, 'data["a\\"b"]')).toBe(1);
  });

  it('refuses malformed paths', () => {
    for (const p of ['a..b', 'a.', 'a["b]', 'a[x]', 'a["b"]c']) expect(() => parseFieldPath(p), p).toThrow(/bad field path/);
  });
});
