/**
 * The policy gate's cost: every rule over 3,000 objects, on the synth's
 * evaluator (@marcbachmann/cel-js, what `sovra synth` runs) and, in the
 * same run, on the second implementation (@bufbuild/cel) evaluating the
 * same rules with the same semantics. Target: ≤ 0.5 s for all rules over
 * 3,000 objects on the synth's evaluator.
 *
 *   npx tsx bench/policies.ts [--runs 7] [--objects 3000]
 *
 * Objects: the edge profile's real output over the whole stack (synthesized
 * once, SOURCE_DATE_EPOCH fixed), cycled with renamed copies up to the
 * count, so the mix of kinds is the product's; the same plus what the
 * stack's charts render as Helm installs it (what the cluster judges:
 * their Deployments, StatefulSets and DaemonSets, CRDs, RBAC, webhooks),
 * rendered by the real helm from ../shared/charts; and a workload-heavy mix
 * (a Deployment in every third object, the heaviest case: 20 rules judge
 * each). Runs alternate between
 * the two implementations; each run is one full pass (compile time is
 * reported apart: rules are compiled once per process). Both must agree on
 * every (object, rule) outcome, or the run fails.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { RULES } from '../policies/catalog.js';
import { compileRules, judge, type VariableMemo } from '../policies/cel/evaluator.js';
import { toCel } from '../policies/cel/json.js';
import { evaluatePolicies } from '../policies/evaluate.js';
import { loadProfile } from '../profiles/load.js';
import { synth } from '../synth/synth.js';
import { ruleExpressions, secondJudge } from '../test/support/cel-second.js';
import { writtenObjects } from '../test/support/synth-output.js';
import { chartDir, renderChart, writtenValues } from '../test/conformance/support/helm.js';
import { asInstalled, isInstalled } from '../test/conformance/support/policy.js';

/** The edge profile's releases: chart folder under ../shared/charts, release, namespace. */
const EDGE_CHARTS: ReadonlyArray<readonly [string, string, string, string]> = [
  ['cilium', 'cilium-1.20.0', 'cilium', 'kube-system'],
  ['istio', 'base-1.30.3', 'istio-base', 'istio-system'],
  ['istio', 'istio-discovery-1.30.3', 'istiod', 'istio-system'],
  ['istio', 'istio-cni-1.30.3', 'istio-cni', 'kube-system'],
  ['istio', 'gateway-1.30.3', 'sovra-gateway', 'istio-system'],
  ['cert-manager', 'cert-manager-v1.21.1', 'cert-manager', 'cert-manager'],
  ['trust-manager', 'trust-manager-v0.24.0', 'trust-manager', 'cert-manager'],
  ['openbao', 'openbao-0.29.2', 'openbao', 'sovra-secrets'],
  ['external-secrets', 'external-secrets-2.9.0', 'external-secrets', 'external-secrets'],
  ['spire', 'spire-0.30.0', 'spire', 'spire-system'],
  ['cnpg', 'cloudnative-pg-0.29.0', 'cloudnative-pg', 'cnpg-system'],
  ['keycloak', 'keycloakx-7.1.11', 'keycloak', 'sovra-identity'],
];

const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' }, objects: { type: 'string', default: '3000' } } });
const runs = Number(values.runs);
const count = Number(values.objects);

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// Compiled first, before the synth (which would compile them for its own gate).
const t0 = performance.now();
const compiled = compileRules(RULES);
const compileMs = performance.now() - t0;

const dir = mkdtempSync(join(tmpdir(), 'sovra-bench-policies-'));
await synth({ profile: loadProfile('edge'), profileSource: 'edge', outDir: dir, env: { SOURCE_DATE_EPOCH: '1767225600' } });
const seen = new Map<string, Obj>();
for (const { object } of writtenObjects(dir)) seen.set(`${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`, object as Obj);
const real = [...seen.values()];
const params = { data: (real.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'sovra-policy-params') as Obj).data as Record<string, string> };
const charts: Obj[] = EDGE_CHARTS.flatMap(([folder, version, release, namespace]) => {
  const r = renderChart({ chart: chartDir(folder, version), release, namespace, values: writtenValues(dir, release) });
  if (!r.ok) throw new Error(`${release}: ${r.error}`);
  return asInstalled(r.objects.filter(isInstalled), release, namespace) as unknown as Obj[];
});
rmSync(dir, { recursive: true, force: true });
const withCharts = [...real, ...charts];

