/**
 * The synthesized platform as the document emitters see it: every
 * component's declarations, with each claim's evidence already resolved
 * against the written output. OSCAL, SBOM and provenance are pure
 * functions of this model.
 */
import type { HelmChartSpec } from '../constructs/kit/chart.js';
import type { CustomerResponsibility, ImplementationStatus } from '../constructs/kit/claims.js';
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
}
