/**
 * A policy rule as data (DESIGN.md, "Policies"; cdk-nag's one rule, one
 * file): which objects it judges, a CEL expression in the dialect of
 * Kubernetes admission (`object`, `oldObject`, `params`, `variables`,
 * `namespaceObject`), the SP 800-53 controls it supports and why it exists.
 * The same rule runs over every synthesized object at synth time and is
 * emitted as a ValidatingAdmissionPolicy for the cluster.
 */
import type { ControlId } from '../controls/control-id.generated.js';

/** The packs rules are grouped in; the first segment of a rule id. */
export type PackId = 'pod-security' | 'images' | 'network' | 'mesh' | 'secrets' | 'gpu' | 'labels';

/**
 * `error` stops the synth (exit 6) and is `Deny` in the cluster (edge,
 * cluster; `Warn` + `Audit` on dev); `warning` is reported by the synth and
 * is `Warn` + `Audit` in the cluster on every profile.
 */
export type Severity = 'error' | 'warning';

/** A kind a rule matches, with what an admission policy needs to name it. */
export interface MatchKind {
  /** API group; `''` for the core group. */
  readonly group: string;
  /** API versions the rule judges. */
  readonly versions: readonly string[];
  readonly kind: string;
  /** Plural resource name, e.g. `deployments`. */
  readonly resource: string;
}

/** A named CEL expression (admission `variables` and `matchConditions`). */
export interface NamedExpression {
  readonly name: string;
  readonly expression: string;
}

/** Kubernetes CEL libraries beyond the CEL standard a rule may use (each implemented for the synth in `policies/cel/`). */
export type KubernetesLibrary = 'strings' | 'quantity';

/** One rule. */
export interface PolicyRule {
  /** `<pack>/<name>`, e.g. `pod-security/read-only-root-fs`; a contract (waivers name it). */
  readonly id: string;
  readonly pack: PackId;
  /** What is wrong when the rule fails, one sentence. */
  readonly message: string;
  readonly severity: Severity;
  /** The kinds it judges, or `all` (every object). */
  readonly match: readonly MatchKind[] | 'all';
  /** Conditions an object must meet to be judged at all (admission `matchConditions`; also evaluated at synth time). */
  readonly matchConditions?: readonly NamedExpression[];
  /** Admission `variables`, evaluated in order; later ones and the expression read them as `variables.<name>`. */
  readonly variables?: readonly NamedExpression[];
  /** True when the object complies. */
  readonly expression: string;
  /** A string naming what exactly is wrong (containers, images, Secrets), evaluated only when the rule fails. */
  readonly messageExpression?: string;
  /**
   * The field the rule is about. `{pod}` stands for the pod spec of the
   * object's kind (`spec` of a Pod, `spec.template.spec` of a Deployment,
   * `spec.jobTemplate.spec.template.spec` of a CronJob).
   */
  readonly field: string;
  /** The field instead of `field` for objects of these kinds (an operand image is `spec.imageName`, not a container's). */
  readonly fieldByKind?: Readonly<Record<string, string>>;
  /** Keys of `params.data` it reads (the ConfigMap written by the admission component). */
  readonly params: readonly string[];
  /** Kubernetes CEL libraries it uses. */
  readonly libraries: readonly KubernetesLibrary[];
  /** SP 800-53 rev5 controls it supports. */
  readonly controls: readonly ControlId[];
  /** Why the rule exists and where it stops (what it cannot see), for reviewers and the SSP. */
  readonly rationale: string;
}

/** Outcome of one rule on one object. */
export type RuleOutcome = 'pass' | 'fail' | 'not-applicable';
