/**
 * CycloneDX components for what a Sovra component ships: container images,
 * Helm charts and model weights. Each has a stable bom-ref derived from its
 * identity, so the same artifact declared by two components is one entry.
 */
import { ComponentType, ExternalReferenceType, HashAlgorithm } from '@cyclonedx/cyclonedx-library/Enums';
import { Component, ExternalReference, Property } from '@cyclonedx/cyclonedx-library/Models';
import type { HelmChartSpec } from '../constructs/kit/chart.js';
import { imageName, type ImageSpec } from '../constructs/kit/image.js';
import type { ModelDeclaration } from '../contracts/model-declaration.js';
import { isServedModel, type DeclaredModel, type ServedModelDeclaration } from '../contracts/served-model.js';
import { applyLicense } from './license-policy.js';
import { chartPurl, modelPurl, ociPurl } from './purl.js';

/** Hex part of a `sha256:<hex>` digest. */
function hex(digest: string): string {
  return digest.slice('sha256:'.length);
}

/** External reference of a declared source: a distribution URL, or build metadata for anything else (`generated:…`). */
function sourceReference(source: string, comment: string): ExternalReference {
  const type = /^https?:\/\//.test(source) ? ExternalReferenceType.Distribution : ExternalReferenceType.BuildMeta;
  return new ExternalReference(source, type, { comment });
}

import { chartBomRef, imageBomRef } from '../constructs/kit/bom-refs.js';

export { chartBomRef, imageBomRef };

/** Stable bom-ref of a model. */
export function modelBomRef(model: DeclaredModel): string {
  return `model:${model.name}@${model.version}`;
}

/** A container image as a CycloneDX `container` component. */
export function imageComponent(image: ImageSpec): Component {
  const c = new Component(ComponentType.Container, `${image.registry}/${image.repository}`, {
    bomRef: imageBomRef(image),
    version: image.tag,
    purl: ociPurl(image),
  });
  applyLicense(c, image.license);
  if (image.digest) c.hashes.set(HashAlgorithm['SHA-256'], hex(image.digest));
  // Unlocked images are named by tag only: their bits are not fixed, and gates that need them fixed refuse them.
  c.properties.add(new Property('sovra:image:locked', image.digest ? 'true' : 'false'));
  if (image.digestSource) c.properties.add(new Property('sovra:image:digest-source', image.digestSource));
  if (!image.digest && image.unlockedReason) c.properties.add(new Property('sovra:image:unlocked-reason', image.unlockedReason));
  if (image.source) c.externalReferences.add(sourceReference(image.source, 'Where the image pin was taken from.'));
  return c;
}

/** A Helm chart as a CycloneDX `application` component (group = repository host). */
export function chartComponent(chart: HelmChartSpec<object>): Component {
  const c = new Component(ComponentType.Application, chart.chart, {
    bomRef: chartBomRef(chart),
    group: new URL(chart.repository).host,
    version: chart.version,
    purl: chartPurl(chart),
  });
  applyLicense(c, chart.license);
  if (chart.digest) c.hashes.set(HashAlgorithm['SHA-256'], hex(chart.digest));
  c.externalReferences.add(new ExternalReference(chart.repository, ExternalReferenceType.Distribution, { comment: 'Helm chart repository.' }));
  if (chart.source) c.externalReferences.add(sourceReference(chart.source, 'Where the chart pin was taken from.'));
  c.properties.add(new Property('sovra:chart:release', chart.release));
  c.properties.add(new Property('sovra:chart:namespace', chart.namespace));
  return c;
}

/** Model weights as a CycloneDX `machine-learning-model` component with their SHA-256 (a served model: one `file` sub-component per file). */
export function modelComponent(model: DeclaredModel): Component {
  if (isServedModel(model)) return servedModelComponent(model);
  return ggufModelComponent(model);
}

/**
 * A served model directory: the model component, and under it one `file`
 * component per declared file with its SHA-256. Digests supplied at install
 * leave it without files, marked so (like an unlocked image), and gates that
 * need fixed bits can refuse it.
 */
function servedModelComponent(model: ServedModelDeclaration): Component {
  const c = new Component(ComponentType.MachineLearningModel, model.name, { bomRef: modelBomRef(model), version: model.version, purl: modelPurl(model) });
  applyLicense(c, model.license);
  c.externalReferences.add(sourceReference(model.source, 'Source of the weights.'));
  c.properties.add(new Property('sovra:model:format', model.format));
  c.properties.add(new Property('sovra:model:digests', model.digests));
  c.properties.add(new Property('sovra:model:files', String(model.files.length)));
  for (const f of model.files) {
    const file = new Component(ComponentType.File, f.path, { bomRef: `${modelBomRef(model)}#${f.path}` });
    file.hashes.set(HashAlgorithm['SHA-256'], f.sha256);
    c.components.add(file);
  }
  return c;
}

function ggufModelComponent(model: ModelDeclaration): Component {
  const c = new Component(ComponentType.MachineLearningModel, model.name, {
    bomRef: modelBomRef(model),
    version: model.version,
    purl: modelPurl(model),
  });
  applyLicense(c, model.license);
  c.hashes.set(HashAlgorithm['SHA-256'], model.sha256);
  c.externalReferences.add(sourceReference(model.source, 'Source of the weights.'));
  const p = model.parameters;
  const props: Array<[string, string]> = [
    ['sovra:model:file', model.file],
    ['sovra:model:format', model.format],
    ['sovra:model:size-bytes', String(model.sizeBytes)],
    ['sovra:model:architecture', p.architecture],
    ['sovra:model:context-length', String(p.contextLength)],
    ['sovra:model:embedding-length', String(p.embeddingLength)],
    ['sovra:model:layers', String(p.layers)],
    ['sovra:model:vocab-size', String(p.vocabSize)],
    ['sovra:model:quantization', p.quantization],
  ];
  for (const [k, v] of props) c.properties.add(new Property(k, v));
  return c;
}
