/**
 * The registry client against real registries (Debian's docker-registry on
 * loopback): Basic auth from a Docker config.json, the bearer-token flow
 * with a token server, indexes kept whole, platform filtering, a download
 * cut half-way that resumes with a Range request, a corrupted blob refused,
 * and cross-repository mounts.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PiecePool } from '../../core/pool.js';
import { CredentialStore, parseChallenge } from '../../supply-chain/oci/auth.js';
import { BlobCache } from '../../supply-chain/oci/cache.js';
import { RegistryClient } from '../../supply-chain/oci/client.js';
import { isOciError, type OciError } from '../../supply-chain/oci/errors.js';
import { limiter } from '../../supply-chain/oci/limit.js';
import { parseReference } from '../../supply-chain/oci/reference.js';
import { pullImage } from '../../supply-chain/oci/pull.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { buildTestImage, pushTestImage, type TestImage } from '../support/oci-images.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { startTokenServer, type TokenServer } from '../support/token-server.js';
import { removeDir, tempDir } from '../support/synth-output.js';

const PLATFORMS = [
  { os: 'linux', architecture: 'amd64' },
  { os: 'linux', architecture: 'arm64' },
];

let root: string;
let basic: TestRegistry;
let token: TestRegistry;
let tokens: TokenServer;
let plain: TestRegistry;
let proxy: FaultProxy;
let multi: TestImage;
let single: TestImage;
let authFile: string;

async function rejection(p: Promise<unknown>): Promise<OciError> {
  try {
    await p;
  } catch (e) {
    if (isOciError(e)) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}

beforeAll(async () => {
  root = tempDir('sovra-oci-');
  tokens = await startTokenServer('bob', 'token-secret');
  [basic, token, plain] = await Promise.all([
    startRegistry({ auth: { kind: 'basic', username: 'alice', password: 'basic-secret' } }),
    startRegistry({ auth: { kind: 'token', realm: tokens.realm, service: tokens.service, issuer: tokens.issuer, rootCertPem: tokens.certPem } }),
    startRegistry(),
  ]);
  proxy = await startFaultProxy(plain.host);
  authFile = join(root, 'auth.json');
  writeFileSync(
    authFile,
    JSON.stringify({
      auths: {
        [basic.host]: { auth: Buffer.from('alice:basic-secret').toString('base64') },
        [`https://${token.host}`]: { username: 'bob', password: 'token-secret' },
      },
    }),
  );
  multi = await buildTestImage('multi', PLATFORMS, 2, 64 << 10);
  single = await buildTestImage('single', [PLATFORMS[0]!], 1, 256 << 10);
});

afterAll(async () => {
  await proxy?.stop();
  await Promise.all([basic?.stop(), token?.stop(), plain?.stop(), tokens?.stop()]);
  removeDir(root);
});

describe('authentication', () => {
  it('parses bearer challenges with quoted commas', () => {
    expect(parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull,push"')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/nginx:pull,push' },
    });
  });

  it('pushes and pulls with Basic credentials from an auth file, keeping the index whole', async () => {
    const client = new RegistryClient({ credentials: CredentialStore.load(authFile) });
    const repo = { registry: basic.host, repository: 'team/multi' };
    await pushTestImage(client, repo, 'v1', multi);
    const m = await client.getManifest(repo, 'v1');
    expect(m.digest).toBe(multi.top.descriptor.digest);
    expect(m.bytes.equals(multi.top.bytes)).toBe(true);
    expect(m.parsed.kind).toBe('index');
    client.close();
  });

  it('names the registry and how to give credentials when there are none', async () => {
    const client = new RegistryClient({ credentials: CredentialStore.none() });
    const e = await rejection(client.getManifest({ registry: basic.host, repository: 'team/multi' }, 'v1'));
    expect(e.code).toBe('auth');
    expect(e.message).toContain(basic.host);
    expect(e.message).toContain('--authfile');
  });

  it('refuses wrong Basic credentials', async () => {
    const file = join(root, 'wrong.json');
    writeFileSync(file, JSON.stringify({ auths: { [basic.host]: { auth: Buffer.from('alice:nope').toString('base64') } } }));
    const e = await rejection(new RegistryClient({ credentials: CredentialStore.load(file) }).getManifest({ registry: basic.host, repository: 'team/multi' }, 'v1'));
    expect(e.code).toBe('auth');
    expect(e.message).toContain('refused the credentials of alice');
  });

  it('follows the bearer-token flow: a token per scope from the realm, with the credentials', async () => {
    const client = new RegistryClient({ credentials: CredentialStore.load(authFile) });
    const repo = { registry: token.host, repository: 'team/single' };
    await pushTestImage(client, repo, 'v2', single);
    const m = await client.getManifest(repo, 'v2');
    expect(m.digest).toBe(single.top.descriptor.digest);
    expect(tokens.issued.flat()).toContain('repository:team/single:pull,push');
    const none = await rejection(new RegistryClient().getManifest(repo, 'v2'));
    expect(none.code).toBe('auth');
    expect(none.message).toContain('token server');
    client.close();
  });
});

describe('pulling into the cache', () => {
  it('carries every platform, or only those asked for', async () => {
    const client = new RegistryClient({ credentials: CredentialStore.load(authFile) });
    const repo = { registry: basic.host, repository: 'team/multi' };
    const all = await pullImage(client, new BlobCache(join(root, 'cache-all')), repo, multi.top.descriptor.digest, { filter: 'all', limit: limiter(4) });
    expect(all.platforms).toEqual(['linux/amd64', 'linux/arm64']);
    expect(all.blobs).toHaveLength(6);
    const cache = new BlobCache(join(root, 'cache-amd64'));
    const amd = await pullImage(client, cache, repo, multi.top.descriptor.digest, { filter: { architectures: ['amd64'] }, limit: limiter(4) });
    expect(amd.platforms).toEqual(['linux/amd64']);
    expect(amd.skipped.map((s) => s.platform)).toEqual(['linux/arm64']);
    expect(amd.blobs).toHaveLength(3);
    // The index is carried whole: its bytes, hence its digest, are those pushed.
    expect(cache.has(multi.top.descriptor.digest)).toBe(true);
    // A second pull finds everything in the cache and sends no request.
    const before = client.requests.count;
    const again = await pullImage(client, cache, repo, multi.top.descriptor.digest, { filter: { architectures: ['amd64'] }, limit: limiter(4) });
    expect(again.downloaded).toBe(0);
    expect(client.requests.count).toBe(before);
    const none = await rejection(pullImage(client, new BlobCache(join(root, 'cache-s390x')), repo, multi.top.descriptor.digest, { filter: { architectures: ['s390x'] }, limit: limiter(4) }));
    expect(none.message).toContain('offers linux/amd64, linux/arm64');
    client.close();
  });

  it('resumes a download cut half-way with a Range request', async () => {
    const client = new RegistryClient({ backoffMs: 10 });
    await pushTestImage(client, { registry: plain.host, repository: 'team/single' }, 'v1', single);
    const layer = single.blobs.find((b) => b.descriptor.mediaType.includes('layer'))!.descriptor;
    proxy.cutOnce(layer.digest);
    const retries: string[] = [];
    const cache = new BlobCache(join(root, 'cache-resume'));
    await pullImage(client, cache, { registry: proxy.host, repository: 'team/single' }, single.top.descriptor.digest, { filter: 'all', limit: limiter(2), onRetry: (what) => retries.push(what) });
    expect(cache.has(layer.digest)).toBe(true);
    const gets = proxy.log.filter((l) => l.startsWith(`GET /v2/team/single/blobs/${layer.digest}`));
    expect(gets).toHaveLength(2);
    expect(gets[1]).toMatch(/ bytes=\d+-$/);
    expect(Number(/bytes=(\d+)-/.exec(gets[1]!)![1])).toBeGreaterThan(0);
    expect(retries.some((r) => r.includes(layer.digest))).toBe(true);
    client.close();
  });

  it('resumes a partial file left by an earlier run', async () => {
    const client = new RegistryClient();
    const layer = single.blobs.find((b) => b.descriptor.mediaType.includes('layer'))!;
    const dir = join(root, 'cache-partial');
    mkdirSync(join(dir, 'partial', 'sha256'), { recursive: true });
    writeFileSync(join(dir, 'partial', 'sha256', layer.descriptor.digest.slice(7)), layer.bytes.subarray(0, 1000));
    const cache = new BlobCache(dir);
    const r = await cache.fetch(layer.descriptor.digest, layer.descriptor.size, (o) => client.openBlob({ registry: proxy.host, repository: 'team/single' }, layer.descriptor.digest, o), 'layer');
    expect(r.resumedFrom).toBe(1000);
    expect(r.downloaded).toBe(layer.descriptor.size - 1000);
    expect(proxy.log.at(-1)).toBe(`GET /v2/team/single/blobs/${layer.descriptor.digest} bytes=1000-`);
    client.close();
  });

  it('refuses a blob whose bytes do not match its digest, and keeps nothing of it', async () => {
    const client = new RegistryClient();
    const layer = single.blobs.find((b) => b.descriptor.mediaType.includes('layer'))!.descriptor;
    proxy.corrupt(layer.digest);
    const dir = join(root, 'cache-corrupt');
    const e = await rejection(pullImage(client, new BlobCache(dir), { registry: proxy.host, repository: 'team/single' }, single.top.descriptor.digest, { filter: 'all', limit: limiter(2) }));
    proxy.heal();
    expect(e.code).toBe('digest-mismatch');
    expect(e.message).toContain(layer.digest);
    expect(existsSync(join(dir, 'blobs', 'sha256', layer.digest.slice(7)))).toBe(false);
    expect(readdirSync(join(dir, 'partial', 'sha256'))).toEqual([]);
    client.close();
  });

  it('downloads a blob unhashed for a caller that hashes it: out of the cache until committed, a fetch of it waits, a wrong hash discards it, an abandoned one resumes', async () => {
    const client = new RegistryClient({ backoffMs: 10 });
    const layer = single.blobs.find((b) => b.descriptor.mediaType.includes('layer'))!;
    const { digest, size } = layer.descriptor;
    const open = (o: number) => client.openBlob({ registry: proxy.host, repository: 'team/single' }, digest, o);
    const sha = createHash('sha256').update(layer.bytes).digest('hex');

    // Cut half-way: resumed without hashing; the whole file is left as a partial download.
    const dir = join(root, 'cache-unhashed');
    const cache = new BlobCache(dir);
    proxy.cutOnce(digest);
    const r = await cache.fetchUnhashed(digest, size, open, 'layer');
    expect(r.cached).toBe(false);
    expect(r.unhashed!.file).toBe(join(dir, 'partial', 'sha256', digest.slice(7)));
    expect(readFileSync(r.unhashed!.file).equals(layer.bytes)).toBe(true);
    expect(proxy.log.filter((l) => l.startsWith(`GET /v2/team/single/blobs/${digest}`)).at(-1)).toMatch(/ bytes=[1-9]\d*-$/);
    expect(cache.has(digest)).toBe(false);
    // A fetch of the same blob meanwhile waits for the commit, and then finds it cached.
    let waited = false;
    const other = cache.fetch(digest, size, open, 'layer').then((x) => ((waited = true), x));
    await new Promise((res) => setTimeout(res, 50));
    expect(waited).toBe(false);
    await r.unhashed!.commit(sha);
    expect((await other).cached).toBe(true);
    expect(cache.has(digest)).toBe(true);
    expect(cache.verified.has(digest)).toBe(true);
    expect(existsSync(r.unhashed!.file)).toBe(false);

    // A hash that is not the digest's: discarded, reported as the registry's.
    const bad = new BlobCache(join(root, 'cache-unhashed-bad'));
    const b = await bad.fetchUnhashed(digest, size, open, 'layer');
    const e = await rejection(b.unhashed!.commit('0'.repeat(64)));
    expect(e.code).toBe('digest-mismatch');
    expect(e.message).toContain(`not ${digest}`);
    expect(existsSync(b.unhashed!.file)).toBe(false);
    expect(bad.has(digest)).toBe(false);

    // Abandoned (the bundle stopped first): the partial file stays; the next fetch hashes it and fetches nothing.
    const left = new BlobCache(join(root, 'cache-unhashed-left'));
    const a = await left.fetchUnhashed(digest, size, open, 'layer');
    a.unhashed!.abandon();
    const gets = proxy.log.length;
    const again = await left.fetch(digest, size, open, 'layer');
    expect(again.downloaded).toBe(0);
    expect(again.resumedFrom).toBe(size);
    expect(proxy.log.length).toBe(gets);
    expect(left.has(digest)).toBe(true);
    client.close();
  });

  it('refuses a manifest whose bytes do not match the digest asked for', async () => {
    const client = new RegistryClient();
    const child = multi.manifests[1]!.descriptor.digest;
    await pushTestImage(client, { registry: plain.host, repository: 'team/multi' }, 'v1', multi);
    proxy.corrupt(child);
    const e = await rejection(client.getManifest({ registry: proxy.host, repository: 'team/multi' }, child));
    proxy.heal();
    expect(e.code).toBe('digest-mismatch');
    expect(e.message).toContain(child);
    client.close();
  });
});

describe('pushing', () => {
  it('mounts a blob from another repository of the same registry instead of uploading it', async () => {
    const client = new RegistryClient();
    const b = single.blobs[0]!.descriptor;
    const target = { registry: plain.host, repository: 'other/copy' };
    expect(await client.hasBlob(target, b.digest)).toBe(false);
    expect(await client.mountBlob(target, b.digest, 'team/single')).toBe(true);
    expect(await client.hasBlob(target, b.digest)).toBe(true);
    client.close();
  });

  it('uploads in chunks and checks the digest before committing', async () => {
    const client = new RegistryClient({ chunkSize: 40_000 });
    const repo = { registry: plain.host, repository: 'team/chunks' };
    const layer = single.blobs.find((b) => b.descriptor.mediaType.includes('layer'))!;
    const { Readable } = await import('node:stream');
    await client.uploadBlob(repo, layer.descriptor.digest, layer.descriptor.size, Readable.from([layer.bytes]));
    expect(await client.hasBlob(repo, layer.descriptor.digest)).toBe(true);
    const bad = Buffer.from(layer.bytes);
    bad[10] = bad[10]! ^ 1;
    const e = await rejection(client.uploadBlob({ registry: plain.host, repository: 'team/bad' }, layer.descriptor.digest, layer.descriptor.size, Readable.from([bad])));
    expect(e.code).toBe('digest-mismatch');
    expect(await client.hasBlob({ registry: plain.host, repository: 'team/bad' }, layer.descriptor.digest)).toBe(false);
    client.close();
  });

  it('gives pooled chunks back once the socket has them, so a long upload reuses a few pieces of memory', async () => {
    const client = new RegistryClient({ chunkSize: 3 << 20 });
    const repo = { registry: plain.host, repository: 'team/pooled' };
    const bytes = randomBytes((8 << 20) + 1234);
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const pool = new PiecePool(1 << 20, 8);
    // The way the archive reader hands out stored layers: each chunk a copy in a pooled piece, released by its consumer.
    async function* pooled(): AsyncGenerator<Buffer> {
      for (let at = 0; at < bytes.length; at += 1 << 20) {
        const piece = pool.take();
        const n = bytes.copy(piece, 0, at, at + (1 << 20));
        pool.handOut(piece, n);
        yield piece.subarray(0, n);
      }
    }
    await client.uploadBlob(repo, digest, bytes.length, pooled());
    expect(await client.hasBlob(repo, digest)).toBe(true);
    // 9 chunks, split across 3 PATCH requests: the memory was reused, and what the registry committed is the blob.
    expect(pool.reused).toBeGreaterThan(0);
    expect(pool.made).toBeLessThan(9);
    client.close();
  });

  it('parses references with registry ports and digests', () => {
    expect(parseReference('127.0.0.1:5000/a/b:v1@sha256:' + 'a'.repeat(64))).toEqual({ registry: '127.0.0.1:5000', repository: 'a/b', tag: 'v1', digest: 'sha256:' + 'a'.repeat(64) });
    expect(() => parseReference('nginx:latest')).toThrow(/names no registry/);
  });
});
