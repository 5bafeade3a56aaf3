/**
 * The production npm dependency tree of a package, read from its
 * package-lock.json (lockfileVersion 2 or 3): one entry per package version,
 * with its SHA-512 from `integrity`, its declared license, and the packages
 * it resolves to the way Node resolves `require` through nested
 * `node_modules` folders. Development packages are left out; optional ones
 * are kept when they install on {@link TARGET_PLATFORM} and say so.
 */
import { ComponentType, HashAlgorithm } from '@cyclonedx/cyclonedx-library/Enums';
import { Component, Property } from '@cyclonedx/cyclonedx-library/Models';
import { PackageURL } from 'packageurl-js';
import { SovraError } from '../core/errors.js';
import { applyLicense } from './license-policy.js';

/**
 * Platform the control plane image installs on. Optional packages whose
 * `os`, `cpu` and `libc` fields admit it are part of the tree (marked
 * `sovra:npm:optional`); the others (darwin, win32, musl builds) are not.
 */
export const TARGET_PLATFORM: NpmPlatform = { os: 'linux', cpu: 'x64', libc: 'glibc' };

/** A platform in npm's words (`os`, `cpu` and `libc` fields of a package). */
export interface NpmPlatform {
  readonly os: string;
  readonly cpu: string;
  readonly libc: string;
}

/** One package version of the tree. */
export interface NpmPackage {
  /** `npm:<name>@<version>`, e.g. `npm:@fastify/swagger@9.9.3`. */
  readonly bomRef: string;
  /** Package name, with its scope (`@fastify/swagger`). */
  readonly name: string;
  readonly version: string;
  /** Hex digests from `integrity`, by algorithm (`sha512`); empty for a package bundled inside another's tarball. */
  readonly hashes: Readonly<Record<string, string>>;
  /** The lockfile's `license` field as written (not necessarily SPDX); undefined when absent. */
  readonly license?: string;
  /** Installed only as an optional dependency. */
  readonly optional: boolean;
  /** Shipped inside another package's tarball (`inBundle`), so covered by that package's digest. */
  readonly bundled: boolean;
  /** bom-refs of the packages it depends on, sorted. */
  readonly dependsOn: readonly string[];
}

/** The production tree: the packages the root depends on directly, and every package. */
export interface NpmTree {
  /** bom-refs of the root's production dependencies, sorted. */
  readonly roots: readonly string[];
  /** Every production package, sorted by bom-ref. */
  readonly packages: readonly NpmPackage[];
}

interface LockEntry {
  name?: string;
  version?: string;
  integrity?: string;
  license?: unknown;
  dev?: boolean;
  optional?: boolean;
  devOptional?: boolean;
  inBundle?: boolean;
  extraneous?: boolean;
  link?: boolean;
  resolved?: string;
  os?: string[];
  cpu?: string[];
  libc?: string[];
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

const NM = 'node_modules/';

/** npm's platform lists: plain entries allow, `!x` entries forbid; no list allows everything. */
function admits(list: string[] | undefined, value: string): boolean {
  if (!list || list.length === 0) return true;
  if (list.includes(`!${value}`)) return false;
  const allow = list.filter((x) => !x.startsWith('!'));
  return allow.length === 0 || allow.includes(value);
}

function installsOn(e: LockEntry, platform: NpmPlatform): boolean {
  return admits(e.os, platform.os) && admits(e.cpu, platform.cpu) && admits(e.libc, platform.libc);
}

/** Package name of a lockfile key (`node_modules/a/node_modules/@s/b` → `@s/b`), or the entry's own `name` (aliases). */
function packageName(key: string, e: LockEntry): string {
  return e.name ?? key.slice(key.lastIndexOf(NM) + NM.length);
}

/** `sha512-<base64> sha1-<base64>` → `{ sha512: <hex>, sha1: <hex> }`. */
function integrityHashes(integrity: string | undefined, where: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (integrity ?? '').split(/\s+/).filter(Boolean)) {
    const m = /^(sha1|sha256|sha384|sha512)-([A-Za-z0-9+/]+={0,2})(\?.*)?$/.exec(part);
    if (!m) throw new SovraError('bad-input', `${where}: integrity "${part}" is not <algorithm>-<base64>; regenerate the lockfile with npm.`);
    out[m[1]!] = Buffer.from(m[2]!, 'base64').toString('hex');
  }
  return out;
}

