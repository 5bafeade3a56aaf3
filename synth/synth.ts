/**
 * One synth, every view: builds the construct tree for a profile and
 * writes manifests, host config, Terraform (where the profile deploys with
 * it), OSCAL component definitions, the CycloneDX SBOM, SHA256SUMS and the
 * in-toto/SLSA provenance into a staging directory that replaces the
 * target only when everything succeeded.
 */
import { App } from 'cdk8s';
import { execFileSync } from 'node:child_process';
import { Component } from '../constructs/kit/component.js';
import type { ComponentDefinition } from '../constructs/kit/definition.js';
import { Platform, type PlatformProps } from '../constructs/platform.js';
import type { HelmChartSpec } from '../constructs/kit/chart.js';
import { imageName, imageRef } from '../constructs/kit/image.js';
import type { ImageLock } from '../constructs/kit/image-lock.js';
import { canonicalJson, stableJson } from '../core/canonical.js';
import { SovraError } from '../core/errors.js';
import { sha256Hex } from '../core/hash.js';
import { StagedDirectory, toPosix } from '../core/output-dir.js';
import { readFileSync } from 'node:fs';
import { sourceDateEpoch } from '../core/time.js';
import { sovraVersion } from '../core/version.js';
import { toYaml } from '../core/yaml.js';
import { emitComponentDefinitions } from '../oscal/component-definition.js';
import { validateOscal } from '../oscal/validate.js';
import { emitAccreditorViews } from '../oscal/ssp/emit.js';
import { networkView } from '../output/network-view.js';
import type { Profile } from '../profiles/profile.generated.js';
import { emitSbom } from '../supply-chain/sbom.js';
import type { CycloneDxVersion } from '../supply-chain/cyclonedx-validate.js';
import { enforceLicensePolicy, type LicensePolicyResult } from '../supply-chain/license-policy.js';
import { emitCbom } from '../supply-chain/cbom.js';
import { BUNDLE_PATH, CBOM_PATH, POLICY_REPORT_PATH, SBOM_PATH, STATEMENT_PATH, SUMS_PATH } from '../contracts/output-paths.js';
import { checkAllEvidence, objectId, resolveCryptoAssets } from '../output/evidence.js';
import type { BaselineException, ComponentView, ObjectId, SynthModel } from '../output/model.js';
import { OutputIndex, identity } from '../output/output-index.js';
import { lockfileInput, provenanceStatement, sha256sums, sovraSourceCommit, type ResourceDescriptor } from '../supply-chain/provenance.js';
import type { Signer } from '../supply-chain/signer.js';
import { synthTerraform } from '../terraform/stack.js';
import { HardenedWorkload } from '../constructs/kit/workload.js';
import { validateKubernetesObjects } from '../output/kubernetes/validate-objects.js';
import { checkSecretClosure, secretClosure, type SecretProducer } from '../output/secret-closure.js';
import { policyReport } from '../policies/report.js';
import { runPolicyStep } from './policy.js';

/** Sovra's version, recorded in every document (from package.json). */
export const SOVRA_VERSION = sovraVersion();

/** Output paths that do not depend on components. */
export const OUTPUT = {
  terraform: 'terraform/cdk.tf.json',
  hostIndex: 'host/files.json',
  sbom: SBOM_PATH,
  cbom: CBOM_PATH,
  sums: SUMS_PATH,
  provenance: STATEMENT_PATH,
  bundle: BUNDLE_PATH,
  policyReport: POLICY_REPORT_PATH,
} as const;

/** Inputs the provenance records by digest: the profile file, Sovra's lockfile and source commit. */
function buildInputs(options: SynthOptions, lock: ImageLock): ResourceDescriptor[] {
  const inputs: ResourceDescriptor[] = [];
  if (options.profileFile) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(options.profileFile);
    } catch (e) {
      throw new SovraError('bad-profile', `cannot read profile file ${options.profileFile}: ${(e as Error).message}`, { cause: e });
    }
    inputs.push({ name: 'profile-file', uri: `file:${toPosix(options.profileSource)}`, digest: { sha256: sha256Hex(bytes) } });
  }
  const npmLock = lockfileInput();
  if (npmLock) inputs.push(npmLock);
  inputs.push({ name: 'image-lock', uri: `file:${lock.origin}`, digest: { sha256: sha256Hex(canonicalJson(lock.file)) }, annotations: { content: 'the image lock, canonical JSON' } });
  const source = sovraSourceCommit();
  if (source) inputs.push({ name: 'sovra-source', digest: { gitCommit: source.commit }, annotations: { dirty: source.dirty } });
  return inputs;
}

