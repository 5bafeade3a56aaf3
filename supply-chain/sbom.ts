/**
 * The CycloneDX SBOM (1.6 by default, or 1.7) of a synthesized platform:
 * every image, chart and model of every component, one component per Sovra
 * component, the production npm tree of each image built from a Sovra
 * lockfile (the control plane's), the dependency graph between all of them,
 * and what the license policy needs (unknown flags, waivers; see
 * license-policy.ts). A pure function of the synth model and the shipped
 * lockfile: the serial number is UUIDv5 of the content and lists are sorted,
 * so the same inputs give the same bytes.
 */
import { ComponentType } from '@cyclonedx/cyclonedx-library/Enums';
import { Bom, Component, ComponentRepository, LicenseExpression, Metadata, Property, Tools } from '@cyclonedx/cyclonedx-library/Models';
import { JsonSerializer, JSON as JsonSerialize } from '@cyclonedx/cyclonedx-library/Serialize';
import { SpecVersionDict, Version } from '@cyclonedx/cyclonedx-library/Spec';
import { canonicalJson } from '../core/canonical.js';
import { SovraError } from '../core/errors.js';
import { sha256Hex, uuidV5 } from '../core/hash.js';
import { readShippedJson } from '../core/paths.js';
import { isoTime } from '../core/time.js';
import type { ComponentView, SynthModel } from '../output/model.js';
import { validateCycloneDx, type CycloneDxVersion } from './cyclonedx-validate.js';
import { applyLicense, DENY_UNKNOWN_PROPERTY, LICENSE_CONCLUDED_PROPERTY, LICENSE_STATUS_PROPERTY, UNKNOWN_LICENSE, waiverProperties } from './license-policy.js';
import { npmComponents, readNpmTree } from './npm-tree.js';
import { parseSpdx } from './spdx-expression.js';
import { chartBomRef, chartComponent, imageBomRef, imageComponent, modelBomRef, modelComponent } from './sbom-components.js';

/** Output path of the SBOM. */
export { SBOM_PATH } from '../contracts/output-paths.js';

/** Stable bom-ref of a Sovra component. */
export function componentBomRef(componentId: string): string {
  return `component:${componentId}`;
}

/** Stable bom-ref of the platform (the BOM's subject). */
export function platformBomRef(profile: string): string {
  return `platform:sovra-${profile}`;
}

/** SPDX license of Sovra itself, read from its package.json (one source of truth). */
function sovraLicense(): string {
  return readShippedJson<{ license: string }>('package.json').license;
}

/** Adds `build()` under `ref` unless an artifact with that ref was already added; then the declarations must agree. */
class Artifacts {
  private readonly byRef = new Map<string, { component: Component; declaration: string; owner: string }>();

  add(ref: string, declaration: unknown, owner: string, build: () => Component): Component {
    const decl = canonicalJson(declaration);
    const known = this.byRef.get(ref);
    if (known) {
      if (known.declaration !== decl) {
        throw new SovraError('bad-input', `Components "${known.owner}" and "${owner}" declare ${ref} with different details (${known.declaration} vs ${decl}). Declare it once and share it.`);
      }
      return known.component;
    }
    const component = build();
    this.byRef.set(ref, { component, declaration: decl, owner });
    return component;
  }

  all(): Component[] {
    return [...this.byRef.values()].map((v) => v.component);
  }
}

/**
 * License of a Sovra component: its parts' licenses joined with AND (marked as
 * concluded from the parts, which the policy judges), or Sovra's own for a
 * component that ships none.
 */
function setComponentLicense(c: Component, view: ComponentView): void {
  const parts = [...new Set([...view.images, ...view.charts, ...view.models].map((p) => p.license))].sort();
  if (parts.length === 0) {
    applyLicense(c, sovraLicense());
    return;
  }
  const spdx = parts.filter((l) => parseSpdx(l).valid);
  if (spdx.length > 0) c.licenses.add(new LicenseExpression(spdx.length === 1 ? spdx[0]! : spdx.map((l) => (/\s/.test(l) ? `(${l})` : l)).join(' AND ')));
  if (spdx.length < parts.length) c.properties.add(new Property(LICENSE_STATUS_PROPERTY, UNKNOWN_LICENSE));
  c.properties.add(new Property(LICENSE_CONCLUDED_PROPERTY, 'from-parts'));
}

