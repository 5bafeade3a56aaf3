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
import { isSovraError, type SovraError } from '../../core/errors.js';
import type { ControlId } from '../../controls/control-id.generated.js';
import { loadProfile } from '../../profiles/load.js';
import { buildPlatform } from '../../synth/synth.js';
import { ProbeComponent } from '../fixtures/components.js';
import { listFiles, readJson, removeDir, synthProfile, tempDir, writtenObjects, type ProfileName } from '../support/synth-output.js';

const TAG_ONLY = { registry: 'ghcr.io', repository: 'example/probe', tag: '1.0.0', license: 'MIT' };

function addProbe(profile: ProfileName, extra: Partial<ConstructorParameters<typeof ProbeComponent>[2]>): unknown {
  const { platform } = buildPlatform(loadProfile(profile));
  try {
    new ProbeComponent(platform, 'probe', { profile: platform.profile, mode: 'on', ...extra });
    return undefined;
  } catch (e) {
    return e;
  }
}

function badInput(e: unknown): string {
  expect(isSovraError(e), String(e)).toBe(true);
  expect((e as SovraError).code).toBe('bad-input');
  return (e as Error).message;
}

describe('images', () => {
  it.each(['edge', 'cluster'] as const)('%s refuses an image without a digest, naming the construct, image, profile and setting', (p) => {
    const msg = badInput(addProbe(p, { image: TAG_ONLY }));
    expect(msg).toContain('platform/probe');
    expect(msg).toContain('ghcr.io/example/probe:1.0.0');
    expect(msg).toContain(`profile "${p}"`);
    expect(msg).toContain('images.requireDigest');
  });

  it('dev accepts a tag-only image', () => {
    expect(addProbe('dev', { image: TAG_ONLY })).toBeUndefined();
  });

  it('every profile refuses a malformed digest', () => {
    for (const p of ['dev', 'edge', 'cluster'] as const) {
      expect(badInput(addProbe(p, { image: { ...TAG_ONLY, digest: 'sha256:ABC' } }))).toContain('malformed digest "sha256:ABC"');
    }
  });
});

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
      expect(buildPlatform(loadProfile(p)).platform.components.map((c) => c.node.id)).toEqual(['distribution', 'cilium', 'nats', 'control-plane']);
    }
  });
});

/** A component whose workload writes its root filesystem, with a reason. */
class WritableCache extends Component {
  constructor(scope: Construct, id: string, props: ComponentProps) {
    super(scope, id, props, { title: 'Cache', description: 'A cache that writes to its root filesystem.', layer: 'data', namespace: 'sovra-cache', version: '1.0.0' });
    const image = this.addImage({ registry: 'ghcr.io', repository: 'example/cache', tag: '1.0.0', digest: `sha256:${'2'.repeat(64)}`, license: 'MIT' });
    const w = new HardenedWorkload(this, 'Workload', {
      name: 'cache',
      image,
      replicas: props.profile.replicas.stateless,
      ports: [{ name: 'http', port: 8080 }],
      resources: { cpu: '100m', memory: '128Mi' },
      ingress: [],
      egress: [],
      allowWritableRootFs: { reason: 'The upstream image unpacks plugins into /opt at start.' },
    });
    for (const o of [w.serviceAccount, w.deployment, w.service, w.networkPolicy]) this.inNamespace(o);
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
