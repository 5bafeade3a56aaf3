// Stands in for lib/oscal/ssp/emit.js in lib/synth/synth.js under
// bench/ssp-hook.mjs: skips the accreditor views (SOVRA_BENCH_SSP=off, read
// at each call so one process can alternate) or times the real ones.
import { emitAccreditorViews as real } from '../lib/oscal/ssp/emit.js';

/** Same signature as the real emitter. */
export function emitAccreditorViews(model) {
  const bench = (globalThis.sovraBench ??= {});
  if (process.env.SOVRA_BENCH_SSP === 'off') {
    bench.ssp = 'off';
    return { files: new Map(), coverageLine: '(accreditor views off)' };
  }
  const t0 = performance.now();
  try {
    return real(model);
  } finally {
    bench.ssp = 'timed';
    bench.sspMs = performance.now() - t0;
  }
}
