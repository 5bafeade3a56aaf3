/** The parts of a CycloneDX SBOM (as JSON) that tests read. */

/** One component of the SBOM. */
export interface CdxComponent {
  type: string;
  name: string;
  group?: string;
  version?: string;
  'bom-ref': string;
  purl?: string;
  hashes?: Array<{ alg: string; content: string }>;
  licenses?: Array<{ expression?: string; license?: { id?: string; name?: string } }>;
  externalReferences?: Array<{ url: string; type: string }>;
  properties?: Array<{ name: string; value: string }>;
}

/** The SBOM document. */
export interface CdxBom {
  specVersion: string;
  serialNumber: string;
  metadata: { timestamp: string; tools: { components: CdxComponent[] }; component: CdxComponent; properties?: Array<{ name: string; value: string }> };
  components: CdxComponent[];
  dependencies: Array<{ ref: string; dependsOn?: string[] }>;
}
