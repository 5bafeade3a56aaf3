// Stands in for lib/output/kubernetes/validate-objects.js in lib/synth/synth.js
// under bench/k8s-validation-hook.mjs: skips the check
// (SOVRA_BENCH_K8S_VALIDATION=off) or times the real one.
import { validateKubernetesObjects as check } from '../lib/output/kubernetes/validate-objects.js';

/** Same signature as the real check. */
export function validateKubernetesObjects(groups) {
  const bench = (globalThis.sovraBench ??= {});
  if (process.env.SOVRA_BENCH_K8S_VALIDATION === 'off') {
    bench.k8sValidation = 'off';
    let n = 0;
    for (const g of groups) n += g.objects.length;
    return n;
  }
  const t0 = performance.now();
  try {
    return check(groups);
  } finally {
    bench.k8sValidation = 'timed';
    bench.k8sValidationMs = performance.now() - t0;
  }
}
