/**
 * OSCAL 1.1.3 component definitions: one document per component and an
 * aggregate one, each a pure function of the synth model. Implemented
 * requirements carry every claim's evidence; UUIDs are derived from content.
 */
import { isServedModel, type DeclaredModel } from '../contracts/served-model.js';
import { imageRef } from '../constructs/kit/image.js';
import { ociPurl } from '../supply-chain/purl.js';
import { chartBomRef, imageBomRef } from '../supply-chain/sbom-components.js';
import { isoTime } from '../core/time.js';
import type { ComponentView, SynthModel } from '../output/model.js';
import { catalog } from '../controls/catalog.js';
import {
  PLATFORM_ROLE_ID,
  componentUuid,
  controlImplementationUuid,
  documentUuid,
  platformPartyUuid,
} from './component-definition-ids.js';
import { hrefFrom, implementedRequirements, sovraProp } from './component-definition-requirements.js';
import type {
  Component,
  ComponentDefinition,
  ControlImplementationSet,
  DocumentMetadata,
  HttpCsrcNistGovNsOscal113OscalComponentDefinitionSchemaJson as ComponentDefinitionDocument,
  Link,
  Property,
} from './types/component-definition.generated.js';

/** Output path of the aggregate component definition. */
export const AGGREGATE_COMPONENT_DEFINITION_PATH = 'oscal/component-definition.json';

/** Output path of one component's definition. */
export function componentDefinitionPath(componentId: string): string {
  return `oscal/component-definitions/${componentId}.json`;
}

/** Where NIST publishes the resolved baseline profiles named in the shipped catalog data. */
const NIST_CONTENT_BASE = 'https://raw.githubusercontent.com/usnistgov/oscal-content/main/nist.gov/SP800-53/rev5/json/';

/** Layers whose software runs on the hosts rather than as a service in the cluster. */
const HOST_LAYERS = new Set(['distribution']);

function nonEmpty<T>(items: T[]): [T, ...T[]] | undefined {
  return items.length > 0 ? (items as [T, ...T[]]) : undefined;
}

function metadata(model: SynthModel, title: string): DocumentMetadata {
  const time = isoTime(model.epoch);
  const { baseline, name } = model.profile;
  return {
    title,
    published: time,
    'last-modified': time,
    version: `${model.sovraVersion}+${name}`,
    'oscal-version': '1.1.3',
    props: [sovraProp('profile', name), sovraProp('baseline', baseline)],
    roles: [
      {
        id: PLATFORM_ROLE_ID,
        title: 'Platform Engineering Team',
        description: 'Builds, operates and maintains the Sovra platform and answers for its control implementations.',
      },
    ],
    parties: [{ uuid: platformPartyUuid(), type: 'organization', name: 'Platform Engineering Team' }],
    'responsible-parties': [{ 'role-id': PLATFORM_ROLE_ID, 'party-uuids': [platformPartyUuid()] }],
  };
}

/** How a model's bytes are pinned, for its link text: the file's digest, the number of files with declared digests, or digests supplied at install. */
function modelDigestText(m: DeclaredModel): string {
  if (!isServedModel(m)) return `sha256:${m.sha256}`;
  return m.digests === 'declared' ? `${m.files.length} files, SHA-256 each declared` : 'file digests supplied at install';
}

function componentLinks(c: ComponentView, docPath: string): Link[] {
  const links: Link[] = [];
  for (const chart of c.charts) links.push({ href: chart.repository, rel: 'helm-chart', text: `${chart.chart} ${chart.version}` });
  for (const image of c.images) links.push({ href: ociPurl(image), rel: 'image', text: imageRef(image) });
  for (const m of c.models) links.push({ href: m.source, rel: 'model', text: `${m.name} ${m.version} ${modelDigestText(m)}` });
  for (const file of c.files) links.push({ href: hrefFrom(docPath, file), rel: 'output', text: file });
  return links;
}

