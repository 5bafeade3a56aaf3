// Benchmark only: `node --import ./bench/rusage.mjs …` writes the process's
// resource usage (CPU time, peak RSS) as JSON to $SOVRA_BENCH_RUSAGE when it
// exits, so bench/synth.mjs can report CPU time, steadier than wall time on
// a shared machine, and the peak RSS of every run.
import { writeFileSync } from 'node:fs';

const file = process.env.SOVRA_BENCH_RUSAGE;
if (file) process.on('exit', () => writeFileSync(file, JSON.stringify(process.resourceUsage())));
