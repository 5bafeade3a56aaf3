/**
 * Variables shared by the rules that judge pods: the pod spec of any
 * workload kind, and its containers. Written once here so every rule of the
 * pod pack reads the same pod the same way (the emitted admission policies
 * carry them as `variables`).
 */
import type { NamedExpression } from '../rule.js';

/** `variables.podSpec`: the pod spec of a Pod, a CronJob's job template, or any other workload's template. */
export const POD_SPEC: NamedExpression = {
  name: 'podSpec',
  expression: "object.kind == 'Pod' ? object.spec : (object.kind == 'CronJob' ? object.spec.jobTemplate.spec.template.spec : object.spec.template.spec)",
};

/** `variables.podSecurityContext`: the pod-level security context, or an empty map. */
export const POD_SECURITY_CONTEXT: NamedExpression = {
  name: 'podSecurityContext',
  expression: 'has(variables.podSpec.securityContext) ? variables.podSpec.securityContext : {}',
};

/** `variables.containers`: init and regular containers (those that run the workload). */
export const CONTAINERS: NamedExpression = {
  name: 'containers',
  expression: '(has(variables.podSpec.initContainers) ? variables.podSpec.initContainers : []) + variables.podSpec.containers',
};

/** `variables.allContainers`: init, regular and ephemeral containers (Pod Security Standards judge all three). */
export const ALL_CONTAINERS: NamedExpression = {
  name: 'allContainers',
  expression: 'variables.containers + (has(variables.podSpec.ephemeralContainers) ? variables.podSpec.ephemeralContainers : [])',
};

/** The variables of a rule about containers, in order. */
export const POD_VARIABLES: readonly NamedExpression[] = [POD_SPEC, POD_SECURITY_CONTEXT, CONTAINERS, ALL_CONTAINERS];

/** `<list>.map(c, c.name).join(', ')` of the containers for which `bad` holds. */
export function namesWhere(list: string, bad: string): string {
  return `${list}.filter(c, ${bad}).map(c, c.name).join(', ')`;
}
