/**
 * The control plane image's own CycloneDX 1.6 SBOM: the image (its index
 * digest), one component per platform manifest, and everything inside by
 * digest: each Debian package (purl `pkg:deb/debian/…?arch=…&distro=debian-12`,
 * SHA-256 of the .deb), the Node.js package (SHA-512 of its integrity), the
 * production npm tree of each platform (SHA-512 from the lockfile), and
 * Sovra itself (the application layer's digest). Deterministic: sorted
 * lists, the build's time, a serial number derived from the content.
 */
import { ComponentType, HashAlgorithm } from '@cyclonedx/cyclonedx-library/Enums';
import { Bom, Component, ComponentRepository, Metadata, Property, Tools } from '@cyclonedx/cyclonedx-library/Models';
import { JsonSerializer, JSON as JsonSerialize } from '@cyclonedx/cyclonedx-library/Serialize';
import { SpecVersionDict, Version } from '@cyclonedx/cyclonedx-library/Spec';
import { PackageURL } from 'packageurl-js';
import type { ImageSpec } from '../../constructs/kit/image.js';
import { sha256Hex, uuidV5 } from '../../core/hash.js';
import { isoTime } from '../../core/time.js';
import { validateCycloneDx } from '../cyclonedx-validate.js';
import { applyLicense } from '../license-policy.js';
import { npmComponents, readNpmTree, type NpmPackage, type NpmTree } from '../npm-tree.js';
import { imageComponent } from '../sbom-components.js';
import { npmPlatform } from './npm-layers.js';
import type { Architecture, DebFile, DebPackage, NodePart, PartsLock } from './parts.js';
import { integrityHex } from './store.js';

/** What the SBOM describes of one platform's image. */
export interface PlatformImage {
  readonly architecture: Architecture;
  /** Digest of the platform's manifest. */
  readonly manifest: string;
  readonly debs: ReadonlyArray<{ readonly pkg: DebPackage; readonly file: DebFile }>;
  readonly node: NodePart;
}

/** Inputs of the image SBOM. */
export interface ImageSbomInput {
  /** The image, with its index digest. */
  readonly image: ImageSpec;
  readonly platforms: readonly PlatformImage[];
  readonly parts: PartsLock;
  /** The parsed package-lock.json. */
  readonly lock: unknown;
  readonly sovraVersion: string;
  readonly license: string;
  /** Digest of the application layer. */
  readonly appLayer: string;
  /** Source commit of the checkout, when known. */
  readonly commit?: string;
  readonly epoch: number;
}

const debRef = (pkg: DebPackage, f: DebFile) => `deb:${pkg.package}@${f.version}?arch=${f.architecture}`;
const platformRef = (arch: Architecture) => `image-platform:linux/${arch}`;

function debComponent(pkg: DebPackage, f: DebFile, distro: string): Component {
  const c = new Component(ComponentType.Library, pkg.package, {
    bomRef: debRef(pkg, f),
    version: f.version,
    purl: new PackageURL('deb', 'debian', pkg.package, f.version, { arch: f.architecture, distro }, undefined).toString(),
    description: pkg.purpose,
  });
  c.hashes.set(HashAlgorithm['SHA-256'], f.sha256);
  c.properties.add(new Property('sovra:deb:filename', f.filename));
  c.properties.add(new Property('sovra:deb:source-package', f.sourcePackage));
  // Debian's copyright files are not SPDX expressions: the license is not stated rather than guessed.
  c.properties.add(new Property('sovra:license:status', 'unknown'));
  return c;
}

function nodeComponent(n: NodePart): Component {
  const c = new Component(ComponentType.Application, n.name, {
    bomRef: `npm:${n.name}@${n.version}`,
    version: n.version,
    purl: new PackageURL('npm', undefined, n.name, n.version, undefined, undefined).toString(),
    description: `The Node.js ${n.version} runtime (bin/node of the npm package), installed as /usr/bin/node.`,
  });
  c.hashes.set(HashAlgorithm['SHA-512'], integrityHex(n.integrity, n.name));
  applyLicense(c, n.license);
  return c;
}

/** The production trees of every platform as one tree: a package in several is listed once, its edges united. */
function mergedTree(lock: unknown, archs: readonly Architecture[]): { tree: NpmTree; roots: Map<Architecture, readonly string[]>; platformsOf: Map<string, Architecture[]> } {
  const byRef = new Map<string, { pkg: NpmPackage; deps: Set<string> }>();
  const roots = new Map<Architecture, readonly string[]>();
  const platformsOf = new Map<string, Architecture[]>();
  for (const arch of archs) {
    const t = readNpmTree(lock, 'package-lock.json', npmPlatform(arch));
    roots.set(arch, t.roots);
    for (const p of t.packages) {
      const known = byRef.get(p.bomRef);
      if (known) p.dependsOn.forEach((d) => known.deps.add(d));
      else byRef.set(p.bomRef, { pkg: p, deps: new Set(p.dependsOn) });
      platformsOf.set(p.bomRef, [...(platformsOf.get(p.bomRef) ?? []), arch]);
    }
  }
  const allRoots = [...new Set([...roots.values()].flat())].sort();
  const packages = [...byRef.values()].map(({ pkg, deps }) => ({ ...pkg, dependsOn: [...deps].sort() })).sort((a, b) => (a.bomRef < b.bomRef ? -1 : a.bomRef > b.bomRef ? 1 : 0));
  return { tree: { roots: allRoots, packages }, roots, platformsOf };
}

