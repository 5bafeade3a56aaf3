/**
 * The world of the bundle tests, all real parts on loopback: a source
 * registry with Basic auth (images built by the test, pushed with the
 * product's client) behind a fault proxy, a registry serving a chart
 * packaged by `helm` and pushed with `helm push` (an OCI chart), an HTTP
 * chart repository (index.yaml by `helm repo index`, and the archive), an
 * empty target registry, a signing key pair, and a component that exists
 * only in these tests and runs those images and charts. The profile is
 * edge with the component as its only one.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { Construct } from 'constructs';
import { Component, type ComponentProps } from '../../constructs/kit/component.js';
import type { ComponentDefinition } from '../../constructs/kit/definition.js';
import type { ImagePin } from '../../constructs/kit/image.js';
import { ImageLock } from '../../constructs/kit/image-lock.js';
import { loadProfile } from '../../profiles/load.js';
import type { Profile } from '../../profiles/profile.generated.js';
import { generateKeyPair } from '../../supply-chain/keys.js';
import { CredentialStore } from '../../supply-chain/oci/auth.js';
import { RegistryClient } from '../../supply-chain/oci/client.js';
import { lockText, resolveLock } from '../../supply-chain/oci/lock.js';
import { helm } from '../conformance/support/helm.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { buildTestImage, pushTestImage, type TestImage } from './oci-images.js';
import { startRegistry, type TestRegistry } from './registry.js';
import { removeDir, tempDir } from './synth-output.js';

/** A running static file server (the HTTP chart repository). */
interface FileServer {
  readonly url: string;
  readonly log: string[];
  stop(): Promise<void>;
}

