/**
 * The synthesized platform as the document emitters see it: every
 * component's declarations, with each claim's evidence already resolved
 * against the written output. OSCAL, SBOM and provenance are pure
 * functions of this model.
 */
import type { HelmChartSpec } from '../constructs/kit/chart.js';
import type { CustomerResponsibility, ImplementationStatus, UserRole } from '../constructs/kit/claims.js';
import type { ComponentInfo } from '../constructs/kit/component.js';
import type { CryptoAsset } from '../constructs/kit/crypto.js';
import type { ImageSpec } from '../constructs/kit/image.js';
import type { DeclaredModel } from '../contracts/served-model.js';
import type { ControlId } from '../controls/control-id.generated.js';
import type { Profile } from '../profiles/profile.generated.js';

/** A Kubernetes object's identity. */
export interface ObjectId {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

/** Evidence after checking: where it is in the output and the value found there. */
export interface ResolvedEvidence {
  /** Output file relative to the output root, e.g. `manifests/cilium.yaml`. */
  readonly file: string;
  /** The object inside the file, when the file holds Kubernetes objects or Terraform resources. */
  readonly object?: ObjectId;
  /** Field path inside the object or file. */
  readonly path: string;
  /** What was required: `equals <json>`, `contains <json>` or `present`. */
  readonly expectation: string;
  /** The value found (JSON). */
  readonly actual: unknown;
  /** One line for people: `Deployment sovra/control-plane spec.replicas equals 3`. */
  readonly description: string;
}

/** A crypto asset whose configuring setting held, with where it was found. */
export type ResolvedCryptoAsset = CryptoAsset & { readonly evidence: ResolvedEvidence };

/** A claim whose evidence all held. */
export interface ResolvedClaim {
  readonly control: ControlId;
  readonly statement: string;
  readonly status: ImplementationStatus;
  readonly evidence: readonly ResolvedEvidence[];
  /** Organization-defined parameter values the claim sets, by SP 800-53 parameter id. */
  readonly parameters?: Readonly<Record<string, string>>;
}

/** A loosening of the hardened baseline with its written reason. */
export interface BaselineException {
  readonly object: ObjectId;
  readonly setting: string;
  readonly reason: string;
}

/** One component as every view sees it. */
export interface ComponentView {
  /** Construct id: stable, part of file names and UUIDs. */
  readonly id: string;
  readonly info: ComponentInfo;
  /** Ids of the components it needs at run time: those it declares and those its pods connect to, sorted. */
  readonly dependsOn: readonly string[];
  readonly charts: readonly HelmChartSpec<object>[];
  readonly images: readonly ImageSpec[];
  readonly models: readonly DeclaredModel[];
  /** Crypto assets as declared, each with its `configuredBy` evidence resolved against the written output. */
  readonly cryptoAssets: readonly ResolvedCryptoAsset[];
  readonly claims: readonly ResolvedClaim[];
  /** What the customer must do for controls this component touches. */
  readonly responsibilities: readonly CustomerResponsibility[];
  readonly exceptions: readonly BaselineException[];
  /** Output files this component produced (manifests and host files). */
  readonly files: readonly string[];
  /** Roles of the platform's users the component defines (realm roles, groups). */
  readonly userRoles?: readonly UserRole[];
}

/** One end of a network flow: pods of a component, or a Cilium entity (`kube-apiserver`, `world`, …). */
export type FlowEnd = { readonly component: string; readonly pods: string; readonly namespace: string } | { readonly entity: string };

/** A pod group as the network architecture shows it. */
export interface PodGroupView {
  readonly component: string;
  readonly name: string;
  readonly namespace: string;
  /** Ports it serves, `name port/protocol`. */
  readonly ports: readonly string[];
  /** The NetworkPolicy derived for it. */
  readonly networkPolicy: ObjectId;
}

/** One allowed flow, from the peer declarations the NetworkPolicies are derived from. */
export interface FlowView {
  readonly from: FlowEnd;
  readonly to: FlowEnd;
  /** `443/TCP`, several joined with `, `. */
  readonly ports: string;
  /** FQDNs an egress to `world` is limited to. */
  readonly fqdns?: readonly string[];
  readonly reason: string;
}

/** The network of the platform: every pod group and every allowed flow (all else is denied). */
export interface NetworkView {
  readonly podGroups: readonly PodGroupView[];
  readonly flows: readonly FlowView[];
}

/** A policy waiver as the output records it (for the SSP and the POA&M). */
export interface PolicyWaiverView {
  readonly rule: string;
  /** Controls the waived rule supports. */
  readonly controls: readonly string[];
  /** The object; a component's exception may select chart objects by one label (`selector`) instead of a name. */
  readonly object: { readonly kind: string; readonly namespace?: string; readonly name: string; readonly selector?: Readonly<Record<string, string>> };
  readonly reason: string;
  readonly approvedBy: string;
  /** Last day it holds (ISO date); absent for a component's exception by design. */
  readonly expires?: string;
  /** `profile`, or `component <id>`. */
  readonly source: string;
  /** Helm release of a chart-rendered object (checked by the chart's conformance test, not the synth). */
  readonly release?: string;
  /** Findings it lifted in this output, each `field: detail`. */
  readonly lifted: readonly string[];
}

/** A finding of a warning-level rule (reported, not fatal). */
export interface PolicyWarningView {
  readonly rule: string;
  readonly controls: readonly string[];
  readonly object: ObjectId;
  readonly file: string;
  readonly field: string;
  readonly message: string;
}

/**
 * A POA&M item of the policy gate: one per waiver of the profile (a
 * deviation approved until a date, to be remedied by then). A component's
 * exceptions by design have no end date: they are SSP statements, not
 * POA&M items. `id` is stable across builds (rule and object), so a POA&M
 * document can keep its UUIDs from it.
 */
export interface PolicyPoamItemView {
  readonly id: string;
  readonly title: string;
  /** The waiver's written reason. */
  readonly description: string;
  /** Controls the waived rule supports (the POA&M item's related controls). */
  readonly controls: readonly string[];
  readonly object: PolicyWaiverView['object'];
  readonly approvedBy: string;
  /** The waiver's expiry: the last day the deviation is accepted. */
  readonly scheduledCompletion: string;
  /** Findings the waiver lifted in this output. */
  readonly lifted: readonly string[];
}

/** What the policy gate did in this synth. */
export interface PolicyView {
  /** Rules judged, with their severity and controls. */
  readonly rules: ReadonlyArray<{ readonly id: string; readonly severity: 'error' | 'warning'; readonly controls: readonly string[] }>;
  /** Objects judged and rule-object pairs evaluated. */
  readonly objects: number;
  readonly judgements: number;
  readonly warnings: readonly PolicyWarningView[];
  /** Every waiver (profile and component exceptions), with what it lifted. */
  readonly waivers: readonly PolicyWaiverView[];
  /** The profile's waivers as POA&M items (see PolicyPoamItemView). */
  readonly poamItems: readonly PolicyPoamItemView[];
}

/** Everything the document emitters need. */
export interface SynthModel {
  readonly profile: Profile;
  /** `SOURCE_DATE_EPOCH` in seconds. */
  readonly epoch: number;
  /** Sovra's own version. */
  readonly sovraVersion: string;
  /** Components in construct order. */
  readonly components: readonly ComponentView[];
  /** Pod groups and allowed flows (absent in hand-made models). */
  readonly network?: NetworkView;
  /** The policy gate's result (waivers are POA&M items and SSP statements). */
  readonly policy?: PolicyView;
}
