/**
 * Identifiers of the OSCAL component definitions: every UUID is UUIDv5 of a
 * stable content string, so the SSP and other documents can derive the same
 * UUID for the same component, requirement or party without a lookup.
 */
import { canonicalJson } from '../core/canonical.js';
import { sha256Hex, uuidV5 } from '../core/hash.js';

/** Namespace of Sovra's own OSCAL props (`layer`, `evidence-file`, …). */
export const SOVRA_OSCAL_NS = 'https://sovra.dev/ns/oscal';

/** Role id of the team that operates the platform. */
export const PLATFORM_ROLE_ID = 'platform-engineering';

/** UUID of the party "platform engineering team". */
export function platformPartyUuid(): string {
  return uuidV5('party:platform-engineering');
}

/** UUID of a component (identity: its construct id). */
export function componentUuid(componentId: string): string {
  return uuidV5(`component:${componentId}`);
}

/** UUID of a component's control implementation set against a baseline. */
export function controlImplementationUuid(componentId: string, baseline: string): string {
  return uuidV5(`control-implementation:${componentId}:${baseline}`);
}

/** UUID of a component's implemented requirement for one control. */
export function requirementUuid(componentId: string, control: string): string {
  return uuidV5(`req:${componentId}:${control}`);
}

/**
 * UUID of a whole document: derived from its content (without the uuid), so
 * it changes exactly when the document changes, as OSCAL asks of a revision.
 */
export function documentUuid(path: string, contentWithoutUuid: unknown): string {
  return uuidV5(`document:${path}:${sha256Hex(canonicalJson(contentWithoutUuid))}`);
}
