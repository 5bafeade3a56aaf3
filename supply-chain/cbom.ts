/**
 * The CycloneDX CBOM of a synthesized platform: every algorithm, protocol,
 * certificate and key the components configure, as `cryptographic-asset`
 * components with `cryptoProperties`. Each asset carries as occurrence the
 * setting that configures it, exactly as the synth's evidence check found it
 * in the written output (file, object, field path, value), and is linked to
 * the Sovra component that declares it (`provides` in the dependency graph,
 * and a `sovra:component` property). The profile's FIPS mode is recorded in
 * the metadata; each algorithm's `certificationLevel` is that of the
 * implementation that runs it, as the component declares.
 *
 * `@cyclonedx/cyclonedx-library` has no model for `cryptoProperties`, so the
 * document is written as plain JSON and validated against the schema. A pure
 * function of the synth model: lists are sorted and the serial number is
 * UUIDv5 of the content.
 */
import { canonicalJson, sortKeys } from '../core/canonical.js';
import { SovraError } from '../core/errors.js';
import { sha256Hex, uuidV5 } from '../core/hash.js';
import { isoTime } from '../core/time.js';
import { ALGORITHMS, type AlgorithmName, type CertificationLevel, type SecretKeyRef } from '../constructs/kit/crypto.js';
import type { ComponentView, ResolvedCryptoAsset, ResolvedEvidence, SynthModel } from '../output/model.js';
import { validateCycloneDx, type CycloneDxVersion } from './cyclonedx-validate.js';
import { componentBomRef, platformBomRef } from './sbom.js';

/** Output path of the CBOM. */
export { CBOM_PATH } from '../contracts/output-paths.js';

/** CycloneDX versions the CBOM can be written in. */
export type CbomSpecVersion = CycloneDxVersion;

/** Options of `emitCbom`. */
export interface CbomOptions {
  /** @default '1.6' */
  readonly specVersion?: CbomSpecVersion;
}

type Json = Record<string, unknown>;
interface Property {
  readonly name: string;
  readonly value: string;
}

/** Stable bom-ref of a crypto asset: `crypto:<component>:<type>:<name slug>`. */
export function cryptoBomRef(componentId: string, type: string, name: string): string {
  return `crypto:${componentId}:${type}:${name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}`;
}

/** One CBOM entry: the declarations of one asset in one component (several settings may configure the same asset). */
interface Entry {
  readonly ref: string;
  readonly view: ComponentView;
  readonly declarations: ResolvedCryptoAsset[];
}

/** What must agree when a component declares the same asset twice: everything but why and where. */
function identityOf(a: ResolvedCryptoAsset): string {
  const { purpose: _p, configuredBy: _c, evidence: _e, ...rest } = a;
  return canonicalJson(a.type === 'algorithm' ? { ...rest, certificationLevel: [...(a.certificationLevel ?? ['none'])].sort() } : rest);
}

function entriesOf(view: ComponentView): Entry[] {
  const byRef = new Map<string, Entry>();
  for (const asset of view.cryptoAssets) {
    let ref = cryptoBomRef(view.id, asset.type, asset.name);
    // One algorithm run by two implementations in one component (its own code, and a database's TLS): one entry each.
    const first = byRef.get(ref)?.declarations[0];
    if (asset.type === 'algorithm' && first?.type === 'algorithm' && first.implementation !== asset.implementation) {
      ref = `${ref}@${asset.implementation.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}`;
    }
    const known = byRef.get(ref);
    if (!known) {
      byRef.set(ref, { ref, view, declarations: [asset] });
      continue;
    }
    if (identityOf(known.declarations[0]!) !== identityOf(asset)) {
      throw new SovraError('bad-input', `Component "${view.id}" declares crypto asset "${asset.name}" twice with different details (${identityOf(known.declarations[0]!)} vs ${identityOf(asset)}). Declare it once, or give the two different names.`);
    }
    known.declarations.push(asset);
  }
  return [...byRef.values()];
}

/** Where the setting is, for people and tools: the object and field that the evidence check read, and what it found. */
function occurrence(e: ResolvedEvidence): { location: string; additionalContext: string } {
  const object = e.object ? { apiVersion: e.object.apiVersion, kind: e.object.kind, ...(e.object.namespace ? { namespace: e.object.namespace } : {}), name: e.object.name } : undefined;
  return { location: e.file, additionalContext: JSON.stringify({ ...(object ? { object } : {}), path: e.path, expectation: e.expectation, actual: sortKeys(e.actual) }) };
}

/** Occurrences once each, by file, object and field. */
function occurrences(evidence: readonly ResolvedEvidence[]): Json[] {
  const unique = new Map(evidence.map((e) => [`${e.file}\u0000${e.object ? canonicalJson(e.object) : ''}\u0000${e.path}`, occurrence(e)]));
  return [...unique.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, o]) => o);
}

function secretLocation(s: SecretKeyRef): string {
  return `Secret ${s.namespace}/${s.name} key ${s.key}`;
}

