/**
 * Chart archives given to the synth (`sovra synth --charts <dir>`, and the
 * bundle, which fetched them): the archive of chart `c` version `v` is
 * `<dir>/<c>-<v>.tgz`, the name `helm package` and `helm pull` give it.
 * Air-gapped output embeds it in the HelmChart (`chartContent`), after the
 * platform checks it against the pinned digest.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SovraError } from '../core/errors.js';
import type { HelmChartSpec } from '../constructs/kit/chart.js';

/** File name of a chart's archive in a charts directory. */
export function chartArchiveName(chart: Pick<HelmChartSpec<object>, 'chart' | 'version'>): string {
  return `${chart.chart}-${chart.version}.tgz`;
}

/** Reads archives from `dir`; a missing one is an error naming the file to put there. */
export function chartArchivesFrom(dir: string): (chart: HelmChartSpec<object>) => Uint8Array {
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
  } catch (e) {
    throw new SovraError('usage', `--charts ${dir}: ${(e as Error).message}. Name a directory holding the chart archives (<chart>-<version>.tgz).`);
  }
  return (chart) => {
    const file = join(dir, chartArchiveName(chart));
    try {
      return readFileSync(file);
    } catch {
      throw new SovraError('bad-input', `--charts ${dir}: no archive for chart ${chart.chart} ${chart.version} (release ${chart.release}); put it there as ${chartArchiveName(chart)} (\`helm pull ${chart.repository.startsWith('oci://') ? `${chart.repository}/${chart.chart}` : `--repo ${chart.repository} ${chart.chart}`} --version ${chart.version}\`).`);
    }
  };
}
