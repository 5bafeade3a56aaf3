// One whole-process synth of the edge profile plus a stress component of
// replicated hardened workloads (ServiceAccount, Deployment, Service,
// NetworkPolicy each, with an AC-6 claim per workload whose evidence is
// checked), so that the output holds about <objects> Kubernetes objects.
// Every view is written: manifests, host, OSCAL, SBOM, SHA256SUMS, provenance;
// every object is validated against its Kubernetes schema first (see
// bench/k8s-validation-hook.mjs for the off and timed variants). Prints one
// JSON line: objects, files, the schema check ('on', 'off' or 'timed', with
// its milliseconds when timed) and the process's peak RSS in KiB.
//
//   node bench/stress-synth.mjs <objects> <out-dir>
import { Component } from '../lib/constructs/kit/component.js';
import { onObject } from '../lib/constructs/kit/claims.js';
import { HardenedWorkload } from '../lib/constructs/kit/workload.js';
import { controlPlaneImage } from '../lib/constructs/ai-runtime/control-plane/catalog.js';
import { loadProfile } from '../lib/profiles/load.js';
import { buildPlatform, renderObjects, synth } from '../lib/synth/synth.js';
import { k8s } from 'cdk8s-plus-28';

const planOnly = process.argv[2] === '--plan';
const [objectsArg, outDir] = process.argv.slice(planOnly ? 3 : 2);
const target = Number(objectsArg);
if (!Number.isInteger(target) || target < 200 || (!outDir && !planOnly)) {
  process.stderr.write('usage: node bench/stress-synth.mjs <objects ≥ 200> <out-dir>\n       node bench/stress-synth.mjs --plan <objects>   (prints the calibrated plan for SOVRA_STRESS_PLAN)\n');
  process.exit(2);
}


class Stress extends Component {
  constructor(scope, id, props, workloads, padding) {
    super(scope, id, props, {
      title: 'Stress workloads',
      description: 'Replicated hardened workloads for the synth benchmark.',
      layer: 'ai-runtime',
      namespace: 'sovra-stress',
      version: '0.0.0',
    });
    const image = this.addImage(controlPlaneImage());
    for (let i = 0; i < workloads; i++) {
      const w = new HardenedWorkload(this, `w${i}`, {
        name: `worker-${String(i).padStart(4, '0')}`,
        image,
        replicas: 1,
        ports: [{ name: 'http', port: 8080 }],
        resources: { cpu: '100m', memory: '128Mi' },
        probes: { liveness: '/healthz', readiness: '/readyz', port: 'http' },
      });
      // Its NetworkPolicy is derived from the pod group: the peer gives it an egress rule besides DNS.
      w.pods.connectsTo({ component: 'control-plane', pods: 'control-plane', port: 'http' }, 'the stress workers call the control plane');
      this.claim({
        control: 'ac-6',
        statement: `worker-${i} runs without a Kubernetes API token.`,
        evidence: [onObject(w.deployment, 'spec.template.spec.automountServiceAccountToken', { equals: false })],
      });
    }
    for (let i = 0; i < padding; i++) {
      this.inNamespace(new k8s.KubeConfigMap(this, `pad${i}`, { metadata: { name: `pad-${i}` }, data: { index: String(i) } }));
    }
  }
}

const profile = loadProfile('edge');
/** Objects the edge profile renders with `workloads` stress workloads and no padding (the stack derives some per workload: policies, identities). */
function rendered(workloads) {
  const { platform } = buildPlatform(profile);
  new Stress(platform, 'stress', { profile }, workloads, 0);
  return [...renderObjects(platform).values()].reduce((n, objs) => n + objs.length, 0);
}
/** How many workloads and padding ConfigMaps make exactly `target` objects, calibrated on the current stack. */
function plan() {
  const base = rendered(1);
  const perWorkload = rendered(2) - base;
  // Workloads fill the target; ConfigMaps make up the remainder so the count is exact.
  const workloads = 1 + Math.floor((target - base) / perWorkload);
  return { workloads, padding: target - base - (workloads - 1) * perWorkload };
}
if (planOnly) {
  process.stdout.write(`${JSON.stringify(plan())}\n`);
  process.exit(0);
}
// The benchmark passes the plan (SOVRA_STRESS_PLAN, from --plan) so that the timed process does not calibrate.
const { workloads, padding } = process.env.SOVRA_STRESS_PLAN ? JSON.parse(process.env.SOVRA_STRESS_PLAN) : plan();
const result = await synth({
  profile,
  profileSource: 'edge',
  outDir,
  customize: (platform) => new Stress(platform, 'stress', { profile }, workloads, padding),
});
if (result.objects !== target) {
  process.stderr.write(`bench/stress-synth.mjs: wrote ${result.objects} objects, not ${target} (plan: ${workloads} workloads, ${padding} padding)\n`);
  process.exit(1);
}
process.stdout.write(
  JSON.stringify({
    objects: result.objects,
    files: result.files.length,
    k8sValidation: globalThis.sovraBench?.k8sValidation ?? 'on',
    k8sValidationMs: globalThis.sovraBench?.k8sValidationMs,
    maxRssKiB: process.resourceUsage().maxRSS,
  }) + '\n',
);
