// Benchmark only: `node --import ./bench/k8s-validation-hook.mjs …` runs the
// built synth with its Kubernetes schema check wrapped at load time (the
// product has no switch for it). With SOVRA_BENCH_K8S_VALIDATION=off the
// check is skipped (the "off" figures of bench/synth.mjs); otherwise it runs
// as shipped and its time in the process is recorded. bench/stress-synth.mjs
// reports both, so a bench whose "off" runs still validated would notice.
import { register } from 'node:module';

const wrapper = new URL('./k8s-validation-hook.wrapper.mjs', import.meta.url).href;
register(
  `data:text/javascript,${encodeURIComponent(`
    export async function resolve(specifier, context, next) {
      if (specifier.endsWith('/output/kubernetes/validate-objects.js') && context.parentURL?.endsWith('/lib/synth/synth.js')) {
        return { url: ${JSON.stringify(wrapper)}, shortCircuit: true };
      }
      return next(specifier, context);
    }
  `)}`,
);
