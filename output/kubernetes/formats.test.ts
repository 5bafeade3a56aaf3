import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { K8S_FORMATS, k8sFormatsModuleSource } from './formats.js';

/** The module the precompiled validators load, evaluated from its source. */
function loadModule(): Record<string, unknown> {
  const module = { exports: {} as Record<string, unknown> };
  new Function('require', 'module', k8sFormatsModuleSource())(createRequire(import.meta.url), module);
  return module.exports;
}

describe('the formats module of the precompiled validators', () => {
  const formats = loadModule();

  it('checks int32 the way K8S_FORMATS does', () => {
    const mod = formats.int32 as { type: string; validate: (n: number) => boolean };
    expect(mod.type).toBe('number');
    for (const n of [0, 2147483647, -2147483648, 2147483648, -2147483649, 1.5]) expect(mod.validate(n), String(n)).toBe(K8S_FORMATS.int32.validate(n));
    expect(mod.validate(2147483648)).toBe(false);
  });

  it('checks byte as base64 and accepts the formats left to the API server', () => {
    const byte = formats.byte as RegExp;
    expect(byte.test('aGVsbG8=')).toBe(true);
    expect(byte.test('not base64!')).toBe(false);
    for (const name of ['int64', 'double', 'binary', 'cidr', 'idn-hostname']) expect(formats[name], name).toBe(true);
  });

  it("carries ajv-formats' date-time, ipv4 and ipv6", () => {
    for (const name of ['date-time', 'ipv4', 'ipv6']) expect(formats[name], name).toBeDefined();
  });
});
