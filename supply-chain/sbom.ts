/**
 * The CycloneDX 1.6 SBOM of a synthesized platform: every image, chart and
 * model of every component, one component per Sovra component, and the
 * dependency graph between them. A pure function of the synth model: the
 * serial number is UUIDv5 of the content and lists are sorted, so the same
 * model gives the same bytes.
 */
import { ComponentType } from '@cyclonedx/cyclonedx-library/Enums';
import { Bom, Component, ComponentRepository, Metadata, Property, Tools } from '@cyclonedx/cyclonedx-library/Models';
import { JsonSerializer, JSON as JsonSerialize } from '@cyclonedx/cyclonedx-library/Serialize';
import { SpecVersionDict, Version } from '@cyclonedx/cyclonedx-library/Spec';
import { canonicalJson } from '../core/canonical.js';
import { SovraError } from '../core/errors.js';
import { sha256Hex, uuidV5 } from '../core/hash.js';
import { readShippedJson } from '../core/paths.js';
import { isoTime } from '../core/time.js';
import type { ComponentView, SynthModel } from '../synth/model.js';
import { validateCycloneDx16 } from './cyclonedx-validate.js';
import {
  chartBomRef,
  chartComponent,
  imageBomRef,
  imageComponent,
  licenses,
  modelBomRef,
  modelComponent,
} from './sbom-components.js';

/** Output path of the SBOM. */
export const SBOM_PATH = 'sbom.cdx.json';

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

/** License of a Sovra component: its parts' licenses joined with AND, or Sovra's own for a component that ships none. */
function componentLicense(view: ComponentView): string {
  const parts = [...new Set([...view.images, ...view.charts, ...view.models].map((p) => p.license))].sort();
  if (parts.length === 0) return sovraLicense();
  if (parts.length === 1) return parts[0]!;
  return parts.map((l) => (/\s/.test(l) ? `(${l})` : l)).join(' AND ');
}

function sovraComponent(view: ComponentView, profile: string): Component {
  const c = new Component(view.info.layer === 'distribution' ? ComponentType.Platform : ComponentType.Application, view.id, {
    bomRef: componentBomRef(view.id),
    group: 'sovra',
    version: view.info.version,
    description: `${view.info.title}: ${view.info.description}`,
    licenses: licenses(componentLicense(view)),
  });
  c.properties.add(new Property('sovra:component:title', view.info.title));
  c.properties.add(new Property('sovra:component:layer', view.info.layer));
  c.properties.add(new Property('sovra:component:namespace', view.info.namespace));
  c.properties.add(new Property('sovra:profile', profile));
  return c;
}

function buildBom(model: SynthModel, serialNumber: string | undefined): Bom {
  const profile = model.profile.name;
  const platform = new Component(ComponentType.Platform, `sovra-${profile}`, {
    bomRef: platformBomRef(profile),
    group: 'sovra',
    version: model.sovraVersion,
    description: `Sovra platform, profile ${profile} (NIST SP 800-53 rev5 ${model.profile.baseline} baseline).`,
    licenses: licenses(sovraLicense()),
  });
  platform.properties.add(new Property('sovra:profile', profile));
  platform.properties.add(new Property('sovra:baseline', model.profile.baseline));
  const tool = new Component(ComponentType.Application, 'sovra', { bomRef: 'tool:sovra', group: 'sovra', version: model.sovraVersion, licenses: licenses(sovraLicense()) });

  const bom = new Bom({
    serialNumber,
    metadata: new Metadata({ timestamp: new Date(model.epoch * 1000), tools: new Tools({ components: new ComponentRepository([tool]) }), component: platform }),
  });

  const artifacts = new Artifacts();
  const sovraComponents = new Map<string, Component>();
  for (const view of model.components) {
    if (sovraComponents.has(view.id)) throw new Error(`component id ${view.id} appears twice in the synth model`);
    const c = sovraComponent(view, profile);
    sovraComponents.set(view.id, c);
    for (const image of view.images) c.dependencies.add(artifacts.add(imageBomRef(image), image, view.id, () => imageComponent(image)).bomRef);
    for (const chart of view.charts) {
      const { values: _values, ...declaration } = chart; // values differ per profile and are not part of the chart's identity
      c.dependencies.add(artifacts.add(chartBomRef(chart), declaration, view.id, () => chartComponent(chart)).bomRef);
    }
    for (const m of view.models) c.dependencies.add(artifacts.add(modelBomRef(m), m, view.id, () => modelComponent(m)).bomRef);
    platform.dependencies.add(c.bomRef);
  }
  for (const view of model.components) {
    for (const dep of view.info.dependsOn ?? []) {
      const target = sovraComponents.get(dep);
      if (!target) throw new SovraError('bad-input', `Component "${view.id}" depends on "${dep}", which is not part of profile "${profile}".`);
      sovraComponents.get(view.id)!.dependencies.add(target.bomRef);
    }
  }
  for (const c of [...sovraComponents.values(), ...artifacts.all()]) bom.components.add(c);
  return bom;
}

function serialize(bom: Bom, epoch: number): string {
  const serializer = new JsonSerializer(new JsonSerialize.Normalize.Factory(SpecVersionDict[Version.v1dot6]!));
  const doc = JSON.parse(serializer.serialize(bom, { sortLists: true })) as { metadata: { timestamp?: string } };
  // The library writes milliseconds (Date#toISOString); every Sovra document stamps isoTime(epoch).
  doc.metadata.timestamp = isoTime(epoch);
  return JSON.stringify(doc, null, 2) + '\n';
}

/**
 * The CycloneDX 1.6 JSON SBOM of `model`, validated against the CycloneDX
 * 1.6 schema; throws `SovraError('invalid-output')` when it does not validate.
 */
export function emitSbom(model: SynthModel): string {
  // The serial number is derived from the document without it, so it changes exactly when the content does.
  const unnumbered = serialize(buildBom(model, undefined), model.epoch);
  const json = serialize(buildBom(model, `urn:uuid:${uuidV5(`sbom:${sha256Hex(unnumbered)}`)}`), model.epoch);
  validateCycloneDx16(json, `SBOM of profile "${model.profile.name}"`);
  return json;
}
