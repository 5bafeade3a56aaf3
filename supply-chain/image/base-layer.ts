/**
 * The base layer of one platform: the files of the pinned Debian packages
 * (unpacked as dpkg would, without running their maintainer scripts), what
 * those scripts would have made that the image needs (the CA bundle), each
 * package's control file under /var/lib/dpkg/status.d/ (where scanners of
 * shell-less images look for the package list), and the system files of a
 * shell-less image: /etc/passwd and /etc/group with the non-root user,
 * /etc/nsswitch.conf, /tmp and the user's home.
 */
import { readFile } from 'node:fs/promises';
import { CONTROL_PLANE_IMAGE_RUNTIME } from '../../contracts/control-plane.js';
import { SovraError } from '../../core/errors.js';
import { caBundle, CA_PATHS } from './ca-bundle.js';
import { controlField, readDeb } from './deb.js';
import { Layer, normalizePath, type Staging } from './layer.js';
import type { DebFile, DebPackage, PlatformParts } from './parts.js';
import type { PartStore } from './store.js';

/** A Debian package as installed into the image. */
export interface InstalledDeb {
  readonly pkg: DebPackage;
  readonly file: DebFile;
  /** Files, links and directories it added. */
  readonly entries: number;
}

/** The part reference of a pinned .deb. */
export function debPart(pkg: DebPackage, file: DebFile, mirror: string) {
  return {
    name: `Debian package ${pkg.package} ${file.version} (${file.architecture})`,
    algorithm: 'sha256' as const,
    hex: file.sha256,
    size: file.size,
    url: `${mirror.replace(/\/+$/, '')}/${file.filename}`,
  };
}

/** /etc/passwd, /etc/group and /etc/nsswitch.conf of the image. */
export function systemFiles(): Record<string, string> {
  const u = CONTROL_PLANE_IMAGE_RUNTIME.user;
  return {
    'etc/passwd': `root:x:0:0:root:/root:/sbin/nologin\n${u.name}:x:${u.uid}:${u.gid}:${u.name}:${u.home}:/sbin/nologin\n`,
    'etc/group': `root:x:0:\n${u.name}:x:${u.gid}:\n`,
    // Host names from /etc/hosts (which Kubernetes writes) before DNS; users and groups from the files above.
    'etc/nsswitch.conf': 'passwd: files\ngroup: files\nshadow: files\nhosts: files dns\nnetworks: files\nprotocols: files\nservices: files\n',
  };
}

/** Builds the base layer of `parts`' platform. */
export async function baseLayer(parts: PlatformParts, store: PartStore, staging: Staging, mirror: string, mtime: number): Promise<{ layer: Layer; debs: InstalledDeb[]; caCertificates: number }> {
  const layer = new Layer(`base layer (linux/${parts.architecture})`, mtime);
  const certs = new Map<string, Buffer>();
  const debs: InstalledDeb[] = [];
  for (const { pkg, file } of parts.debs) {
    const part = debPart(pkg, file, mirror);
    const path = await store.get(part);
    let entries = 0;
    const info = await readDeb(path, part.name, async (e) => {
      const p = normalizePath(e.path, part.name);
      if (p === '') return;
      if (e.uid !== 0 || e.gid !== 0) {
        throw new SovraError('bad-input', `${part.name}: ${p} is owned by ${e.uid}:${e.gid}; the image has no such user, so packages with files not owned by root are not supported.`);
      }
      entries++;
      if (e.type === 'dir') layer.add(p, { type: 'dir', mode: e.mode, uid: 0, gid: 0 }, part.name);
      else if (e.type === 'symlink') layer.add(p, { type: 'symlink', mode: 0o777, uid: 0, gid: 0, linkname: e.linkname }, part.name);
      else if (e.type === 'hardlink') layer.add(p, { type: 'hardlink', mode: e.mode, uid: 0, gid: 0, linkname: normalizePath(e.linkname, part.name) }, part.name);
      else {
        const staged = await staging.write(e.body());
        layer.add(p, { type: 'file', mode: e.mode, uid: 0, gid: 0, content: staged }, part.name);
        if (p.startsWith(`${CA_PATHS.certificates}/`) && p.endsWith('.crt')) {
          certs.set(p.slice(CA_PATHS.certificates.length + 1), await readFile(staged.path));
        }
      }
    });
    // The package's own control file must be the package that was pinned.
    const found = { Package: controlField(info.control, 'Package'), Version: controlField(info.control, 'Version'), Architecture: controlField(info.control, 'Architecture') };
    const want = { Package: pkg.package, Version: file.version, Architecture: file.architecture };
    for (const k of Object.keys(want) as Array<keyof typeof want>) {
      if (found[k] !== want[k]) throw new SovraError('failed-verification', `${part.name}: its control file says ${k} ${found[k]}, but the pin says ${want[k]}.`);
    }
    layer.file(`var/lib/dpkg/status.d/${pkg.package}`, info.control.endsWith('\n') ? info.control : `${info.control}\n`);
    debs.push({ pkg, file, entries });
  }
  if (certs.size > 0) {
    const ca = caBundle(certs);
    layer.file(CA_PATHS.conf, ca.conf);
    layer.file(CA_PATHS.bundle, ca.bundle);
  }
  for (const [path, content] of Object.entries(systemFiles())) layer.file(path, content);
  const u = CONTROL_PLANE_IMAGE_RUNTIME.user;
  layer.dir('tmp', 0o1777);
  layer.dir('root', 0o700);
  layer.dir(u.home, 0o700, u.uid, u.gid);
  return { layer, debs, caCertificates: certs.size };
}
