/**
 * What `npm ci` on a fresh machine relies on, read from package.json and
 * package-lock.json: the lock matches package.json, no package npm must
 * install is tied to one platform (so `npm ci` works on Linux arm64 and
 * macOS too), and `engines` is true: every installed package's own
 * `engines.node` allows every Node version Sovra's `engines` admits.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/shared.js';

const semver = createRequire(import.meta.url)('semver') as {
  subset(sub: string, dom: string): boolean;
  satisfies(version: string, range: string): boolean;
};

interface LockEntry {
  version?: string;
  dev?: boolean;
  optional?: boolean;
  devOptional?: boolean;
  os?: string[];
  cpu?: string[];
  libc?: string[];
  engines?: Record<string, string> | string[];
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}
interface PackageJson {
  engines: { node: string };
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as PackageJson;
const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { lockfileVersion: number; packages: Record<string, LockEntry> };
const installed = Object.entries(lock.packages).filter(([path]) => path !== '');

describe('package-lock.json', () => {
  it('pins exactly what package.json asks for (npm ci refuses a lock that disagrees)', () => {
    const root = lock.packages['']!;
    expect(lock.lockfileVersion).toBe(3);
    expect(root.dependencies).toEqual(pkg.dependencies);
    expect(root.devDependencies).toEqual(pkg.devDependencies);
    expect(root.optionalDependencies).toEqual(pkg.optionalDependencies);
    expect(root.engines).toEqual(pkg.engines);
  });

  it('holds every optional dependency of every package, whatever the platform (npm ci refuses a lock missing one)', () => {
    // Resolved the way Node does: the nearest node_modules going up from the package that depends.
    const resolves = (from: string, name: string): boolean => {
      for (let base = from; ; base = base.includes('/node_modules/') ? base.slice(0, base.lastIndexOf('/node_modules/')) : '') {
        if (lock.packages[`${base ? `${base}/` : ''}node_modules/${name}`]) return true;
        if (base === '') return false;
      }
    };
    const edges = installed.flatMap(([path, e]) => Object.keys(e.optionalDependencies ?? {}).map((d) => [path, d] as const));
    expect(edges.map(([, d]) => d)).toContain('@node-llama-cpp/mac-arm64-metal');
    expect(edges.filter(([path, d]) => !resolves(path, d)).map(([path, d]) => `${path} -> ${d}`)).toEqual([]);
  });

  it('marks every platform-specific package optional, so npm ci installs on any platform', () => {
    const tied = installed.filter(([, e]) => e.os || e.cpu || e.libc);
    expect(tied.length).toBeGreaterThan(0);
    expect(tied.filter(([, e]) => e.optional !== true).map(([path]) => path)).toEqual([]);
  });

  it('has node-llama-cpp’s Linux x64 CPU build as an optional dependency, not a hard one', () => {
    expect(pkg.dependencies['@node-llama-cpp/linux-x64']).toBeUndefined();
    expect(pkg.optionalDependencies?.['@node-llama-cpp/linux-x64']).toBe(lock.packages['node_modules/node-llama-cpp']!.version);
    expect(lock.packages['node_modules/@node-llama-cpp/linux-x64']!.optional).toBe(true);
  });
});

describe('engines', () => {
  it('admits the Node version running the tests', () => {
    expect(semver.satisfies(process.versions.node, pkg.engines.node)).toBe(true);
  });

  it('is admitted by every installed package’s engines.node, production and development alike', () => {
    const narrower = installed
      .filter(([, e]) => !Array.isArray(e.engines) && typeof e.engines?.node === 'string')
      .filter(([, e]) => !semver.subset(pkg.engines.node, (e.engines as Record<string, string>).node!))
      .map(([path, e]) => `${path}@${e.version} needs node ${(e.engines as Record<string, string>).node}${e.dev ? ' (dev)' : ''}`);
    expect(narrower, `package.json engines.node is ${pkg.engines.node}`).toEqual([]);
  });

  it('would catch a production package that needs a newer Node (cookie 2, as light-my-request 6.8 brings it)', () => {
    expect(semver.subset(pkg.engines.node, '>=22')).toBe(false);
    expect(installed.some(([path, e]) => path.endsWith('/cookie') && !e.dev && e.version?.startsWith('2.'))).toBe(false);
  });
});
