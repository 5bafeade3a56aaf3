/**
 * `sovra images` over a built-in profile, and the lock resolution of
 * `sovra lock` against a real registry on loopback: a tag becomes the
 * digest of the bytes served, an unchanged digest keeps its entry, a moved
 * tag is reported as changed, a missing tag fails naming the image.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageLock } from '../../constructs/kit/image-lock.js';
import { RegistryClient } from '../../supply-chain/oci/client.js';
import { lockText, resolveLock } from '../../supply-chain/oci/lock.js';
import { buildTestImage, pushTestImage } from '../support/oci-images.js';
import { sovra } from '../support/process.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

let registry: TestRegistry;

beforeAll(async () => {
  registry = await startRegistry();
});
afterAll(async () => {
  await registry?.stop();
});

describe('sovra images', () => {
  it('lists every image of the profile with its locked digest or null, and its component', async () => {
    const r = await sovra(['images', '--profile', 'edge', '--json']);
    expect(r.status).toBe(0);
    const list = JSON.parse(r.stdout) as Array<{ name: string; reference: string; digest: string | null; component: string }>;
    const lock = ImageLock.shipped();
    const cilium = list.find((i) => i.name === 'quay.io/cilium/cilium:v1.20.0')!;
    expect(cilium).toEqual({ name: 'quay.io/cilium/cilium:v1.20.0', reference: `quay.io/cilium/cilium@${lock.file.images.find((i) => i.reference === 'quay.io/cilium/cilium:v1.20.0')!.digest}`, digest: expect.stringMatching(/^sha256:/), component: 'cilium' });
    const unlocked = list.filter((i) => i.digest === null);
    expect(unlocked.length).toBeGreaterThan(0);
    for (const i of unlocked) expect(i.reference).toBe(i.name);
    for (const i of list) expect(Object.keys(i)).toEqual(['name', 'reference', 'digest', 'component']);
    const text = await sovra(['images', '--profile', 'edge']);
    expect(text.stdout).toContain('quay.io/cilium/cilium:v1.20.0');
    expect(text.stdout).toMatch(/\d+ images, \d+ unlocked/);
  });

  it('refuses an unknown image name for sovra lock --image', async () => {
    const r = await sovra(['lock', '--profile', 'edge', '--lock', '/nonexistent/lock.json', '--image', 'example.org/nothing:1']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('example.org/nothing:1 is not an image of edge');
  });
});

describe('resolving tags to digests', () => {
  it('records the digest of the bytes served, with the registry URL and the time', async () => {
    const client = new RegistryClient();
    const multi = await buildTestImage('lock-multi', [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64' },
    ]);
    const single = await buildTestImage('lock-single', [{ os: 'linux', architecture: 'amd64' }]);
    await pushTestImage(client, { registry: registry.host, repository: 'app/multi' }, '1.0', multi);
    await pushTestImage(client, { registry: registry.host, repository: 'app/single' }, '2.0', single);
    const pins = [
      { registry: registry.host, repository: 'app/multi', tag: '1.0', license: 'MIT' },
      { registry: registry.host, repository: 'app/single', tag: '2.0', license: 'MIT' },
    ];
    const first = await resolveLock(client, pins, { lockVersion: 1, images: [] }, '2026-01-01T00:00:00Z');
    expect(first.failures).toEqual([]);
    expect(first.changes.map((c) => [c.reference, c.status, c.digest])).toEqual([
      [`${registry.host}/app/multi:1.0`, 'added', multi.top.descriptor.digest],
      [`${registry.host}/app/single:2.0`, 'added', single.top.descriptor.digest],
    ]);
    const entry = first.file.images[0]!;
    expect(entry.source).toContain(`https://${registry.host}/v2/app/multi/manifests/1.0`);
    expect(entry.recordedAt).toBe('2026-01-01T00:00:00Z');
    // What sovra lock writes is a lock the synth reads.
    const parsed = ImageLock.parse(lockText(first.file), 'test');
    expect(parsed.resolve(pins[0]!).digest).toBe(multi.top.descriptor.digest);

    // The tag moves: reported as changed; the unchanged entry keeps its source and time.
    const moved = await buildTestImage('lock-single-2', [{ os: 'linux', architecture: 'amd64' }]);
    await pushTestImage(client, { registry: registry.host, repository: 'app/single' }, '2.0', moved);
    const second = await resolveLock(client, pins, first.file, '2026-02-01T00:00:00Z');
    expect(second.changes.map((c) => c.status)).toEqual(['unchanged', 'changed']);
    expect(second.changes[1]!.previous).toBe(single.top.descriptor.digest);
    expect(second.file.images[0]).toEqual(entry);
    expect(second.file.images[1]!.recordedAt).toBe('2026-02-01T00:00:00Z');

    const missing = await resolveLock(client, [{ registry: registry.host, repository: 'app/none', tag: '9', license: 'MIT' }], first.file, 'x');
    expect(missing.failures.map((f) => [f.reference, f.error.code])).toEqual([[`${registry.host}/app/none:9`, 'not-found']]);
    client.close();
  });

  it('keeps the shipped lock in the layout sovra lock writes', () => {
    const text = readFileSync(new URL('../../images.lock.json', import.meta.url), 'utf8');
    expect(lockText(JSON.parse(text))).toBe(text);
  });
});
