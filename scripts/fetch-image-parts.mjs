#!/usr/bin/env node
// Downloads the pinned parts of the control plane image (supply-chain/image/parts.lock.json:
// Debian packages from the Debian archive, Node.js from the npm registry) into .cache/image-parts/,
// each checked against its pin while it streams, so that the image tests (which talk to loopback
// only) and `sovra image build --cache .cache/image-parts` run offline. Production npm tarballs of
// package-lock.json that npm's own cache lacks are fetched too (after `npm ci` there are none).
// Parts already cached and intact are not fetched again.
//
//   npm run fetch:image-parts      (SOVRA_DEBIAN_MIRROR, SOVRA_NPM_REGISTRY override the sources)
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cacheDir = join(root, '.cache', 'image-parts');
const debianMirror = (process.env.SOVRA_DEBIAN_MIRROR || 'https://deb.debian.org/debian').replace(/\/+$/, '');
const npmRegistry = (process.env.SOVRA_NPM_REGISTRY || 'https://registry.npmjs.org').replace(/\/+$/, '');
const npmCache = join(process.env.npm_config_cache || join(homedir(), '.npm'), '_cacache');
const parts = JSON.parse(readFileSync(join(root, 'supply-chain/image/parts.lock.json'), 'utf8'));
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));

const hexOf = (integrity) => {
  const m = /(?:^|\s)sha512-([A-Za-z0-9+/]+={0,2})/.exec(integrity ?? '');
  return m ? Buffer.from(m[1], 'base64').toString('hex') : undefined;
};

async function digest(path, algorithm) {
  const h = createHash(algorithm);
  for await (const c of createReadStream(path)) h.update(c);
  return h.digest('hex');
}

/** The wanted parts: every Debian file and Node.js package the lock pins (all platforms). */
const wanted = [];
for (const pkg of parts.debian.packages) {
  for (const f of pkg.files) wanted.push({ name: `Debian ${pkg.package} ${f.version} (${f.architecture})`, algorithm: 'sha256', hex: f.sha256, size: f.size, url: `${debianMirror}/${f.filename}` });
}
for (const n of parts.node.packages) wanted.push({ name: `${n.name}@${n.version}`, algorithm: 'sha512', hex: hexOf(n.integrity), url: `${npmRegistry}/${n.tarball}` });

// Production npm packages that install on one of the image's platforms (npm's os/cpu/libc rules),
// the same selection the image build makes; only those missing from npm's cache are fetched.
const admits = (list, value) => {
  if (!list || list.length === 0) return true;
  if (list.includes(`!${value}`)) return false;
  const allow = list.filter((x) => !x.startsWith('!'));
  return allow.length === 0 || allow.includes(value);
};
const cpus = parts.platforms.map((p) => ({ 'linux/amd64': 'x64', 'linux/arm64': 'arm64' })[p]);
for (const [key, e] of Object.entries(lock.packages)) {
  if (key === '' || e.dev || e.extraneous || e.link || e.inBundle || !e.integrity) continue;
  if ((e.optional || e.devOptional) && !cpus.some((cpu) => admits(e.os, 'linux') && admits(e.cpu, cpu) && admits(e.libc, 'glibc'))) continue;
  const hex = hexOf(e.integrity);
  if (!hex) continue;
  const inNpmCache = join(npmCache, 'content-v2', 'sha512', hex.slice(0, 2), hex.slice(2, 4), hex.slice(4));
  if (existsSync(inNpmCache)) continue;
  // The lock records no `resolved` URL: the registry's tarball path is <name>/-/<unscoped name>-<version>.tgz.
  const name = e.name ?? key.slice(key.lastIndexOf('node_modules/') + 13);
  wanted.push({ name: `${name}@${e.version}`, algorithm: 'sha512', hex, url: `${npmRegistry}/${name}/-/${name.split('/').pop()}-${e.version}.tgz` });
}

let fetched = 0;
let bytes = 0;
for (const part of wanted) {
  const dir = join(cacheDir, 'blobs', part.algorithm);
  const target = join(dir, part.hex);
  if (existsSync(target) && (await digest(target, part.algorithm)) === part.hex) continue;
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.tmp-${randomBytes(6).toString('hex')}`);
  let error;
  for (let attempt = 1; attempt <= 3; attempt++) {
    error = undefined;
    try {
      const res = await fetch(part.url);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const h = createHash(part.algorithm);
      let size = 0;
      const body = Readable.fromWeb(res.body);
      body.on('data', (c) => {
        h.update(c);
        size += c.length;
      });
      await pipeline(body, createWriteStream(tmp));
      const found = h.digest('hex');
      if (found !== part.hex || (part.size !== undefined && size !== part.size)) {
        rmSync(tmp, { force: true });
        console.error(`fetch-image-parts: ${part.name}: ${part.url} has ${part.algorithm}:${found} (${size} bytes), but the pin is ${part.algorithm}:${part.hex}${part.size ? ` (${part.size} bytes)` : ''}. Not cached.`);
        process.exit(9);
      }
      renameSync(tmp, target);
      fetched++;
      bytes += size;
      break;
    } catch (e) {
      rmSync(tmp, { force: true });
      error = e;
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
  if (error) {
    console.error(`fetch-image-parts: ${part.name}: cannot download ${part.url}: ${error.cause?.code ?? error.message}`);
    process.exit(10);
  }
}
console.log(`fetch-image-parts: ${wanted.length} parts in ${cacheDir} (${fetched} fetched now, ${(bytes / 1048576).toFixed(1)} MiB)`);
