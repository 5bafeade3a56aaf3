import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PackageURL } from 'packageurl-js';
import { describe, expect, it } from 'vitest';
import { isSovraError } from '../core/errors.js';
import { shipped } from '../core/paths.js';
import { npmComponents, readNpmTree, type NpmPackage } from './npm-tree.js';

/** Sovra's own lockfile, read straight from disk (not through the module under test). */
const lock = JSON.parse(readFileSync(shipped('package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string; integrity?: string; license?: string; dev?: boolean; dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> }> };
const tree = readNpmTree(lock, 'package-lock.json');
const byRef = new Map(tree.packages.map((p) => [p.bomRef, p]));
const pkg = (ref: string): NpmPackage => {
  const p = byRef.get(ref);
  if (!p) throw new Error(`${ref} is not in the tree`);
  return p;
};
const version = (key: string): string => lock.packages[key]!.version!;

/** `sha512-<base64>` of `data`, as npm writes it, and the hex an SBOM must carry. */
function integrity(data: string): { integrity: string; hex: string } {
  const h = createHash('sha512').update(data).digest();
  return { integrity: `sha512-${h.toString('base64')}`, hex: h.toString('hex') };
}

describe('readNpmTree on Sovra’s package-lock.json', () => {
  it('lists the production packages and leaves the development ones out', () => {
    expect(byRef.has(`npm:fastify@${version('node_modules/fastify')}`)).toBe(true);
    expect(byRef.has(`npm:@fastify/swagger@${version('node_modules/@fastify/swagger')}`)).toBe(true);
    for (const dev of ['vitest', 'tsx', 'oidc-provider', 'openai', 'cdk8s-cli']) {
      expect(lock.packages[`node_modules/${dev}`]?.dev, dev).toBe(true);
      expect([...byRef.keys()].some((r) => r.startsWith(`npm:${dev}@`)), dev).toBe(false);
    }
    expect(tree.packages.length).toBeGreaterThan(300);
    expect(tree.packages.map((p) => p.bomRef)).toEqual([...tree.packages.map((p) => p.bomRef)].sort());
  });

  it('roots are the root package’s production dependencies, resolved to their installed versions', () => {
    // Its optional dependency (node-llama-cpp's linux-x64 build) installs on the linux/x64 target, so it is a root too.
    const root = { ...lock.packages['']!.dependencies!, ...lock.packages['']!.optionalDependencies };
    expect(tree.roots).toEqual(Object.keys(root).map((n) => `npm:${n}@${version(`node_modules/${n}`)}`).sort());
  });

  it('fastify depends on exactly the versions its dependencies resolve to', () => {
    const fastify = pkg(`npm:fastify@${version('node_modules/fastify')}`);
    const deps = Object.keys(lock.packages['node_modules/fastify']!.dependencies!);
    // A dependency nested under fastify wins over the top level (light-my-request, pinned by an override).
    const at = (d: string) => (lock.packages[`node_modules/fastify/node_modules/${d}`] ? `node_modules/fastify/node_modules/${d}` : `node_modules/${d}`);
    expect(at('light-my-request')).toBe('node_modules/fastify/node_modules/light-my-request');
    expect(fastify.dependsOn).toEqual(deps.map((d) => `npm:${d}@${version(at(d))}`).sort());
    expect(fastify.dependsOn).toContain(`npm:avvio@${version('node_modules/avvio')}`);
    expect(fastify.dependsOn).toContain(`npm:light-my-request@${version('node_modules/fastify/node_modules/light-my-request')}`);
  });

  it('resolves like Node: the nearest node_modules going up wins', () => {
    // cdktf bundles glob 10 with its own minimatch 9, readdir-glob uses cdktf's minimatch 5, and the top level has minimatch 10.
    const nested = version('node_modules/cdktf/node_modules/glob/node_modules/minimatch');
    const cdktfs = version('node_modules/cdktf/node_modules/minimatch');
    const top = version('node_modules/minimatch');
    expect(new Set([nested, cdktfs, top]).size).toBe(3);
    const glob = pkg(`npm:glob@${version('node_modules/cdktf/node_modules/glob')}`);
    expect(glob.dependsOn).toContain(`npm:minimatch@${nested}`);
    expect(glob.dependsOn).not.toContain(`npm:minimatch@${cdktfs}`);
    expect(pkg(`npm:readdir-glob@${version('node_modules/cdktf/node_modules/readdir-glob')}`).dependsOn).toContain(`npm:minimatch@${cdktfs}`);
  });

  it('carries the SHA-512 of integrity as hex, and the license as written', () => {
    const entry = lock.packages['node_modules/fastify']!;
    const p = pkg(`npm:fastify@${entry.version}`);
    expect(p.hashes.sha512).toBe(Buffer.from(entry.integrity!.slice('sha512-'.length), 'base64').toString('hex'));
    expect(p.hashes.sha512).toMatch(/^[0-9a-f]{128}$/);
    expect(p.license).toBe('MIT');
    // Bundled inside cdktf's tarball: no digest of its own, and said so.
    const jsonify = pkg('npm:jsonify@0.0.1');
    expect(jsonify).toMatchObject({ bundled: true, hashes: {}, license: 'Public Domain' });
  });

  it('keeps optional packages that install on linux/x64 (glibc) and marks them; drops the others', () => {
    expect(pkg(`npm:@reflink/reflink-linux-x64-gnu@${version('node_modules/@reflink/reflink-linux-x64-gnu')}`).optional).toBe(true);
    for (const other of ['reflink-darwin-x64', 'reflink-win32-x64-msvc', 'reflink-linux-x64-musl', 'reflink-linux-arm64-gnu']) {
      expect([...byRef.keys()].some((r) => r.startsWith(`npm:@reflink/${other}@`)), other).toBe(false);
    }
    expect(pkg(`npm:fastify@${version('node_modules/fastify')}`).optional).toBe(false);
  });
});

describe('readNpmTree on a lockfile written here', () => {
  const a = integrity('a');
  const b = integrity('b');
  const lockfile = {
    lockfileVersion: 3,
    packages: {
      '': { name: 'app', dependencies: { '@s/a': '1', b: '1' }, devDependencies: { d: '1' } },
      'node_modules/@s/a': { version: '1.0.0', integrity: a.integrity, license: 'MIT', dependencies: { c: '^1', 'c-alias': 'npm:c@^2' }, peerDependencies: { p: '*', missing: '*' }, optionalDependencies: { gone: '*' } },
      'node_modules/@s/a/node_modules/c': { version: '1.5.0', integrity: b.integrity, license: 'ISC' },
      'node_modules/@s/a/node_modules/c-alias': { name: 'c', version: '2.0.0', inBundle: true, license: 'ISC' },
      'node_modules/b': { version: '3.0.0', license: 'SEE LICENSE IN LICENSE', dependencies: { c: '^2', '@s/a': '1' } },
      'node_modules/c': { version: '2.0.0', license: 'ISC' },
      'node_modules/p': { version: '1.0.0', license: 'MIT', peer: true },
      'node_modules/d': { version: '1.0.0', dev: true, license: 'MIT', dependencies: { c: '^2' } },
      'node_modules/mac': { version: '1.0.0', optional: true, os: ['darwin'] },
      'node_modules/musl': { version: '1.0.0', optional: true, os: ['linux'], cpu: ['x64'], libc: ['musl'] },
      'node_modules/anywhere': { version: '1.0.0', optional: true, os: ['!win32'] },
    },
  };

  it('builds the graph, purls, digests, aliases and flags', () => {
    const t = readNpmTree(lockfile, 'test.json');
    expect(t.roots).toEqual(['npm:@s/a@1.0.0', 'npm:b@3.0.0']);
    const m = new Map(t.packages.map((p) => [p.bomRef, p]));
    expect([...m.keys()]).toEqual(['npm:@s/a@1.0.0', 'npm:anywhere@1.0.0', 'npm:b@3.0.0', 'npm:c@1.5.0', 'npm:c@2.0.0', 'npm:p@1.0.0']);
    // The nested c 1.5.0 for @s/a; its alias c-alias is c 2.0.0 (the same package as the top-level one); the peer p; nothing for the absent peer and optional.
    expect(m.get('npm:@s/a@1.0.0')!.dependsOn).toEqual(['npm:c@1.5.0', 'npm:c@2.0.0', 'npm:p@1.0.0']);
    expect(m.get('npm:b@3.0.0')!.dependsOn).toEqual(['npm:@s/a@1.0.0', 'npm:c@2.0.0']);
    expect(m.get('npm:@s/a@1.0.0')!.hashes).toEqual({ sha512: a.hex });
    expect(m.get('npm:c@1.5.0')!.hashes).toEqual({ sha512: b.hex });
    // c 2.0.0 is installed twice: once bundled, once not; it is one package, not bundled.
    expect(m.get('npm:c@2.0.0')!.bundled).toBe(false);
    expect(m.get('npm:anywhere@1.0.0')!.optional).toBe(true);

    const { all, roots } = npmComponents(t);
    expect(roots.map((r) => r.bomRef.toString())).toEqual(t.roots);
    const a1 = all.find((c) => c.bomRef.toString() === 'npm:@s/a@1.0.0')!;
    expect(a1.purl!.toString()).toBe('pkg:npm/%40s/a@1.0.0');
    expect(PackageURL.fromString(a1.purl!.toString())).toMatchObject({ type: 'npm', namespace: '@s', name: 'a', version: '1.0.0' });
    expect(a1.group).toBe('@s');
    expect([...a1.dependencies].map(String).sort()).toEqual(['npm:c@1.5.0', 'npm:c@2.0.0', 'npm:p@1.0.0']);
    // Every dependency is the very BomRef of the target component (the serializer drops anything else).
    const refs = new Set(all.map((c) => c.bomRef));
    for (const c of all) for (const d of c.dependencies) expect(refs.has(d)).toBe(true);
  });

  it('refuses lockfiles it cannot read, naming the problem', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ lockfileVersion: 1, dependencies: {} }, /lockfileVersion 1.*npm 7/],
      [{ lockfileVersion: 3, packages: { '': { dependencies: { x: '1' } } } }, /the root package depends on "x", which is not in the lockfile/],
      [{ lockfileVersion: 3, packages: { '': {}, 'node_modules/x': { version: '1.0.0', integrity: 'md5-zzz' } } }, /node_modules\/x: integrity "md5-zzz"/],
    ];
    for (const [doc, message] of cases) {
      try {
        readNpmTree(doc, 'bad.json');
        expect.unreachable('should have thrown');
      } catch (e) {
        expect(isSovraError(e) && e.code).toBe('bad-input');
        expect((e as Error).message).toMatch(/^bad\.json/);
        expect((e as Error).message).toMatch(message);
      }
    }
  });
});
