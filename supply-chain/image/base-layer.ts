/**
 * The base layer of one platform: the files of the pinned Debian packages
 * (unpacked as dpkg would on a merged-/usr system, without running their
 * maintainer scripts), what
 * those scripts would have made that the image needs (the CA bundle), each
 * package's control file under /var/lib/dpkg/status.d/ (where scanners of
 * shell-less images look for the package list), and the system files of a
 * shell-less image: /etc/passwd and /etc/group with the non-root user,
 * /etc/nsswitch.conf, /tmp and the user's home.
 */
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

/** Top-level directories that Debian 12 (bookworm) keeps under /usr, with a symlink at the root. */
const MERGED = ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32'];

/**
 * `path` as it lands on a merged-/usr system, which Debian 12 installs by
 * default: `/lib/x86_64-linux-gnu/libc.so.6` is `/usr/lib/x86_64-linux-gnu/libc.so.6`
 * reached through the `/lib -> usr/lib` link. Programs that look for the C
 * library under /usr/lib (node-llama-cpp's glibc check does) find it.
 */
export function usrMerged(path: string): { path: string; top?: string } {
  const top = path.split('/')[0]!;
  return MERGED.includes(top) ? { path: `usr/${path}`, top } : { path };
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
  const merged = new Set(['bin', 'sbin', 'lib']);
  for (const { pkg, file } of parts.debs) {
    const part = debPart(pkg, file, mirror);
    const path = await store.get(part);
    let entries = 0;
    const info = await readDeb(path, part.name, async (e) => {
      const m = usrMerged(normalizePath(e.path, part.name));
      if (m.path === '') return;
      if (m.top) merged.add(m.top);
      const p = m.path;
      if (e.uid !== 0 || e.gid !== 0) {
        throw new SovraError('bad-input', `${part.name}: ${p} is owned by ${e.uid}:${e.gid}; the image has no such user, so packages with files not owned by root are not supported.`);
      }
      entries++;
      if (e.type === 'dir') layer.add(p, { type: 'dir', mode: e.mode, uid: 0, gid: 0 }, part.name);
      else if (e.type === 'symlink') layer.add(p, { type: 'symlink', mode: 0o777, uid: 0, gid: 0, linkname: e.linkname }, part.name);
      else if (e.type === 'hardlink') layer.add(p, { type: 'hardlink', mode: e.mode, uid: 0, gid: 0, linkname: usrMerged(normalizePath(e.linkname, part.name)).path }, part.name);
      else {
        if (p.startsWith(`${CA_PATHS.certificates}/`) && p.endsWith('.crt')) {
          // Certificates are small and also go into the bundle: read whole.
          const parts: Buffer[] = [];
          for await (const c of e.body()) parts.push(c);
          const pem = Buffer.concat(parts);
          certs.set(p.slice(CA_PATHS.certificates.length + 1), pem);
          layer.add(p, { type: 'file', mode: e.mode, uid: 0, gid: 0, content: pem }, part.name);
        } else {
          layer.add(p, { type: 'file', mode: e.mode, uid: 0, gid: 0, content: await staging.write(e.body()) }, part.name);
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
  for (const top of merged) layer.add(top, { type: 'symlink', mode: 0o777, uid: 0, gid: 0, linkname: `usr/${top}` }, 'merged /usr');
  for (const [path, content] of Object.entries(systemFiles())) layer.file(path, content);
  const u = CONTROL_PLANE_IMAGE_RUNTIME.user;
  layer.dir('tmp', 0o1777);
  layer.dir('root', 0o700);
  layer.dir(u.home, 0o700, u.uid, u.gid);
  return { layer, debs, caCertificates: certs.size };
}
