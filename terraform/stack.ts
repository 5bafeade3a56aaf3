/**
 * The Terraform view of the platform (profiles deployed with `cdktf`): one
 * `helm_release` per chart, from the same typed values object the HelmChart
 * objects use, and one `kubernetes_manifest` per synthesized object. cdktf
 * stays behind this one function, so the Terraform path can move to another
 * engine without touching components.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Component } from '../constructs/kit/component.js';
import { toYaml } from '../core/yaml.js';

/** Name of the Terraform stack; its folder under `cdktf.out/stacks/`. */
export const TERRAFORM_STACK = 'sovra';

/** Version constraints of the providers the stack uses. */
export const TERRAFORM_PROVIDERS = {
  helm: { source: 'hashicorp/helm', version: '~> 3.0' },
  kubernetes: { source: 'hashicorp/kubernetes', version: '~> 2.35' },
} as const;

function logicalId(...parts: string[]): string {
  return parts.join('_').replace(/[^A-Za-z0-9_]/g, '_');
}

/** Components ordered so that each comes after those it declares it depends on (construct order otherwise); a cycle is a bug. */
export function releaseOrder(components: readonly Component[]): Component[] {
  const byId = new Map(components.map((c) => [c.node.id, c]));
  const out: Component[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (c: Component, path: string[]) => {
    const s = state.get(c.node.id);
    if (s === 'done') return;
    if (s === 'visiting') throw new Error(`components depend on each other in a cycle: ${[...path, c.node.id].join(' -> ')}`);
    state.set(c.node.id, 'visiting');
    for (const d of c.info.dependsOn ?? []) {
      const dep = byId.get(d);
      if (dep) visit(dep, [...path, c.node.id]);
    }
    state.set(c.node.id, 'done');
    out.push(c);
  };
  for (const c of components) visit(c, []);
  return out;
}

/** Builds the stack in `scope` (a cdktf App); returns the stack. Used by `cdktf synth` and by `sovra synth`. */
export async function buildTerraformStack(scope: unknown, components: readonly Component[], objects: ReadonlyMap<Component, readonly object[]>): Promise<unknown> {
  const cdktf = await import('cdktf');
  const { HelmProvider } = await import('@cdktf/provider-helm/lib/provider/index.js');
  const { Release } = await import('@cdktf/provider-helm/lib/release/index.js');
  const stack = new cdktf.TerraformStack(scope as InstanceType<typeof cdktf.App>, TERRAFORM_STACK);
  // A relative state path keeps absolute paths out of the output.
  new cdktf.LocalBackend(stack, { path: 'terraform.tfstate' });
  const kubeconfig = new cdktf.TerraformVariable(stack, 'kubeconfig', { type: 'string', default: '~/.kube/config', description: 'Path of the kubeconfig of the target cluster.' });
  kubeconfig.overrideLogicalId('kubeconfig');
  new HelmProvider(stack, 'helm', { kubernetes: { configPath: kubeconfig.stringValue } });
  // The kubernetes provider has no prebuilt binding here: a small provider construct declares it.
  class KubernetesProvider extends cdktf.TerraformProvider {
    constructor(id: string, private readonly configPath: string) {
      super(stack, id, { terraformResourceType: 'kubernetes', terraformGeneratorMetadata: { providerName: 'kubernetes', providerVersionConstraint: TERRAFORM_PROVIDERS.kubernetes.version }, terraformProviderSource: TERRAFORM_PROVIDERS.kubernetes.source });
    }
    protected override synthesizeAttributes(): Record<string, unknown> {
      return { config_path: this.configPath };
    }
  }
  new KubernetesProvider('kubernetes', kubeconfig.stringValue);
  // The prebuilt helm binding declares its source as plain `helm`; state it as it is declared above.
  stack.addOverride('terraform.required_providers.helm.source', TERRAFORM_PROVIDERS.helm.source);
  stack.addOverride('terraform.required_providers.helm.version', TERRAFORM_PROVIDERS.helm.version);

  const namespaces = new Map<string, Array<InstanceType<typeof cdktf.TerraformResource>>>();
  const namespacesByName = new Map<string, InstanceType<typeof cdktf.TerraformResource>>();
  const manifest = (component: Component, obj: object) => {
    const o = obj as { kind: string; metadata: { name: string } };
    const r = new cdktf.TerraformResource(stack, logicalId('m', component.node.id, o.kind, o.metadata.name), {
      terraformResourceType: 'kubernetes_manifest',
      terraformGeneratorMetadata: { providerName: 'kubernetes' },
    });
    r.overrideLogicalId(logicalId(component.node.id, o.kind, o.metadata.name));
    r.addOverride('manifest', obj);
    return r;
  };
  // Namespaces first, then charts, then the remaining objects (which may need the charts' CRDs).
  for (const c of components) {
    for (const obj of objects.get(c) ?? []) {
      if ((obj as { kind: string }).kind !== 'Namespace') continue;
      const r = manifest(c, obj);
      namespaces.set(c.node.id, [...(namespaces.get(c.node.id) ?? []), r]);
      namespacesByName.set((obj as { metadata: { name: string } }).metadata.name, r);
    }
  }
  const releases: InstanceType<typeof Release>[] = [];
  const releasesOf = new Map<string, InstanceType<typeof Release>[]>();
  const byId = new Map(components.map((c) => [c.node.id, c]));
  for (const c of releaseOrder(components)) {
    // A release waits for its component's namespaces, the component's earlier releases (CRDs before
    // what uses them) and the releases of the components it depends on (the operators whose CRDs its chart renders).
    const upstream = (c.info.dependsOn ?? []).filter((d) => byId.has(d)).flatMap((d) => releasesOf.get(d) ?? []);
    const own: InstanceType<typeof Release>[] = [];
    for (const chart of c.charts) {
      const ns = [...(namespaces.get(c.node.id) ?? []), ...own, ...upstream];
      const release = new Release(stack, logicalId('r', chart.release), {
        name: chart.release,
        repository: chart.repository,
        chart: chart.chart,
        version: chart.version,
        namespace: chart.namespace,
        createNamespace: false,
        atomic: true,
        wait: true,
        timeout: 900,
        values: [toYaml(chart.values)],
        ...(ns.length > 0 ? { dependsOn: ns } : {}),
      });
      release.overrideLogicalId(chart.release);
      releases.push(release);
      own.push(release);
    }
    releasesOf.set(c.node.id, own);
  }
  for (const c of components) {
    for (const obj of objects.get(c) ?? []) {
      if ((obj as { kind: string }).kind === 'Namespace') continue;
      const r = manifest(c, obj);
      // An object in another component's namespace (a mesh policy in each meshed namespace) waits for that Namespace too.
      const target = namespacesByName.get((obj as { metadata: { namespace?: string } }).metadata.namespace ?? '');
      r.dependsOn = [...new Set([...releases, ...(namespaces.get(c.node.id) ?? []), ...(target ? [target] : [])])].map((d) => d.fqn);
    }
  }
  return stack;
}

/** The stack's `cdk.tf.json`, synthesized in a temporary folder. */
export async function synthTerraform(components: readonly Component[], objects: ReadonlyMap<Component, readonly object[]>): Promise<string> {
  const cdktf = await import('cdktf');
  const outdir = mkdtempSync(join(tmpdir(), 'sovra-cdktf-'));
  try {
    const app = new cdktf.App({ outdir, skipValidation: false });
    await buildTerraformStack(app, components, objects);
    app.synth();
    const json = JSON.parse(readFileSync(join(outdir, 'stacks', TERRAFORM_STACK, 'cdk.tf.json'), 'utf8')) as object;
    return JSON.stringify(json, null, 2) + '\n';
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
