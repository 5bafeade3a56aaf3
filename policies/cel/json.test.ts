/**
 * Objects as admission CEL sees them: null fields are absent, as after the
 * API server decodes them (a Helm template can render `env: null`).
 */
import { describe, expect, it } from 'vitest';
import { RULES } from '../catalog.js';
import { compileRule, judge } from './evaluator.js';
import { toCel } from './json.js';

describe('toCel', () => {
  it('integers become int, other numbers stay double, and null map entries are left out (lists keep their items)', () => {
    expect(toCel({ a: 1, b: 1.5, c: null, d: [1, null], e: { f: null, g: 'x' } })).toEqual({ a: 1n, b: 1.5, d: [1n, null], e: { g: 'x' } });
  });

  it('a container rendered with env: null is judged like one without env (secrets/produced evaluates instead of failing)', () => {
    const rule = compileRule(RULES.find((r) => r.id === 'secrets/produced')!);
    const pod = (env: unknown) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'ns' },
      spec: { containers: [{ name: 'c', image: 'x', env }] },
    });
    const params = toCel({ data: { producedSecrets: 'ns/made' } });
    expect(judge(rule, 'v1', 'Pod', { object: toCel(pod(null)), params })).toEqual({ outcome: 'pass' });
    const missing = judge(rule, 'v1', 'Pod', { object: toCel(pod([{ name: 'K', valueFrom: { secretKeyRef: { name: 'absent', key: 'k' } } }])), params });
    expect(missing).toMatchObject({ outcome: 'fail', detail: 'Secrets without a producer: ns/absent' });
  });
});
