/**
 * `sovra images` (what a profile runs, and which images are locked) and
 * `sovra lock` (resolve tags to digests and record them in the lock).
 */
import { existsSync, readFileSync } from 'node:fs';
import { SovraError } from '../../core/errors.js';
import { REGISTRY_EXIT, REGISTRY_EXIT_HELP } from '../../contracts/bundle-codes.js';
import type { ImageLock } from '../../constructs/kit/image-lock.js';
import type { Inventory } from '../../supply-chain/inventory.js';
import type { Profile } from '../../profiles/profile.generated.js';
import { parseCommandArgs } from '../args.js';
import type { Command } from '../command.js';
import { REGISTRY_FLAGS, REGISTRY_FLAGS_USAGE, registryClient, registryFailure } from '../registry-options.js';

/** Reads the lock at `path` (the shipped one when undefined); a missing file is an empty lock when `missingOk`. */
export async function readLock(path: string | undefined, missingOk = false): Promise<ImageLock> {
  const { ImageLock } = await import('../../constructs/kit/image-lock.js');
  if (path === undefined) return ImageLock.shipped();
  if (!existsSync(path)) {
    if (missingOk) return new ImageLock({ lockVersion: 1, images: [] }, path);
    throw new SovraError('bad-input', `image lock ${path} does not exist; write one with \`sovra lock --lock ${path}\`.`);
  }
  return ImageLock.parse(readFileSync(path, 'utf8'), path);
}

/** Loads a profile and the inventory of its platform (images as the lock resolves them, charts, models). */
export async function loadInventory(profileRef: string, lock: ImageLock): Promise<{ profile: Profile; inventory: Inventory }> {
  const [{ loadProfile }, { buildPlatform }, { inventoryOf }] = await Promise.all([import('../../profiles/load.js'), import('../../synth/synth.js'), import('../../supply-chain/inventory.js')]);
  const profile = loadProfile(profileRef);
  const { platform } = buildPlatform(profile, { lock });
  platform.finalize();
  return { profile, inventory: inventoryOf(platform.components) };
}

const imagesUsage = `Usage: sovra images --profile <name|file> [--lock <file>] [--json]

Lists every image the profile runs, one line per image and component:
name (registry/repository:tag, the key of the lock and of overrides), the
reference the manifests use, the locked digest or "unlocked", the component.

Options:
  --profile <name|file>  dev, edge, cluster, or a profile file
  --lock <file>          image lock to read (default: the lock Sovra ships, images.lock.json)
  --json                 an array of {name, reference, digest (null when unlocked), component}

Exit status: 0 listed, 2 usage, 3 bad profile, 7 bad lock.
`;

/** `sovra images`. */
export const imagesCommand: Command = {
  name: 'images',
  summary: 'List the images of a profile: name, reference, locked digest, component',
  usage: imagesUsage,
  async run(args) {
    const { values } = parseCommandArgs('images', args, { profile: { type: 'string' }, lock: { type: 'string' }, json: { type: 'boolean', default: false } });
    if (!values.profile) throw new SovraError('usage', 'sovra images: --profile is required (dev, edge, cluster, or a profile file). Run `sovra images --help` for usage.');
    const { inventory } = await loadInventory(values.profile, await readLock(values.lock));
    if (values.json) {
      process.stdout.write(`${JSON.stringify(inventory.images.map((i) => ({ name: i.name, reference: i.reference, digest: i.digest ?? null, component: i.component })), null, 2)}\n`);
      return 0;
    }
    const rows = inventory.images.map((i) => [i.name, i.reference, i.digest ?? 'unlocked', i.component]);
    const head = ['NAME', 'REFERENCE', 'DIGEST', 'COMPONENT'];
    const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
    for (const r of [head, ...rows]) process.stdout.write(`${r.map((v, c) => (c === r.length - 1 ? v : v.padEnd(widths[c]!))).join('  ')}\n`);
    const unlocked = new Set(inventory.images.filter((i) => !i.digest).map((i) => i.name)).size;
    process.stdout.write(`${new Set(inventory.images.map((i) => i.name)).size} images, ${unlocked} unlocked (a locked image is referenced by its digest)\n`);
    return 0;
  },
};

const lockUsage = `Usage: sovra lock [--profile <name|file>] [--lock <file>] [--image <name>]... [--json] [registry options]

Resolves each image's tag to the digest its registry serves now (the manifest
or index is fetched by tag and its bytes hashed; the registry's
Docker-Content-Digest must agree) and writes the lock: for each
registry/repository:tag, the digest, the registry URL it came from, and the
time (SOURCE_DATE_EPOCH when set, else now). Entries whose digest did not change
are kept as they are. If any image fails, nothing is written. Images a profile
replaces (imageOverrides) are pinned by their override, not here.

Options:
  --profile <name|file>      whose images to lock (default: every built-in profile's)
  --lock <file>              the lock to update (default: images.lock.json shipped with Sovra);
                             created when it does not exist
  --image <name>             lock only this image (registry/repository:tag; repeatable)
  --json                     print the changes as JSON
${REGISTRY_FLAGS_USAGE}

Exit status: 0 written, 2 usage, 3 bad profile, 7 bad lock, 10 I/O, and per registry failure:
${(Object.keys(REGISTRY_EXIT) as Array<keyof typeof REGISTRY_EXIT>).map((k) => `  ${REGISTRY_EXIT[k]}  ${k}: ${REGISTRY_EXIT_HELP[k]}`).join('\n')}
`;

