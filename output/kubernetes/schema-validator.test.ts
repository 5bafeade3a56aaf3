import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../core/paths.js';
import { precompiledValidator } from '../../core/precompiled.js';
import { shippedKinds } from './kinds.js';
import { k8sAjv, k8sValidator, k8sValidatorName } from './schema-validator.js';

describe('Kubernetes validators', () => {
  it('are precompiled by the build for every shipped schema, identical schemas sharing one module', () => {
    const names = [...new Set(shippedKinds().map((k) => k8sValidatorName(k.schema)))];
    for (const name of names) expect(existsSync(join(packageRoot(), 'lib', 'validators', `${name}.cjs`)), name).toBe(true);
    expect(precompiledValidator(k8sValidatorName('crds/k8s.keycloak.org/keycloak_v2beta1.json'))).toBe(precompiledValidator(k8sValidatorName('crds/k8s.keycloak.org/keycloak_v2alpha1.json')));
  });

  it('give the same result precompiled and compiled from source', () => {
    const cases: Array<[string, object]> = [
      ['schema/v1.30.10-standalone-strict/service-v1.json', { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort: true }], tyype: 'x' } }],
      ['schema/v1.30.10-standalone-strict/deployment-apps-v1.json', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { selector: {}, template: { spec: { containers: [{ name: 'c', ports: [{ containerPort: 2 ** 31 }] }] } } } }],
      ['crds/monitoring.coreos.com/prometheusrule_v1.json', { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'r', labels: { a: 1 } }, spec: { groups: [{ name: 'g', partial_response_strategy: 'never', rules: [] }] } }],
      ['crds/cilium.io/ciliumnetworkpolicy_v2.json', { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'p' }, spec: { endpointSelector: {}, ingress: [{}], log: { value: 'ok' } }, extra: 1 }],
    ];
    for (const [schema, obj] of cases) {
      const pre = precompiledValidator(k8sValidatorName(schema))!;
      expect(pre, schema).toBeDefined();
      const { ajv, schema: prepared } = k8sAjv(schema);
      const fresh = ajv.compile(prepared);
      expect(pre(obj), schema).toBe(false);
      expect(fresh(obj), schema).toBe(false);
      const strip = (errors: typeof pre.errors) => (errors ?? []).map((e) => ({ instancePath: e.instancePath, keyword: e.keyword, message: e.message }));
      expect(strip(pre.errors), schema).toEqual(strip(fresh.errors));
      expect(pre.errors!.length).toBeGreaterThan(0);
    }
  });

  it('compiles at first use when asked to (SOVRA_COMPILE_SCHEMAS=1) and caches the result', () => {
    const before = process.env.SOVRA_COMPILE_SCHEMAS;
    process.env.SOVRA_COMPILE_SCHEMAS = '1';
    try {
      const v = k8sValidator('schema/v1.30.10-standalone-strict/limitrange-v1.json');
      expect(v({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'l' }, spec: { limits: [{ type: 'Container' }] } })).toBe(true);
      expect(v({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'l' }, spec: { limits: [{}] } })).toBe(false);
      expect(k8sValidator('schema/v1.30.10-standalone-strict/limitrange-v1.json')).toBe(v);
    } finally {
      if (before === undefined) delete process.env.SOVRA_COMPILE_SCHEMAS;
      else process.env.SOVRA_COMPILE_SCHEMAS = before;
    }
  });
});
