/** Every object Sovra writes carries Sovra's labels, with this profile's name. */
import { LABELS } from '../../../constructs/kit/component.js';
import type { PolicyRule } from '../../rule.js';

const l = (k: string) => `object.metadata.labels['${k}']`;
const has = (k: string) => `'${k}' in object.metadata.labels`;

/** labels/sovra-labels */
export const rule: PolicyRule = {
  id: 'labels/sovra-labels',
  pack: 'labels',
  message: "The object does not carry Sovra's labels for this profile.",
  severity: 'error',
  match: 'all',
  // What Helm installs from a chart carries the chart's labels, not Sovra's: it is judged by the other rules.
  matchConditions: [{ name: 'written-by-sovra', expression: "!has(object.metadata.annotations) || !('meta.helm.sh/release-name' in object.metadata.annotations)" }],
  expression:
    `has(object.metadata.labels) && ${has(LABELS.partOf)} && ${l(LABELS.partOf)} == 'sovra' && ${has(LABELS.managedBy)} && ${l(LABELS.managedBy)} == 'sovra'` +
    ` && ${has(LABELS.component)} && ${l(LABELS.component)} != '' && ${has(LABELS.profile)} && ${l(LABELS.profile)} == params.data.profile`,
  messageExpression: `'needs ${LABELS.partOf}=sovra, ${LABELS.managedBy}=sovra, ${LABELS.component}=<component id> and ${LABELS.profile}=' + params.data.profile + '; has ' + (has(object.metadata.labels) ? object.metadata.labels.map(k, k + '=' + object.metadata.labels[k]).join(', ') : 'no labels')`,
  field: 'metadata.labels',
  params: ['profile'],
  libraries: ['strings'],
  controls: ['cm-8', 'cm-2'],
  rationale:
    "The labels tie every object to Sovra, its component and the profile it was synthesized for: the inventory (CM-8) and the baseline configuration (CM-2) are read from them, and in the cluster an object applied from another profile's output is refused. Objects Helm installs from a chart (annotation meta.helm.sh/release-name) carry the chart's labels and are not judged by this rule.",
};
