/**
 * The parameters rules read as `params.data.<key>`: in the cluster the
 * data of one ConfigMap the admission component writes (every binding
 * names it in `paramRef`), at synth time the same data computed from the
 * same facts. ConfigMap data holds strings only, so lists are
 * space-separated and read with `split(' ')` (Kubernetes strings library).
 */

/** The ConfigMap holding the parameters, referenced by every binding. */
export const POLICY_PARAMS = { name: 'sovra-policy-params', namespace: 'sovra-policy' } as const;

/** What the parameters are computed from (gathered from the platform and its rendered objects). */
export interface PolicyFacts {
  /** Profile name (objects carry it in `sovra.dev/profile`). */
  readonly profile: string;
  /** Whether the profile requires images pinned by digest (`images.requireDigest`). */
  readonly requireDigest: boolean;
  /** Registries images may come from: the profile's list, or else those of the catalogs, plus the bundle's mirror. */
  readonly allowedRegistries: readonly string[];
  /** `registry/repository:tag` of images a catalog declares and the image lock does not pin (rendered by tag, reported). */
  readonly unlockedImages: readonly string[];
  /** Namespaces a default-deny policy of the output covers. */
  readonly defaultDenyNamespaces: readonly string[];
  /** Namespaces where Services of type NodePort or LoadBalancer are allowed (the ingress gateway's). */
  readonly gatewayNamespaces: readonly string[];
  /** The service mesh the profile installs, or `none`. */
  readonly mesh: 'istio' | 'none';
  /** Root namespace of the mesh (mesh-wide policies live there); `''` without a mesh. */
  readonly meshRootNamespace: string;
  /** GPU pool names of the profile (`gpu.pools[].name`). */
  readonly gpuPools: readonly string[];
  /** `namespace/name` of every Secret the output has a producer for (the secret closure's producers). */
  readonly producedSecrets: readonly string[];
  /** Helm release names of the charts the platform installs (objects Helm installs carry `meta.helm.sh/release-name`). */
  readonly releases: readonly string[];
}

/** ConfigMap data keys, as rules read them. */
export type ParamKey = keyof PolicyFacts;

const list = (xs: readonly string[]) => [...new Set(xs)].sort().join(' ');

/** The ConfigMap data of `facts`: deterministic (sorted, unique lists). */
export function policyParams(facts: PolicyFacts): Record<ParamKey, string> {
  return {
    allowedRegistries: list(facts.allowedRegistries),
    defaultDenyNamespaces: list(facts.defaultDenyNamespaces),
    gatewayNamespaces: list(facts.gatewayNamespaces),
    gpuPools: list(facts.gpuPools),
    mesh: facts.mesh,
    meshRootNamespace: facts.meshRootNamespace,
    producedSecrets: list(facts.producedSecrets),
    profile: facts.profile,
    releases: list(facts.releases),
    requireDigest: String(facts.requireDigest),
    unlockedImages: list(facts.unlockedImages),
  };
}

/** `params` as a rule sees it: the ConfigMap (only `data` is read). */
export interface PolicyParamsObject {
  readonly data: Readonly<Record<string, string>>;
}
