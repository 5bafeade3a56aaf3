/**
 * The facts the policy parameters are computed from, read from the
 * platform (profile, images, charts, declared Secrets, which components
 * are installed) and from rendered objects (which namespaces a default
 * deny covers). The synth and the admission component's ConfigMap use this
 * one function, so the cluster judges with the parameters the synth judged
 * with.
 */
import type { Component, PlatformDirectory } from '../../kit/component.js';
import { imageName } from '../../kit/image.js';
import { NAMESPACES } from '../../kit/shared-names.js';
import type { PolicyFacts } from '../../../policies/params.js';

/** Component id of the service mesh (its presence turns the mesh rules on). */
export const MESH_COMPONENT = 'istio';

type Obj = { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string }; spec?: Record<string, unknown> };
type Selector = { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key?: string; operator?: string; values?: string[] }> };

const NAMESPACE_KEYS = ['io.kubernetes.pod.namespace', 'k8s:io.kubernetes.pod.namespace'];
const isEmpty = (s: Selector | undefined) => !s || (Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0);
const hasRules = (v: unknown) => Array.isArray(v);

/**
 * Namespaces (among `universe`) that a default-deny policy of `objects`
 * covers: a NetworkPolicy selecting every pod of its namespace with both
 * policy types; a CiliumNetworkPolicy selecting every endpoint of its
 * namespace, or a CiliumClusterwideNetworkPolicy whose endpoint selector
 * is empty or selects by namespace only, with ingress and egress sections
 * (Cilium denies by default in each direction a policy has rules for).
 */
export function defaultDenyNamespaces(objects: readonly Obj[], universe: readonly string[]): string[] {
  const covered = new Set<string>();
  for (const o of objects) {
    const spec = o.spec ?? {};
    const ns = o.metadata?.namespace;
    if (o.kind === 'NetworkPolicy' && o.apiVersion === 'networking.k8s.io/v1' && ns) {
      const types = (spec.policyTypes as string[] | undefined) ?? [];
      if (isEmpty(spec.podSelector as Selector) && types.includes('Ingress') && types.includes('Egress')) covered.add(ns);
    } else if (o.kind === 'CiliumNetworkPolicy' && ns) {
      if (isEmpty(spec.endpointSelector as Selector) && hasRules(spec.ingress) && hasRules(spec.egress) && spec.enableDefaultDeny === undefined) covered.add(ns);
    } else if (o.kind === 'CiliumClusterwideNetworkPolicy') {
      if (!hasRules(spec.ingress) || !hasRules(spec.egress) || spec.enableDefaultDeny !== undefined) continue;
      const sel = (spec.endpointSelector ?? {}) as Selector;
      if (Object.keys(sel.matchLabels ?? {}).length > 0) continue;
      const exprs = sel.matchExpressions ?? [];
      if (!exprs.every((e) => NAMESPACE_KEYS.includes(e.key ?? '') && (e.operator === 'In' || e.operator === 'NotIn'))) continue;
      for (const n of universe) {
        if (exprs.every((e) => (e.operator === 'In') === (e.values ?? []).includes(n))) covered.add(n);
      }
    }
  }
  return universe.filter((n) => covered.has(n)).sort();
}

/** Namespaces the objects live in or create. */
function namespacesOf(objects: readonly Obj[]): string[] {
  const out = new Set<string>();
  for (const o of objects) {
    if (o.metadata?.namespace) out.add(o.metadata.namespace);
    if (o.kind === 'Namespace' && o.metadata?.name) out.add(o.metadata.name);
  }
  return [...out];
}

/** `registry/repository:tag` of every image the profile's component settings name (objects with registry, repository and tag). */
export function profileImageNames(x: unknown): string[] {
  if (Array.isArray(x)) return x.flatMap(profileImageNames);
  if (x === null || typeof x !== 'object') return [];
  const o = x as Record<string, unknown>;
  const own = typeof o.registry === 'string' && typeof o.repository === 'string' && typeof o.tag === 'string' ? [`${o.registry}/${o.repository}:${o.tag}`] : [];
  return [...own, ...Object.values(o).flatMap(profileImageNames)];
}

/** The facts of `platform`, with `objects` its rendered objects (or at least its network policies and namespaces). */
export function policyFacts(platform: PlatformDirectory, objects: readonly Obj[]): PolicyFacts {
  const p = platform.profile;
  const images = platform.images();
  const mesh = platform.component(MESH_COMPONENT) !== undefined;
  const components: readonly Component[] = platform.components;
  // An image the profile names (a site's override, e.g. components.postgres.image) is the site's own: its digest is known to
  // the site, so it must be locked where the profile requires digests; only catalog images unknown offline are tolerated by tag.
  const siteImages = new Set(profileImageNames(p.components));
  const produced = components.flatMap((c) => c.secretsProduced.map((s) => `${s.namespace}/${s.name}`));
  for (const o of objects) {
    const ns = o.metadata?.namespace ?? '';
    if (o.kind === 'Certificate' && o.apiVersion?.startsWith('cert-manager.io/')) {
      const name = (o.spec as { secretName?: string } | undefined)?.secretName;
      if (name) produced.push(`${ns}/${name}`);
    } else if (o.kind === 'ExternalSecret' && o.apiVersion?.startsWith('external-secrets.io/')) {
      const name = (o.spec as { target?: { name?: string } } | undefined)?.target?.name ?? o.metadata?.name;
      if (name) produced.push(`${ns}/${name}`);
    }
  }
  return {
    profile: p.name,
    requireDigest: p.images.requireDigest,
    allowedRegistries: [...(p.images.allowedRegistries ?? images.map((i) => i.registry)), ...(p.images.registryMirror ? [p.images.registryMirror] : [])],
    unlockedImages: images.filter((i) => !i.digest).map(imageName).filter((n) => !siteImages.has(n)),
    defaultDenyNamespaces: defaultDenyNamespaces(objects, namespacesOf(objects)),
    // The ingress gateway is the mesh's (shared-names: istio-system holds istiod and the ingress gateway).
    gatewayNamespaces: mesh ? [NAMESPACES.istio] : [],
    mesh: mesh ? 'istio' : 'none',
    meshRootNamespace: mesh ? NAMESPACES.istio : '',
    gpuPools: p.gpu.pools.map((g) => g.name),
    producedSecrets: produced,
    releases: components.flatMap((c) => c.charts.map((ch) => ch.release)),
  };
}
