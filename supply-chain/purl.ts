/**
 * Package URLs (purl) of what the platform ships, built with packageurl-js
 * so that encoding follows the purl specification.
 */
import { PackageURL } from 'packageurl-js';
import type { HelmChartSpec } from '../constructs/kit/chart.js';
import type { ImageSpec } from '../constructs/kit/image.js';
import type { ModelDeclaration } from '../contracts/model-declaration.js';

/** `pkg:oci/<name>@sha256:…?repository_url=<registry>/<repository>&tag=<tag>` (no version when the image has no digest). */
export function ociPurl(image: ImageSpec): string {
  const name = image.repository.split('/').pop()!;
  return new PackageURL('oci', undefined, name, image.digest, { repository_url: `${image.registry}/${image.repository}`, tag: image.tag }, undefined).toString();
}

/**
 * `pkg:generic/<chart>@<version>?repository_url=<repo>[&checksum=sha256:…]`: the purl
 * specification defines no Helm type, and a Helm repository is a repository, not a download URL.
 */
export function chartPurl(chart: HelmChartSpec<object>): string {
  const qualifiers: Record<string, string> = { repository_url: chart.repository };
  if (chart.digest) qualifiers.checksum = chart.digest;
  return new PackageURL('generic', undefined, chart.chart, chart.version, qualifiers, undefined).toString();
}

/** `pkg:generic/<model>@<version>?checksum=sha256:…` of a model's weights file. */
export function modelPurl(model: ModelDeclaration): string {
  return new PackageURL('generic', undefined, model.name, model.version, { checksum: `sha256:${model.sha256}` }, undefined).toString();
}
