/**
 * The SBOM and provenance views of a model declaration, as plain JSON:
 * the CycloneDX 1.6 `machine-learning-model` component (the very component
 * the platform SBOM holds: one emitter, in supply-chain/) and an in-toto
 * resource descriptor. Both are read from the declaration, never typed twice.
 */
import { Bom } from '@cyclonedx/cyclonedx-library/Models';
import { JsonSerializer, JSON as JsonSerialize } from '@cyclonedx/cyclonedx-library/Serialize';
import { SpecVersionDict, Version } from '@cyclonedx/cyclonedx-library/Spec';
import { validateCycloneDx16 } from './cyclonedx-validate.js';
import { modelComponent } from './sbom-components.js';
import type { ModelDeclaration } from '../contracts/model-declaration.js';

/** A CycloneDX 1.6 component object (JSON form). */
export type CycloneDxComponent = Record<string, unknown>;

function factory(): JsonSerialize.Normalize.Factory {
  return new JsonSerialize.Normalize.Factory(SpecVersionDict[Version.v1dot6]!);
}

/** The CycloneDX `machine-learning-model` component of `decl` (JSON form), with its SHA-256 hash, purl, license and facts. */
export function modelSbomComponent(decl: ModelDeclaration): CycloneDxComponent {
  return factory().makeForComponent().normalize(modelComponent(decl), { sortLists: true }) as unknown as CycloneDxComponent;
}

/**
 * A CycloneDX 1.6 JSON document listing the models of `decls` (for example
 * the output of `sovra model pin --sbom`), validated against the schema.
 * No timestamp and no serial number, so the same declarations give the same bytes.
 */
export function modelSbomDocument(decls: readonly ModelDeclaration[]): string {
  const bom = new Bom();
  for (const d of decls) bom.components.add(modelComponent(d));
  const json = new JsonSerializer(factory()).serialize(bom, { sortLists: true, space: 2 }) + '\n';
  validateCycloneDx16(json, 'the model SBOM');
  return json;
}

/** The in-toto resource descriptor (provenance subject or material) of the model file. */
export function modelProvenanceSubject(decl: ModelDeclaration): { name: string; digest: { sha256: string } } {
  return { name: decl.file, digest: { sha256: decl.sha256 } };
}