/** Where Node finds `dep` required from the package at `from` (`''` is the root): the nearest `node_modules/dep` going up. */
function resolve(packages: Record<string, LockEntry>, from: string, dep: string): string | undefined {
  let prefix = from;
  for (;;) {
    const candidate = prefix === '' ? `${NM}${dep}` : `${prefix}/${NM}${dep}`;
    const e = packages[candidate];
    if (e) return e.link && e.resolved !== undefined ? e.resolved : candidate;
    if (prefix === '') return undefined;
    const up = prefix.lastIndexOf(`/${NM}`);
    prefix = up < 0 ? '' : prefix.slice(0, up);
  }
}

const cache = new Map<unknown, Map<string, NpmTree>>();

/** One installed package of the production tree: where npm puts it and what the lockfile pins. */
export interface NpmInstall {
  /** Install location, the lockfile's key (`node_modules/a/node_modules/@s/b`). */
  readonly key: string;
  readonly name: string;
  readonly version: string;
  /** SRI integrity of its tarball; absent for a package bundled in another's tarball. */
  readonly integrity?: string;
  /** The lockfile's `resolved` URL, when it records one. */
  readonly resolved?: string;
  /** Shipped inside another package's tarball. */
  readonly bundled: boolean;
  readonly optional: boolean;
  /** Executables the package declares (`bin`), by path inside the package. */
  readonly bins: readonly string[];
}

/**
 * Every package npm installs from `lock` for production on `platform`, in
 * the lockfile's order: development packages and optional ones for other
 * platforms are left out. The control plane image installs exactly these.
 */
export function productionInstalls(lock: unknown, source: string, platform: NpmPlatform = TARGET_PLATFORM): NpmInstall[] {
  const { included } = productionEntries(lock, source, platform);
  return [...included].map(([key, e]) => {
    const bin = (e as { bin?: unknown }).bin;
    const bins = typeof bin === 'string' ? [bin] : bin && typeof bin === 'object' ? Object.values(bin as Record<string, string>) : [];
    return {
      key,
      name: packageName(key, e),
      version: e.version ?? '',
      ...(e.integrity ? { integrity: e.integrity } : {}),
      ...(e.resolved ? { resolved: e.resolved } : {}),
      bundled: e.inBundle === true,
      optional: e.optional === true || e.devOptional === true,
      bins,
    };
  });
}

function productionEntries(lock: unknown, source: string, platform: NpmPlatform): { packages: Record<string, LockEntry>; root: LockEntry; included: Map<string, LockEntry> } {
  const doc = lock as { lockfileVersion?: unknown; packages?: Record<string, LockEntry> } | null;
  if (doc === null || typeof doc !== 'object' || (doc.lockfileVersion !== 2 && doc.lockfileVersion !== 3) || typeof doc.packages !== 'object' || doc.packages === null) {
    throw new SovraError('bad-input', `${source} is not an npm lockfile of version 2 or 3 (found lockfileVersion ${JSON.stringify(doc?.lockfileVersion)}); regenerate it with npm 7 or later.`);
  }
  const packages = doc.packages;
  const root = packages[''];
  if (!root) throw new SovraError('bad-input', `${source} has no root entry ("" under "packages"); regenerate it with npm 7 or later.`);

  const included = new Map<string, LockEntry>();
  for (const [key, e] of Object.entries(packages)) {
    if (key === '' || !key.startsWith(NM) && !key.includes(`/${NM}`)) continue; // the root and workspace folders
    if (e.dev === true || e.extraneous === true || e.link === true) continue;
    if ((e.optional === true || e.devOptional === true) && !installsOn(e, platform)) continue;
    included.set(key, e);
  }
  return { packages, root, included };
}

/**
 * The production tree of `lock` (a parsed package-lock.json) on `platform`
 * (the image's by default); `source` names the file in error messages. The
 * same lockfile object gives the same tree (computed once per platform).
 */
