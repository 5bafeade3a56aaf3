/**
 * The policy layer in the cluster: every rule of `policies/` as a
 * ValidatingAdmissionPolicy with its bindings, and the ConfigMap of
 * parameters they read. `Deny` where the profile enforces (edge, cluster),
 * `Warn` and `Audit` where it does not (dev) and for warning-level rules;
 * waivers (the profile's and every component's exceptions) become the
 * bindings' exclusions.
 */
import { ApiObject, Lazy } from 'cdk8s';
import type { Construct } from 'constructs';
import { RULES } from '../../../policies/catalog.js';
import { POLICY_PARAMS, policyParams } from '../../../policies/params.js';
import type { PolicyRule } from '../../../policies/rule.js';
import { profileWaivers, type Waiver } from '../../../policies/waivers.js';
import { onObject } from '../../kit/claims.js';
import { Component, type ComponentProps } from '../../kit/component.js';
import { bindingSpecs } from './bindings.js';
import { policyFacts } from './facts.js';
import { policyName, validatingPolicySpec } from './validating-policy.js';

/** Kinds whose rendered objects the default-deny parameter is computed from. */
const NETWORK_POLICY_KINDS = new Set(['NetworkPolicy', 'CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy', 'Namespace']);

/** Admission policies generated from the rules. */
export class Admission extends Component {
  /** The ConfigMap every binding reads its parameters from. */
  readonly params: ApiObject;
  /** The policies, by rule id. */
  readonly policies = new Map<string, ApiObject>();
  /** The bindings, by rule id. */
  readonly bindings = new Map<string, ApiObject[]>();

  constructor(scope: Construct, id: string, props: ComponentProps, rules: readonly PolicyRule[] = RULES) {
    super(scope, id, props, {
      title: 'Admission policies',
      description: "Sovra's policy rules (policies/) enforced by the API server as ValidatingAdmissionPolicies: the checks the synth runs on its own output run again on every object Sovra delivers to the cluster.",
      layer: 'policy',
      namespace: POLICY_PARAMS.namespace,
      version: '1.30',
    });
    const enforcement = props.profile.components.admission.enforcement;
    this.params = new ApiObject(this, 'Params', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: POLICY_PARAMS.name },
      // Computed when the objects are rendered: the default-deny coverage reads the other components' network policies.
      data: Lazy.any({ produce: () => policyParams(policyFacts(this.platform, this.renderedNetworkObjects())) }),
    });
    for (const rule of rules) {
      const vap = new ApiObject(this, `Policy-${rule.id}`, {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicy',
        metadata: { name: policyName(rule), annotations: { 'sovra.dev/rule': rule.id, 'sovra.dev/severity': rule.severity, 'sovra.dev/controls': rule.controls.join(' ') } },
        spec: validatingPolicySpec(rule),
      });
      this.policies.set(rule.id, this.clusterScoped(vap));
    }
    // Bindings need every component's exceptions: they are derived once the platform is complete.
    this.onFinalize(() => {
      const waivers = this.waivers();
      for (const rule of rules) {
        const objs = bindingSpecs(rule, waivers, enforcement).map((b) =>
          this.clusterScoped(
            new ApiObject(this, `Binding-${b.name}`, {
              apiVersion: 'admissionregistration.k8s.io/v1',
              kind: 'ValidatingAdmissionPolicyBinding',
              metadata: { name: b.name, annotations: { 'sovra.dev/rule': rule.id } },
              spec: b.spec,
            }),
          ),
        );
        this.bindings.set(rule.id, objs);
      }
    });

    const readOnly = this.policies.get('pod-security/read-only-root-fs');
    const privileged = this.policies.get('pod-security/privileged');
    if (readOnly && privileged) {
      this.claim({
        control: 'cm-7',
        statement: `The API server refuses (${enforcement === 'deny' ? 'denies' : 'warns about and audits'}) workloads Sovra delivers that run privileged or with a writable root file system: the synth's rules, as ValidatingAdmissionPolicies.`,
        evidence: [onObject(privileged, 'spec.validations[0].expression', { equals: (privileged.toJson() as { spec: { validations: Array<{ expression: string }> } }).spec.validations[0]!.expression }), onObject(readOnly, 'spec.failurePolicy', { equals: 'Fail' })],
      });
    }
    const labels = this.policies.get('labels/sovra-labels');
    if (labels) {
      this.claim({
        control: 'cm-2',
        statement: `Objects Sovra delivers carry its labels and this profile's name (${props.profile.name}); the API server ${enforcement === 'deny' ? 'refuses' : 'flags'} one that does not, so an object from another profile's output is caught at apply time.`,
        evidence: [onObject(labels, 'spec.paramKind.kind', { equals: 'ConfigMap' }), onObject(this.params, 'data.profile', { equals: props.profile.name })],
      });
    }
  }

  /** Every waiver the bindings carry: the profile's and every component's exceptions. */
  waivers(): Waiver[] {
    return [...profileWaivers(this.profile.policyWaivers), ...this.platform.components.flatMap((c) => c.policyExceptions)];
  }

  /** Rendered network policies and namespaces of every component (for the default-deny parameter). */
  private renderedNetworkObjects(): Array<Record<string, unknown>> {
    return this.platform.components.flatMap((c) =>
      c.node
        .findAll()
        .filter((x): x is ApiObject => x instanceof ApiObject && NETWORK_POLICY_KINDS.has(x.kind))
        .map((o) => o.toJson() as Record<string, unknown>),
    );
  }
}
