/**
 * The two layers made of npm packages. The Node.js layer: `bin/node` and
 * the license of the pinned `node-linux-<cpu>` package, as /usr/bin/node.
 * The dependency layer: the production tree of package-lock.json for the
 * platform (the packages `npm ci --omit=dev` installs there, optional ones
 * only where their os/cpu/libc admit it), each unpacked from its tarball,
 * checked against the lockfile's integrity, at the place the lockfile
 * names, the way npm unpacks (pacote): the first path component stripped,
 * links dropped, ownership not kept, files 0644 (0755 when executable or a
 * declared bin), `.gitignore` renamed `.npmignore`. Everything under /app is
 * made read-only (write bits cleared): it belongs to root, and the service
 * never writes there. npm's `.bin` links and hidden lockfile are not made:
 * nothing in the image runs a package's executable by name.
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { SovraError } from '../../core/errors.js';
import { productionInstalls, type NpmInstall } from '../npm-tree.js';
import { Layer, normalizePath, type Staging } from './layer.js';
import { NPM_CPU, type Architecture, type NodePart } from './parts.js';
import { integrityHex, type PartRef, type PartStore } from './store.js';
import { readTar } from './tar.js';

/** Where the application lives in the image. */
export const APP_DIR = 'app';

/** The registry URL of a package tarball: `<registry>/<name>/-/<unscoped name>-<version>.tgz`. */
export function npmTarballUrl(registry: string, name: string, version: string): string {
  return `${registry.replace(/\/+$/, '')}/${name}/-/${name.split('/').pop()}-${version}.tgz`;
}

/** The part reference of the Node.js package of a platform. */
export function nodePart(node: NodePart, registry: string): PartRef {
  return { name: `Node.js package ${node.name}@${node.version}`, algorithm: 'sha512', hex: integrityHex(node.integrity, node.name), url: `${registry.replace(/\/+$/, '')}/${node.tarball}` };
}

/** The part reference of an installed npm package (one with its own tarball). */
export function npmPart(p: NpmInstall, registry: string): PartRef {
  // A lockfile written against the public registry names it in `resolved` (or not at all): the chosen registry serves the same path.
  const url = p.resolved && !p.resolved.startsWith('https://registry.npmjs.org/') ? p.resolved : npmTarballUrl(registry, p.name, p.version);
  return { name: `npm package ${p.name}@${p.version} (${p.key})`, algorithm: 'sha512', hex: integrityHex(p.integrity ?? '', `package-lock.json ${p.key}`), url };
}

/** The Node.js layer of a platform. */
export async function nodeLayer(node: NodePart, store: PartStore, staging: Staging, registry: string, mtime: number): Promise<Layer> {
  const part = nodePart(node, registry);
  const path = await store.get(part);
  const layer = new Layer(`Node.js ${node.version} (${node.name})`, mtime);
  const wanted: Record<string, { to: string; mode: number }> = {
    'bin/node': { to: 'usr/bin/node', mode: 0o755 },
    LICENSE: { to: `usr/share/doc/${node.name}/LICENSE`, mode: 0o644 },
  };
  for await (const e of readTar(createReadStream(path, { highWaterMark: 1 << 20 }).pipe(createGunzip({ chunkSize: 1 << 18 })), part.name)) {
    const rel = normalizePath(e.path, part.name).split('/').slice(1).join('/');
    const w = wanted[rel];
    if (!w || e.type !== 'file') continue;
    layer.add(w.to, { type: 'file', mode: w.mode, uid: 0, gid: 0, content: await staging.write(e.body()) }, part.name);
  }
  for (const w of Object.values(wanted)) if (!layer.has(w.to)) throw new SovraError('bad-input', `${part.name}: the package has no ${w.to === 'usr/bin/node' ? 'bin/node' : 'LICENSE'}; is it a node-linux-* package?`);
  return layer;
}

/** npm's platform of an architecture (glibc Linux). */
export function npmPlatform(arch: Architecture) {
  return { os: 'linux', cpu: NPM_CPU[arch], libc: 'glibc' } as const;
}

/** The dependency layer of a platform, and the packages it holds. */
export async function dependencyLayer(
  lock: unknown,
  arch: Architecture,
  store: PartStore,
  staging: Staging,
  registry: string,
  mtime: number,
): Promise<{ layer: Layer; installs: NpmInstall[] }> {
  const installs = productionInstalls(lock, 'package-lock.json', npmPlatform(arch));
  const layer = new Layer(`production npm packages of package-lock.json (linux/${arch})`, mtime, 0o555);
  layer.dir(APP_DIR, 0o555);
  const own = installs.filter((p) => !p.bundled);
  for (const p of own) if (!p.integrity) throw new SovraError('bad-input', `package-lock.json: ${p.key} has no integrity, so its tarball cannot be checked; regenerate the lockfile with npm (packages from git or a folder are not supported in the image).`);
  // Downloads (if any) run ahead while earlier packages are unpacked.
  const paths = own.map((p) => store.get(npmPart(p, registry)));
  paths.forEach((p) => p.catch(() => undefined));
  for (const [i, p] of own.entries()) {
    const part = npmPart(p, registry);
    const tgz = await paths[i]!;
    const base = `${APP_DIR}/${p.key}`;
    layer.dir(base, 0o555);
    const bins = new Set(p.bins.map((b) => normalizePath(b, part.name)));
    const ignores = new Set<string>();
    for await (const e of readTar(createReadStream(tgz, { highWaterMark: 1 << 20 }).pipe(createGunzip({ chunkSize: 1 << 18 })), part.name)) {
      if (e.type !== 'file') continue; // npm creates directories as needed and drops links
      let rel = normalizePath(e.path, part.name).split('/').slice(1).join('/');
      if (rel === '') continue;
      const name = rel.slice(rel.lastIndexOf('/') + 1);
      if (name === '.npmignore') ignores.add(rel);
      else if (name === '.gitignore') {
        const renamed = `${rel.slice(0, rel.length - name.length)}.npmignore`;
        if (ignores.has(renamed)) continue;
        rel = renamed;
      }
      const exec = bins.has(rel) || (e.mode & 0o111) !== 0;
      const target = `${base}/${rel}`;
      // A later entry of the same path wins, as when npm unpacks.
      layer.remove(target);
      layer.add(target, { type: 'file', mode: exec ? 0o555 : 0o444, uid: 0, gid: 0, content: await staging.write(e.body()) }, part.name);
    }
    if (!layer.has(`${base}/package.json`)) throw new SovraError('bad-input', `${part.name}: the tarball has no package.json.`);
  }
  for (const p of installs.filter((x) => x.bundled)) {
    if (!layer.has(`${APP_DIR}/${p.key}/package.json`)) throw new SovraError('bad-input', `package-lock.json: ${p.key} is bundled in another package, but no tarball brought it.`);
  }
  return { layer, installs };
}
