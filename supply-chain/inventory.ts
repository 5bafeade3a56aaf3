/**
 * What a profile ships, read from the built platform the way the SBOM
 * reads it: each component's images (`ImageSpec`, named by `imageName` and
 * referenced by `imageRef`), charts (`HelmChartSpec`) and models. The image
 * list of `sovra images`, the tags `sovra lock` resolves and the contents
 * of the bundle all come from here.
 */
import type { Component } from '../constructs/kit/component.js';
import type { HelmChartSpec } from '../constructs/kit/chart.js';
import { imageName, imageRef, type ImageSpec } from '../constructs/kit/image.js';
import type { DeclaredModel } from '../contracts/served-model.js';

/** One image of one component. */
export interface InventoryImage {
  /** `registry/repository:tag` (the key of the image lock and of overrides). */
  readonly name: string;
  /** What the manifests use: by digest when locked, by tag otherwise. */
  readonly reference: string;
  /** `sha256:…` when locked. */
  readonly digest?: string;
  readonly component: string;
  readonly spec: ImageSpec;
}

/** One chart of one component. */
export interface InventoryChart {
  readonly component: string;
  readonly spec: HelmChartSpec<object>;
}

/** One model of one component. */
export interface InventoryModel {
  readonly component: string;
  readonly model: DeclaredModel;
}

/** Everything a profile ships, sorted. */
export interface Inventory {
  /** One row per image and component that declares it, by name then component. */
  readonly images: readonly InventoryImage[];
  /** By release. */
  readonly charts: readonly InventoryChart[];
  readonly models: readonly InventoryModel[];
}

const byKey = <T>(key: (t: T) => string) => (a: T, b: T): number => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

/** The inventory of `components` (of a finalized platform). */
export function inventoryOf(components: readonly Component[]): Inventory {
  const images = new Map<string, InventoryImage>();
  for (const c of components) {
    for (const spec of c.images) {
      const name = imageName(spec);
      const key = `${name}\n${c.node.id}`;
      if (!images.has(key)) images.set(key, { name, reference: imageRef(spec), ...(spec.digest ? { digest: spec.digest } : {}), component: c.node.id, spec });
    }
  }
  const charts = components.flatMap((c) => c.charts.map((spec) => ({ component: c.node.id, spec })));
  const models = components.flatMap((c) => c.models.map((model) => ({ component: c.node.id, model })));
  return {
    images: [...images.values()].sort(byKey((i) => `${i.name}\n${i.component}`)),
    charts: charts.sort(byKey((c) => c.spec.release)),
    models: models.sort(byKey((m) => `${m.model.name}\n${m.component}`)),
  };
}

/** Distinct images by name (the first component's row for each). */
export function distinctImages(inventory: Inventory): InventoryImage[] {
  const seen = new Map<string, InventoryImage>();
  for (const i of inventory.images) if (!seen.has(i.name)) seen.set(i.name, i);
  return [...seen.values()];
}