function sovraComponent(view: ComponentView, profile: string): Component {
  const c = new Component(view.info.layer === 'distribution' ? ComponentType.Platform : ComponentType.Application, view.id, {
    bomRef: componentBomRef(view.id),
    group: 'sovra',
    version: view.info.version,
    description: `${view.info.title}: ${view.info.description}`,
  });
  setComponentLicense(c, view);
  c.properties.add(new Property('sovra:component:title', view.info.title));
  c.properties.add(new Property('sovra:component:layer', view.info.layer));
  c.properties.add(new Property('sovra:component:namespace', view.info.namespace));
  c.properties.add(new Property('sovra:profile', profile));
  return c;
}

const lockfiles = new Map<string, unknown>();

/** The components of the production npm tree of a shipped lockfile (parsed once per process). */
function npmTreeComponents(lockfile: string): ReturnType<typeof npmComponents> {
  let lock = lockfiles.get(lockfile);
  if (lock === undefined) {
    lock = readShippedJson(lockfile);
    lockfiles.set(lockfile, lock);
  }
  return npmComponents(readNpmTree(lock, lockfile));
}

/** Writes each waiver of the profile on the component it names (by bom-ref); the policy reports the ones that name nothing. */
function attachWaivers(model: SynthModel, components: Iterable<Component>): void {
  const all = [...components];
  const byRef = new Map(all.map((c) => [c.bomRef.toString(), c]));
  // A waiver may name an image by its tag: it then covers that image once the lock pins the tag by digest.
  for (const c of all) if (!byRef.has(withoutDigest(c.bomRef.toString()))) byRef.set(withoutDigest(c.bomRef.toString()), c);
  const seen = new Set<string>();
  for (const w of model.profile.licenseWaivers ?? []) {
    const id = `${w.component}\n${w.license.toLowerCase()}`;
    if (seen.has(id)) throw new SovraError('bad-profile', `Profile "${model.profile.name}" waives ${w.license} for component ${w.component} twice; keep one waiver.`);
    seen.add(id);
    const c = byRef.get(w.component);
    if (c) for (const p of waiverProperties({ license: w.license, reason: w.reason, ...(w.approvedBy !== undefined ? { approvedBy: w.approvedBy } : {}) })) c.properties.add(p);
  }
}

/** A bom-ref without the image digest it may end with (`image:<name>@sha256:…` → `image:<name>`). */
export function withoutDigest(ref: string): string {
  return ref.replace(/@sha256:[0-9a-f]{64}$/, '');
}