/** Options of one synth. */
export interface SynthOptions {
  readonly profile: Profile;
  /** Where the profile came from (`edge (built-in)`, `./site.yaml`), recorded in provenance. */
  readonly profileSource: string;
  /** Output directory; replaced atomically. */
  readonly outDir: string;
  /** Environment to read `SOURCE_DATE_EPOCH` from. */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Changes the tree after the platform is built and before output (tests and
   * benchmarks use it to add or break components).
   */
  readonly customize?: (platform: Platform) => void;
  /** The components to build, in order. @default the registry (constructs/registry.ts) */
  readonly components?: readonly ComponentDefinition[];
  /** Image digests. @default the lock Sovra ships (images.lock.json) */
  readonly lock?: ImageLock;
  /**
   * Chart archives (`--charts <dir>`): air-gapped profiles embed each in its
   * HelmChart object, checked against the pinned digest.
   */
  readonly chartArchive?: (chart: HelmChartSpec<object>) => Uint8Array | undefined;
  /** CycloneDX version of the SBOM (`--cyclonedx`). @default '1.6' */
  readonly cyclonedx?: CycloneDxVersion;
  /** Path of the profile file, when the profile came from one: its digest is a recorded input. */
  readonly profileFile?: string;
  /** Signs the provenance into a Sigstore bundle (`--sign --key`). */
  readonly signer?: Signer;
}

/** What a synth wrote. */
export interface SynthResult {
  readonly outDir: string;
  readonly files: ReadonlyArray<{ readonly path: string; readonly sha256: string; readonly bytes: number }>;
  readonly objects: number;
  /** What the license policy found (it passed: unknown licenses, reviews and waivers, reported). */
  readonly licenses: LicensePolicyResult;
  /** Every image of the platform and whether the image lock pins it. */
  readonly images: ReadonlyArray<{ readonly name: string; readonly reference: string; readonly digest?: string; readonly component: string; readonly unlockedReason?: string }>;
  /** Names (`registry/repository:tag`) of the images the lock does not pin, sorted. */
  readonly unlocked: readonly string[];
  /** Secrets the site supplies at install (every other referenced Secret has a producer in the output). */
  readonly suppliedAtInstall: readonly SecretProducer[];
  /** The baseline coverage in one line (also in oscal/coverage.json). */
  readonly coverage: string;
  /** What the policy gate found (it passed): warnings and waivers. */
  readonly policy: import('../output/model.js').PolicyView;
}

