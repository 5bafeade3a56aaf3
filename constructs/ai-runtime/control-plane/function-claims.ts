/**
 * Claims for the control plane's own security functions: its audit trail
 * (AU-2, AU-3, AU-9, AU-10, AU-12), its access decisions (AC-3) and
 * authentication (IA-2), its rate limits (SC-5), and the integrity and
 * provenance of what it runs (CM-8, SR-4, SI-7). Each names the setting of
 * the Deployment that turns the function on or points it somewhere; what
 * the service does with the setting is fixed by the image version, which is
 * part of the evidence too.
 */
import type { ApiObject } from 'cdk8s';
import type { ModelDeclaration } from '../../../contracts/model-declaration.js';
import { onObject, type Evidence } from '../../kit/claims.js';
import type { Component } from '../../kit/component.js';
import { imageRef, type ImageSpec } from '../../kit/image.js';

/** What the claims point at. */
export interface FunctionClaimInput {
  readonly deployment: ApiObject;
  /** Path of the control plane container in the pod template. */
  readonly container: string;
  readonly image: ImageSpec;
  readonly issuer: string;
  readonly audience: string;
  /** Env entries of the Deployment. */
  readonly auditKey: Evidence;
  readonly database: Evidence;
  readonly issuerEnv: Evidence;
  readonly audienceEnv: Evidence;
  /** The ExternalSecret's reference to the key in OpenBao. */
  readonly auditKeySource: Evidence;
  readonly resources: { readonly cpu: string; readonly memory: string };
  readonly modelDigest?: Evidence;
  readonly model?: ModelDeclaration;
}

/** Built into `sovra serve` (services/app.ts): token bucket per subject and tenant. */
const RATE_PER_SECOND = 50;

/** States the claims of the control plane's functions on `cp`. */
export function declareFunctionClaims(cp: Component, i: FunctionClaimInput): void {
  const d = i.deployment;
  const c = i.container;
  const image = onObject(d, `${c}.image`, { equals: imageRef(i.image) });
  const args = onObject(d, `${c}.args`, { equals: ['serve'] });
  const pinned = Boolean(i.image.digest);
  const version = `control plane ${i.image.tag}${pinned ? ' (pinned by digest)' : ' (named by tag: not locked)'}`;
  cp.declareClaim({
    control: 'au-2',
    statement: `The ${version} records every API request it answers, with its outcome (success, denied or error), in its audit trail, stored in its PostgreSQL database named by DATABASE_URL.`,
    evidence: [args, i.database, image],
    parameters: { 'au-2_prm_1': 'every request to the control plane API: caller, route, model and outcome' },
  });
  cp.declareClaim({
    control: 'au-3',
    statement: 'Each audit record holds the time, the action (route), the subject and tenant from the verified token, the source address, the request id and the SHA-256 of the request, the outcome (success, denied or error) and status code, and the model with its digest; the request text is left out (prompt capture is off unless the operator turns it on).',
    evidence: [args, image],
  });
  cp.declareClaim({
    control: 'au-9',
    statement: 'Audit records are hash-chained (each holds the SHA-256 of the one before) and checkpoints are signed with an Ed25519 key that OpenBao holds and External Secrets delivers, so a changed, removed or reordered record breaks the chain; the trail lives in a database only the control plane may reach.',
    evidence: [i.auditKey, i.auditKeySource, i.database],
    status: 'partial',
  });
  cp.declareClaim({
    control: 'au-10',
    statement: 'Signed audit checkpoints bind each request to the subject of its verified token: whoever holds the public key can prove who did what (`sovra audit verify`).',
    evidence: [i.auditKey, i.auditKeySource, i.issuerEnv],
    parameters: { 'au-10_prm_1': 'every request to the control plane API' },
  });
  cp.declareClaim({
    control: 'au-12',
    statement: 'Every replica of the control plane generates audit records for its own requests into the one shared trail, so no request escapes it whichever replica answers.',
    evidence: [args, i.database],
    parameters: { 'au-12_prm_1': 'every control plane replica' },
  });
  cp.declareClaim({
    control: 'ac-3',
    statement: `Every request is decided by the control plane's CEL policy before it reaches a model: the token must carry audience ${i.audience} and the scope named after the route; the shipped rules are in force (no site rule file is configured).`,
    evidence: [i.audienceEnv, args, image],
  });
  cp.declareClaim({
    control: 'ia-2',
    statement: `The control plane accepts only access tokens signed by the OIDC issuer ${i.issuer} for audience ${i.audience}; requests without such a token are refused.`,
    evidence: [i.issuerEnv, i.audienceEnv],
  });
  cp.declareClaim({
    control: 'sc-5',
    statement: `The control plane limits each subject and tenant to ${RATE_PER_SECOND} requests per second (token bucket, burst ${2 * RATE_PER_SECOND}; built into the ${version}, not set in the manifest), and each replica is bounded to ${i.resources.cpu} CPU and ${i.resources.memory} memory so a flood cannot starve its node.`,
    evidence: [onObject(d, `${c}.resources.limits`, { equals: { cpu: i.resources.cpu, memory: i.resources.memory } }), image],
    status: 'partial',
    parameters: { 'sc-5_prm_1': 'Limit', 'sc-5_prm_2': 'request floods against the control plane API', 'sc-5_prm_3': `a rate limit of ${RATE_PER_SECOND} requests/s per subject and tenant, and resource limits per replica` },
  });
  cp.declareClaim({
    control: 'cm-8',
    statement: `The control plane image is listed in the platform's CycloneDX SBOM (sbom.cdx.json) under the reference the Deployment runs${pinned ? ', by digest' : '; it is named by tag until the image lock pins it, so the SBOM entry does not yet fix its bits'}.`,
    evidence: [image],
    status: pinned ? 'implemented' : 'partial',
  });
  cp.declareClaim({
    control: 'sr-4',
    statement: `The manifest that deploys the control plane is covered by the synth's in-toto/SLSA provenance (provenance.intoto.json, signable with \`sovra sign\`), which records the image reference it names${pinned ? ' by digest' : '; by tag until the image is locked'}.`,
    evidence: [image],
    status: pinned ? 'implemented' : 'partial',
  });
  if (i.modelDigest && i.model) {
    cp.declareClaim({
      control: 'si-7',
      statement: `The control plane verifies the SHA-256 of the local model ${i.model.name} (${i.model.sha256}) before it loads it, and refuses to start on a mismatch.`,
      evidence: [i.modelDigest],
      parameters: { 'si-7_prm_1': `model weights of ${i.model.name}` },
    });
  }
}