async function serveDir(dir: string): Promise<FileServer> {
  const log: string[] = [];
  const server: Server = createServer((req, res) => {
    log.push(`${req.method} ${req.url}`);
    const file = join(dir, (req.url ?? '/').split('?')[0]!.replace(/^\/charts\//, ''));
    if (!file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-length': statSync(file).size, 'content-type': 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/charts`, log, stop: () => new Promise((r) => server.close(() => r())) };
}

const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** Writes a minimal chart `name` `version` and packages it with helm; returns the archive's path. */
export function packageChart(dir: string, name: string, version: string): string {
  const src = join(dir, 'src', name);
  mkdirSync(join(src, 'templates'), { recursive: true });
  writeFileSync(join(src, 'Chart.yaml'), `apiVersion: v2\nname: ${name}\nversion: ${version}\nappVersion: "1.0.0"\ndescription: A chart packaged by the bundle tests.\n`);
  writeFileSync(join(src, 'values.yaml'), 'greeting: hello\n');
  writeFileSync(join(src, 'templates', 'configmap.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  greeting: {{ .Values.greeting | quote }}\n');
  const out = join(dir, 'packages');
  mkdirSync(out, { recursive: true });
  execFileSync(helm(), ['package', src, '--destination', out], { stdio: 'pipe' });
  return join(out, `${name}-${version}.tgz`);
}

/** Everything the bundle tests run against. */
export interface BundleFixture {
  readonly root: string;
  readonly source: TestRegistry;
  /** In front of `source`: images are named with its host, so faults can be injected. */
  readonly proxy: FaultProxy;
  readonly chartRegistry: TestRegistry;
  readonly target: TestRegistry;
  readonly chartRepo: FileServer;
  /** The folder the HTTP chart repository serves (run `helm repo index` after adding to it). */
  readonly chartRepoDir: string;
  readonly authFile: string;
  readonly keyFile: string;
  readonly pubFile: string;
  readonly images: { readonly multi: TestImage; readonly single: TestImage };
  readonly pins: readonly ImagePin[];
  readonly charts: { readonly http: { digest: string; file: string }; readonly oci: { digest: string } };
  /** The edge profile with only the test component (and no license waivers, whose components are absent). */
  readonly profile: Profile;
  /** The test component's definition (`components` of the platform). */
  readonly components: readonly ComponentDefinition[];
  /** A component with an image that is not locked. */
  readonly unlockedComponent: ComponentDefinition;
  /** A component with a chart whose archive digest is not pinned. */
  readonly unpinnedChartComponent: ComponentDefinition;
  readonly lockPath: string;
  readonly lock: ImageLock;
  client(): RegistryClient;
  stop(): Promise<void>;
}

/** Starts every server, pushes the images and charts, and locks the images. */
export async function startBundleFixture(): Promise<BundleFixture> {
  const root = tempDir('sovra-bundle-');
  const [source, chartRegistry, target] = await Promise.all([startRegistry({ auth: { kind: 'basic', username: 'site', password: 'bundle-secret' } }), startRegistry(), startRegistry()]);
  const proxy = await startFaultProxy(source.host);
  const chartRepoDir = join(root, 'chart-repo');
  mkdirSync(chartRepoDir, { recursive: true });
  const httpChart = packageChart(join(root, 'chart-http'), 'edgeapp', '0.1.0');
  writeFileSync(join(chartRepoDir, 'edgeapp-0.1.0.tgz'), readFileSync(httpChart));
  const chartRepo = await serveDir(chartRepoDir);
  execFileSync(helm(), ['repo', 'index', chartRepoDir, '--url', chartRepo.url], { stdio: 'pipe' });
  const ociChart = packageChart(join(root, 'chart-oci'), 'edgeapp-oci', '0.2.0');
  execFileSync(helm(), ['push', ociChart, `oci://${chartRegistry.host}/charts`, '--plain-http'], { stdio: 'pipe', env: { ...process.env, HELM_REGISTRY_CONFIG: join(root, 'helm-registry.json'), HELM_CACHE_HOME: join(root, 'helm-cache'), HELM_CONFIG_HOME: join(root, 'helm-config') } });

  const authFile = join(root, 'auth.json');
  writeFileSync(authFile, JSON.stringify({ auths: { [proxy.host]: { auth: Buffer.from('site:bundle-secret').toString('base64') }, [source.host]: { auth: Buffer.from('site:bundle-secret').toString('base64') } } }));
  const client = (): RegistryClient => new RegistryClient({ credentials: CredentialStore.load(authFile), backoffMs: 10 });
  const multi = await buildTestImage('app', [
    { os: 'linux', architecture: 'amd64' },
    { os: 'linux', architecture: 'arm64' },
  ], 2, 96 << 10, 'base');
  const single = await buildTestImage('sidecar', [{ os: 'linux', architecture: 'amd64' }], 2, 48 << 10, 'base');
  const c = client();
  await pushTestImage(c, { registry: source.host, repository: 'edge/app' }, '1.0.0', multi);
  await pushTestImage(c, { registry: source.host, repository: 'edge/sidecar' }, '2.0.0', single);
  const pins: ImagePin[] = [
    { registry: proxy.host, repository: 'edge/app', tag: '1.0.0', license: 'Apache-2.0' },
    { registry: proxy.host, repository: 'edge/sidecar', tag: '2.0.0', license: 'MIT' },
  ];
  const lockPath = join(root, 'images.lock.json');
  const locked = await resolveLock(c, pins, { lockVersion: 1, images: [] }, '2026-01-01T00:00:00Z');
  if (locked.failures.length > 0) throw locked.failures[0]!.error;
  writeFileSync(lockPath, lockText(locked.file));
  c.close();
  const lock = ImageLock.parse(readFileSync(lockPath, 'utf8'), lockPath);

  const httpDigest = sha256(readFileSync(httpChart));
  const ociDigest = sha256(readFileSync(ociChart));
  const charts = { http: { digest: httpDigest, file: httpChart }, oci: { digest: ociDigest } };

  class EdgeApp extends Component {
    constructor(scope: Construct, id: string, props: ComponentProps) {
      super(scope, id, props, { title: 'Edge app', description: 'A component written by the bundle tests.', layer: 'data', namespace: 'sovra-edgeapp', version: '1.0.0' });
      for (const p of pins) this.addImage(p);
      this.addChart({ release: 'edgeapp', repository: chartRepo.url, chart: 'edgeapp', version: '0.1.0', digest: httpDigest, license: 'Apache-2.0', namespace: 'sovra-edgeapp', values: { greeting: 'air-gapped' } });
      this.addChart({ release: 'edgeapp-oci', repository: `oci://${chartRegistry.host}/charts`, chart: 'edgeapp-oci', version: '0.2.0', digest: ociDigest, license: 'Apache-2.0', namespace: 'sovra-edgeapp', values: {} });
    }
  }
  class Unlocked extends Component {
    constructor(scope: Construct, id: string, props: ComponentProps) {
      super(scope, id, props, { title: 'Unlocked', description: 'Runs an image nobody locked.', layer: 'data', namespace: 'sovra-unlocked', version: '1.0.0' });
      this.addImage({ registry: proxy.host, repository: 'edge/unlocked', tag: '0.0.1', license: 'MIT' });
    }
  }
  class Unpinned extends Component {
    constructor(scope: Construct, id: string, props: ComponentProps) {
      super(scope, id, props, { title: 'Unpinned', description: 'Installs a chart without an archive digest.', layer: 'data', namespace: 'sovra-unpinned', version: '1.0.0' });
      this.addChart({ release: 'loose', repository: chartRepo.url, chart: 'edgeapp', version: '0.1.0', license: 'Apache-2.0', namespace: 'sovra-unpinned', values: {} });
    }
  }
  const unpinnedChartComponent: ComponentDefinition = { id: 'unpinned', layer: 'data', create: (s, id, p) => new Unpinned(s, id, p) };
  const components: ComponentDefinition[] = [{ id: 'edgeapp', layer: 'data', create: (s, id, p) => new EdgeApp(s, id, p) }];
  const unlockedComponent: ComponentDefinition = { id: 'unlocked', layer: 'data', create: (s, id, p) => new Unlocked(s, id, p) };

  const keys = generateKeyPair('ed25519');
  const keyFile = join(root, 'signing.key');
  const pubFile = join(root, 'signing.pub');
  writeFileSync(keyFile, keys.privateKey, { mode: 0o600 });
  writeFileSync(pubFile, keys.publicKey);
  const profile: Profile = { ...loadProfile('edge'), licenseWaivers: [], distribution: { ...loadProfile('edge').distribution, architectures: ['amd64', 'arm64'] } };

  return {
    root,
    source,
    proxy,
    chartRegistry,
    target,
    chartRepo,
    chartRepoDir,
    authFile,
    keyFile,
    pubFile,
    images: { multi, single },
    pins,
    charts,
    profile,
    components,
    unlockedComponent,
    unpinnedChartComponent,
    lockPath,
    lock,
    client,
    stop: async () => {
      await proxy.stop();
      await chartRepo.stop();
      await Promise.all([source.stop(), chartRegistry.stop(), target.stop()]);
      removeDir(root);
    },
  };
}

/** Files of `dir`, recursively (for checking that nothing was left behind). */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** Options of a test bundle. */
export interface TestBundleOptions {
  readonly allPlatforms?: boolean;
  readonly cacheDir?: string;
  readonly components?: readonly ComponentDefinition[];
  readonly profile?: Profile;
  readonly client?: RegistryClient;
  readonly onProgress?: (line: string) => void;
  readonly k3sImages?: string;
}

/** Bundles the fixture's profile into `out` through the product's createBundle and the real synth, as `sovra bundle` does. */
export async function makeBundle(fx: BundleFixture, out: string, options: TestBundleOptions = {}): Promise<import('../../supply-chain/bundle/create.js').BundleResult & { requests: number }> {
  const [{ createBundle }, { buildPlatform, synth, SOVRA_VERSION }, { inventoryOf }, { LocalKeySigner }] = await Promise.all([
    import('../../supply-chain/bundle/create.js'),
    import('../../synth/synth.js'),
    import('../../supply-chain/inventory.js'),
    import('../../supply-chain/signer.js'),
  ]);
  const profile = options.profile ?? fx.profile;
  const components = options.components ?? fx.components;
  const { platform } = buildPlatform(profile, { components, lock: fx.lock });
  platform.finalize();
  const signer = LocalKeySigner.fromFile(fx.keyFile);
  const client = options.client ?? fx.client();
  try {
    const result = await createBundle({
      profile,
      profileSource: 'bundle-test',
      inventory: inventoryOf(platform.components),
      lock: { file: fx.lock.file, origin: fx.lockPath },
      out,
      signer,
      client,
      cacheDir: options.cacheDir ?? join(fx.root, 'cache'),
      allPlatforms: options.allPlatforms ?? false,
      epoch: 1767225600,
      sovraVersion: SOVRA_VERSION,
      synth: async ({ outDir, chartArchive }) => {
        const archive = (spec: { release: string }): Buffer | undefined => {
          const path = chartArchive(spec.release);
          return path ? readFileSync(path) : undefined;
        };
        await synth({ profile, profileSource: 'bundle-test', outDir, components, lock: fx.lock, signer, chartArchive: archive, env: { SOURCE_DATE_EPOCH: '1767225600' } });
      },
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.k3sImages ? { k3sImages: options.k3sImages } : {}),
    });
    return { ...result, requests: client.requests.count };
  } finally {
    if (!options.client) client.close();
  }
}
