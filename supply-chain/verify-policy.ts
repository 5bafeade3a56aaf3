/**
 * Policy gates over a signed provenance statement, for CI (`sovra verify`
 * and `sovra bundle verify`): who built it (`--require-builder`), from
 * which source commit (`--require-source-commit`), whether the source had
 * uncommitted changes (`--require-clean`), for which profile
 * (`--require-profile`). They read only the statement that was signed, so
 * they hold exactly as far as the signature does. Each failure is its own
 * finding kind, naming what was expected and what was found.
 */
import type { FindingKind } from '../contracts/verify-codes.js';

/** What a CI gate requires of the provenance. */
export interface ProvenancePolicy {
  /** Builder id: exact, or without `@version` to accept any version of that builder. */
  readonly requireBuilder?: string;
  /** Source commit: the full hash or a prefix of at least 7 hex digits. */
  readonly requireSourceCommit?: string;
  /** The source had no uncommitted changes when it was built. */
  readonly requireClean?: boolean;
  /** Profile name the output was built for. */
  readonly requireProfile?: string;
}

/** One unmet requirement. */
export interface PolicyFinding {
  readonly kind: Extract<FindingKind, 'builder' | 'source' | 'dirty' | 'profile'>;
  readonly message: string;
}

/** What the statement says about its build, as far as the gates read it. */
export interface ProvenanceFacts {
  readonly builder?: string;
  readonly profile?: string;
  readonly source?: { readonly commit: string; readonly dirty?: boolean };
}

/** The facts of an in-toto Statement v1 with a SLSA v1 predicate (fields absent when the statement lacks them). */
export function provenanceFacts(statement: unknown): ProvenanceFacts {
  const p = (statement as { predicate?: Record<string, unknown> } | null)?.predicate;
  const build = p?.buildDefinition as { externalParameters?: Record<string, unknown>; resolvedDependencies?: unknown[] } | undefined;
  const run = p?.runDetails as { builder?: { id?: unknown } } | undefined;
  const deps = Array.isArray(build?.resolvedDependencies) ? (build!.resolvedDependencies as Array<{ name?: unknown; digest?: { gitCommit?: unknown }; annotations?: { dirty?: unknown } }>) : [];
  const src = deps.find((d) => typeof d?.digest?.gitCommit === 'string');
  const builder = typeof run?.builder?.id === 'string' ? run.builder.id : undefined;
  const profile = typeof build?.externalParameters?.profile === 'string' ? build.externalParameters.profile : undefined;
  return {
    ...(builder !== undefined ? { builder } : {}),
    ...(profile !== undefined ? { profile } : {}),
    ...(src ? { source: { commit: src.digest!.gitCommit as string, ...(typeof src.annotations?.dirty === 'boolean' ? { dirty: src.annotations.dirty } : {}) } } : {}),
  };
}

/** A usage mistake in a policy value (before anything is read), or undefined. */
export function policyUsageError(policy: ProvenancePolicy): string | undefined {
  if (policy.requireSourceCommit !== undefined && !/^[0-9a-f]{7,64}$/.test(policy.requireSourceCommit)) {
    return `--require-source-commit ${JSON.stringify(policy.requireSourceCommit)} is not a commit hash; give the full hash or at least its first 7 lower-case hex digits (\`git rev-parse HEAD\`).`;
  }
  if (policy.requireBuilder !== undefined && policy.requireBuilder.trim() === '') return '--require-builder needs a builder id, e.g. https://sovra.dev/builder/sovra-synth (any version) or …@0.1.0.';
  if (policy.requireProfile !== undefined && policy.requireProfile.trim() === '') return '--require-profile needs a profile name, e.g. edge.';
  return undefined;
}

/** The requirements `facts` does not meet. */
export function checkProvenancePolicy(facts: ProvenanceFacts, policy: ProvenancePolicy, what = 'the signed provenance'): PolicyFinding[] {
  const out: PolicyFinding[] = [];
  if (policy.requireBuilder !== undefined) {
    const want = policy.requireBuilder;
    const found = facts.builder;
    const ok = found !== undefined && (found === want || (!want.includes('@') && found.startsWith(`${want}@`)));
    if (!ok) out.push({ kind: 'builder', message: `${what} names builder ${found ?? '(none)'}; --require-builder expects ${want}${want.includes('@') ? '' : ' (any version)'}` });
  }
  if (policy.requireSourceCommit !== undefined) {
    const want = policy.requireSourceCommit;
    const found = facts.source?.commit;
    if (found === undefined) out.push({ kind: 'source', message: `${what} records no source commit (built outside a git checkout of Sovra); --require-source-commit expects ${want}` });
    else if (!found.startsWith(want)) out.push({ kind: 'source', message: `${what} records source commit ${found}; --require-source-commit expects ${want}` });
  }
  if (policy.requireClean) {
    const src = facts.source;
    if (src === undefined) out.push({ kind: 'dirty', message: `${what} records no source commit, so nothing shows the source was clean; --require-clean expects a build from a committed tree` });
    else if (src.dirty !== false) out.push({ kind: 'dirty', message: `${what} records ${src.dirty === true ? 'uncommitted changes' : 'no clean/dirty state'} in source ${src.commit}; --require-clean expects a build from a committed tree with no changes` });
  }
  if (policy.requireProfile !== undefined) {
    const found = facts.profile;
    if (found !== policy.requireProfile) out.push({ kind: 'profile', message: `${what} was built for profile ${found ?? '(none)'}; --require-profile expects ${policy.requireProfile}` });
  }
  return out;
}
