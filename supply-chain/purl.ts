/**
 * Package URLs (purl) of what the platform ships, built with packageurl-js
 * so that encoding follows the purl specification.
 */
import { PackageURL } from 'packageurl-js';
import type { HelmChartSpec } from '../constructs/kit/chart.js';
import type { ImageSpec } from '../constructs/kit/image.js';
import { isServedModel, type DeclaredModel } from '../contracts/served-model.js';

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

/**
 * `pkg:generic/<model>@<version>?checksum=sha256:…` of a GGUF weights file; a
 * served model (a directory of files, each hashed in the SBOM) has no one
 * checksum: `pkg:generic/<model>@<version>?download_url=<source>`.
 */
export function modelPurl(model: DeclaredModel): string {
  if (isServedModel(model)) return new PackageURL('generic', undefined, model.name, model.version, { download_url: model.source }, undefined).toString();
  return new PackageURL('generic', undefined, model.name, model.version, { checksum: `sha256:${model.sha256}` }, undefined).toString();
}
