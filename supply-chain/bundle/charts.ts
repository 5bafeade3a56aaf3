/**
 * Chart archives by digest, into the blob cache: from an HTTP chart
 * repository (its index.yaml names the archive's URL) or an OCI registry
 * (`oci://…`, the chart layer of the manifest at the version's tag). The
 * archive must hash to the digest the chart spec pins; a cached archive is
 * not fetched again.
 */
import YAML from 'yaml';
import type { HelmChartSpec } from '../../constructs/kit/chart.js';
import { readBody } from '../oci/http.js';
import type { BlobCache } from '../oci/cache.js';
import type { RegistryClient } from '../oci/client.js';
import { OciError } from '../oci/errors.js';

/** Media type of a chart archive in an OCI registry (Helm 3.8+). */
export const HELM_CHART_LAYER = 'application/vnd.cncf.helm.chart.content.v1.tar+gzip';

/** A chart archive in the cache. */
export interface FetchedChart {
  readonly digest: string;
  readonly size: number;
  /** Where it was taken from (the archive URL or OCI reference). */
  readonly url: string;
  readonly cached: boolean;
}

interface IndexEntry {
  version?: string;
  urls?: string[];
  digest?: string;
}

/** Fetches `spec`'s archive (pinned by `spec.digest`) into `cache`. */
export async function fetchChart(client: RegistryClient, cache: BlobCache, spec: HelmChartSpec<object> & { digest: string }): Promise<FetchedChart> {
  const name = `chart ${spec.chart} ${spec.version} (release ${spec.release}) from ${spec.repository}`;
  if (cache.has(spec.digest)) {
    const { statSync } = await import('node:fs');
    return { digest: spec.digest, size: statSync(cache.path(spec.digest)).size, url: spec.repository, cached: true };
  }
  if (spec.repository.startsWith('oci://')) return fetchOciChart(client, cache, spec, name);
  const base = new URL(spec.repository.endsWith('/') ? spec.repository : `${spec.repository}/`);
  const res = await client.openUrl(new URL('index.yaml', base), 0, `index of ${spec.repository}`);
  let index: { entries?: Record<string, IndexEntry[]> };
  try {
    index = YAML.parse((await readBody(res, 64 << 20)).toString('utf8')) as typeof index;
  } catch (e) {
    throw new OciError('protocol', `${spec.repository}/index.yaml is not a chart repository index (${(e as Error).message})`);
  }
  const entry = index.entries?.[spec.chart]?.find((e) => e.version === spec.version);
  if (!entry || !entry.urls?.[0]) throw new OciError('not-found', `${name}: the repository index has no archive for this version`);
  if (entry.digest && `sha256:${entry.digest.replace(/^sha256:/, '')}` !== spec.digest) {
    throw new OciError('digest-mismatch', `${name}: the repository index lists digest sha256:${entry.digest.replace(/^sha256:/, '')}, the pin is ${spec.digest}; the archive was republished or the pin is wrong`);
  }
  const url = new URL(entry.urls[0], base);
  // The size is not known before the download: the server's length, else the end of the response; then hashed against the pin.
  const r = await cache.fetch(spec.digest, undefined, (offset) => client.openUrl(url, offset, name), name);
  const { statSync } = await import('node:fs');
  return { digest: spec.digest, size: statSync(cache.path(spec.digest)).size, url: url.href, cached: r.cached };
}

async function fetchOciChart(client: RegistryClient, cache: BlobCache, spec: HelmChartSpec<object> & { digest: string }, name: string): Promise<FetchedChart> {
  const path = spec.repository.slice('oci://'.length).replace(/\/$/, '');
  const slash = path.indexOf('/');
  const registry = slash < 0 ? path : path.slice(0, slash);
  const repository = `${slash < 0 ? '' : `${path.slice(slash + 1)}/`}${spec.chart}`;
  const repo = { registry, repository };
  // Helm writes `+` of a SemVer as `_` in OCI tags.
  const m = await client.getManifest(repo, spec.version.replace(/\+/g, '_'));
  if (m.parsed.kind !== 'image') throw new OciError('protocol', `${name}: ${registry}/${repository}:${spec.version} is an index, not a chart`);
  const layer = m.parsed.layers.find((l) => l.mediaType === HELM_CHART_LAYER);
  if (!layer) throw new OciError('protocol', `${name}: the manifest has no ${HELM_CHART_LAYER} layer`);
  if (layer.digest !== spec.digest) throw new OciError('digest-mismatch', `${name}: the registry's chart layer is ${layer.digest}, the pin is ${spec.digest}`);
  const r = await cache.fetch(layer.digest, layer.size, (offset) => client.openBlob(repo, layer.digest, offset), name);
  return { digest: layer.digest, size: layer.size, url: `oci://${registry}/${repository}:${spec.version}`, cached: r.cached };
}
