/**
 * The synth's policy step: every rule over every rendered object, with the
 * parameters the cluster's admission policies read (the admission
 * component's ConfigMap when the profile installs it, the same function of
 * the platform otherwise) and every waiver (the profile's and the
 * components' exceptions). Fails with exit 6; returns the view model part.
 */
import type { Component } from '../constructs/kit/component.js';
import type { Platform } from '../constructs/platform.js';
import { policyFacts } from '../constructs/policy/admission/facts.js';
import type { PolicyView } from '../output/model.js';
import { RULES } from '../policies/catalog.js';
import type { PolicyObject } from '../policies/evaluate.js';
import { enforcePolicies } from '../policies/gate.js';
import { POLICY_PARAMS, policyParams } from '../policies/params.js';
import { policyView } from '../policies/report.js';
import { buildDate, profileWaivers } from '../policies/waivers.js';

type Obj = { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string }; data?: Record<string, string> };

/** What the policy step hands on: the view, and what `policy-report.json` needs. */
export interface PolicyStep {
  readonly view: PolicyView;
  readonly params: Readonly<Record<string, string>>;
  readonly buildDate: string;
}

/** Runs the gate over `objects` (by component, each with its manifest file). */
export function runPolicyStep(platform: Platform, objects: ReadonlyMap<Component, readonly object[]>, fileOf: (c: Component) => string, epoch: number): PolicyStep {
  const all: PolicyObject[] = [];
  for (const [c, objs] of objects) for (const o of objs) all.push({ object: o as Record<string, unknown>, file: fileOf(c) });
  const written = all.map((o) => o.object as Obj).find((o) => o.kind === 'ConfigMap' && o.metadata?.name === POLICY_PARAMS.name && o.metadata.namespace === POLICY_PARAMS.namespace);
  const params = written?.data ?? policyParams(policyFacts(platform, all.map((o) => o.object as Obj)));
  const waivers = [...profileWaivers(platform.profile.policyWaivers), ...platform.components.flatMap((c) => c.policyExceptions)];
  const date = buildDate(epoch);
  const result = enforcePolicies(platform.profile.name, all, { params: { data: params }, waivers, buildDate: date });
  return { view: policyView(RULES, waivers, result), params, buildDate: date };
}