function sortProps(props: Property[]): Property[] {
  const seen = new Set<string>();
  return props
    .filter((p) => {
      const k = `${p.name}\u0000${p.value}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .sort((a, b) => (a.name === b.name ? (a.value < b.value ? -1 : a.value > b.value ? 1 : 0) : a.name < b.name ? -1 : 1));
}

/** Resolves asset names used as references inside one component. */
function refResolver(view: ComponentView, entries: readonly Entry[]): (from: ResolvedCryptoAsset, algorithm: AlgorithmName) => string {
  const algorithms = entries.filter((e) => e.declarations[0]!.type === 'algorithm');
  const settingOf = (a: ResolvedCryptoAsset) => a.evidence.description;
  return (from, algorithm) => {
    const candidates = algorithms.filter((e) => e.declarations[0]!.name === algorithm);
    if (candidates.length === 0) throw new SovraError('bad-input', `Component "${view.id}": crypto asset "${from.name}" uses algorithm "${algorithm}", which the component does not declare. Declare it with addCryptoAsset({ type: 'algorithm', name: '${algorithm}', … }).`);
    // Where one algorithm has several implementations, the one configured by the same setting as the asset that uses it.
    return (candidates.find((e) => e.declarations.some((d) => settingOf(d) === settingOf(from))) ?? candidates[0]!).ref;
  };
}

/** The `cryptoProperties` of an entry and the refs it depends on. */
function cryptoProperties(a: ResolvedCryptoAsset, ref: (algorithm: AlgorithmName) => string): { props: Json; uses: string[]; extra: Property[] } {
  switch (a.type) {
    case 'algorithm': {
      const spec = ALGORITHMS[a.name];
      const certificationLevel: readonly CertificationLevel[] = a.certificationLevel ?? ['none'];
      const { oid, ...algo } = spec as typeof spec & { oid?: string };
      return {
        props: {
          assetType: 'algorithm',
          algorithmProperties: {
            ...algo,
            cryptoFunctions: [...spec.cryptoFunctions].sort(),
            executionEnvironment: 'software-plain-ram',
            certificationLevel: [...certificationLevel].sort(),
          },
          ...(oid ? { oid } : {}),
        },
        uses: [],
        extra: [{ name: 'sovra:crypto:implementation', value: a.implementation }],
      };
    }
    case 'protocol': {
      const p = a.protocol;
      const suites = (p.cipherSuites ?? []).map((s) => ({ name: s.name, algorithms: [...new Set(s.algorithms.map(ref))].sort(), identifiers: [...s.identifiers] }));
      const others = [...new Set((p.algorithms ?? []).map(ref))].sort();
      return {
        props: {
          assetType: 'protocol',
          protocolProperties: {
            type: p.type,
            ...(p.version ? { version: p.version } : {}),
            ...(suites.length > 0 ? { cipherSuites: suites.sort((x, y) => (x.name < y.name ? -1 : 1)) } : {}),
            ...(others.length > 0 ? { cryptoRefArray: others } : {}),
          },
        },
        uses: [...new Set([...suites.flatMap((s) => s.algorithms), ...others])].sort(),
        extra: p.mutual ? [{ name: 'sovra:crypto:mutual-authentication', value: 'true' }] : [],
      };
    }
    case 'certificate': {
      const c = a.certificate;
      return {
        props: {
          assetType: 'certificate',
          certificateProperties: {
            ...(c.subjectName ? { subjectName: c.subjectName } : {}),
            ...(c.issuerName ? { issuerName: c.issuerName } : {}),
            certificateFormat: c.format,
            ...(c.extension ? { certificateExtension: c.extension } : {}),
          },
        },
        uses: [],
        extra: [...(c.secret ? [{ name: 'sovra:crypto:stored-in', value: secretLocation(c.secret) }] : []), ...(c.issuedBy ? [{ name: 'sovra:crypto:issued-by', value: c.issuedBy }] : [])],
      };
    }
    case 'related-crypto-material': {
      const m = a.material;
      const algorithmRef = m.algorithm ? ref(m.algorithm) : undefined;
      return {
        props: {
          assetType: 'related-crypto-material',
          relatedCryptoMaterialProperties: {
            type: m.type,
            ...(algorithmRef ? { algorithmRef } : {}),
            ...(m.size !== undefined ? { size: m.size } : {}),
            ...(m.format ? { format: m.format } : {}),
          },
        },
        uses: algorithmRef ? [algorithmRef] : [],
        extra: [...(m.secret ? [{ name: 'sovra:crypto:stored-in', value: secretLocation(m.secret) }] : []), ...(m.nodePath ? [{ name: 'sovra:crypto:stored-in', value: `node file ${m.nodePath}` }] : [])],
      };
    }
  }
}

/** The FIPS facts of the document: the profile's mode and which implementations are (not) inside a validated module. */
function fipsProperties(model: SynthModel): Property[] {
  const certified = new Map<string, Set<string>>();
  const outside = new Set<string>();
  for (const view of model.components) {
    for (const a of view.cryptoAssets) {
      if (a.type !== 'algorithm') continue;
      const levels = (a.certificationLevel ?? ['none']).filter((l) => l.startsWith('fips'));
      if (levels.length === 0) outside.add(`${a.implementation}: ${a.name}`);
      else for (const l of levels) (certified.get(l) ?? certified.set(l, new Set()).get(l)!).add(`${a.implementation}: ${a.name}`);
    }
  }
  const fips = model.profile.distribution.fips;
  return [
    { name: 'sovra:fips:mode', value: String(fips) },
    { name: 'sovra:distribution', value: model.profile.distribution.kind },
    ...[...certified].map(([level, algos]) => ({ name: `sovra:fips:validated:${level}`, value: [...algos].sort().join('; ') })),
    ...(outside.size > 0 ? [{ name: 'sovra:fips:not-validated', value: [...outside].sort().join('; ') }] : []),
    ...(fips ? [{ name: 'sovra:fips:precondition', value: 'The nodes run their operating system in FIPS mode; Sovra output does not configure the kernel, so this is the operator\'s to establish.' }] : []),
  ];
}

function sovraComponent(view: ComponentView): Json {
  return {
    type: view.info.layer === 'distribution' ? 'platform' : 'application',
    'bom-ref': componentBomRef(view.id),
    group: 'sovra',
    name: view.id,
    version: view.info.version,
    description: `${view.info.title}: ${view.info.description}`,
  };
}

function build(model: SynthModel, specVersion: CbomSpecVersion, serialNumber: string | undefined): Json {
  const profile = model.profile.name;
  const components: Json[] = [];
  const dependencies: Array<{ ref: string; dependsOn?: string[]; provides?: string[] }> = [];
  const withCrypto = model.components.filter((v) => v.cryptoAssets.length > 0);
  const seen = new Set<string>();
  for (const view of withCrypto) {
    if (seen.has(view.id)) throw new Error(`component id ${view.id} appears twice in the synth model`);
    seen.add(view.id);
    const entries = entriesOf(view);
    const resolve = refResolver(view, entries);
    components.push(sovraComponent(view));
    dependencies.push({ ref: componentBomRef(view.id), provides: entries.map((e) => e.ref).sort() });
    for (const entry of entries) {
      const first = entry.declarations[0]!;
      const { props, uses, extra } = cryptoProperties(first, (algorithm) => resolve(first, algorithm));
      const properties = sortProps([
        { name: 'sovra:component', value: view.id },
        ...entry.declarations.map((d) => ({ name: 'sovra:crypto:configured-by', value: d.evidence.object ? `${d.evidence.description} (${d.evidence.file})` : d.evidence.description })),
        ...extra,
        ...entry.declarations.flatMap((d) => Object.entries(d.properties ?? {}).map(([k, v]) => ({ name: `sovra:crypto:${k}`, value: v }))),
      ]);
      components.push({
        type: 'cryptographic-asset',
        'bom-ref': entry.ref,
        name: first.name,
        description: [...new Set(entry.declarations.map((d) => d.purpose))].sort().join(' '),
        cryptoProperties: props,
        evidence: { occurrences: occurrences(entry.declarations.map((d) => d.evidence)) },
        properties,
      });
      dependencies.push({ ref: entry.ref, ...(uses.length > 0 ? { dependsOn: uses } : {}) });
    }
  }
  dependencies.push({ ref: platformBomRef(profile), dependsOn: withCrypto.map((v) => componentBomRef(v.id)).sort() });
  const byRef = (a: Json, b: Json) => ((a['bom-ref'] as string) < (b['bom-ref'] as string) ? -1 : 1);
  return {
    $schema: `http://cyclonedx.org/schema/bom-${specVersion}.schema.json`,
    bomFormat: 'CycloneDX',
    specVersion,
    ...(serialNumber ? { serialNumber } : {}),
    version: 1,
    metadata: {
      timestamp: isoTime(model.epoch),
      tools: { components: [{ type: 'application', 'bom-ref': 'tool:sovra', group: 'sovra', name: 'sovra', version: model.sovraVersion }] },
      component: {
        type: 'platform',
        'bom-ref': platformBomRef(profile),
        group: 'sovra',
        name: `sovra-${profile}`,
        version: model.sovraVersion,
        description: `Cryptographic assets configured by the Sovra platform, profile ${profile}.`,
      },
      properties: sortProps([{ name: 'sovra:profile', value: profile }, { name: 'sovra:baseline', value: model.profile.baseline }, ...fipsProperties(model)]),
    },
    components: components.sort(byRef),
    dependencies: dependencies.sort((a, b) => (a.ref < b.ref ? -1 : 1)),
  };
}

/**
 * The CycloneDX JSON CBOM of `model` (1.6 unless `options.specVersion` says
 * 1.7), validated against the schema of that version; throws
 * `SovraError('invalid-output')` when it does not validate.
 */
export function emitCbom(model: SynthModel, options: CbomOptions = {}): string {
  const specVersion = options.specVersion ?? '1.6';
  const text = (serial: string | undefined) => JSON.stringify(build(model, specVersion, serial), null, 2) + '\n';
  // The serial number is derived from the document without it, so it changes exactly when the content does.
  const json = text(`urn:uuid:${uuidV5(`cbom:${sha256Hex(text(undefined))}`)}`);
  validateCycloneDx(json, `CBOM of profile "${model.profile.name}"`, specVersion);
  return json;
}
