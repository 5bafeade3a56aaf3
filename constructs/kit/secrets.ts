/**
 * Secrets a component consumes and produces, declared by that component.
 * The platform's secret closure (every Secret an object references has a
 * producer) is checked against these declarations and the written objects.
 */

/** A Secret by namespace and name, and the keys that matter. */
export interface SecretRef {
  readonly namespace: string;
  readonly name: string;
  /** Keys read or written. */
  readonly keys: readonly string[];
}

/** A Secret a component's objects reference. */
export interface SecretConsumption extends SecretRef {
  /** What it holds and why the component needs it, in one line. */
  readonly purpose: string;
}

/** How a Secret comes to exist. */
export type SecretProducerKind =
  /** An ExternalSecret of the output (External Secrets Operator fills it from OpenBao or a generator). */
  | 'external-secret'
  /** A cert-manager Certificate of the output. */
  | 'certificate'
  /** An operator the platform installs creates it (named in `by`). */
  | 'operator'
  /** The site supplies it at install time; the README and the SSP list it. */
  | 'supplied-at-install';

/** A Secret a component makes exist. */
export interface SecretProduction extends SecretRef {
  readonly kind: SecretProducerKind;
  /** Who produces it: the object or the software, e.g. `ExternalSecret sovra-messaging/nats-accounts`. */
  readonly by: string;
  /** What it holds, in one line. */
  readonly purpose: string;
}
