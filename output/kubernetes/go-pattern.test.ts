import { describe, expect, it } from 'vitest';
import { jsPattern } from './go-pattern.js';

describe('jsPattern', () => {
  it('keeps patterns JavaScript already reads', () => {
    expect(jsPattern('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')).toBe('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$');
    expect(jsPattern('^\\p{L}+$')).toBe('^\\p{L}+$');
  });

  it("rewrites RE2's one-letter Unicode classes (Cilium's ^\\PC*$)", () => {
    const p = jsPattern('^\\PC*$');
    expect(p).toBe('^\\P{C}*$');
    const re = new RegExp(p, 'u');
    expect(re.test('plain text ü')).toBe(true);
    expect(re.test('bell\u0007')).toBe(false);
  });

  it('leaves an escaped backslash followed by P alone', () => {
    expect(jsPattern('^\\\\PC$')).toBe('^\\\\PC$');
    expect(new RegExp(jsPattern('^\\\\PC$'), 'u').test('\\PC')).toBe(true);
  });

  it("turns a leading (?i) into case-insensitive letters (prometheus-operator's ^(?i)(abort|warn)?$)", () => {
    const re = new RegExp(jsPattern('^(?i)(abort|warn)?$'), 'u');
    for (const ok of ['abort', 'WARN', 'Abort', '']) expect(re.test(ok), ok).toBe(true);
    for (const bad of ['fail', 'abortx', 'ABORT WARN']) expect(re.test(bad), bad).toBe(false);
  });

  it('refuses what it cannot rewrite exactly, naming the pattern', () => {
    expect(() => jsPattern('^(?i)[a-z]+$')).toThrow(/\^\(\?i\)\[a-z\]\+\$.*go-pattern\.ts/);
    expect(() => jsPattern('^(?P<name>x)$')).toThrow(/not a JavaScript regular expression/);
  });
});
