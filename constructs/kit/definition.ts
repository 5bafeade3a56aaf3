/**
 * A component as the platform's registry lists it: its id (a contract:
 * file names, OSCAL UUIDs and Terraform addresses derive from it), its
 * layer, whether a profile installs it, and how to build it. Everything
 * else about the component lives in its own folder.
 */
import type { Construct } from 'constructs';
import type { Profile } from '../../profiles/profile.generated.js';
import type { Component, ComponentProps, Layer } from './component.js';
import type { OidcClientSpec } from './oidc-clients.js';

/** An entry of the component registry. */
export interface ComponentDefinition {
  /** Construct id; lower-case, dash-separated. */
  readonly id: string;
  readonly layer: Layer;
  /** Whether `profile` installs the component. @default - always */
  readonly enabled?: (profile: Profile) => boolean;
  /** OIDC clients it needs in the platform's identity provider, for `profile`. @default - none */
  readonly oidcClients?: (profile: Profile) => readonly OidcClientSpec[];
  /** Builds the component under `scope` with `id`. */
  readonly create: (scope: Construct, id: string, props: ComponentProps) => Component;
}

/** Checks a registry: unique, well-formed ids. Throws (a bug) when it is not. */
export function checkRegistry(definitions: readonly ComponentDefinition[]): void {
  const seen = new Set<string>();
  for (const d of definitions) {
    if (!/^[a-z][a-z0-9-]{0,40}$/.test(d.id)) throw new Error(`component id "${d.id}" must be lower-case letters, digits and dashes`);
    if (seen.has(d.id)) throw new Error(`component id "${d.id}" is registered twice`);
    seen.add(d.id);
  }
}
