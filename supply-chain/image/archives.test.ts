/**
 * The archive formats the image build reads and writes, each checked
 * against the real tools: layers written here are listed and unpacked by
 * GNU tar, archives GNU tar writes are read here, and Debian packages made
 * by dpkg-deb (xz, zstd, gzip) are read here.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, createReadStream, mkdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { caBundle } from './ca-bundle.js';
import { controlField, readAr, readDeb } from './deb.js';
import { Layer, Staging } from './layer.js';
import { readTar, type TarHeader } from './tar.js';

const dir = join(tmpdir(), `sovra-archives-${process.pid}`);
mkdirSync(dir, { recursive: true });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(cmd: string, args: string[], cwd = dir): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  if (r.error) throw new Error(`${cmd} is needed by this test and is not installed (${r.error.message})`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

async function headers(path: string): Promise<Array<TarHeader & { text?: string }>> {
  const out: Array<TarHeader & { text?: string }> = [];
  for await (const e of readTar(createReadStream(path), path)) {
    const parts: Buffer[] = [];
    for await (const c of e.body()) parts.push(c);
    const { body: _b, ...h } = e;
    out.push({ ...h, ...(e.type === 'file' ? { text: Buffer.concat(parts).toString('utf8') } : {}) });
  }
  return out;
}

const deep = `${'d'.repeat(60)}/${'e'.repeat(60)}/${'f'.repeat(60)}`; // > 100 bytes, splits into ustar prefix and name
const huge = `${'g'.repeat(120)}/${'h'.repeat(120)}`; // a last component over 100 bytes: needs a pax path

async function sampleLayer(staging: Staging): Promise<Layer> {
  const layer = new Layer('sample', 1783764997);
  layer.file('etc/passwd', 'root:x:0:0::/root:/sbin/nologin\n');
  layer.dir('tmp', 0o1777);
  layer.dir('home/nonroot', 0o700, 65532, 65532);
  layer.file(`${deep}/file.txt`, 'deep\n');
  layer.file(`${huge}/file.txt`, 'huge\n');
  layer.file('usr/share/ca/NetLock_Arany_=Class_Gold=_Főtanúsítvány.crt', 'utf-8 name\n');
  layer.add('lib64/ld.so', { type: 'symlink', mode: 0o777, uid: 0, gid: 0, linkname: '/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2' }, 'test');
  layer.add('usr/lib/long-link', { type: 'symlink', mode: 0o777, uid: 0, gid: 0, linkname: `/${huge}/file.txt` }, 'test');
  layer.add('usr/bin/tool', { type: 'file', mode: 0o755, uid: 0, gid: 0, content: await staging.write((async function* () { yield Buffer.from('#!'); yield Buffer.alloc(70_000, 0x61); })()) }, 'test');
  // Added out of order: the writer sorts.
  layer.file('a-b/c', 'sibling of a\n');
  layer.file('a/c', 'child of a\n');
  layer.add('usr/bin/same', { type: 'hardlink', mode: 0o755, uid: 0, gid: 0, linkname: 'usr/bin/tool' }, 'test');
  return layer;
}

describe('layers as tar', () => {
  it('are written sorted, with every parent, fixed time and numeric owners, the same bytes every time, and GNU tar reads them whole', async () => {
    const staging = new Staging(join(dir, 'staging'));
    const out1 = join(dir, 'l1');
    const out2 = join(dir, 'l2');
    mkdirSync(out1);
    mkdirSync(out2);
    const w1 = await (await sampleLayer(staging)).writeTar(out1);
    const w2 = await (await sampleLayer(staging)).writeTar(out2);
    expect(w2.digest).toBe(w1.digest);
    const file = join(out1, w1.digest.slice(7));
    expect(statSync(file).size).toBe(w1.size);
    expect(readFileSync(file).subarray(-1024).every((b) => b === 0)).toBe(true);

    const listing = run('tar', ['--numeric-owner', '--full-time', '-tvf', file]).trim().split('\n');
    const names = listing.map((l) => l.split(/\s+/).slice(5).join(' ').replace(/ -> .*$/, '').replace(/ link to .*$/, ''));
    const paths = names.map((n) => n.replace(/\/$/, ''));
    expect(paths).toEqual([...paths].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
    // Parents were added: every directory precedes what it holds.
    for (const p of paths) {
      for (let i = p.indexOf('/'); i > 0; i = p.indexOf('/', i + 1)) expect(paths.indexOf(p.slice(0, i))).toBeLessThan(paths.indexOf(p));
    }
    expect(paths).toContain(`${huge}/file.txt`);
    expect(paths).toContain('usr/share/ca/NetLock_Arany_=Class_Gold=_Főtanúsítvány.crt');
    expect(listing.every((l) => l.includes('2026-07-11 10:16:37'))).toBe(true);
    expect(listing.find((l) => l.endsWith('home/nonroot/'))).toMatch(/^drwx------ 65532\/65532 /);
    expect(listing.find((l) => l.endsWith('tmp/'))).toMatch(/^drwxrwxrwt 0\/0 /);

    const root = join(dir, 'root');
    mkdirSync(root);
    run('tar', ['--numeric-owner', '-xpf', file, '-C', root]);
    expect(readFileSync(join(root, huge, 'file.txt'), 'utf8')).toBe('huge\n');
    expect(readFileSync(join(root, deep, 'file.txt'), 'utf8')).toBe('deep\n');
    expect(readlinkSync(join(root, 'usr/lib/long-link'))).toBe(`/${huge}/file.txt`);
    expect(statSync(join(root, 'usr/bin/tool')).size).toBe(70_002);
    // A hardlink is written as a copy of its target, so the order never puts a link before its file.
    expect(readFileSync(join(root, 'usr/bin/same'))).toEqual(readFileSync(join(root, 'usr/bin/tool')));
    expect(statSync(join(root, 'tmp')).mode & 0o7777).toBe(0o1777);

    // And the reader reads back what was written.
    const back = await headers(file);
    expect(back.find((h) => h.path === `${huge}/file.txt`)).toMatchObject({ type: 'file', text: 'huge\n', mtime: 1783764997, uid: 0 });
    expect(back.find((h) => h.path === 'usr/lib/long-link')).toMatchObject({ type: 'symlink', linkname: `/${huge}/file.txt` });
    expect(back.find((h) => h.path === 'home/nonroot')).toMatchObject({ type: 'dir', mode: 0o700, uid: 65532, gid: 65532 });
  });

  it('refuses a path twice, a file inside a file, and paths that leave the root', async () => {
    const l = new Layer('twice', 0);
    l.file('a', 'x');
    expect(() => l.file('a', 'y')).toThrow(/twice: a is added twice/);
    expect(() => l.file('../etc/x', 'y')).toThrow(/leaves the root/);
    l.file('a/b', 'z');
    mkdirSync(join(dir, 'bad'));
    await expect(l.writeTar(join(dir, 'bad'))).rejects.toThrow(/a is a file but a\/b is inside it/);
  });
});

describe('reading tar', () => {
  it('reads what GNU tar writes in gnu, pax and ustar formats, with long names and links', async () => {
    const src = join(dir, 'src');
    mkdirSync(join(src, huge), { recursive: true });
    writeFileSync(join(src, huge, 'x.txt'), 'x'.repeat(1000));
    writeFileSync(join(src, 'exec'), 'run\n');
    chmodSync(join(src, 'exec'), 0o755);
    run('ln', ['-s', `${huge}/x.txt`, 'link'], src);
    for (const format of ['gnu', 'pax']) {
      const file = join(dir, `${format}.tar`);
      run('tar', ['--format', format, '-cf', file, '-C', src, '.']);
      const h = await headers(file);
      expect(h.find((e) => e.path === `./${huge}/x.txt`), format).toMatchObject({ type: 'file', size: 1000, text: 'x'.repeat(1000) });
      expect(h.find((e) => e.path === './exec'), format).toMatchObject({ type: 'file', mode: 0o755 });
      expect(h.find((e) => e.path === './link'), format).toMatchObject({ type: 'symlink', linkname: `${huge}/x.txt` });
    }
    const corrupt = readFileSync(join(dir, 'gnu.tar'));
    corrupt[10] = corrupt[10]! ^ 0xff;
    writeFileSync(join(dir, 'corrupt.tar'), corrupt);
    await expect(headers(join(dir, 'corrupt.tar'))).rejects.toThrow(/header checksum mismatch/);
  });
});

describe('Debian packages', () => {
  it.each(['xz', 'zstd', 'gzip'])('reads a package dpkg-deb builds with %s: control file and data entries', async (compression) => {
    const pkg = join(dir, `pkg-${compression}`);
    mkdirSync(join(pkg, 'DEBIAN'), { recursive: true });
    mkdirSync(join(pkg, 'usr/lib/x86_64-linux-gnu'), { recursive: true });
    writeFileSync(join(pkg, 'DEBIAN/control'), 'Package: sovra-test\nVersion: 1.0-1\nArchitecture: amd64\nMaintainer: nobody <nobody@example.org>\nDescription: test\n');
    writeFileSync(join(pkg, 'usr/lib/x86_64-linux-gnu/libtest.so.1.0'), 'ELF?');
    run('ln', ['-s', 'libtest.so.1.0', join(pkg, 'usr/lib/x86_64-linux-gnu/libtest.so.1')]);
    const deb = join(dir, `sovra-test-${compression}.deb`);
    run('dpkg-deb', ['--root-owner-group', `-Z${compression}`, '--build', pkg, deb]);
    expect(readAr(readFileSync(deb), deb).map((m) => m.name)).toEqual(['debian-binary', `control.tar.${{ xz: 'xz', zstd: 'zst', gzip: 'gz' }[compression]}`, `data.tar.${{ xz: 'xz', zstd: 'zst', gzip: 'gz' }[compression]}`]);
    const seen: Record<string, string> = {};
    const info = await readDeb(deb, 'test package', async (e) => {
      let text = '';
      for await (const c of e.body()) text += c.toString();
      seen[e.path] = e.type === 'symlink' ? `-> ${e.linkname}` : e.type === 'dir' ? 'dir' : text;
    });
    expect(controlField(info.control, 'Package')).toBe('sovra-test');
    expect(controlField(info.control, 'Version')).toBe('1.0-1');
    expect(seen).toMatchObject({ './usr/lib/x86_64-linux-gnu/libtest.so.1.0': 'ELF?', './usr/lib/x86_64-linux-gnu/libtest.so.1': '-> libtest.so.1.0', './usr': 'dir' });
  });

  it('refuses what is not a .deb, naming it', async () => {
    writeFileSync(join(dir, 'not.deb'), 'hello');
    await expect(readDeb(join(dir, 'not.deb'), 'Debian package x', async () => undefined)).rejects.toThrow(/Debian package x is not an ar archive/);
  });
});

describe('the CA bundle', () => {
  it('concatenates every selected certificate in byte order, adding the newline a file lacks, as update-ca-certificates does', () => {
    const certs = new Map([
      ['mozilla/b.crt', Buffer.from('B\n')],
      ['mozilla/Z.crt', Buffer.from('Z-no-newline')],
      ['mozilla/a.crt', Buffer.from('A\n')],
      ['mozilla/README', Buffer.from('not a certificate')],
    ]);
    const { conf, bundle, count } = caBundle(certs);
    expect(count).toBe(3);
    expect(bundle.toString()).toBe('Z-no-newline\nA\nB\n');
    expect(conf.split('\n').filter((l) => l && !l.startsWith('#'))).toEqual(['mozilla/Z.crt', 'mozilla/a.crt', 'mozilla/b.crt']);
  });
});