function renamed(o: Obj, i: number): Obj {
  const c = structuredClone(o);
  c.metadata.name = `${c.metadata.name}-${i}`;
  return c;
}
const deployment = real.find((o) => o.kind === 'Deployment')!;
const mixes: Record<string, Obj[]> = {
  'edge mix': Array.from({ length: count }, (_, i) => renamed(real[i % real.length]!, i)),
  'edge mix with chart renders': Array.from({ length: count }, (_, i) => renamed(withCharts[i % withCharts.length]!, i)),
  'workload-heavy': Array.from({ length: count }, (_, i) => renamed(i % 3 === 0 ? deployment : real[i % real.length]!, i)),
};

const t1 = performance.now();
const second = RULES.map(ruleExpressions);
// The second implementation plans each expression on first use: one warm-up judgement per rule plans them all.
const probe = toCel(deployment);
const celParams = toCel(params);
for (const x of second) secondJudge(x, 'apps/v1', 'Deployment', { object: probe, params: celParams });
const secondCompileMs = performance.now() - t1;

/** CPU time of this process in ms (steadier than wall time on a shared machine). */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const cpu: Record<'a' | 'b', number[]> = { a: [], b: [] };

/** The synth's path: what the gate does (conversion, one pass, waivers, findings). */
function first(objects: Obj[]): number {
  const c = cpuMs();
  const t = performance.now();
  const r = evaluatePolicies(objects.map((object) => ({ object, file: 'bench' })), { params, buildDate: '2026-01-01' });
  if (r.judgements === 0) throw new Error('nothing judged');
  cpu.a.push(cpuMs() - c);
  return performance.now() - t;
}

/** The same rules on @bufbuild/cel, with the same conversion and pass. */
function secondPass(objects: Obj[]): number {
  const c = cpuMs();
  const t = performance.now();
  const p = toCel(params);
  let judged = 0;
  for (const o of objects) {
    const input = { object: toCel(o), params: p };
    for (const x of second) if (secondJudge(x, o.apiVersion, o.kind, input).outcome !== 'not-applicable') judged++;
  }
  if (judged === 0) throw new Error('nothing judged');
  cpu.b.push(cpuMs() - c);
  return performance.now() - t;
}

/** Disagreements between the two on every (object, rule). */
function disagreements(objects: Obj[]): number {
  let n = 0;
  const p = toCel(params);
  for (const o of objects) {
    const input = { object: toCel(o), params: p };
    const memo: VariableMemo = new Map();
    compiled.forEach((c, i) => {
      const a = judge(c, o.apiVersion, o.kind, input, memo);
      const b = secondJudge(second[i]!, o.apiVersion, o.kind, input);
      if (a.outcome !== b.outcome || a.detail !== b.detail) n++;
    });
  }
  return n;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const results: Record<string, unknown> = {
  node: process.version,
  cpus: cpus().length,
  loadavg: loadavg().map((x) => x.toFixed(2)),
  rules: RULES.length,
  objects: count,
  distinct: { edgeOutput: real.length, chartRenders: charts.length },
  compileMs: { synthEvaluator: +compileMs.toFixed(1), second: +secondCompileMs.toFixed(1) },
};
for (const [name, objects] of Object.entries(mixes)) {
  const judgements = evaluatePolicies(objects.map((object) => ({ object, file: 'bench' })), { params, buildDate: '2026-01-01' }).judgements;
  const a: number[] = [];
  const b: number[] = [];
  // The first pass of each is cold (as in one `sovra synth`): reported apart from the warm median.
  cpu.a = [];
  cpu.b = [];
  const cold = { synthEvaluatorMs: +first(objects).toFixed(1), secondMs: +secondPass(objects).toFixed(1) };
  for (let r = 0; r < runs; r++) {
    a.push(first(objects));
    b.push(secondPass(objects));
  }
  const d = disagreements(objects);
  if (d > 0) throw new Error(`${name}: the implementations disagree on ${d} judgements`);
  results[name] = {
    judgements,
    cold,
    synthEvaluatorMs: { median: +median(a).toFixed(1), min: +Math.min(...a).toFixed(1), max: +Math.max(...a).toFixed(1) },
    secondMs: { median: +median(b).toFixed(1), min: +Math.min(...b).toFixed(1), max: +Math.max(...b).toFixed(1) },
    cpuMedianMs: { synthEvaluator: +median(cpu.a.slice(1)).toFixed(1), second: +median(cpu.b.slice(1)).toFixed(1) },
    ratio: +(median(b) / median(a)).toFixed(2),
    disagreements: d,
    target: Math.max(median(a), cold.synthEvaluatorMs) <= 500 ? 'met (≤ 500 ms, cold and warm)' : median(a) <= 500 ? 'warm met, cold missed' : 'MISSED (> 500 ms)',
  };
}
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
