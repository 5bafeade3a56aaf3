/**
 * A chart archive as an OCI artifact, the way Helm 3.8+ stores charts in a
 * registry (`helm push`): an image manifest whose config is the chart's
 * metadata (Chart.yaml as JSON, `application/vnd.cncf.helm.config.v1+json`)
 * and whose one layer is the archive itself. `bundle load` puts every chart
 * of a bundle at `<site registry>/charts/<chart>:<version>`, where the
 * air-gapped HelmChart objects look for it.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import YAML from 'yaml';
import { sortKeys } from '../../core/canonical.js';
import { SITE_CHART_PATH } from '../../constructs/kit/chart.js';
import type { RegistryClient } from '../oci/client.js';
import { OCI_MANIFEST } from '../oci/manifest.js';
import { HELM_CHART_LAYER } from './charts.js';
import { readTar } from './tar.js';

/** Media type of a Helm chart's config blob. */
export const HELM_CONFIG = 'application/vnd.cncf.helm.config.v1+json';

const digestOf = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** Chart.yaml of a chart archive, as an object, or undefined when the archive has none that parses. */
async function chartYaml(archive: Buffer): Promise<Record<string, unknown> | undefined> {
  let tar: Buffer;
  try {
    tar = gunzipSync(archive);
  } catch {
    return undefined;
  }
  try {
    for await (const e of readTar(Readable.from([tar]))) {
      if (/^[^/]+\/Chart\.yaml$/.test(e.path)) {
        const chunks: Buffer[] = [];
        for await (const c of e.body) chunks.push(c);
        const doc = YAML.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
        return doc && typeof doc === 'object' ? (doc as Record<string, unknown>) : undefined;
      }
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** Pushes `archive` (chart `chart` `version`) to `registry` as `charts/<chart>:<version>`; resolves to the reference. */
export async function pushChartArtifact(client: RegistryClient, registry: string, chart: string, version: string, archive: Buffer): Promise<string> {
  const repo = { registry, repository: `${SITE_CHART_PATH}/${chart}` };
  const meta = (await chartYaml(archive)) ?? { apiVersion: 'v2', name: chart, version };
  const config = Buffer.from(JSON.stringify(sortKeys(meta)));
  const layer = { mediaType: HELM_CHART_LAYER, digest: digestOf(archive), size: archive.length };
  const cfg = { mediaType: HELM_CONFIG, digest: digestOf(config), size: config.length };
  for (const [d, bytes] of [[cfg, config], [layer, archive]] as const) {
    if (!(await client.hasBlob(repo, d.digest))) await client.uploadBlob(repo, d.digest, d.size, Readable.from([bytes]));
  }
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: cfg, layers: [layer] }));
  // Helm writes a SemVer's `+` as `_` in OCI tags.
  const tag = version.replace(/\+/g, '_');
  const digest = await client.putManifest(repo, tag, manifest, OCI_MANIFEST);
  const back = await client.getManifest(repo, tag);
  if (back.digest !== digest) throw new Error(`chart ${chart} ${version}: the registry serves ${back.digest} for the tag just pushed as ${digest}`);
  return `oci://${registry}/${SITE_CHART_PATH}/${chart}:${tag}`;
}
