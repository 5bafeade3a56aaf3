/**
 * `sovra bundle` (build the air-gapped archive of a profile), `sovra bundle
 * load` (push it into the site's registry) and `sovra bundle verify` (check
 * it offline).
 */
import { readFileSync } from 'node:fs';
import { SovraError } from '../../core/errors.js';
import { BUNDLE_FINDING_HELP, BUNDLE_REFUSAL_EXIT, BUNDLE_VERIFY_EXIT, REGISTRY_EXIT, REGISTRY_EXIT_HELP, type BundleFindingKind } from '../../contracts/bundle-codes.js';
import { parseCommandArgs } from '../args.js';
import type { Command } from '../command.js';
import { asSovraError, REGISTRY_FLAGS, REGISTRY_FLAGS_USAGE, registryClient } from '../registry-options.js';
import { loadInventory, readLock } from './images.js';

const registryCodes = (Object.keys(REGISTRY_EXIT) as Array<keyof typeof REGISTRY_EXIT>).map((k) => `  ${REGISTRY_EXIT[k]}  ${k}: ${REGISTRY_EXIT_HELP[k]}`).join('\n');

const bundleUsage = `Usage: sovra bundle --profile <name|file> --out <file.tar.zst> --key <private.pem> [options]

Writes one archive (tar, zstd-compressed) for an air-gapped site:
  oci-layout, index.json, blobs/   an OCI image layout with every image of the profile by digest
                                   (multi-platform images filtered to the profile's
                                   distribution.architectures, default amd64; --all-platforms keeps all)
  charts/<chart>-<version>.tgz     every chart archive, checked against its pinned digest
  models/<name>/<file>             model weights by SHA-256 (those that can be had by digest)
  synth/                           the synth output of the profile, every view, signed with --key
  bundle.json                      what is carried, for whom, and what is not and why
  provenance.intoto.json           in-toto statement whose subjects are every file above
  provenance.sigstore.json         its signature with --key (Sigstore bundle v0.3)
Images that are not locked and charts without a pinned archive digest are refused, each named.
Everything fetched goes through a content-addressed cache first, so a second bundle fetches
nothing it has; an interrupted download resumes there. Same inputs give the same bytes (with an
Ed25519 key: ECDSA signatures are randomized).

Options:
  --profile <name|file>  dev, edge, cluster, or a profile file
  --out <file>           the archive to write; replaced only when everything succeeded
  --key <private.pem>    signing key (\`sovra keygen\`)
  --lock <file>          image lock (default: images.lock.json shipped with Sovra)
  --cache <dir>          blob cache (default $XDG_CACHE_HOME/sovra, else ~/.cache/sovra)
  --all-platforms        carry every platform of multi-platform images
  --models-dir <dir>     files of models declared by digest, as <dir>/<model name>/<path>
  --concurrency <n>      parallel blob downloads (default 4)
  --k3s-images <file>    also write the images alone as an OCI layout .tar.zst for K3s's
                         agent/images/ folder (single-node sites without a registry)
  --quiet                print nothing on success
${REGISTRY_FLAGS_USAGE}

Exit status: 0 written, 2 usage, 3 bad profile, 7 bad key or input, 9 a cached or downloaded
file failed its digest, 10 I/O,
  ${BUNDLE_REFUSAL_EXIT.unlocked}  an image is not locked by digest
  ${BUNDLE_REFUSAL_EXIT.chart}  a chart has no pinned archive digest (or two archives for one chart version)
  ${BUNDLE_REFUSAL_EXIT.model}  a model's files cannot be carried by digest
and per registry failure:
${registryCodes}
`;

