// Benchmark only: `node --import ./bench/ssp-hook.mjs …` loads the built
// synth with its accreditor views (SSP, coverage, POA&M, assessment
// results, report) wrapped at load time (the product has no switch for
// them): with SOVRA_BENCH_SSP=off they are skipped, otherwise they run as
// shipped and their time in the process is recorded in globalThis.sovraBench.
import { register } from 'node:module';

const wrapper = new URL('./ssp-hook.wrapper.mjs', import.meta.url).href;
register(
  `data:text/javascript,${encodeURIComponent(`
    export async function resolve(specifier, context, next) {
      if (specifier.endsWith('/oscal/ssp/emit.js') && context.parentURL?.endsWith('/lib/synth/synth.js')) {
        return { url: ${JSON.stringify(wrapper)}, shortCircuit: true };
      }
      return next(specifier, context);
    }
  `)}`,
);
