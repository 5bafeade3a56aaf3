/**
 * `sovra image build` end to end, with real parts: the Debian packages and
 * Node.js served by a loopback mirror from the parts cache, the npm tree
 * from npm's cache. Two builds (the second offline, from the warm cache)
 * give byte-identical layouts; the layout is checked against the OCI
 * image-layout rules; the amd64 layers are unpacked in order by GNU tar into
 * a root file system, and the server started from it under chroot, as the
 * image's user with the image's entry point and environment, answers
 * /healthz and /readyz. The recorded lock digest is what a synth renders
 * for the control plane; the SBOM lists every part by digest. A part that
 * does not match its pin, and a cold cache without network, are refused.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinLocalModel } from '../../constructs/ai-runtime/control-plane/catalog.js';
import { ImageLock } from '../../constructs/kit/image-lock.js';
import { TINY_ANSWER } from '../../native/index.js';
import { CONTROL_PLANE_IMAGE_RUNTIME } from '../../contracts/control-plane.js';
import { validateCycloneDx } from '../../supply-chain/cyclonedx-validate.js';
import { readNpmTree } from '../../supply-chain/npm-tree.js';
import { npmPlatform } from '../../supply-chain/image/npm-layers.js';
import { shippedParts } from '../../supply-chain/image/parts.js';
import { integrityHex } from '../../supply-chain/image/store.js';
import { PackageURL } from 'packageurl-js';
import { readTar } from '../../supply-chain/image/tar.js';
import { startPartsMirror, requirePartsCache, NPM_CACHE, type PartsMirror } from '../support/parts-mirror.js';
import { REPO_ROOT } from '../support/shared.js';
import { startIssuer, TEST_AUDIENCE, type TestIssuer } from '../services/support/oidc.js';
import { collect, sovra, waitFor, type Result } from '../support/process.js';
import { listFiles, tempDir, TEST_EPOCH } from '../support/synth-output.js';

const parts = shippedParts();
const EPOCH = TEST_EPOCH;
const env = { SOURCE_DATE_EPOCH: EPOCH, npm_config_cache: NPM_CACHE };
/** A loopback URL nothing listens on: a build that needs the network fails. */
let CLOSED: string;

/** Absolute path of a host program (the chrooted process gets the image's PATH, not this one's). */
function hostProgram(name: string): string {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin', '/usr/bin', '/bin'])) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  throw new Error(`${name} is needed by this test and is not installed (Debian package coreutils for chroot, util-linux for unshare).`);
}

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { architecture: string; os: string };
  annotations?: Record<string, string>;
  artifactType?: string;
}
interface Manifest {
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  artifactType?: string;
}
interface Config {
  architecture: string;
  os: string;
  created: string;
  config: { User: string; Env: string[]; Entrypoint: string[]; Cmd: string[]; WorkingDir: string; ExposedPorts: Record<string, object> };
  rootfs: { type: string; diff_ids: string[] };
}

let tmp: string;
let mirror: PartsMirror;
let first: Result;
let second: Result;
const out = () => join(tmp, 'first');
const blob = (digest: string, dir = out()) => join(dir, 'oci', 'blobs', 'sha256', digest.slice('sha256:'.length));
const json = <T>(digest: string): T => JSON.parse(readFileSync(blob(digest), 'utf8')) as T;

async function fileSha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(c as Buffer);
  return h.digest('hex');
}

function build(args: string[], extraEnv: Record<string, string> = {}): Promise<Result> {
  return sovra(['image', 'build', ...args], { ...env, ...extraEnv });
}

beforeAll(async () => {
  requirePartsCache();
  tmp = tempDir('sovra-image-');
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  CLOSED = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
  await new Promise((resolve) => probe.close(resolve));
  mirror = await startPartsMirror();
  // A cold cache: the Debian packages and Node.js come from the mirror, checked while they stream.
  first = await build(['--out', out(), '--cache', join(tmp, 'cache'), '--debian-mirror', `${mirror.url}/debian`, '--npm-registry', `${mirror.url}/npm`, '--lock', join(tmp, 'images.lock.json')]);
  // The same checkout again, from the warm cache and with no network at all.
  second = await build(['--out', join(tmp, 'second'), '--cache', join(tmp, 'cache'), '--debian-mirror', CLOSED, '--npm-registry', CLOSED, '--json']);
}, 1_200_000);

