/**
 * Every rule on its fixtures, judged by the synth's evaluator
 * (@marcbachmann/cel-js) and by a second, independent CEL implementation
 * (@bufbuild/cel): both must reach the expected outcome, and agree on the
 * message of every failure.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/shared.js';
import { RULES } from '../../policies/catalog.js';
import { compileRule, compileRules, judge } from '../../policies/cel/evaluator.js';
import { toCel } from '../../policies/cel/json.js';
import { IMPLEMENTED } from '../../policies/cel/kubernetes-library.js';
import { isControlId } from '../../controls/catalog.js';
import { ruleExpressions, secondJudge } from '../support/cel-second.js';
import { FIXTURES, PARAMS } from './fixtures.js';

describe('the rules as data', () => {
  it('every rule has a unique id `<pack>/<name>`, known controls, a rationale, and type-checks with the Kubernetes library', () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of RULES) {
      expect(r.id.startsWith(`${r.pack}/`), r.id).toBe(true);
      expect(r.controls.length, r.id).toBeGreaterThan(0);
      for (const c of r.controls) expect(isControlId(c), `${r.id}: ${c}`).toBe(true);
      expect(r.rationale.length, r.id).toBeGreaterThan(80);
      expect(() => compileRule(r, { typeCheck: true }), r.id).not.toThrow();
      for (const lib of r.libraries) expect(Object.keys(IMPLEMENTED)).toContain(lib);
      // A rule that reads params names the keys; one that names keys reads them.
      const text = [r.expression, r.messageExpression ?? '', ...(r.variables ?? []).map((v) => v.expression), ...(r.matchConditions ?? []).map((v) => v.expression)].join('\n');
      for (const k of r.params) expect(text, `${r.id} reads params.data.${k}`).toContain(`params.data.${k}`);
      for (const m of text.matchAll(/params\.data\.(\w+)/g)) expect(r.params, r.id).toContain(m[1]);
      if (/quantity\(/.test(text)) expect(r.libraries, r.id).toContain('quantity');
    }
  });

  it('policies/README.md lists every rule with its severity', () => {
    const readme = readFileSync(join(REPO_ROOT, 'policies', 'README.md'), 'utf8');
    for (const r of RULES) expect(readme, r.id).toContain(`| \`${r.id}\` | ${r.severity} |`);
  });

  it('a rule that does not type-check is refused at compile time, naming it', () => {
    expect(() => compileRule({ ...RULES[0]!, id: 'x/broken', expression: "object.spec + 1 == 'a' && quantity(3)" }, { typeCheck: true })).toThrow(/x\/broken/);
    expect(() => compileRule({ ...RULES[0]!, id: 'x/unparsable', expression: 'object.spec.(' })).toThrow(/x\/unparsable.*does not parse/);
  });

  it('every rule has at least one fixture that passes and one that fails', () => {
    for (const r of RULES) {
      const mine = FIXTURES.filter((f) => f.rule === r.id);
      expect(mine.some((f) => f.expect === 'pass'), `${r.id} has a passing fixture`).toBe(true);
      expect(mine.some((f) => f.expect === 'fail'), `${r.id} has a failing fixture`).toBe(true);
    }
    expect(FIXTURES.filter((f) => !RULES.some((r) => r.id === f.rule))).toEqual([]);
  });
});

describe.each(RULES.map((r) => [r.id, r] as const))('%s', (id, rule) => {
  const [compiled] = compileRules([rule]);
  it.each(FIXTURES.filter((f) => f.rule === id).map((f) => [f.name, f] as const))('%s', (_, f) => {
    const object = toCel(f.object);
    const params = toCel(f.params ?? PARAMS);
    const apiVersion = String(f.object.apiVersion);
    const kind = String(f.object.kind);
    const first = judge(compiled!, apiVersion, kind, { object, params });
    const second = secondJudge(ruleExpressions(rule), apiVersion, kind, { object, params });
    expect(first.outcome, `synth evaluator: ${first.detail ?? ''}`).toBe(f.expect);
    expect(second.outcome, `second implementation: ${second.detail ?? ''}`).toBe(f.expect);
    expect(second.detail).toBe(first.detail);
    if (f.expect === 'fail' && rule.messageExpression) expect(first.detail).not.toMatch(/failed|evaluation/);
    if (f.detail) expect(first.detail).toContain(f.detail);
  });
});
