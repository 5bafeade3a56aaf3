/** The SP 800-53 rev5 controls and baselines Sovra ships (generated from NIST OSCAL content). */
import { readShippedJson } from '../core/paths.js';
import type { ControlId } from './control-id.generated.js';

/** One control or enhancement. */
export interface CatalogControl {
  readonly id: ControlId;
  /** Display label, e.g. `SC-8`. */
  readonly label: string;
  readonly title: string;
  /** Family id, e.g. `sc`. */
  readonly family: string;
  readonly withdrawn: boolean;
  /** Baselines that select it. */
  readonly baselines: ReadonlyArray<'LOW' | 'MODERATE' | 'HIGH'>;
  /** Ids of its organization-defined parameters (`ac-7_prm_1`), for `set-parameters`. */
  readonly params: readonly string[];
}

/** The shipped catalog data. */
export interface Catalog {
  readonly source: { catalog: string; catalogVersion: string; baselines: Record<string, { title: string; version: string; file: string }> };
  readonly families: Record<string, string>;
  readonly controls: readonly CatalogControl[];
}

let cached: { catalog: Catalog; byId: Map<string, CatalogControl> } | undefined;

function load(): { catalog: Catalog; byId: Map<string, CatalogControl> } {
  if (!cached) {
    const catalog = readShippedJson<Catalog>('controls/data/sp800-53r5.json');
    cached = { catalog, byId: new Map(catalog.controls.map((c) => [c.id, c])) };
  }
  return cached;
}

/** The catalog. */
export function catalog(): Catalog {
  return load().catalog;
}

/** True when `id` names a control or enhancement of the catalog that is not withdrawn. */
export function isControlId(id: string): id is ControlId {
  const c = load().byId.get(id);
  return c !== undefined && !c.withdrawn;
}

/** The control `id`, or undefined. */
export function control(id: string): CatalogControl | undefined {
  return load().byId.get(id);
}