afterAll(async () => {
  await mirror?.close();
  if (!tmp) return;
  // The unpacked image has read-only directories, which only root may empty.
  if (process.getuid?.() !== 0) spawnSync('chmod', ['-R', 'u+w', tmp]);
  rmSync(tmp, { recursive: true, force: true });
});

describe('two builds', () => {
  it('succeed, the first fetching the pinned parts from the mirror, the second offline from the cache', () => {
    expect(first.status, first.stderr).toBe(0);
    expect(second.status, second.stderr).toBe(0);
    expect(first.stdout).toMatch(/^built registry\.sovra\.dev\/sovra\/control-plane:0\.1\.0@sha256:[0-9a-f]{64} \(linux\/amd64, linux\/arm64\)/m);
    const pinned = parts.debian.packages.flatMap((p) => p.files.map((f) => `/debian/${f.filename}`)).concat(parts.node.packages.map((n) => `/npm/${n.tarball}`));
    for (const p of pinned) expect(mirror.served.filter((s) => s === p), p).toHaveLength(1);
    expect(first.stdout).toContain(`${mirror.served.length} downloaded`);
    expect(JSON.parse(second.stdout).lockEntry.digest).toBeDefined();
  });

  it('give the same digest and byte-identical output', async () => {
    const a = JSON.parse(readFileSync(join(out(), 'image.json'), 'utf8')) as { digest: string };
    expect(JSON.parse(second.stdout).digest).toBe(a.digest);
    expect(first.stdout).toContain(a.digest);
    const files = listFiles(out());
    expect(listFiles(join(tmp, 'second'))).toEqual(files);
    for (const f of files) expect(await fileSha256(join(tmp, 'second', f)), f).toBe(await fileSha256(join(out(), f)));
  });
});

