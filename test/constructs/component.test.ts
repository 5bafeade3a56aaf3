/**
 * The component model through its public construct API: image pins per
 * profile, control ids checked against the catalog, construct ids as a
 * contract, and a loosened baseline that reaches the OSCAL output with its
 * reason.
 */
import type { Construct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Component, type ComponentProps } from '../../constructs/kit/component.js';
import { HardenedWorkload } from '../../constructs/kit/workload.js';
import { imageRef, type ImageSpec } from '../../constructs/kit/image.js';
import { ImageLock } from '../../constructs/kit/image-lock.js';
import { isSovraError, type SovraError } from '../../core/errors.js';
import type { ControlId } from '../../controls/control-id.generated.js';
import { loadProfile } from '../../profiles/load.js';
import { buildPlatform } from '../../synth/synth.js';
import { ProbeComponent } from '../fixtures/components.js';
import { listFiles, readJson, removeDir, synthProfile, tempDir, writtenObjects, type ProfileName } from '../support/synth-output.js';

const TAG_ONLY = { registry: 'ghcr.io', repository: 'example/probe', tag: '1.0.0', license: 'MIT' };
const DIGEST = `sha256:${'1'.repeat(64)}`;

function probeImage(profile: ProfileName, lock?: ImageLock): ImageSpec {
  const { platform } = buildPlatform(loadProfile(profile), lock ? { lock } : {});
  return new ProbeComponent(platform, 'probe', { profile: platform.profile, mode: 'on', image: TAG_ONLY }).images[0]!;
}

function badInput(e: unknown): string {
  expect(isSovraError(e), String(e)).toBe(true);
  expect((e as SovraError).code).toBe('bad-input');
  return (e as Error).message;
}

function addProbe(profile: ProfileName, extra: Partial<ConstructorParameters<typeof ProbeComponent>[2]>): unknown {
  const { platform } = buildPlatform(loadProfile(profile));
  try {
    new ProbeComponent(platform, 'probe', { profile: platform.profile, mode: 'on', ...extra });
    return undefined;
  } catch (e) {
    return e;
  }
}

describe('images and the image lock', () => {
  const lock = (digest: string, reference = 'ghcr.io/example/probe:1.0.0') => ImageLock.parse(JSON.stringify({ lockVersion: 1, images: [{ reference, digest, source: 'computed from the test image', recordedAt: '2026-12-01' }] }), 'test.lock.json');

  it.each(['dev', 'edge', 'cluster'] as const)('%s renders a locked image by digest and an unlocked one by tag, whatever the profile requires', (p) => {
    const locked = probeImage(p, lock(DIGEST));
    expect(locked.digest).toBe(DIGEST);
    expect(imageRef(locked)).toBe(`ghcr.io/example/probe@${DIGEST}`);
    const unlocked = probeImage(p, ImageLock.empty());
    expect(unlocked.digest).toBeUndefined();
    expect(imageRef(unlocked)).toBe('ghcr.io/example/probe:1.0.0');
  });

  it('refuses a malformed lock, naming the entry and the problem', () => {
    expect(badInput(tryLock(() => lock('sha256:ABC')))).toMatch(/images\[0\] \(ghcr\.io\/example\/probe:1\.0\.0\): digest "sha256:ABC" is not "sha256:" and 64 lower-case hex/);
    expect(badInput(tryLock(() => lock(DIGEST, 'ghcr.io/example/probe')))).toMatch(/reference "ghcr.io\/example\/probe" is not registry\/repository:tag/);
    expect(badInput(tryLock(() => ImageLock.parse('{"lockVersion":1,"images":[{"reference":"a.io/b:c","digest":"' + DIGEST + '","source":"","recordedAt":"2026-01-01"}]}', 'x.json')))).toMatch(/source is missing/);
  });

  it('every digest of the shipped lock names where it was published, and the lock is sorted by reference', () => {
    const shippedLock = ImageLock.shipped();
    const refs = shippedLock.file.images.map((i) => i.reference);
    expect(refs).toEqual([...refs].sort());
    for (const i of shippedLock.file.images) expect(i.source).toMatch(/published|computed/);
  });
});

function tryLock(f: () => unknown): unknown {
  try {
    f();
    return undefined;
  } catch (e) {
    return e;
  }
}

describe('claims', () => {
  it('refuses a control id that is not in SP 800-53 rev5', () => {
    const msg = badInput(addProbe('dev', { control: 'sc-99' as ControlId }));
    expect(msg).toContain('unknown control "sc-99"');
    expect(msg).toContain('platform/probe');
  });
});

describe('construct ids are a contract', () => {
  it('keeps the component ids that file names, OSCAL UUIDs and Terraform addresses derive from', () => {
    for (const p of ['dev', 'edge', 'cluster'] as const) {
      // The mesh is off on dev (components.istio.enabled).
      const mesh = p === 'dev' ? [] : ['istio'];
      // GPU components only where the profile has GPU pools (edge, cluster); KServe only where it also serves predictive models (cluster).
      const gpu = p === 'dev' ? [] : p === 'edge' ? ['gpu-operator', 'vllm'] : ['gpu-operator', 'vllm', 'kserve'];
      // Tekton (the in-cluster CI gate) on edge and cluster (components.tekton.enabled).
      const tekton = p === 'dev' ? [] : ['tekton'];
      expect(buildPlatform(loadProfile(p)).platform.components.map((c) => c.node.id)).toEqual(['distribution', 'cilium', ...mesh, 'cert-manager', 'openbao', 'external-secrets', 'spire', 'nats', 'postgres', 'object-store', 'keycloak', 'control-plane', ...gpu, ...tekton, 'logs', 'traces', 'monitoring', 'admission']);
    }
  });
});

/** A component whose workload writes its root filesystem, with a reason. */
class WritableCache extends Component {
  constructor(scope: Construct, id: string, props: ComponentProps) {
    super(scope, id, props, { title: 'Cache', description: 'A cache that writes to its root filesystem.', layer: 'data', namespace: 'sovra-cache', version: '1.0.0' });
    const image = this.addImage({ registry: 'ghcr.io', repository: 'example/cache', tag: '1.0.0', license: 'MIT' });
    const w = new HardenedWorkload(this, 'Workload', {
      name: 'cache',
      image,
      replicas: props.profile.replicas.stateless,
      ports: [{ name: 'http', port: 8080 }],
      resources: { cpu: '100m', memory: '128Mi' },
      allowWritableRootFs: { reason: 'The upstream image unpacks plugins into /opt at start.' },
    });
    void w;
  }
}

describe('a loosened baseline', () => {
  let dir: string;
  beforeAll(async () => {
    dir = tempDir();
    await synthProfile('edge', `${dir}/edge`, { customize: (platform) => new WritableCache(platform, 'cache', { profile: platform.profile }) });
  });
  afterAll(() => removeDir(dir));

  it('changes only the named setting and reaches the OSCAL definition with its reason', () => {
    const out = `${dir}/edge`;
    expect(listFiles(out)).toContain('manifests/cache.yaml');
    const d = writtenObjects(out).find((o) => o.object.kind === 'Deployment' && o.object.metadata.name === 'cache')!.object;
    const sc = (d.spec as { template: { spec: { containers: Array<{ securityContext: Record<string, unknown> }> } } }).template.spec.containers[0]!.securityContext;
    expect(sc).toMatchObject({ readOnlyRootFilesystem: false, allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    const text = JSON.stringify(readJson(out, 'oscal/component-definitions/cache.json'));
    expect(text).toContain('readOnlyRootFilesystem=false');
    expect(text).toContain('The upstream image unpacks plugins into /opt at start.');
  });
});
