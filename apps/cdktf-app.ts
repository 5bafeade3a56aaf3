/**
 * The app `cdktf synth` runs (see cdktf.json): the Terraform stack of a
 * profile deployed with cdktf (cluster by default, or `SOVRA_PROFILE`), built
 * by the same function as `sovra synth`'s `terraform/cdk.tf.json`, from the
 * same typed chart values. `cdktf deploy` then installs it with the helm and
 * kubernetes providers.
 */
import { App } from 'cdktf';
import { SovraError, reportError } from '../core/errors.js';
import { buildPlatform, renderObjects } from '../synth/synth.js';
import { buildTerraformStack } from '../terraform/stack.js';
import { loadProfile } from '../profiles/load.js';

/** Builds the stack of profile `ref` into a cdktf App writing to `outdir`, and synthesizes it. */
export async function synthCdktf(ref: string, outdir?: string): Promise<void> {
  const profile = loadProfile(ref);
  if (profile.deploy !== 'cdktf') {
    throw new SovraError(
      'usage',
      `profile ${profile.name} is deployed with ${profile.deploy}, not cdktf; \`cdktf synth\` builds profiles with deploy: cdktf (cluster, or a profile file that sets it). Use \`sovra synth --profile ${ref}\` for this one.`,
    );
  }
  const { platform } = buildPlatform(profile);
  const objects = renderObjects(platform);
  const app = new App(outdir === undefined ? {} : { outdir });
  await buildTerraformStack(app, platform.components, objects);
  app.synth();
}

async function main(): Promise<number> {
  try {
    const ref = process.env.SOVRA_PROFILE !== undefined && process.env.SOVRA_PROFILE !== '' ? process.env.SOVRA_PROFILE : 'cluster';
    await synthCdktf(ref);
    return 0;
  } catch (e) {
    return reportError(e);
  }
}

if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  process.exitCode = await main();
}