/** The SBOM of the image as JSON text, validated against CycloneDX 1.6. */
export function imageSbom(input: ImageSbomInput): string {
  const image = imageComponent(input.image);
  image.properties.add(new Property('sovra:image:built-by', 'sovra image build'));
  const tool = new Component(ComponentType.Application, 'sovra', { bomRef: 'tool:sovra', group: 'sovra', version: input.sovraVersion });
  applyLicense(tool, input.license);
  const bom = new Bom({ metadata: new Metadata({ timestamp: new Date(input.epoch * 1000), tools: new Tools({ components: new ComponentRepository([tool]) }), component: image }) });

  const app = new Component(ComponentType.Application, 'sovra', {
    bomRef: `npm:sovra@${input.sovraVersion}`,
    version: input.sovraVersion,
    purl: new PackageURL('npm', undefined, 'sovra', input.sovraVersion, undefined, undefined).toString(),
    description: 'Sovra under /app: lib/, bin/, package.json, the lockfiles and the shipped data files (the application layer).',
  });
  applyLicense(app, input.license);
  app.hashes.set(HashAlgorithm['SHA-256'], input.appLayer.replace(/^sha256:/, ''));
  app.properties.add(new Property('sovra:image:layer', input.appLayer));
  if (input.commit) app.properties.add(new Property('sovra:source-commit', input.commit));

  const archs = input.platforms.map((p) => p.architecture);
  const npm = mergedTree(input.lock, archs);
  const { all: npmAll } = npmComponents(npm.tree);
  const npmByRef = new Map(npmAll.map((c) => [c.bomRef.toString(), c]));
  for (const [ref, platforms] of npm.platformsOf) npmByRef.get(ref)!.properties.add(new Property('sovra:image:platforms', platforms.map((a) => `linux/${a}`).join(',')));
  for (const r of npm.tree.roots) app.dependencies.add(npmByRef.get(r)!.bomRef);

  const distro = `debian-${input.parts.debian.release.split('.')[0]}`;
  const debs = new Map<string, Component>();
  const nodes = new Map<string, Component>();
  for (const p of input.platforms) {
    const pc = new Component(ComponentType.Container, `${input.image.registry}/${input.image.repository}`, {
      bomRef: platformRef(p.architecture),
      version: input.image.tag,
      purl: new PackageURL('oci', undefined, input.image.repository.split('/').pop()!, p.manifest, { arch: p.architecture, repository_url: `${input.image.registry}/${input.image.repository}` }, undefined).toString(),
      description: `The image for linux/${p.architecture} (its manifest).`,
    });
    pc.hashes.set(HashAlgorithm['SHA-256'], p.manifest.replace(/^sha256:/, ''));
    for (const { pkg, file } of p.debs) {
      const ref = debRef(pkg, file);
      if (!debs.has(ref)) debs.set(ref, debComponent(pkg, file, distro));
      pc.dependencies.add(debs.get(ref)!.bomRef);
    }
    const nodeRef = `npm:${p.node.name}@${p.node.version}`;
    if (!nodes.has(nodeRef)) nodes.set(nodeRef, nodeComponent(p.node));
    pc.dependencies.add(nodes.get(nodeRef)!.bomRef);
    pc.dependencies.add(app.bomRef);
    image.dependencies.add(pc.bomRef);
    bom.components.add(pc);
  }
  for (const c of [app, ...debs.values(), ...nodes.values(), ...npmAll]) bom.components.add(c);

  const serializer = new JsonSerializer(new JsonSerialize.Normalize.Factory(SpecVersionDict[Version.v1dot6]!));
  const doc = JSON.parse(serializer.serialize(bom, { sortLists: true })) as { metadata: { timestamp?: string } };
  doc.metadata.timestamp = isoTime(input.epoch);
  const serialNumber = `urn:uuid:${uuidV5(`image-sbom:${sha256Hex(JSON.stringify(doc))}`)}`;
  const numbered = Object.fromEntries(Object.entries(doc).flatMap(([k, v]) => (k === 'version' ? [[k, v], ['serialNumber', serialNumber]] : [[k, v]])));
  const json = JSON.stringify(numbered, null, 2) + '\n';
  validateCycloneDx(json, `SBOM of image ${input.image.registry}/${input.image.repository}:${input.image.tag}`, '1.6');
  return json;
}
