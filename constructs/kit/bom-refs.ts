/**
 * The SBOM bom-refs of the parts a component declares, defined with the
 * model so that what names them (license waivers in profiles, the SSP's
 * links) and the SBOM that carries them (supply-chain/) agree by
 * construction.
 */
import type { HelmChartSpec } from './chart.js';
import { imageName, type ImageSpec } from './image.js';

/** Stable bom-ref of an image: its name, and its digest when locked. */
export function imageBomRef(image: ImageSpec): string {
  return `image:${imageName(image)}${image.digest ? `@${image.digest}` : ''}`;
}

/** Stable bom-ref of a chart: by its catalog repository, also when a profile's chartOverrides moves it (waivers keep naming it). */
export function chartBomRef(chart: Pick<HelmChartSpec<object>, 'repository' | 'chart' | 'version' | 'replaces'>): string {
  return `chart:${chart.replaces ?? chart.repository}#${chart.chart}@${chart.version}`;
}
