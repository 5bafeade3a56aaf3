/**
 * Where the pods the tekton-operator chart renders cannot meet Sovra's
 * policy rules, and why: the operator and its webhook call the API server
 * (their pod groups declare the kube-apiserver peer in tekton.ts). Each
 * exception lifts the finding in the chart's conformance test (which fails
 * on one that lifts nothing) and excludes the object from the rule's
 * binding in the cluster.
 */
import type { Component } from '../../kit/component.js';
import { OPERATOR_NAMESPACE, OPERATOR_RELEASE } from './values.js';

/** Declares the exceptions of the objects the chart renders. */
export function declareTektonExceptions(c: Component): void {
  const except = (name: string, reason: string) =>
    c.exceptPolicy({ rule: 'pod-security/service-account-token', object: { kind: 'Deployment', namespace: OPERATOR_NAMESPACE, name }, reason, release: OPERATOR_RELEASE });
  except('tekton-operator', 'The operator reconciles TektonConfig, TektonPipeline and TektonChain and installs their manifests (Deployments, RBAC, CRDs, webhooks) through the API server.');
  except('tekton-operator-webhook', "The operator's webhook reads its configuration and writes its serving certificate and webhook configurations through the API server.");
}
