/**
 * `sovra bundle load` into a second real registry: every image pushed
 * (layers once, mounted where shared), tagged, read back by digest; pulled
 * back, every digest equal to the source's; a second load uploads nothing;
 * a TLS registry trusted through --ca; a registry that needs every platform
 * of an index refuses a filtered bundle with a message that says why; a
 * corrupted blob and a tampered archive are refused.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { helm } from '../conformance/support/helm.js';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_VERIFY_EXIT } from '../../contracts/bundle-codes.js';
import { loadBundle } from '../../supply-chain/bundle/load.js';
import { BlobCache } from '../../supply-chain/oci/cache.js';
import { RegistryClient } from '../../supply-chain/oci/client.js';
import { limiter } from '../../supply-chain/oci/limit.js';
import { pullImage } from '../../supply-chain/oci/pull.js';
import { editArchive } from '../support/archive-edit.js';
import { makeBundle, startBundleFixture, type BundleFixture } from '../support/bundle-fixture.js';
import { sovra } from '../support/process.js';
import { selfSignedCert, startRegistry } from '../support/registry.js';
import { readFileSync, writeFileSync } from 'node:fs';

let fx: BundleFixture;
let archive: string;

beforeAll(async () => {
  fx = await startBundleFixture();
  archive = (await makeBundle(fx, join(fx.root, 'edge.tar.zst'))).out;
});
afterAll(async () => {
  await fx?.stop();
});

interface LoadReport {
  images: Array<{ name: string; pushed: string; tag: string }>;
  blobs: { uploaded: number; skipped: number; mounted: number };
  manifests: { pushed: number; skipped: number; verified: number };
  charts: Array<{ release: string; reference: string }>;
  mirrorConfig: string;
}

describe('loading into the site registry', () => {
  it('pushes every image, mounts shared layers, verifies manifests by digest and prints the mirror configuration', async () => {
    const r = await sovra(['bundle', 'load', archive, '--registry', fx.target.host, '--insecure']);
    expect(r.status, r.stderr).toBe(0);
    const prefix = fx.proxy.host.replace(':', '_');
    expect(r.stdout).toContain(`mirrors:\n  "${fx.proxy.host}":\n    endpoint:\n      - "http://${fx.target.host}"\n    rewrite:\n      "^(.*)$": "${prefix}/$1"`);
    expect(r.stderr).toMatch(/2 images and 2 charts into .*: 8 blobs uploaded \(\d+ bytes\), 1 mounted, 0 already there; 4 manifests pushed, 0 already there, 4 verified by digest/);

    // Pulled back from the target: the same digests as the source, every blob verified while streaming.
    const client = new RegistryClient();
    // Each image under its upstream registry's name, where the mirror's rewrite sends pulls.
    for (const [repository, tag, image] of [[`${prefix}/edge/app`, '1.0.0', fx.images.multi], [`${prefix}/edge/sidecar`, '2.0.0', fx.images.single]] as const) {
      const repo = { registry: fx.target.host, repository };
      expect((await client.getManifest(repo, tag)).digest).toBe(image.top.descriptor.digest);
      const pulled = await pullImage(client, new BlobCache(join(fx.root, 'pullback')), repo, image.top.descriptor.digest, { filter: 'all', limit: limiter(4) });
      expect(pulled.blobs.map((b) => b.digest).sort()).toEqual(image.blobs.map((b) => b.descriptor.digest).sort());
      expect(pulled.manifests.map((m) => m.digest).sort()).toEqual(image.manifests.map((m) => m.descriptor.digest).sort());
    }
    client.close();
  });

  it('puts every chart in the site registry as an OCI artifact that helm pulls', async () => {
    const dir = join(fx.root, 'helm-pull');
    mkdirSync(dir, { recursive: true });
    const env = { ...process.env, HELM_REGISTRY_CONFIG: join(fx.root, 'helm-registry.json'), HELM_CACHE_HOME: join(fx.root, 'helm-cache'), HELM_CONFIG_HOME: join(fx.root, 'helm-config') };
    execFileSync(helm(), ['pull', `oci://${fx.target.host}/charts/edgeapp`, '--version', '0.1.0', '--plain-http', '--destination', dir], { env, stdio: 'pipe' });
    expect(readFileSync(join(dir, 'edgeapp-0.1.0.tgz')).equals(readFileSync(fx.charts.http.file))).toBe(true);
    execFileSync(helm(), ['pull', `oci://${fx.target.host}/charts/edgeapp-oci`, '--version', '0.2.0', '--plain-http', '--destination', dir], { env, stdio: 'pipe' });
    expect(`sha256:${createHash('sha256').update(readFileSync(join(dir, 'edgeapp-oci-0.2.0.tgz'))).digest('hex')}`).toBe(fx.charts.oci.digest);
  });

  it('uploads nothing the registry already has', async () => {
    const r = await sovra(['bundle', 'load', archive, '--registry', fx.target.host, '--insecure', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as LoadReport;
    expect(report.blobs).toEqual({ uploaded: 0, skipped: 9, mounted: 0 });
    expect(report.charts.map((c) => c.reference)).toEqual([`oci://${fx.target.host}/charts/edgeapp:0.1.0`, `oci://${fx.target.host}/charts/edgeapp-oci:0.2.0`]);
    expect(report.manifests).toEqual({ pushed: 0, skipped: 4, verified: 4 });
  });

  it('trusts a TLS registry through --ca, and says so in the mirror configuration', async () => {
    const tls = selfSignedCert('127.0.0.1');
    const secure = await startRegistry({ tls });
    const ca = join(fx.root, 'site-ca.pem');
    writeFileSync(ca, tls.cert);
    try {
      const refused = await sovra(['bundle', 'load', archive, '--registry', secure.host]);
      expect(refused.status).toBe(65);
      const r = await sovra(['bundle', 'load', archive, '--registry', secure.host, '--ca', ca]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain(`- "https://${secure.host}"`);
      expect(r.stdout).toContain(`ca_file: ${JSON.stringify(ca)}`);
    } finally {
      await secure.stop();
    }
  });

  it('explains why a registry that needs every platform refuses a bundle filtered to one', async () => {
    const profile = { ...fx.profile, distribution: { ...fx.profile.distribution, architectures: ['amd64'] as ['amd64'] } };
    const filtered = await makeBundle(fx, join(fx.root, 'amd64.tar.zst'), { profile });
    const fresh = await startRegistry();
    try {
      const r = await sovra(['bundle', 'load', filtered.out, '--registry', fresh.host]);
      expect(r.status).toBe(BUNDLE_VERIFY_EXIT.reference);
      expect(r.stderr).toContain('the bundle was filtered to linux/amd64 and left out linux/arm64');
      expect(r.stderr).toContain('--all-platforms');
    } finally {
      await fresh.stop();
    }
  });
});

describe('the one-pass reader', () => {
  // The archive is read once and each upload fed through a shared buffer: whatever its size and however
  // many uploads run beside the reader, every load finishes with the same result (none waits forever).
  it('loads the same with a buffer smaller than one chunk or large, one upload at a time or eight, again and again', async () => {
    const settings = [[1, 1], [8, 1], [2, 64 << 10], [3, 32 << 20], [8, 32 << 20]] as const;
    for (let round = 0; round < 2; round++) {
      for (const [uploads, bufferBytes] of settings) {
        const fresh = await startRegistry();
        const client = new RegistryClient({ insecureRegistries: [fresh.host] });
        try {
          const r = await loadBundle({ archive, registry: fresh.host, client, uploads, bufferBytes });
          expect(r.blobs, `${uploads} uploads, ${bufferBytes} bytes`).toEqual({ uploaded: 8, skipped: 0, mounted: 1 });
          expect(r.manifests).toEqual({ pushed: 4, skipped: 0, verified: 4 });
          expect(r.charts).toHaveLength(2);
        } finally {
          client.close();
          await fresh.stop();
        }
      }
    }
  }, 120_000);
});

describe('refusing a bad archive', () => {
  it('refuses a blob that does not hash to its name, and commits nothing of it', async () => {
    const layer = fx.images.single.blobs.find((b) => b.descriptor.mediaType.includes('layer') && !fx.images.multi.blobs.some((m) => m.descriptor.digest === b.descriptor.digest))!.descriptor;
    const bad = join(fx.root, 'bad-blob.tar.zst');
    await editArchive(archive, bad, (p, d) => {
      if (p !== `blobs/sha256/${layer.digest.slice(7)}`) return d;
      const c = Buffer.from(d);
      c[100] = c[100]! ^ 0xff;
      return c;
    });
    const fresh = await startRegistry();
    try {
      const r = await sovra(['bundle', 'load', bad, '--registry', fresh.host]);
      expect(r.status).toBe(BUNDLE_VERIFY_EXIT.blob);
      expect(r.stderr).toContain(`blob ${layer.digest} in the archive does not hash to its name`);
      expect(await new RegistryClient().hasBlob({ registry: fresh.host, repository: `${fx.proxy.host.replace(':', '_')}/edge/sidecar` }, layer.digest)).toBe(false);
    } finally {
      await fresh.stop();
    }
  });

  it('refuses a truncated archive', async () => {
    const bytes = readFileSync(archive);
    const tampered = join(fx.root, 'truncated.tar.zst');
    writeFileSync(tampered, bytes.subarray(0, bytes.length - 5000));
    const r = await sovra(['bundle', 'load', tampered, '--registry', fx.target.host, '--insecure']);
    expect(r.status, r.stderr).toBe(BUNDLE_VERIFY_EXIT.archive);
    expect(r.stderr).toContain('is not a readable bundle');
    expect(existsSync(tampered)).toBe(true);
  });
});