/** `sovra lock`. */
export const lockCommand: Command = {
  name: 'lock',
  summary: 'Resolve image tags to digests at their registries and write the image lock',
  usage: lockUsage,
  async run(args) {
    const { values } = parseCommandArgs('lock', args, { profile: { type: 'string' }, lock: { type: 'string' }, image: { type: 'string', multiple: true }, json: { type: 'boolean', default: false }, ...REGISTRY_FLAGS });
    const [{ BUILTIN_NAMES }, { resolveLock, lockText }, { writeFileAtomic }, { sourceDateEpoch, isoTime }, { shipped }, { IMAGE_LOCK_FILE }] = await Promise.all([
      import('../../profiles/load.js'),
      import('../../supply-chain/oci/lock.js'),
      import('../../core/output-dir.js'),
      import('../../core/time.js'),
      import('../../core/paths.js'),
      import('../../constructs/kit/image-lock.js'),
    ]);
    const lockPath = values.lock ?? shipped(IMAGE_LOCK_FILE);
    const lock = await readLock(lockPath, values.lock !== undefined);
    const profiles = values.profile ? [values.profile] : [...BUILTIN_NAMES];
    const pins = new Map<string, Inventory['images'][number]['spec']>();
    // An image a profile replaces (imageOverrides) is pinned there, not in the lock: it is not resolved here.
    const replaced = new Set<string>();
    for (const p of profiles) {
      const { inventory } = await loadInventory(p, lock);
      for (const i of inventory.images) {
        if (i.spec.replaces) replaced.add(i.name);
        else if (!pins.has(i.name)) pins.set(i.name, i.spec);
      }
    }
    for (const name of replaced) pins.delete(name);
    const wanted = values.image ?? [];
    const unknown = wanted.filter((w) => !pins.has(w) && !replaced.has(w));
    const wantedReplaced = wanted.filter((w) => replaced.has(w));
    if (wantedReplaced.length > 0) throw new SovraError('usage', `sovra lock: ${wantedReplaced.join(', ')} ${wantedReplaced.length === 1 ? 'is' : 'are'} replaced by the profile's imageOverrides; pin the replacement by digest there (…@sha256:<digest>).`);
    if (unknown.length > 0) throw new SovraError('usage', `sovra lock: ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not an image of ${values.profile ?? 'the built-in profiles'}; \`sovra images --profile <p>\` lists the names.`);
    const selected = [...pins.entries()].filter(([name]) => wanted.length === 0 || wanted.includes(name)).map(([, spec]) => spec);
    const env = process.env.SOURCE_DATE_EPOCH;
    const recordedAt = env !== undefined && env !== '' ? isoTime(sourceDateEpoch()) : new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const client = await registryClient(values);
    let result;
    try {
      result = await resolveLock(client, selected, lock.file, recordedAt);
    } finally {
      client.close();
    }
    if (result.failures.length > 0) {
      for (const f of result.failures) process.stderr.write(`sovra lock: ${f.reference}: [${REGISTRY_EXIT[f.error.code]} ${f.error.code}] ${f.error.message}\n`);
      const first = result.failures.reduce((a, b) => (REGISTRY_EXIT[a.error.code] <= REGISTRY_EXIT[b.error.code] ? a : b));
      throw registryFailure(first.error.code, `sovra lock: ${result.failures.length} of ${selected.length} images could not be resolved (above); ${lockPath} was not changed.`);
    }
    writeFileAtomic(lockPath, lockText(result.file));
    if (values.json) process.stdout.write(`${JSON.stringify({ lock: lockPath, changes: result.changes }, null, 2)}\n`);
    else {
      for (const c of result.changes) if (c.status !== 'unchanged') process.stdout.write(`${c.status} ${c.reference} ${c.digest}${c.previous ? ` (was ${c.previous})` : ''}\n`);
      const n = (s: string) => result.changes.filter((c) => c.status === s).length;
      process.stdout.write(`locked ${selected.length} images in ${lockPath}: ${n('added')} added, ${n('changed')} changed, ${n('unchanged')} unchanged${replaced.size > 0 ? `; ${replaced.size} replaced by imageOverrides are pinned there, not here` : ''}\n`);
    }
    return 0;
  },
};