function buildBom(model: SynthModel): Bom {
  const profile = model.profile.name;
  const platform = new Component(ComponentType.Platform, `sovra-${profile}`, {
    bomRef: platformBomRef(profile),
    group: 'sovra',
    version: model.sovraVersion,
    description: `Sovra platform, profile ${profile} (NIST SP 800-53 rev5 ${model.profile.baseline} baseline).`,
  });
  applyLicense(platform, sovraLicense());
  platform.properties.add(new Property('sovra:profile', profile));
  platform.properties.add(new Property('sovra:baseline', model.profile.baseline));
  const tool = new Component(ComponentType.Application, 'sovra', { bomRef: 'tool:sovra', group: 'sovra', version: model.sovraVersion });
  applyLicense(tool, sovraLicense());

  const bom = new Bom({
    metadata: new Metadata({ timestamp: new Date(model.epoch * 1000), tools: new Tools({ components: new ComponentRepository([tool]) }), component: platform }),
  });
  bom.metadata.properties.add(new Property(DENY_UNKNOWN_PROPERTY, String(model.profile.licensePolicy?.denyUnknown === true)));

  const artifacts = new Artifacts();
  const npmByRef = new Map<string, Component>();
  const sovraComponents = new Map<string, Component>();
  for (const view of model.components) {
    if (sovraComponents.has(view.id)) throw new Error(`component id ${view.id} appears twice in the synth model`);
    const c = sovraComponent(view, profile);
    sovraComponents.set(view.id, c);
    for (const image of view.images) {
      const built = () => {
        const ic = imageComponent(image);
        if (image.npmLockfile !== undefined) {
          // The image contains this lockfile's production tree: it depends on the root's dependencies.
          const npm = npmTreeComponents(image.npmLockfile);
          for (const n of npm.all) if (!npmByRef.has(n.bomRef.toString())) npmByRef.set(n.bomRef.toString(), n);
          for (const r of npm.roots) ic.dependencies.add(npmByRef.get(r.bomRef.toString())!.bomRef);
        }
        return ic;
      };
      c.dependencies.add(artifacts.add(imageBomRef(image), image, view.id, built).bomRef);
    }
    for (const chart of view.charts) {
      // Values differ per profile, release and namespace per installation (one chart may be installed twice): none is part of the chart's identity.
      const { values: _values, release: _release, namespace: _namespace, bootstrap: _bootstrap, ...declaration } = chart;
      c.dependencies.add(artifacts.add(chartBomRef(chart), declaration, view.id, () => chartComponent(chart)).bomRef);
    }
    for (const m of view.models) c.dependencies.add(artifacts.add(modelBomRef(m), m, view.id, () => modelComponent(m)).bomRef);
    platform.dependencies.add(c.bomRef);
  }
  for (const view of model.components) {
    for (const dep of view.dependsOn) {
      const target = sovraComponents.get(dep);
      if (!target) throw new SovraError('bad-input', `Component "${view.id}" depends on "${dep}", which is not part of profile "${profile}".`);
      sovraComponents.get(view.id)!.dependencies.add(target.bomRef);
    }
  }
  const all = [...sovraComponents.values(), ...artifacts.all(), ...npmByRef.values()];
  attachWaivers(model, [platform, ...all]);
  for (const c of all) bom.components.add(c);
  return bom;
}

/** Options of {@link emitSbom}. */
export interface SbomOptions {
  /** CycloneDX specification version to write. @default '1.6' */
  readonly specVersion?: CycloneDxVersion;
}

const SPEC_VERSIONS: Record<CycloneDxVersion, Version> = { '1.6': Version.v1dot6, '1.7': Version.v1dot7 };

/** The BOM as the library writes it (sorted lists), with the timestamp every Sovra document stamps. */
function normalize(bom: Bom, epoch: number, version: CycloneDxVersion): Record<string, unknown> {
  const serializer = new JsonSerializer(new JsonSerialize.Normalize.Factory(SpecVersionDict[SPEC_VERSIONS[version]]!));
  const doc = JSON.parse(serializer.serialize(bom, { sortLists: true })) as { metadata: { timestamp?: string } };
  // The library writes milliseconds (Date#toISOString); every Sovra document stamps isoTime(epoch).
  doc.metadata.timestamp = isoTime(epoch);
  return doc;
}

/**
 * The CycloneDX JSON SBOM of `model` (spec 1.6 unless `options.specVersion`
 * says 1.7), validated against the schema of that version; throws
 * `SovraError('invalid-output')` when it does not validate. The license
 * policy is not applied here: see `enforceLicensePolicy`.
 */
export function emitSbom(model: SynthModel, options: SbomOptions = {}): string {
  const version = options.specVersion ?? '1.6';
  if (!(version in SPEC_VERSIONS)) throw new SovraError('usage', `CycloneDX ${String(version)} is not supported; use one of ${Object.keys(SPEC_VERSIONS).join(', ')}.`);
  const doc = normalize(buildBom(model), model.epoch, version);
  // The serial number is derived from the document without it, so it changes exactly when the content does;
  // it goes where the library puts it (after `version`).
  const serialNumber = `urn:uuid:${uuidV5(`sbom:${sha256Hex(JSON.stringify(doc, null, 2) + '\n')}`)}`;
  const numbered = Object.fromEntries(Object.entries(doc).flatMap(([k, v]) => (k === 'version' ? [[k, v], ['serialNumber', serialNumber]] : [[k, v]])));
  const json = JSON.stringify(numbered, null, 2) + '\n';
  validateCycloneDx(json, `SBOM of profile "${model.profile.name}"`, version);
  return json;
}