function controlImplementation(model: SynthModel, c: ComponentView, docPath: string): ControlImplementationSet | undefined {
  const requirements = nonEmpty(implementedRequirements(c, docPath));
  if (!requirements) return undefined;
  const baseline = model.profile.baseline;
  const source = catalog().source.baselines[baseline];
  if (!source) throw new Error(`catalog data has no ${baseline} baseline`);
  return {
    uuid: controlImplementationUuid(c.id, baseline),
    source: NIST_CONTENT_BASE + source.file,
    description: `Controls of the ${source.title} that ${c.info.title} implements in the ${model.profile.name} profile.`,
    props: [sovraProp('baseline', baseline), sovraProp('baseline-title', source.title), sovraProp('baseline-version', source.version)],
    'implemented-requirements': requirements,
  };
}

function component(model: SynthModel, c: ComponentView, docPath: string): Component {
  const props: Property[] = [
    sovraProp('component-id', c.id),
    sovraProp('layer', c.info.layer),
    sovraProp('namespace', c.info.namespace),
    { name: 'version', value: c.info.version },
  ];
  for (const dep of c.info.dependsOn ?? []) props.push(sovraProp('depends-on', dep, { remarks: `Component uuid ${componentUuid(dep)}` }));
  for (const ex of c.exceptions) {
    const o = ex.object;
    const where = `${o.apiVersion} ${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
    props.push(sovraProp('baseline-exception', `${where}: ${ex.setting}`, { class: 'exception', remarks: ex.reason }));
  }
  // License decisions (profile licenseWaivers) on this component's images and charts, with the written reason.
  const refs = new Set([...c.images.map(imageBomRef), ...c.charts.map(chartBomRef)]);
  for (const w of model.profile.licenseWaivers ?? []) {
    if (refs.has(w.component)) props.push(sovraProp('license-waiver', `${w.component}: ${w.license}`, { class: 'license-decision', remarks: w.reason }));
  }
  const ci = controlImplementation(model, c, docPath);
  const runsOnHost = HOST_LAYERS.has(c.info.layer) || (c.images.length === 0 && c.charts.length === 0);
  const out: Component = {
    uuid: componentUuid(c.id),
    type: runsOnHost ? 'software' : 'service',
    title: c.info.title,
    description: c.info.description,
    purpose: `Provides the ${c.info.layer} layer of the Sovra platform.`,
    props: props as [Property, ...Property[]],
    'responsible-roles': [{ 'role-id': PLATFORM_ROLE_ID, 'party-uuids': [platformPartyUuid()] }],
  };
  const links = nonEmpty(componentLinks(c, docPath));
  if (links) out.links = links;
  if (ci) out['control-implementations'] = [ci];
  if (c.exceptions.length > 0) {
    out.remarks = ['Exceptions to the hardened baseline:', '', ...c.exceptions.map((ex) => `- ${ex.object.kind} ${ex.object.namespace ? `${ex.object.namespace}/` : ''}${ex.object.name} \`${ex.setting}\`: ${ex.reason}`)].join('\n');
  }
  return out;
}

function document(model: SynthModel, path: string, title: string, components: readonly ComponentView[]): ComponentDefinitionDocument {
  const body: Omit<ComponentDefinition, 'uuid'> = { metadata: metadata(model, title) };
  const list = nonEmpty(components.map((c) => component(model, c, path)));
  if (list) body.components = list;
  return { 'component-definition': { uuid: documentUuid(path, body), ...body } };
}

/**
 * The component definitions of `model`, keyed by output path: one per
 * component under `oscal/component-definitions/` and the aggregate
 * `oscal/component-definition.json`. Write them with `stableJson`.
 */
export function emitComponentDefinitions(model: SynthModel): Map<string, ComponentDefinitionDocument> {
  const out = new Map<string, ComponentDefinitionDocument>();
  const seen = new Set<string>();
  for (const c of model.components) {
    if (seen.has(c.id)) throw new Error(`component id ${c.id} appears twice in the synth model`);
    seen.add(c.id);
    const path = componentDefinitionPath(c.id);
    out.set(path, document(model, path, `Sovra ${model.profile.name}: ${c.info.title} component definition`, [c]));
  }
  out.set(
    AGGREGATE_COMPONENT_DEFINITION_PATH,
    document(model, AGGREGATE_COMPONENT_DEFINITION_PATH, `Sovra ${model.profile.name}: component definitions`, model.components),
  );
  return out;
}
