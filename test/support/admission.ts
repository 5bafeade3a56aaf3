/**
 * What the API server would do with an object, given the
 * ValidatingAdmissionPolicies and bindings of a synth output: resource
 * rules (with scope), namespace selectors (a namespace's labels plus
 * `kubernetes.io/metadata.name`), excluded resources by name, match
 * conditions, variables and validations, evaluated by the second CEL
 * implementation (@bufbuild/cel) from the expressions as written in the
 * output, and the binding's validation actions. A model of the admission
 * chain of Kubernetes 1.30 for the request kinds the tests send (CREATE),
 * not the API server itself: no API server runs here.
 */
import { pluralOf } from '../../constructs/policy/admission/bindings.js';
import { toCel } from '../../policies/cel/json.js';
import { groupOf, versionOf } from '../../policies/kinds.js';
import { secondJudge } from './cel-second.js';

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: any; data?: Record<string, string> }; // eslint-disable-line @typescript-eslint/no-explicit-any
type Rule = { apiGroups?: string[]; apiVersions?: string[]; resources?: string[]; operations?: string[]; resourceNames?: string[]; scope?: string };
type Selector = { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> };

/** The decision on one object. */
export interface AdmissionDecision {
  /** Policies whose bindings deny it. */
  readonly denied: string[];
  /** Policies whose bindings warn about it. */
  readonly warned: string[];
}

const any = (list: string[] | undefined, v: string) => !list || list.includes('*') || list.includes(v);

function ruleMatches(r: Rule, o: Obj): boolean {
  const scope = o.metadata.namespace ? 'Namespaced' : 'Cluster';
  return (
    any(r.apiGroups, groupOf(o.apiVersion)) &&
    any(r.apiVersions, versionOf(o.apiVersion)) &&
    any(r.resources, pluralOf(o.kind)) &&
    any(r.operations, 'CREATE') &&
    (!r.scope || r.scope === '*' || r.scope === scope) &&
    (!r.resourceNames || r.resourceNames.length === 0 || r.resourceNames.includes(o.metadata.name))
  );
}

function selects(sel: Selector | undefined, labels: Record<string, string>): boolean {
  if (!sel) return true;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = e.key in labels;
    if (e.operator === 'In' && !(has && (e.values ?? []).includes(labels[e.key]!))) return false;
    if (e.operator === 'NotIn' && has && (e.values ?? []).includes(labels[e.key]!)) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/** The admission chain over the policies, bindings and parameter ConfigMap of an output. */
export class Admission {
  private readonly policies: Map<string, Obj>;
  private readonly bindings: Obj[];
  private readonly params: Map<string, Obj>;

  constructor(objects: readonly Obj[]) {
    this.policies = new Map(objects.filter((o) => o.kind === 'ValidatingAdmissionPolicy').map((o) => [o.metadata.name, o]));
    this.bindings = objects.filter((o) => o.kind === 'ValidatingAdmissionPolicyBinding');
    this.params = new Map(objects.filter((o) => o.kind === 'ConfigMap').map((o) => [`${o.metadata.namespace}/${o.metadata.name}`, o]));
  }

  /** Number of policies. */
  get size(): number {
    return this.policies.size;
  }

  /** What a CREATE of `o` meets; `namespace` is the Namespace object it is created in, if it exists. */
  decide(o: Obj, namespace?: Obj): AdmissionDecision {
    const denied = new Set<string>();
    const warned = new Set<string>();
    const nsLabels = o.kind === 'Namespace' ? { ...(o.metadata.labels ?? {}), 'kubernetes.io/metadata.name': o.metadata.name } : o.metadata.namespace ? { ...(namespace?.metadata.labels ?? {}), 'kubernetes.io/metadata.name': o.metadata.namespace } : undefined;
    for (const b of this.bindings) {
      const policy = this.policies.get(b.spec.policyName);
      if (!policy) throw new Error(`binding ${b.metadata.name} names no policy`);
      const ps = policy.spec;
      if (!(ps.matchConstraints?.resourceRules ?? []).some((r: Rule) => ruleMatches(r, o))) continue;
      const mr = b.spec.matchResources ?? {};
      if (nsLabels && !selects(mr.namespaceSelector, nsLabels)) continue;
      if (!selects(mr.objectSelector, o.metadata.labels ?? {})) continue;
      if (mr.resourceRules && !mr.resourceRules.some((r: Rule) => ruleMatches(r, o))) continue;
      if ((mr.excludeResourceRules ?? []).some((r: Rule) => ruleMatches(r, o))) continue;
      const ref = b.spec.paramRef;
      const params = this.params.get(`${ref.namespace}/${ref.name}`);
      if (!params && ref.parameterNotFoundAction === 'Deny') {
        denied.add(`${policy.metadata.name} (no params)`);
        continue;
      }
      const v = ps.validations[0];
      const j = secondJudge(
        { match: 'all', conditions: ps.matchConditions ?? [], variables: ps.variables ?? [], expression: v.expression, ...(v.messageExpression ? { messageExpression: v.messageExpression } : {}) },
        o.apiVersion,
        o.kind,
        { object: toCel(o), params: toCel(params), namespaceObject: namespace ? toCel(namespace) : null },
      );
      if (j.outcome !== 'fail') continue;
      const actions: string[] = b.spec.validationActions;
      if (actions.includes('Deny')) denied.add(policy.metadata.name);
      if (actions.includes('Warn')) warned.add(policy.metadata.name);
    }
    return { denied: [...denied].sort(), warned: [...warned].sort() };
  }
}

/**
 * `o` as `helm install` writes it from release `release` (Helm 3.2 and
 * later put this label and these annotations on every object of a release;
 * `helm template` does not).
 */
export function asHelmInstalled<T extends Obj>(o: T, release: string, namespace: string): T {
  return {
    ...o,
    metadata: {
      ...o.metadata,
      labels: { ...(o.metadata.labels ?? {}), 'app.kubernetes.io/managed-by': 'Helm' },
      annotations: { ...(o.metadata.annotations ?? {}), 'meta.helm.sh/release-name': release, 'meta.helm.sh/release-namespace': namespace },
    },
  };
}
