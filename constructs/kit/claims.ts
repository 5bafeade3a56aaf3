/**
 * Control claims as structured data with evidence (STYLE.md rule 2). The
 * SSP text is written from these, and each piece of evidence is checked
 * against the synthesized output after synth.
 */
import type { ApiObject } from 'cdk8s';
import type { ControlId } from '../../controls/control-id.generated.js';

/** A place in the output: a Kubernetes object, a chart's values, or a host file. */
export type EvidenceTarget =
  | { readonly kind: 'object'; readonly object: ApiObject }
  | { readonly kind: 'chart'; readonly release: string }
  | { readonly kind: 'host-file'; readonly file: string };

/** One checkable fact: the field at `path` of `target` has the expected value. */
export interface Evidence {
  readonly target: EvidenceTarget;
  /** Dotted path; `[n]` indexes arrays; a string holding YAML (such as `valuesContent`) is entered as data. */
  readonly path: string;
  /** The field equals this value (deep equality). */
  readonly equals?: unknown;
  /** The field is an array containing this value (deep equality). */
  readonly contains?: unknown;
  /** Only that the field is present (not undefined, not null). */
  readonly present?: true;
}

/** How far a claim goes toward the control. */
export type ImplementationStatus = 'implemented' | 'partial' | 'planned';

/** A component's claim that it implements (part of) a control. */
export interface ControlClaim {
  readonly control: ControlId;
  /** What the component does, written for an accreditor: one or two sentences. */
  readonly statement: string;
  readonly evidence: readonly Evidence[];
  /** @default 'implemented' */
  readonly status?: ImplementationStatus;
  /**
   * Values of the control's organization-defined parameters this claim sets,
   * by SP 800-53 rev5 parameter id (`ac-7_prm_1` → `3`); the SSP writes them
   * as `set-parameters`. Each value must also appear in the claim's evidence.
   */
  readonly parameters?: Readonly<Record<string, string>>;
}

/**
 * A role of the people who use the platform (an OSCAL system user), as a
 * component that manages accounts defines it, e.g. a realm role or group.
 */
export interface UserRole {
  /** Stable id, e.g. `sovra-chat` (becomes the OSCAL role id and the user's UUID). */
  readonly id: string;
  readonly title: string;
  readonly description: string;
  /** What holders may do, one line each. */
  readonly privileges: readonly string[];
  /** Whether the role administers the platform (OSCAL `privilege-level`). */
  readonly privileged: boolean;
}

/**
 * What the site must do for a control because no manifest can (initialize
 * and unseal a vault, appoint its first administrator): stated in the OSCAL
 * output as the customer's responsibility, never claimed as implemented.
 */
export interface CustomerResponsibility {
  readonly control: ControlId;
  /** What the customer does, for an accreditor: one or two sentences. */
  readonly statement: string;
  /** Where the procedure is written, e.g. `README.md#openbao-runbook`. */
  readonly procedure?: string;
}

/** Evidence on a field of a synthesized Kubernetes object. */
export function onObject(object: ApiObject, path: string, expect: Omit<Evidence, 'target' | 'path'>): Evidence {
  return { target: { kind: 'object', object }, path, ...expect };
}

/** Evidence on a field of a host configuration file (path relative to the output root, e.g. `host/config.yaml`). */
export function onHostFile(file: string, path: string, expect: Omit<Evidence, 'target' | 'path'>): Evidence {
  return { target: { kind: 'host-file', file }, path, ...expect };
}

/** Evidence on a value of a Helm release, wherever the profile installs it (HelmChart object or Terraform helm_release). */
export function onChartValues(release: string, path: string, expect: Omit<Evidence, 'target' | 'path'>): Evidence {
  return { target: { kind: 'chart', release }, path, ...expect };
}
