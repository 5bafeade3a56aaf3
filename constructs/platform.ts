/**
 * The Platform construct: builds, for one profile, every component of the
 * registry the profile installs, and is the directory through which
 * components find each other (peers, images, metrics endpoints). Construct
 * ids are a contract: they name manifest files, seed OSCAL UUIDs and form
 * Terraform addresses.
 */
import { Construct } from 'constructs';
import type { Profile } from '../profiles/profile.generated.js';
import { Component, registerDirectory, type PlatformDirectory } from './kit/component.js';
import { checkRegistry, type ComponentDefinition } from './kit/definition.js';
import { imageName, replaceImage, type ImagePin, type ImageSpec } from './kit/image.js';
import { SovraError } from '../core/errors.js';
import { ImageLock } from './kit/image-lock.js';
import type { HelmChartSpec } from './kit/chart.js';
import type { OidcClientSpec } from './kit/oidc-clients.js';
import type { MetricsEndpoint, PodGroup } from './kit/network.js';
import { COMPONENTS } from './registry.js';

/** Props of the platform. */
export interface PlatformProps {
  readonly profile: Profile;
  /**
   * The components to build, in order.
   * @default COMPONENTS (the registry)
   */
  readonly components?: readonly ComponentDefinition[];
  /**
   * Digests of images by reference.
   * @default the lock Sovra ships (images.lock.json)
   */
  readonly lock?: ImageLock;
  /**
   * Chart archives by chart (air-gapped output embeds them in HelmChart
   * objects, verified against their pinned digests).
   * @default none: air-gapped HelmCharts name the chart in the site registry
   */
  readonly chartArchive?: (chart: HelmChartSpec<object>) => Uint8Array | undefined;
}

/** The whole stack for one profile. */
export class Platform extends Construct implements PlatformDirectory {
  /** The profile it was built for. */
  readonly profile: Profile;
  /** The definitions this platform was built from, installed or not. */
  readonly definitions: readonly ComponentDefinition[];
  /** The image lock digests come from. */
  readonly lock: ImageLock;
  readonly chartArchive?: (chart: HelmChartSpec<object>) => Uint8Array | undefined;

  constructor(scope: Construct, id: string, props: PlatformProps) {
    super(scope, id);
    this.profile = props.profile;
    this.definitions = props.components ?? COMPONENTS;
    this.lock = props.lock ?? ImageLock.shipped();
    if (props.chartArchive) this.chartArchive = props.chartArchive;
    checkOverrides(this.profile);
    checkRegistry(this.definitions);
    this.installed = new Set(this.definitions.filter((d) => !d.enabled || d.enabled(this.profile)).map((d) => d.id));
    registerDirectory(this, this);
    for (const def of this.definitions) {
      if (!this.installed.has(def.id)) continue;
      const c = def.create(this, def.id, { profile: this.profile });
      if (c.info.layer !== def.layer) throw new Error(`component ${def.id}: registered in layer ${def.layer} but declares layer ${c.info.layer}`);
    }
  }

  private finalized = false;
  private readonly installed: ReadonlySet<string>;

  /**
   * Lets every component derive what it needs from the whole platform (its
   * `onFinalize` hooks), once. Runs before rendering; components added after
   * it (a test's customize) are finalized by a second call.
   */
  finalize(): void {
    this.finalized = true;
    for (const stage of ['declare', 'derive'] as const) for (const c of this.components) c.runFinalizers(stage);
  }

  /** Whether `finalize` ran. */
  get isFinalized(): boolean {
    return this.finalized;
  }

  /** Components in construct order. */
  get components(): Component[] {
    return this.node.children.filter((c): c is Component => Component.isComponent(c));
  }

  /** Component `id`, if this profile installs it. */
  component(id: string): Component | undefined {
    const c = this.node.tryFindChild(id);
    return Component.isComponent(c) ? c : undefined;
  }

  /** Whether this profile installs component `id`; true before the component is constructed. */
  installs(id: string): boolean {
    return this.installed.has(id);
  }

  /** Every image of every component, first declaration wins. */
  images(): ImageSpec[] {
    const seen = new Map<string, ImageSpec>();
    for (const c of this.components) for (const i of c.images) seen.set(imageName(i), seen.get(imageName(i)) ?? i);
    return [...seen.values()];
  }

  oidcClients(): Array<OidcClientSpec & { readonly component: string }> {
    return this.definitions.filter((d) => this.installed.has(d.id)).flatMap((d) => (d.oidcClients?.(this.profile) ?? []).map((c) => ({ ...c, component: d.id })));
  }

  /**
   * `pin` as this profile runs it: the profile's image override when it has
   * one for the pin's name, else the pin with the lock's digest.
   */
  resolveImage(pin: ImagePin): ImageSpec {
    const override = this.profile.imageOverrides?.[imageName(pin)];
    return override === undefined ? this.lock.resolve(pin) : replaceImage(pin, override, `profile ${this.profile.name} imageOverrides`);
  }

  /**
   * Overrides that name nothing the platform installs (a typo would
   * otherwise leave the catalog's image in place, silently): an error
   * naming them and the names that exist.
   */
  checkOverridesUsed(): void {
    const images = new Set(this.images().map(imageName));
    const releases = new Set(this.components.flatMap((c) => c.charts.map((h) => h.release)));
    const unusedImages = Object.keys(this.profile.imageOverrides ?? {}).filter((k) => !images.has(k));
    const unusedCharts = Object.keys(this.profile.chartOverrides ?? {}).filter((k) => !releases.has(k));
    const parts: string[] = [];
    if (unusedImages.length > 0) parts.push(`imageOverrides name images this profile does not run: ${unusedImages.join(', ')} (\`sovra images --profile ${this.profile.name}\` lists the names)`);
    if (unusedCharts.length > 0) parts.push(`chartOverrides name releases this profile does not install: ${unusedCharts.join(', ')} (releases: ${[...releases].sort().join(', ')})`);
    if (parts.length > 0) throw new SovraError('bad-profile', `profile "${this.profile.name}": ${parts.join('; ')}.`);
  }

  podGroup(component: string, pods: string): PodGroup | undefined {
    return this.component(component)?.podGroup(pods);
  }

  podGroups(): PodGroup[] {
    return this.components.flatMap((c) => c.podGroups);
  }

  metricsEndpoints(): MetricsEndpoint[] {
    return this.components.flatMap((c) => c.metricsEndpoints);
  }
}

/** Replacements must be pinned where the profile requires digests. */
function checkOverrides(profile: Profile): void {
  const loose = Object.entries(profile.imageOverrides ?? {}).filter(([, ref]) => !/@sha256:[0-9a-f]{64}$/.test(ref));
  if (profile.images.requireDigest && loose.length > 0) {
    throw new SovraError(
      'bad-profile',
      `profile "${profile.name}": images.requireDigest is true, so every image override must be pinned by digest; ${loose.map(([k, v]) => `imageOverrides["${k}"] = "${v}"`).join(', ')} ${loose.length === 1 ? 'has' : 'have'} none. Append @sha256:<64 hex> (the digest the registry reports for it, e.g. from \`sovra lock\`).`,
    );
  }
}
