/**
 * Every rule Sovra ships, by pack, in the order they are evaluated and
 * emitted. A new rule is one file under `rules/<pack>/` and one line here.
 */
import type { PolicyRule } from './rule.js';
import { rule as allowedRegistries } from './rules/images/allowed-registries.js';
import { rule as locked } from './rules/images/locked.js';
import { rule as pinnedByDigest } from './rules/images/pinned-by-digest.js';
import { rule as gpuPoolPlacement } from './rules/gpu/pool-placement.js';
import { rule as sovraLabels } from './rules/labels/sovra-labels.js';
import { rule as destinationMtls } from './rules/mesh/destination-mtls.js';
import { rule as strictMtls } from './rules/mesh/strict-mtls.js';
import { rule as defaultDeny } from './rules/network/default-deny.js';
import { rule as serviceExposure } from './rules/network/service-exposure.js';
import { rule as capabilities } from './rules/pod-security/capabilities.js';
import { rule as hostNamespaces } from './rules/pod-security/host-namespaces.js';
import { rule as hostPorts } from './rules/pod-security/host-ports.js';
import { rule as namespaceRestricted } from './rules/pod-security/namespace-restricted.js';
import { rule as ownServiceAccount } from './rules/pod-security/own-service-account.js';
import { rule as privilegeEscalation } from './rules/pod-security/privilege-escalation.js';
import { rule as privileged } from './rules/pod-security/privileged.js';
import { rule as readOnlyRootFs } from './rules/pod-security/read-only-root-fs.js';
import { rule as resources } from './rules/pod-security/resources.js';
import { rule as runAsNonRoot } from './rules/pod-security/run-as-non-root.js';
import { rule as seccomp } from './rules/pod-security/seccomp.js';
import { rule as serviceAccountToken } from './rules/pod-security/service-account-token.js';
import { rule as volumeTypes } from './rules/pod-security/volume-types.js';
import { rule as noLiteralData } from './rules/secrets/no-literal-data.js';
import { rule as produced } from './rules/secrets/produced.js';

/** The shipped rules. */
export const RULES: readonly PolicyRule[] = [
  // pod security: restricted Pod Security plus Sovra's baseline
  privileged,
  hostNamespaces,
  hostPorts,
  privilegeEscalation,
  runAsNonRoot,
  capabilities,
  seccomp,
  volumeTypes,
  readOnlyRootFs,
  serviceAccountToken,
  ownServiceAccount,
  resources,
  namespaceRestricted,
  // images
  pinnedByDigest,
  locked,
  allowedRegistries,
  // network
  defaultDeny,
  serviceExposure,
  // mesh
  strictMtls,
  destinationMtls,
  // secrets
  noLiteralData,
  produced,
  // GPU
  gpuPoolPlacement,
  // labels
  sovraLabels,
];

/** The rule with `id`, if Sovra ships one. */
export function ruleById(id: string): PolicyRule | undefined {
  return RULES.find((r) => r.id === id);
}