/** Build time: SOURCE_DATE_EPOCH, else the time of the source commit, else 0. */
export function buildEpoch(env: NodeJS.ProcessEnv = process.env): number {
  if (env.SOURCE_DATE_EPOCH !== undefined && env.SOURCE_DATE_EPOCH !== '') return sourceDateEpoch(env);
  try {
    const out = execFileSync('git', ['log', '-1', '--format=%ct'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return /^\d+$/.test(out) ? Number(out) : 0;
  } catch {
    return 0;
  }
}

/** Builds the construct tree of `profile` (cdk8s App → Platform → components). */
export function buildPlatform(profile: Profile, options: Pick<PlatformProps, 'components' | 'lock' | 'chartArchive'> = {}): { app: App; platform: Platform } {
  const app = new App({ outdir: 'dist', outputFileExtension: '.yaml' });
  const platform = new Platform(app, 'platform', { profile, ...options });
  return { app, platform };
}

/** Kubernetes objects of every component, in manifest order. Runs construct validations first. */
export function renderObjects(platform: Platform): Map<Component, object[]> {
  platform.finalize();
  platform.checkOverridesUsed();
  const errors = platform.node.findAll().flatMap((c) => c.node.validate().map((e) => `[${c.node.path}] ${e}`));
  if (errors.length > 0) throw new SovraError('bad-input', `the construct tree is invalid:\n  - ${errors.join('\n  - ')}`);
  return new Map(platform.components.map((c) => [c, c.toJson() as object[]]));
}

/** Path of a component's manifest file. */
export function manifestFile(component: Component): string {
  return `manifests/${component.node.id}.yaml`;
}

function exceptionsOf(component: Component): BaselineException[] {
  return component.node
    .findAll()
    .filter((c): c is HardenedWorkload => c instanceof HardenedWorkload)
    .flatMap((w) => w.exceptions.map((x) => ({ object: objectId(w.deployment), setting: x.setting, reason: x.reason })));
}

/** Runs the whole synth; the output directory appears only if every step succeeded. */
export async function synth(options: SynthOptions): Promise<SynthResult> {
  const { profile } = options;
  const epoch = options.env ? buildEpoch(options.env) : buildEpoch();
  const { platform } = buildPlatform(profile, {
    ...(options.components ? { components: options.components } : {}),
    ...(options.lock ? { lock: options.lock } : {}),
    ...(options.chartArchive ? { chartArchive: options.chartArchive } : {}),
  });
  options.customize?.(platform);
  const components = platform.components;
  const objects = renderObjects(platform);
  // Kubernetes schema check: every object once, before anything is staged (output/kubernetes/).
  validateKubernetesObjects(components.map((c) => ({ files: [manifestFile(c), ...(profile.deploy === 'cdktf' ? [OUTPUT.terraform] : [])], objects: objects.get(c) ?? [] })));
  // Every Secret referenced has a producer in the output, before anything is staged.
  const closure = secretClosure(objects, manifestFile);
  checkSecretClosure(closure);
  // Policy gate: every rule over every object, once, before anything is staged (policies/, exit 6).
  const policy = runPolicyStep(platform, objects, manifestFile, epoch);

  const out = new StagedDirectory(options.outDir);
  try {
    const filesOf = new Map<Component, string[]>();
    let objectCount = 0;
    for (const c of components) {
      const files: string[] = [];
      const objs = objects.get(c) ?? [];
      objectCount += objs.length;
      if (objs.length > 0) {
        out.write(manifestFile(c), toYaml(...objs));
        files.push(manifestFile(c));
      }
      filesOf.set(c, files);
    }
    const hostIndex: Array<{ file: string; installPath: string; component: string }> = [];
    for (const c of components) {
      for (const h of c.hostFiles) {
        const file = `host/${h.path}`;
        out.write(file, typeof h.content === 'function' ? h.content() : h.content);
        filesOf.get(c)!.push(file);
        hostIndex.push({ file, installPath: h.installPath, component: c.node.id });
      }
    }
    if (hostIndex.length > 0) out.write(OUTPUT.hostIndex, stableJson({ files: hostIndex }));
    const deployTerraform = profile.deploy === 'cdktf';
    if (deployTerraform) out.write(OUTPUT.terraform, await synthTerraform(components, objects));

    const order = new Map<string, ObjectId[]>();
    for (const c of components) {
      const objs = objects.get(c) ?? [];
      if (objs.length > 0) order.set(manifestFile(c), objs.map((o) => identity(o as Record<string, unknown>)));
    }
    const index = new OutputIndex((f) => out.read(f), (f) => order.get(f));
    const layout = { manifestFile, ...(deployTerraform ? { terraformFile: OUTPUT.terraform } : {}) };
    const resolved = checkAllEvidence(components, index, layout);

    const views: ComponentView[] = components.map((c) => ({
      id: c.node.id,
      info: c.info,
      dependsOn: [...new Set([...(c.info.dependsOn ?? []), ...c.peerComponents])].sort(),
      charts: c.charts,
      images: c.images,
      models: c.models,
      cryptoAssets: resolveCryptoAssets(c, index, layout),
      claims: c.claims.map((claim, i) => ({ control: claim.control, statement: claim.statement, status: claim.status ?? 'implemented', evidence: resolved.get(c)![i]!, ...(claim.parameters ? { parameters: claim.parameters } : {}) })),
      responsibilities: c.responsibilities,
      exceptions: exceptionsOf(c),
      files: filesOf.get(c)!,
      userRoles: c.userRoles,
    }));
    const model: SynthModel = { profile, epoch, sovraVersion: SOVRA_VERSION, components: views, network: networkView(platform.podGroups()), policy: policy.view };
    out.write(OUTPUT.policyReport, stableJson(policyReport(profile.name, policy.buildDate, policy.params, policy.view)));

    for (const [path, doc] of emitComponentDefinitions(model)) {
      validateOscal('component-definition', doc, path);
      out.write(path, stableJson(doc));
    }
    const sbom = emitSbom(model, { specVersion: options.cyclonedx ?? '1.6' });
    const licenses = enforceLicensePolicy(sbom, profile);
    out.write(OUTPUT.sbom, sbom);
    out.write(OUTPUT.cbom, emitCbom(model, { specVersion: options.cyclonedx ?? '1.6' }));

    // SSP, network diagram, coverage, POA&M, assessment results and the HTML report: each OSCAL document validated before it is staged.
    const accreditor = emitAccreditorViews(model);
    for (const [path, data] of accreditor.files) out.write(path, data);

    const covered = out.files();
    out.write(OUTPUT.sums, sha256sums(covered));
    const statement = provenanceStatement({
      files: out.files(),
      profile: { name: profile.name, source: options.profileSource, digest: sha256Hex(canonicalJson(profile)) },
      sovraVersion: SOVRA_VERSION,
      epoch,
      inputs: buildInputs(options, platform.lock),
    });
    const statementText = stableJson(statement);
    out.write(OUTPUT.provenance, statementText);
    if (options.signer) {
      const { signStatement } = await import('../supply-chain/sign.js');
      out.write(OUTPUT.bundle, await signStatement(Buffer.from(statementText, 'utf8'), options.signer));
    }
    const files = out.files().map(([path, data]) => ({ path, sha256: sha256Hex(data), bytes: data.length }));
    out.commit();
    const images = components.flatMap((c) =>
      c.images.map((i) => ({ name: imageName(i), reference: imageRef(i), ...(i.digest ? { digest: i.digest } : {}), component: c.node.id, ...(!i.digest && i.unlockedReason ? { unlockedReason: i.unlockedReason } : {}) })),
    );
    const unlocked = [...new Set(images.filter((i) => !i.digest).map((i) => i.name))].sort();
    return { outDir: out.target, files, objects: objectCount, licenses, images, unlocked, suppliedAtInstall: closure.suppliedAtInstall, coverage: accreditor.coverageLine, policy: policy.view };
  } catch (e) {
    out.abort();
    throw e;
  }
}