/** `sovra bundle`. */
export const bundleCommand: Command = {
  name: 'bundle',
  summary: 'Write the signed air-gapped archive of a profile: images, charts, models, synth output',
  usage: bundleUsage,
  async run(args) {
    const { values } = parseCommandArgs('bundle', args, {
      profile: { type: 'string' },
      out: { type: 'string' },
      key: { type: 'string' },
      lock: { type: 'string' },
      cache: { type: 'string' },
      'all-platforms': { type: 'boolean', default: false },
      'models-dir': { type: 'string' },
      concurrency: { type: 'string', default: '4' },
      'k3s-images': { type: 'string' },
      quiet: { type: 'boolean', default: false },
      ...REGISTRY_FLAGS,
    });
    if (!values.profile) throw new SovraError('usage', 'sovra bundle: --profile is required (dev, edge, cluster, or a profile file). Run `sovra bundle --help` for usage.');
    if (!values.out) throw new SovraError('usage', 'sovra bundle: --out <file.tar.zst> is required.');
    if (!values.key) throw new SovraError('usage', 'sovra bundle: --key <private.pem> is required: the bundle is signed (create a key with `sovra keygen --out <prefix>`).');
    const concurrency = Number(values.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new SovraError('usage', `sovra bundle: --concurrency ${values.concurrency} must be a whole number from 1 to 64.`);
    const [{ LocalKeySigner }, { createBundle }, { defaultCacheDir }, { synth, buildEpoch, SOVRA_VERSION }, { BUILTIN_NAMES }] = await Promise.all([
      import('../../supply-chain/signer.js'),
      import('../../supply-chain/bundle/create.js'),
      import('../../supply-chain/oci/cache.js'),
      import('../../synth/synth.js'),
      import('../../profiles/load.js'),
    ]);
    const signer = LocalKeySigner.fromFile(values.key);
    const lock = await readLock(values.lock);
    const { profile, inventory } = await loadInventory(values.profile, lock);
    const profileFile = (BUILTIN_NAMES as readonly string[]).includes(values.profile) ? undefined : values.profile;
    const client = await registryClient(values);
    const started = performance.now();
    try {
      const result = await createBundle({
        profile,
        profileSource: values.profile,
        inventory,
        lock: { file: lock.file, origin: lock.origin },
        out: values.out,
        signer,
        client,
        cacheDir: values.cache ?? defaultCacheDir(),
        allPlatforms: values['all-platforms'],
        epoch: buildEpoch(),
        sovraVersion: SOVRA_VERSION,
        concurrency,
        ...(values['models-dir'] ? { modelsDir: values['models-dir'] } : {}),
        ...(values['k3s-images'] ? { k3sImages: values['k3s-images'] } : {}),
        // The synth of the same profile and lock, signed with the same key; an air-gapped profile's
        // HelmChart objects embed the chart archives the bundle fetched (checked against their pins).
        synth: async ({ outDir, chartArchive }) => {
          const archive = (spec: { release: string }): Buffer | undefined => {
            const path = chartArchive(spec.release);
            return path ? readFileSync(path) : undefined;
          };
          await synth({ profile, profileSource: values.profile!, outDir, lock, signer, chartArchive: archive, ...(profileFile ? { profileFile } : {}) });
        },
        onProgress: values.quiet ? undefined : (line) => process.stderr.write(`sovra bundle: ${line}\n`),
      });
      if (!values.quiet) {
        const m = result.manifest;
        process.stdout.write(
          `wrote ${values.out}: ${m.images.length} images (${m.platforms === 'all' ? 'all platforms' : m.platforms.join(', ')}), ${m.charts.length} charts, ${m.models.length} models, the synth output; ${result.files} files, ${result.bytes} bytes; signed with key ${signer.keyHint}; ${result.downloaded} bytes fetched in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
        );
        for (const n of m.notCarried) process.stdout.write(`not carried: ${n.kind} ${n.name} (${n.component}): ${n.reason}\n`);
      }
      return 0;
    } catch (e) {
      throw asSovraError(e);
    } finally {
      client.close();
    }
  },
};

const loadUsage = `Usage: sovra bundle load <file.tar.zst> --registry <host[:port]> [--insecure] [--ca <file>] [--authfile <file>] [--json]

Pushes every image of a bundle into the site's registry, reading the archive
once, in order, while up to three uploads run (the next layer streams while the
registry still commits the last): each layer is uploaded in chunks to the first
repository that needs it (skipped when the registry has it) and mounted into
the others; every blob is hashed on the way
and committed only if it matches its digest. Manifests are pushed children
first, tagged, and read back by digest. Each image lives under its upstream
registry's name (quay.io/cilium/cilium → <registry>/quay.io/cilium/cilium, a
port's ':' written '_'), each chart as an OCI artifact at
<registry>/charts/<chart>:<version>; the printed registries.yaml mirrors every
source registry there, as the synth's host/registries.yaml does.

Options:
  --registry <host[:port]>  the site registry
  --insecure                allow plain HTTP, or TLS without verification
  --ca <file>               CA certificate (PEM) of the registry's TLS certificate
  --authfile <file>         credentials (Docker config.json format; see sovra lock --help)
  --json                    print a JSON report (the mirror configuration included)

Exit status: 0 loaded, 2 usage, 7 bad input, 9 a blob failed its digest, 10 I/O,
  ${BUNDLE_VERIFY_EXIT.archive}  the archive is not a readable bundle (corrupt, truncated, tampered)
  ${BUNDLE_VERIFY_EXIT.layout}  bundle.json is missing or malformed
  ${BUNDLE_VERIFY_EXIT.blob}  a blob in the archive does not hash to its name
  ${BUNDLE_VERIFY_EXIT.reference}  a referenced blob is missing, or the registry needs platforms the bundle left out
and per registry failure:
${registryCodes}
`;

/** `sovra bundle load`. */
export const bundleLoadCommand: Command = {
  name: 'bundle load',
  summary: 'Push a bundle\'s images into the site registry and print its mirror configuration',
  usage: loadUsage,
  async run(args) {
    const { values, positionals } = parseCommandArgs('bundle load', args, { registry: { type: 'string' }, insecure: { type: 'boolean', default: false }, ca: { type: 'string' }, authfile: { type: 'string' }, json: { type: 'boolean', default: false }, quiet: { type: 'boolean', default: false } }, true);
    if (positionals.length !== 1) throw new SovraError('usage', 'sovra bundle load: give exactly one bundle file, e.g. `sovra bundle load edge.tar.zst --registry registry.site:5000`.');
    if (!values.registry) throw new SovraError('usage', 'sovra bundle load: --registry <host[:port]> is required: the registry to load into.');
    if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?$/i.test(values.registry)) throw new SovraError('usage', `sovra bundle load: --registry ${values.registry} is not host[:port] (no scheme, no path).`);
    const { existsSync } = await import('node:fs');
    if (!existsSync(positionals[0]!)) throw new SovraError('bad-input', `sovra bundle load: ${positionals[0]} does not exist.`);
    const { loadBundle } = await import('../../supply-chain/bundle/load.js');
    const client = await registryClient({ ...(values.authfile ? { authfile: values.authfile } : {}), ...(values.ca ? { ca: values.ca } : {}) }, values.insecure ? { insecure: [values.registry], skipVerify: true } : {});
    const started = performance.now();
    try {
      const r = await loadBundle({
        archive: positionals[0]!,
        registry: values.registry,
        client,
        ...(values.ca ? { caFile: values.ca } : {}),
        insecure: values.insecure,
        onProgress: values.quiet || values.json ? undefined : (line) => process.stderr.write(`sovra bundle load: ${line}\n`),
      });
      if (values.json) {
        process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
        return 0;
      }
      process.stderr.write(
        `sovra bundle load: ${r.images.length} images and ${r.charts.length} charts into ${values.registry}: ${r.blobs.uploaded} blobs uploaded (${r.bytesUploaded} bytes), ${r.blobs.mounted} mounted, ${r.blobs.skipped} already there; ${r.manifests.pushed} manifests pushed, ${r.manifests.skipped} already there, ${r.manifests.verified} verified by digest (${((performance.now() - started) / 1000).toFixed(1)} s)\n`,
      );
      process.stdout.write(r.mirrorConfig);
      return 0;
    } catch (e) {
      throw asSovraError(e);
    } finally {
      client.close();
    }
  },
};

const verifyUsage = `Usage: sovra bundle verify <file.tar.zst> --key <public.pem> [--require-locked] [--require-builder <id>]
         [--require-source-commit <sha>] [--require-clean] [--require-profile <name>] [--json]

Checks a bundle offline, reading it once:
  - the archive is a zstd-compressed tar of regular files at safe relative paths;
  - the Sigstore bundle's signature verifies with --key, and provenance.intoto.json is what was signed;
  - every file is a subject of the statement with its SHA-256, and every subject is in the archive;
  - every blob of the OCI layout hashes to its name;
  - every manifest and index finds what it references (less the platforms bundle.json says were
    left out), and every blob is referenced;
  - the layout's images are exactly the SBOM's (synth/sbom.cdx.json), by name and digest;
  - the CI gates of sovra verify, over the bundle's signed statement: --require-builder <id>
    (e.g. https://sovra.dev/builder/sovra-bundle, any version), --require-source-commit <sha>,
    --require-clean, --require-profile <name>; and --require-locked over the SBOM.
Prints one line per finding (--json: a report).

Exit status:
   0  everything holds
${(Object.keys(BUNDLE_VERIFY_EXIT) as BundleFindingKind[]).map((k) => `  ${BUNDLE_VERIFY_EXIT[k]}  ${k}: ${BUNDLE_FINDING_HELP[k]}`).join('\n')}
  With several findings, the status is the lowest of theirs.
   2  usage,  7  bad key file or no such archive
`;

/** `sovra bundle verify`. */
export const bundleVerifyCommand: Command = {
  name: 'bundle verify',
  summary: 'Verify a bundle offline: signature, every file and blob, references, images against the SBOM',
  usage: verifyUsage,
  async run(args) {
    const { values, positionals } = parseCommandArgs(
      'bundle verify',
      args,
      {
        key: { type: 'string' },
        json: { type: 'boolean', default: false },
        'require-locked': { type: 'boolean', default: false },
        'require-builder': { type: 'string' },
        'require-source-commit': { type: 'string' },
        'require-clean': { type: 'boolean', default: false },
        'require-profile': { type: 'string' },
      },
      true,
    );
    if (positionals.length !== 1) throw new SovraError('usage', 'sovra bundle verify: give exactly one bundle file, e.g. `sovra bundle verify edge.tar.zst --key signing.pub`.');
    if (!values.key) throw new SovraError('usage', 'sovra bundle verify: --key <public.pem> is required: the public key of whoever signed the bundle.');
    const { existsSync } = await import('node:fs');
    if (!existsSync(positionals[0]!)) throw new SovraError('bad-input', `sovra bundle verify: ${positionals[0]} does not exist.`);
    const [{ verifyBundle }, { loadPublicKey }, { policyUsageError }] = await Promise.all([import('../../supply-chain/bundle/verify.js'), import('../../supply-chain/keys.js'), import('../../supply-chain/verify-policy.js')]);
    const policy = {
      requireLocked: values['require-locked'],
      requireClean: values['require-clean'],
      ...(values['require-builder'] !== undefined ? { requireBuilder: values['require-builder'] } : {}),
      ...(values['require-source-commit'] !== undefined ? { requireSourceCommit: values['require-source-commit'] } : {}),
      ...(values['require-profile'] !== undefined ? { requireProfile: values['require-profile'] } : {}),
    };
    const usage = policyUsageError(policy);
    if (usage) throw new SovraError('usage', `sovra bundle verify: ${usage}`);
    const report = await verifyBundle(positionals[0]!, loadPublicKey(values.key), policy);
    if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else if (report.ok) process.stdout.write(`verified ${report.archive}: signed by key ${report.key}; ${report.files} files match the signed statement; ${report.blobs} blobs match their digests; ${report.images} images, exactly those of the SBOM\n`);
    else {
      for (const f of report.findings) process.stderr.write(`sovra bundle verify: [${f.exit} ${f.kind}] ${f.message}\n`);
      process.stderr.write(`sovra bundle verify: ${report.archive} FAILED with ${report.findings.length} finding${report.findings.length === 1 ? '' : 's'} (exit ${report.exitCode})\n`);
    }
    return report.exitCode;
  },
};
