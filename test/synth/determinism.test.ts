/**
 * Same inputs and SOURCE_DATE_EPOCH give byte-identical output, in this
 * process and in a separate `sovra synth` process writing elsewhere; a change
 * to one component changes the provenance digest of exactly the files that
 * component affects.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProbeComponent } from '../fixtures/components.js';
import { REPO_ROOT } from '../support/shared.js';
import { PROFILES, TEST_EPOCH, listFiles, readJson, removeDir, synthProfile, tempDir } from '../support/synth-output.js';

interface Statement {
  _type: string;
  predicateType: string;
  subject: Array<{ name: string; digest: { sha256: string } }>;
  predicate: { buildDefinition: { internalParameters: { sourceDateEpoch: number } }; runDetails: { metadata: { startedOn: string } } };
}

let root: string;
beforeAll(() => {
  root = tempDir();
});
afterAll(() => removeDir(root));

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function subjects(dir: string): Map<string, string> {
  return new Map(readJson<Statement>(dir, 'provenance.intoto.json').subject.map((s) => [s.name, s.digest.sha256]));
}

function changedSubjects(a: string, b: string): string[] {
  const sa = subjects(a);
  const sb = subjects(b);
  expect([...sb.keys()]).toEqual([...sa.keys()]);
  return [...sa.keys()].filter((k) => sa.get(k) !== sb.get(k)).sort();
}

/** Writes a profile file into its own folder and returns its path. */
function profileFile(name: string, text: string): string {
  const dir = join(root, `profile-${name}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, text);
  return file;
}

describe.each(PROFILES)('profile %s', (profile) => {
  it('is byte-identical across two synths, one of them a separate sovra process in another folder', async () => {
    const a = join(root, `${profile}-a`);
    const b = join(root, 'elsewhere', `${profile}-b`);
    await synthProfile(profile, a);
    const cwd = join(root, 'cwd');
    mkdirSync(cwd, { recursive: true });
    const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/sovra.js'), 'synth', '--profile', profile, '--out', b, '--quiet'], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, SOURCE_DATE_EPOCH: TEST_EPOCH },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const files = listFiles(a);
    expect(listFiles(b)).toEqual(files);
    expect(files.filter((f) => !readFileSync(join(b, f)).equals(readFileSync(join(a, f))))).toEqual([]);
    // Nothing written mentions where it was written or run.
    for (const f of files) {
      const text = readFileSync(join(a, f), 'utf8');
      expect(text.includes(root), `${f} holds the output path`).toBe(false);
      expect(text.includes(REPO_ROOT), `${f} holds the repository path`).toBe(false);
    }
  });

  it('records every other file in provenance and SHA256SUMS with its real digest, stamped with SOURCE_DATE_EPOCH', () => {
    const dir = join(root, `${profile}-a`);
    const files = listFiles(dir);
    const st = readJson<Statement>(dir, 'provenance.intoto.json');
    expect(st._type).toBe('https://in-toto.io/Statement/v1');
    expect(st.predicateType).toBe('https://slsa.dev/provenance/v1');
    expect(st.predicate.buildDefinition.internalParameters.sourceDateEpoch).toBe(Number(TEST_EPOCH));
    expect(st.predicate.runDetails.metadata.startedOn).toBe(new Date(Number(TEST_EPOCH) * 1000).toISOString().replace('.000Z', 'Z'));
    expect(st.subject.map((s) => s.name)).toEqual(files.filter((f) => f !== 'provenance.intoto.json'));
    for (const s of st.subject) expect(s.digest.sha256, s.name).toBe(sha256(readFileSync(join(dir, s.name))));
    const sums = readFileSync(join(dir, 'SHA256SUMS'), 'utf8').trimEnd().split('\n').map((l) => l.split('  ') as [string, string]);
    expect(sums.map(([, f]) => f)).toEqual(files.filter((f) => f !== 'provenance.intoto.json' && f !== 'SHA256SUMS'));
    for (const [digest, f] of sums) expect(digest, f).toBe(sha256(readFileSync(join(dir, f))));
  });
});

describe('a changed component', () => {
  it('NATS storage size on edge changes the digests of the NATS manifest and SHA256SUMS only', async () => {
    const base = join(root, 'edge-a');
    const changed = join(root, 'edge-nats');
    await synthProfile(profileFile('nats-storage', 'extends: edge\nname: edge\ncomponents:\n  nats:\n    fileStorage: 30Gi\n'), changed);
    expect(readFileSync(join(changed, 'manifests/nats.yaml'), 'utf8')).toContain('size: 30Gi');
    // The storage size is no claim's evidence and no SBOM fact, so OSCAL and SBOM stay as they were.
    expect(changedSubjects(base, changed)).toEqual(['SHA256SUMS', 'manifests/nats.yaml']);
  });

  it("stateless replicas on cluster change the control plane's manifest, Terraform, its and the trace collector's OSCAL definitions and the aggregate, the SSP, its report and the assessment, and SHA256SUMS", async () => {
    const base = join(root, 'cluster-a');
    const changed = join(root, 'cluster-replicas');
    await synthProfile(profileFile('cp-replicas', 'extends: cluster\nname: cluster\nreplicas:\n  stateless: 4\n'), changed);
    // The HA claim (cp-10) states the replica count and cites spec.replicas as evidence. The trace collector,
    // stateless too, runs that many replicas, and its SI-4 statement says so (its helm_release is in the Terraform file).
    expect(changedSubjects(base, changed)).toEqual([
      'SHA256SUMS',
      'manifests/control-plane.yaml',
      'oscal/assessment-results.json',
      'oscal/component-definition.json',
      'oscal/component-definitions/control-plane.json',
      'oscal/component-definitions/traces.json',
      'oscal/ssp.html',
      'oscal/ssp.json',
      'terraform/cdk.tf.json',
    ]);
  });

  it('GPU pools are read: without them edge loses the GPU Operator and vLLM (their files), the pool labels of the host config, and their SBOM entries', async () => {
    const base = join(root, 'edge-a');
    const changed = join(root, 'edge-gpu');
    await synthProfile(profileFile('gpu', 'extends: edge\nname: edge\ngpu:\n  pools: []\n'), changed);
    const sa = subjects(base);
    const sb = subjects(changed);
    expect([...sa.keys()].filter((k) => !sb.has(k)).sort()).toEqual(['manifests/gpu-operator.yaml', 'manifests/vllm.yaml', 'oscal/component-definitions/gpu-operator.json', 'oscal/component-definitions/vllm.json']);
    expect([...sb.keys()].filter((k) => !sa.has(k))).toEqual([]);
    expect([...sb.keys()].filter((k) => sa.get(k) !== sb.get(k))).toEqual(expect.arrayContaining(['host/config.yaml', 'sbom.cdx.json', 'policy-report.json']));
    expect(readFileSync(join(changed, 'host/config.yaml'), 'utf8')).not.toContain('sovra.dev/gpu-pool');
  });

  it('an added component with an image from a new registry adds its files and changes the aggregate, SBOM and registries.yaml', async () => {
    const base = join(root, 'edge-a');
    const changed = join(root, 'edge-probe');
    // A registry no component of the stack pulls from (ghcr.io is CloudNativePG's and External Secrets'), so that registries.yaml gains it.
    const image = { registry: 'registry.example.org', repository: 'example/probe', tag: '1.0.0', digest: `sha256:${'1'.repeat(64)}`, license: 'MIT' };
    await synthProfile('edge', changed, { customize: (platform) => new ProbeComponent(platform, 'probe', { profile: platform.profile, mode: 'on', image }) });
    const sa = subjects(base);
    const sb = subjects(changed);
    expect([...sb.keys()].filter((k) => !sa.has(k))).toEqual(['manifests/probe.yaml', 'oscal/component-definitions/probe.json']);
    expect([...sa.keys()].filter((k) => !sb.has(k))).toEqual([]);
    // On edge the mesh takes the new namespace in: its default deny and sidecar egress are the mesh's objects, and its AC-4 statement names the namespace.
    expect([...sa.keys()].filter((k) => sa.get(k) !== sb.get(k)).sort()).toEqual([
      'SHA256SUMS',
      'host/registries.yaml',
      'manifests/admission.yaml',
      'manifests/istio.yaml',
      // Monitoring's layer dashboard gains a row for it.
      'manifests/monitoring.yaml',
      // The probe's claim reaches the SSP, its report and the build-time assessment; the coverage of AC-3 stays as it was.
      'oscal/assessment-results.json',
      'oscal/component-definition.json',
      'oscal/component-definitions/istio.json',
      'oscal/ssp.html',
      'oscal/ssp.json',
      'policy-report.json',
      'sbom.cdx.json',
    ]);
    expect(readFileSync(join(changed, 'host/registries.yaml'), 'utf8')).toContain('registry.example.org');
  });
});