export function readNpmTree(lock: unknown, source: string, platform: NpmPlatform = TARGET_PLATFORM): NpmTree {
  const platformKey = `${platform.os}/${platform.cpu}/${platform.libc}`;
  const known = cache.get(lock)?.get(platformKey);
  if (known) return known;
  const { packages, root, included } = productionEntries(lock, source, platform);

  const refOf = (key: string): string => {
    const e = included.get(key)!;
    if (typeof e.version !== 'string' || e.version === '') throw new SovraError('bad-input', `${source}: ${key} has no version; regenerate the lockfile with npm.`);
    return `npm:${packageName(key, e)}@${e.version}`;
  };
  const edges = (key: string, e: LockEntry): string[] => {
    const out = new Set<string>();
    const optional = new Set([...Object.keys(e.optionalDependencies ?? {}), ...Object.keys(e.peerDependencies ?? {})]);
    for (const dep of new Set([...Object.keys(e.dependencies ?? {}), ...optional])) {
      const target = resolve(packages, key, dep);
      if (target === undefined) {
        if (optional.has(dep)) continue; // an optional or peer dependency that is not installed
        throw new SovraError('bad-input', `${source}: ${key === '' ? 'the root package' : key} depends on "${dep}", which is not in the lockfile; run npm install and commit the lockfile.`);
      }
      if (!included.has(target)) continue; // a development package or an optional one for another platform
      if (target !== key) out.add(refOf(target));
    }
    return [...out].sort();
  };

  const byRef = new Map<string, { pkg: Omit<NpmPackage, 'dependsOn'>; dependsOn: Set<string> }>();
  for (const [key, e] of included) {
    const bomRef = refOf(key);
    const where = `${source}: ${key}`;
    const hashes = integrityHashes(e.integrity, where);
    const license = typeof e.license === 'string' ? e.license : e.license !== undefined ? JSON.stringify(e.license) : undefined;
    const pkg = { bomRef, name: packageName(key, e), version: e.version!, hashes, ...(license !== undefined ? { license } : {}), optional: e.optional === true || e.devOptional === true, bundled: e.inBundle === true };
    const seen = byRef.get(bomRef);
    if (!seen) {
      byRef.set(bomRef, { pkg, dependsOn: new Set(edges(key, e)) });
      continue;
    }
    // The same version installed at two places is one package: its digests must agree.
    for (const [alg, hex] of Object.entries(hashes)) {
      const other = seen.pkg.hashes[alg];
      if (other !== undefined && other !== hex) throw new SovraError('bad-input', `${where}: ${bomRef} has two different ${alg} digests in the lockfile; regenerate it with npm.`);
    }
    seen.pkg = {
      ...seen.pkg,
      hashes: { ...seen.pkg.hashes, ...hashes },
      ...(seen.pkg.license === undefined && license !== undefined ? { license } : {}),
      optional: seen.pkg.optional && pkg.optional,
      bundled: seen.pkg.bundled && pkg.bundled,
    };
    for (const d of edges(key, e)) seen.dependsOn.add(d);
  }

  const tree: NpmTree = {
    roots: edges('', root),
    packages: [...byRef.values()]
      .map(({ pkg, dependsOn }) => ({ ...pkg, dependsOn: [...dependsOn].sort() }))
      .sort((a, b) => (a.bomRef < b.bomRef ? -1 : a.bomRef > b.bomRef ? 1 : 0)),
  };
  if (!cache.has(lock)) cache.set(lock, new Map());
  cache.get(lock)!.set(platformKey, tree);
  return tree;
}

const HASH_ALGORITHMS: Record<string, HashAlgorithm> = {
  sha1: HashAlgorithm['SHA-1'],
  sha256: HashAlgorithm['SHA-256'],
  sha384: HashAlgorithm['SHA-384'],
  sha512: HashAlgorithm['SHA-512'],
};

/** An npm package as a CycloneDX `library` component: purl `pkg:npm/%40scope/name@version`, digests, license and how it is installed. */
export function npmComponent(p: NpmPackage): Component {
  const slash = p.name.startsWith('@') ? p.name.indexOf('/') : -1;
  const scope = slash > 0 ? p.name.slice(0, slash) : undefined;
  const bare = slash > 0 ? p.name.slice(slash + 1) : p.name;
  const c = new Component(ComponentType.Library, bare, {
    bomRef: p.bomRef,
    ...(scope ? { group: scope } : {}),
    version: p.version,
    purl: new PackageURL('npm', scope, bare, p.version, undefined, undefined).toString(),
  });
  for (const [alg, hex] of Object.entries(p.hashes)) c.hashes.set(HASH_ALGORITHMS[alg]!, hex);
  applyLicense(c, p.license);
  if (p.optional) c.properties.add(new Property('sovra:npm:optional', 'true'));
  if (p.bundled) c.properties.add(new Property('sovra:npm:bundled', 'true'));
  return c;
}

/** Every package of `tree` as a component, with the dependency graph between them; `roots` are the components of `tree.roots`. */
export function npmComponents(tree: NpmTree): { all: Component[]; roots: Component[] } {
  const byRef = new Map(tree.packages.map((p) => [p.bomRef, npmComponent(p)]));
  for (const p of tree.packages) {
    const c = byRef.get(p.bomRef)!;
    for (const d of p.dependsOn) c.dependencies.add(byRef.get(d)!.bomRef);
  }
  return { all: [...byRef.values()], roots: tree.roots.map((r) => byRef.get(r)!) };
}
