/** The synth's policy step: evaluate, then stop (exit 6) on any violation or waiver problem. */
import { SovraError } from '../core/errors.js';
import { describeFinding, describeWaiverProblem, evaluatePolicies, type EvaluateOptions, type PolicyObject, type PolicyResult } from './evaluate.js';

/**
 * Runs every rule over `objects` and throws `SovraError('failed-policy')`
 * naming each violation (rule, object, file, field, controls) and each
 * expired, unused or malformed waiver. Returns the result when it passes
 * (warnings and waived findings are reported, not fatal).
 */
export function enforcePolicies(profileName: string, objects: readonly PolicyObject[], options: EvaluateOptions): PolicyResult {
  const result = evaluatePolicies(objects, options);
  const problems = [...result.violations.map(describeFinding), ...result.waiverProblems.map(describeWaiverProblem)];
  if (problems.length > 0) {
    const fix =
      result.violations.length > 0
        ? '\nFix the object, or waive it in the profile with a written reason (policyWaivers: rule, object {kind, namespace, name}, reason, approvedBy, expires).'
        : '';
    throw new SovraError('failed-policy', `the policy rules failed for profile "${profileName}":\n  - ${problems.join('\n  - ')}${fix}`);
  }
  return result;
}