describe('the OCI layout', () => {
  it('has oci-layout, index.json and only blobs named by their SHA-256', async () => {
    expect(JSON.parse(readFileSync(join(out(), 'oci', 'oci-layout'), 'utf8'))).toEqual({ imageLayoutVersion: '1.0.0' });
    expect(readdirSync(join(out(), 'oci')).sort()).toEqual(['blobs', 'index.json', 'oci-layout']);
    expect(readdirSync(join(out(), 'oci', 'blobs'))).toEqual(['sha256']);
    for (const name of readdirSync(join(out(), 'oci', 'blobs', 'sha256'))) expect(await fileSha256(join(out(), 'oci', 'blobs', 'sha256', name)), name).toBe(name);
  });

  it('names an image index by tag, with a manifest per platform, and attaches the SBOM as a referrer', () => {
    const layout = JSON.parse(readFileSync(join(out(), 'oci', 'index.json'), 'utf8')) as { schemaVersion: number; mediaType: string; manifests: Descriptor[] };
    expect(layout).toMatchObject({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json' });
    const [image, referrer] = layout.manifests;
    expect(image).toMatchObject({ mediaType: 'application/vnd.oci.image.index.v1+json', annotations: { 'org.opencontainers.image.ref.name': '0.1.0', 'io.containerd.image.name': 'registry.sovra.dev/sovra/control-plane:0.1.0' } });
    expect(statSync(blob(image!.digest)).size).toBe(image!.size);
    const index = json<{ mediaType: string; manifests: Descriptor[] }>(image!.digest);
    expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(index.manifests.map((m) => [m.mediaType, m.platform])).toEqual([
      ['application/vnd.oci.image.manifest.v1+json', { architecture: 'amd64', os: 'linux' }],
      ['application/vnd.oci.image.manifest.v1+json', { architecture: 'arm64', os: 'linux' }],
    ]);
    const sbom = json<Manifest>(referrer!.digest);
    expect(referrer!.artifactType).toBe('application/vnd.cyclonedx+json');
    expect(sbom.subject).toEqual({ mediaType: image!.mediaType, digest: image!.digest, size: image!.size });
    expect(sbom.config).toMatchObject({ mediaType: 'application/vnd.oci.empty.v1+json', size: 2 });
    expect(readFileSync(blob(sbom.layers[0]!.digest))).toEqual(readFileSync(join(out(), 'sbom.cdx.json')));
  });

  it('has per platform four uncompressed tar layers (Debian, Node.js, npm tree, Sovra), the last shared, and a config naming them', () => {
    const index = json<{ manifests: Descriptor[] }>(JSON.parse(readFileSync(join(out(), 'image.json'), 'utf8')).digest);
    const manifests = index.manifests.map((d) => json<Manifest>(d.digest));
    for (const [i, m] of manifests.entries()) {
      expect(m.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
      expect(m.layers.map((l) => l.mediaType)).toEqual(Array(4).fill('application/vnd.oci.image.layer.v1.tar'));
      for (const l of [...m.layers, m.config]) expect(statSync(blob(l.digest)).size, l.digest).toBe(l.size);
      const config = json<Config>(m.config.digest);
      expect(config.architecture).toBe(index.manifests[i]!.platform!.architecture);
      expect(config.rootfs).toEqual({ type: 'layers', diff_ids: m.layers.map((l) => l.digest) });
      const rt = CONTROL_PLANE_IMAGE_RUNTIME;
      expect(config.config).toMatchObject({ User: `${rt.user.uid}:${rt.user.gid}`, Entrypoint: rt.entrypoint, Cmd: rt.cmd, WorkingDir: '/app', Env: ['PATH=/usr/bin:/bin', 'NODE_ENV=production'], ExposedPorts: { '8080/tcp': {} } });
      expect(config.created).toBe(new Date(Number(EPOCH) * 1000).toISOString().replace('.000', ''));
    }
    const [amd, arm] = manifests;
    expect(amd!.layers[3]!.digest).toBe(arm!.layers[3]!.digest);
    for (const i of [0, 1, 2]) expect(amd!.layers[i]!.digest).not.toBe(arm!.layers[i]!.digest);
  });

  it('writes every layer sorted, every file with a fixed time, owned by root (the user owns only its home)', async () => {
    const index = json<{ manifests: Descriptor[] }>(JSON.parse(readFileSync(join(out(), 'image.json'), 'utf8')).digest);
    const m = json<Manifest>(index.manifests[0]!.digest);
    for (const [i, l] of m.layers.entries()) {
      const paths: string[] = [];
      const times = new Set<number>();
      const owners = new Set<string>();
      for await (const e of readTar(createReadStream(blob(l.digest)), l.digest)) {
        paths.push(e.path);
        times.add(e.mtime);
        owners.add(`${e.uid}:${e.gid}${e.uid === 0 ? '' : ` ${e.path}`}`);
      }
      expect(paths, `layer ${i}`).toEqual([...paths].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
      expect([...times], `layer ${i}`).toEqual([i === 3 ? Number(EPOCH) : parts.epoch.seconds]);
      expect([...owners].sort(), `layer ${i}`).toEqual(i === 0 ? ['0:0', '65532:65532 home/nonroot'] : ['0:0']);
    }
  });
});

describe('the image, unpacked and run', () => {
  let root: string;
  let config: Config['config'];
  let issuer: TestIssuer | undefined;
  let server: ChildProcess | undefined;
  beforeAll(() => {
    root = join(tmp, 'rootfs');
    mkdirSync(root);
    const index = json<{ manifests: Descriptor[] }>(JSON.parse(readFileSync(join(out(), 'image.json'), 'utf8')).digest);
    const host = process.arch === 'arm64' ? 'arm64' : 'amd64';
    const m = json<Manifest>(index.manifests.find((d) => d.platform!.architecture === host)!.digest);
    config = json<Config>(m.config.digest).config;
    // Layers in order, by GNU tar (not Sovra's own reader).
    for (const l of m.layers) {
      // Not as root: in a user namespace where this user is root (so read-only directories can be filled), without the owners.
      const tar = ['tar', '--numeric-owner', '-xpf', blob(l.digest), '-C', root];
      const r = process.getuid?.() === 0 ? spawnSync(tar[0]!, tar.slice(1), { encoding: 'utf8' }) : spawnSync(hostProgram('unshare'), ['--map-root-user', ...tar, '--no-same-owner'], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    }
  });
  afterAll(async () => {
    if (server && server.exitCode === null) server.kill('SIGKILL');
    await issuer?.close();
  });

  /**
   * Runs the image's entry point with `args` (in place of its Cmd) the way a
   * container runtime would: its own mount and PID namespaces with /proc and
   * the standard devices (a runtime provides them; the image does not carry
   * them), chrooted into the root file system, as the image's user, with
   * only the image's environment. As root that is unshare + chroot; for
   * another user, a user namespace in which it is root (unshare
   * --map-root-user), then without changing to the image's user.
   */
  function runImage(args: string[]): ChildProcess {
    mkdirSync(join(root, 'proc'), { recursive: true });
    mkdirSync(join(root, 'dev'), { recursive: true });
    const isRoot = process.getuid?.() === 0;
    if (!isRoot && spawnSync(hostProgram('unshare'), ['--map-root-user', 'true']).status !== 0) {
      throw new Error('This test runs the image under chroot, which needs root, or a user namespace (unshare --map-root-user) where unprivileged user namespaces are allowed. Run the tests as root.');
    }
    const script = [
      'set -e',
      `"${hostProgram('mount')}" -t proc proc "$0/proc"`,
      `for d in null zero random urandom; do : > "$0/dev/$d"; "${hostProgram('mount')}" --bind "/dev/$d" "$0/dev/$d"; done`,
      `exec "${hostProgram('chroot')}" ${isRoot ? `--userspec=${config.User} ` : ''}"$0" "$@"`,
    ].join('\n');
    const command = [...config.Entrypoint, ...args];
    const env = Object.fromEntries(config.Env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
    return spawn(hostProgram('unshare'), [...(isRoot ? [] : ['--map-root-user']), '--mount', '--pid', '--fork', '--kill-child', hostProgram('sh'), '-c', script, root, ...command], { env });
  }

  /** Sends `signal` to the image's process: unshare blocks SIGTERM itself, so it goes to its child (the namespace's first process). */
  function signal(child: ChildProcess, sig: NodeJS.Signals): void {
    const children = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    expect(children).toHaveLength(1);
    process.kill(Number(children[0]), sig);
  }

  async function exit(child: ChildProcess): Promise<number | null> {
    return child.exitCode !== null ? child.exitCode : new Promise((resolve) => child.on('exit', resolve));
  }

  it('is a root file system without a shell, with merged /usr, the user and the CA bundle', () => {
    const names = new Set<string>();
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(d, e.name));
        else names.add(e.name);
      }
    };
    walk(root);
    for (const shell of ['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'busybox', 'toybox']) expect(names.has(shell), shell).toBe(false);
    for (const top of ['bin', 'lib', 'sbin']) expect(readlinkSync(join(root, top))).toBe(`usr/${top}`);
    expect(readFileSync(join(root, 'etc/passwd'), 'utf8')).toContain('nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n');
    const bundle = readFileSync(join(root, 'etc/ssl/certs/ca-certificates.crt'), 'utf8');
    const certs = readdirSync(join(root, 'usr/share/ca-certificates/mozilla'));
    expect(bundle.match(/-----BEGIN CERTIFICATE-----/g)).toHaveLength(certs.length);
    expect(statSync(join(root, 'tmp')).mode & 0o7777).toBe(0o1777);
    expect(statSync(join(root, 'app/lib/cli/main.js')).mode & 0o777).toBe(0o444);
  });

  it('writes the built-in model as the init container does, then serves it: /healthz, /readyz and a chat answer from llama.cpp in the image', async () => {
    const model = builtinLocalModel();
    // The init container: `sovra model tiny --out <file>` (the Deployment's args after the entry point).
    const init = runImage(['model', 'tiny', '--out', `/tmp/${model.file}`]);
    const initOut = collect(init);
    expect(await exit(init), initOut.stderr).toBe(0);
    if (process.getuid?.() === 0) expect(statSync(join(root, 'tmp', model.file)).uid).toBe(65532);

    issuer = await startIssuer();
    server = runImage([...config.Cmd, '--host', '127.0.0.1', '--port', '0', '--oidc-issuer', issuer.issuer, '--oidc-audience', TEST_AUDIENCE, '--local-model', `/tmp/${model.file}`, '--local-model-sha256', model.sha256, '--data-dir', '/tmp/sovra-data']);
    const output = collect(server);
    const [, url] = await waitFor(server, output, /listening on (http:\/\/127\.0\.0\.1:\d+)/);
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${url}/readyz`);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { storage: 'ok', inference: 'ok (local)' } });
    const chat = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await issuer.token()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: model.name, messages: [{ role: 'user', content: 'hi' }], temperature: 0 }),
    });
    expect(chat.status, await chat.clone().text()).toBe(200);
    expect(((await chat.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content).toBe(TINY_ANSWER);
    expect(chat.headers.get('x-sovra-model-digest')).toBe(`sha256:${model.sha256}`);
    signal(server, 'SIGTERM');
    expect(await exit(server), output.stderr).toBe(0);
    expect(output.stdout).toContain('sovra serve: stopped');
  }, 300_000);
});

describe('the lock and the control plane component', () => {
  it('records the index digest for the image reference, and `sovra synth --lock` renders the control plane by it', async () => {
    const digest = (JSON.parse(readFileSync(join(out(), 'image.json'), 'utf8')) as { digest: string }).digest;
    const lockPath = join(tmp, 'images.lock.json');
    const lock = ImageLock.parse(readFileSync(lockPath, 'utf8'), lockPath);
    expect(lock.file.images).toHaveLength(1);
    expect(lock.file.images[0]).toMatchObject({ reference: 'registry.sovra.dev/sovra/control-plane:0.1.0', digest });
    expect(lock.file.images[0]!.source).toMatch(/^built by sovra image build from supply-chain\/image\/parts\.lock\.json \(sha256:[0-9a-f]{64}\) and package-lock\.json \(sha256:[0-9a-f]{64}\), /);
    expect(first.stdout).toContain(`recorded ${digest} for registry.sovra.dev/sovra/control-plane:0.1.0 in ${lockPath}`);

    const dist = join(tmp, 'dev');
    const synth = await sovra(['synth', '--profile', 'dev', '--out', dist, '--lock', lockPath, '--quiet'], env);
    expect(synth.status, synth.stderr).toBe(0);
    const docs = YAML.parseAllDocuments(readFileSync(join(dist, 'manifests', 'control-plane.yaml'), 'utf8')).map((d) => d.toJSON() as { kind: string; metadata: { name: string }; spec: any });
    const deployment = docs.find((d) => d.kind === 'Deployment' && d.metadata.name === 'control-plane')!;
    const pod = deployment.spec.template.spec;
    const images = [...pod.containers, ...(pod.initContainers ?? [])].map((c: { image: string }) => c.image);
    expect(images.length).toBeGreaterThan(0);
    for (const i of images) expect(i).toBe(`registry.sovra.dev/sovra/control-plane@${digest}`);
    // The image's user is the pod's.
    expect([pod.securityContext.runAsUser, pod.securityContext.runAsGroup]).toEqual([CONTROL_PLANE_IMAGE_RUNTIME.user.uid, CONTROL_PLANE_IMAGE_RUNTIME.user.gid]);
  }, 300_000);

  it('keeps the other entries of a lock and replaces its own', async () => {
    const lockPath = join(tmp, 'site.lock.json');
    const other = { reference: 'quay.io/x/y:1', digest: `sha256:${'a'.repeat(64)}`, source: 'test', recordedAt: '2026-01-01' };
    const stale = { reference: 'registry.sovra.dev/sovra/control-plane:0.1.0', digest: `sha256:${'b'.repeat(64)}`, source: 'old', recordedAt: '2026-01-01' };
    writeFileSync(lockPath, JSON.stringify({ lockVersion: 1, images: [stale, other] }));
    const { recordInLock } = await import('../../supply-chain/image/record-lock.js');
    const entry = JSON.parse(readFileSync(join(out(), 'image.json'), 'utf8')).lockEntry;
    expect(recordInLock(lockPath, entry)).toEqual({ replaced: true });
    expect(ImageLock.parse(readFileSync(lockPath, 'utf8'), lockPath).file.images).toEqual([other, entry]);
  });
});

describe('the SBOM', () => {
  it('lists every Debian package, Node.js and the npm tree of both platforms by digest, under the image', () => {
    const text = readFileSync(join(out(), 'sbom.cdx.json'), 'utf8');
    validateCycloneDx(text, 'image SBOM', '1.6');
    const bom = JSON.parse(text) as { metadata: { component: { 'bom-ref': string; hashes: Array<{ content: string }> } }; components: Array<{ 'bom-ref': string; purl?: string; hashes?: Array<{ alg: string; content: string }> }> };
    const digest = (JSON.parse(readFileSync(join(out(), 'image.json'), 'utf8')) as { digest: string }).digest;
    expect(bom.metadata.component['bom-ref']).toBe(`image:registry.sovra.dev/sovra/control-plane:0.1.0@${digest}`);
    expect(bom.metadata.component.hashes).toEqual([{ alg: 'SHA-256', content: digest.slice(7) }]);
    const byPurl = new Map(bom.components.map((c) => [c.purl, c]));
    for (const p of parts.debian.packages) {
      for (const f of p.files) {
        const purl = new PackageURL('deb', 'debian', p.package, f.version, { arch: f.architecture, distro: 'debian-12' }, undefined).toString();
        expect(byPurl.get(purl)?.hashes, purl).toEqual([{ alg: 'SHA-256', content: f.sha256 }]);
      }
    }
    for (const n of parts.node.packages) expect(byPurl.get(`pkg:npm/${n.name}@${n.version}`)?.hashes).toEqual([{ alg: 'SHA-512', content: integrityHex(n.integrity, n.name) }]);
    const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as unknown;
    const npm = new Set(['amd64', 'arm64'].flatMap((a) => readNpmTree(lock, 'package-lock.json', npmPlatform(a as 'amd64')).packages.map((p) => p.bomRef)));
    const listed = new Set(bom.components.map((c) => c['bom-ref']).filter((r) => r.startsWith('npm:') && !/^npm:(sovra|node-linux-(x64|arm64))@/.test(r)));
    expect(listed).toEqual(npm);
  });
});

describe('refusals', () => {
  it('stops at a part that does not match its pin, naming it, the pin and what was found; the damaged cache entry is not used, nothing is written', async () => {
    const libc = parts.debian.packages.find((p) => p.package === 'libc6')!.files.find((f) => f.architecture === 'amd64')!;
    const bad = await startPartsMirror({ corrupt: `/debian/${libc.filename}` });
    try {
      const cache = join(tmp, 'bad-cache');
      mkdirSync(join(cache, 'blobs', 'sha256'), { recursive: true });
      writeFileSync(join(cache, 'blobs', 'sha256', libc.sha256), 'not libc6');
      const r = await build(['--out', join(tmp, 'refused'), '--platform', 'linux/amd64', '--cache', cache, '--debian-mirror', `${bad.url}/debian`, '--npm-registry', `${bad.url}/npm`]);
      expect(r.status, r.stderr).toBe(9);
      expect(r.stderr).toMatch(
        new RegExp(`Debian package libc6 ${libc.version.replace(/\+/g, '\\+')} \\(amd64\\): ${bad.url}/debian/pool/main/g/glibc/libc6_[^ ]+_amd64\\.deb has sha256:(?!${libc.sha256})[0-9a-f]{64}, but the pin is sha256:${libc.sha256}\\.`),
      );
      expect(existsSync(join(tmp, 'refused'))).toBe(false);
      expect(existsSync(join(cache, 'blobs', 'sha256', libc.sha256))).toBe(false);
    } finally {
      await bad.close();
    }
  }, 300_000);

  it('fails with a cold cache and no network, naming the part, the URL and how to fill the cache', async () => {
    const r = await build(['--out', join(tmp, 'offline'), '--platform', 'linux/amd64', '--cache', join(tmp, 'empty-cache'), '--debian-mirror', CLOSED, '--npm-registry', CLOSED]);
    expect(r.status, r.stderr).toBe(10);
    expect(r.stderr).toMatch(/Debian package libc6 .* \(amd64\): cannot download http:\/\/127\.0\.0\.1:\d+\/pool\/main\/g\/glibc\/libc6_.*_amd64\.deb \(ECONNREFUSED\)\. It is not in the cache .*fetch:image-parts/);
    expect(existsSync(join(tmp, 'offline'))).toBe(false);
  }, 300_000);

  it('refuses an unknown platform and a mirror that is not a URL', async () => {
    const r = await build(['--platform', 'linux/s390x']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/platform "linux\/s390x" is not one the parts lock pins; choose from linux\/amd64, linux\/arm64/);
    const m = await build(['--debian-mirror', 'deb.debian.org']);
    expect(m.status).toBe(2);
    expect(m.stderr).toMatch(/--debian-mirror "deb\.debian\.org" is not an http\(s\) URL/);
  });
});
