import { describe, expect, it } from 'vitest';
import { toYaml } from '../core/yaml.js';
import { OutputIndex, identity } from './output-index.js';

const cm = (name: string, value: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns' }, data: { value } });
const ids = (objs: Array<Record<string, unknown>>) => objs.map(identity);

describe('OutputIndex', () => {
  it('reads an object from the bytes written at its position, not from the objects in memory', () => {
    const objs = [cm('a', '1'), cm('b', '2'), cm('c', '3')];
    const written = toYaml(...objs).replace('value: "2"', 'value: "tampered"');
    const index = new OutputIndex(() => Buffer.from(written), () => ids(objs));
    expect(index.object('m.yaml', identity(objs[1]!))).toEqual(cm('b', 'tampered'));
  });

  it('falls back to parsing the whole file when the position holds another object', () => {
    const objs = [cm('a', '1'), cm('b', '2')];
    const written = toYaml(objs[1], objs[0]); // written in another order than announced
    const index = new OutputIndex(() => Buffer.from(written), () => ids(objs));
    expect(index.object('m.yaml', identity(objs[0]!))).toEqual(cm('a', '1'));
    expect(index.object('m.yaml', identity(objs[1]!))).toEqual(cm('b', '2'));
  });

  it('falls back when the file holds another number of documents, and misses what is not written', () => {
    const objs = [cm('a', '1'), cm('b', '2')];
    const written = toYaml(objs[0]);
    const index = new OutputIndex(() => Buffer.from(written), () => ids(objs));
    expect(index.object('m.yaml', identity(objs[0]!))).toEqual(cm('a', '1'));
    expect(index.object('m.yaml', identity(objs[1]!))).toBeUndefined();
    expect(new OutputIndex(() => undefined).object('m.yaml', identity(objs[0]!))).toBeUndefined();
  });

  it('tells objects apart by namespace', () => {
    const a = cm('x', '1');
    const b = { ...cm('x', '2'), metadata: { name: 'x', namespace: 'other' } };
    const index = new OutputIndex(() => Buffer.from(toYaml(a, b)));
    expect(index.object('m.yaml', identity(b))).toEqual(b);
    expect(index.object('m.yaml', { apiVersion: 'v1', kind: 'ConfigMap', name: 'x' })).toBeUndefined();
  });
});
