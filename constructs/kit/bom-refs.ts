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

/** Stable bom-ref of a chart. */
export function chartBomRef(chart: Pick<HelmChartSpec<object>, 'repository' | 'chart' | 'version'>): string {
  return `chart:${chart.repository}#${chart.chart}@${chart.version}`;
}
