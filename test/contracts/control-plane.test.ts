/**
 * The contract between the synthesized control plane Deployment and
 * `sovra serve`: for every profile, the container's environment (with the
 * keys of the Secrets it references filled in, and its volumes mapped to
 * folders) resolves through the service's own option resolution, and the
 * model the init container writes is the one the environment pins.
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinLocalModel } from '../../constructs/ai-runtime/control-plane/catalog.js';
import { CONTROL_PLANE_METRIC_NAMES, CONTROL_PLANE_SECRETS, MODEL_MOUNT_PATH, RUNTIME_ENV, SERVE_OPTIONS } from '../../contracts/control-plane.js';
import { exposedMetricNames } from '../../services/metrics.js';
import { sha256File, tinyModelDeclaration } from '../../native/index.js';
import { resolveServeConfig } from '../../services/server/config.js';
import { PROFILES, removeDir, synthAll, writtenObjects, type K8sObject, type ProfileName } from '../support/synth-output.js';
import { REPO_ROOT } from '../support/shared.js';

type Env = { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } };
type Container = { name: string; args?: string[]; env?: Env[]; volumeMounts?: Array<{ name: string; mountPath: string }> };
type PodSpec = { containers: Container[]; initContainers?: Container[]; volumes: Array<{ name: string }> };

let root: string | undefined;
let dirs: Record<ProfileName, string>;
beforeAll(async () => {
  ({ root, dirs } = await synthAll());
});
afterAll(() => removeDir(root));

/** What a cluster would hold in the Secrets the Deployment references. */
const SECRET_VALUES: Record<string, Record<string, string>> = {
  [CONTROL_PLANE_SECRETS.database.secret]: { [CONTROL_PLANE_SECRETS.database.key]: 'postgres://control-plane:secret@postgres.sovra-data.svc:5432/control-plane' },
  [CONTROL_PLANE_SECRETS.auditKey.secret]: { [CONTROL_PLANE_SECRETS.auditKey.key]: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() },
};

function deployment(profile: ProfileName): { spec: PodSpec } {
  const d = writtenObjects(dirs[profile]).find((o) => o.object.kind === 'Deployment' && o.object.metadata.name === 'control-plane')!.object as K8sObject & { spec: { template: { spec: PodSpec } } };
  return { spec: d.spec.template.spec };
}

/** A path inside the pod, moved to the folder that stands for its volume. */
function mapPath(value: string, mounts: ReadonlyMap<string, string>): string {
  for (const [mountPath, dir] of mounts) if (value === mountPath || value.startsWith(`${mountPath}/`)) return dir + value.slice(mountPath.length);
  return value;
}

describe.each(PROFILES)('profile %s', (profile) => {
  it('sets only variables sovra serve reads, and each Secret key it references is one the contract names', () => {
    const env = deployment(profile).spec.containers[0]!.env ?? [];
    const known = new Set<string>([...Object.values(SERVE_OPTIONS).map((o) => o.env), ...Object.values(RUNTIME_ENV)]);
    expect(env.map((e) => e.name).filter((n) => !known.has(n))).toEqual([]);
    for (const e of env.filter((x) => x.valueFrom)) expect(SECRET_VALUES[e.valueFrom!.secretKeyRef.name]?.[e.valueFrom!.secretKeyRef.key], e.name).toBeDefined();
  });

  it('resolves through the serve configuration, with the local tier on the model its init container writes', async () => {
    const { spec } = deployment(profile);
    const work = join(root!, `contract-${profile}`);
    const mounts = new Map<string, string>();
    for (const v of spec.volumes) {
      const dir = join(work, v.name);
      mkdirSync(dir, { recursive: true });
      for (const m of spec.containers[0]!.volumeMounts ?? []) if (m.name === v.name) mounts.set(m.mountPath, dir);
    }
    // The init containers run the same image's CLI: run ours with the volume paths mapped.
    for (const init of spec.initContainers ?? []) {
      await promisify(execFile)(process.execPath, [join(REPO_ROOT, 'bin/sovra.js'), ...(init.args ?? []).map((a) => mapPath(a, mounts))], { cwd: work });
    }
    const env: NodeJS.ProcessEnv = {};
    for (const e of spec.containers[0]!.env ?? []) {
      env[e.name] = e.valueFrom ? SECRET_VALUES[e.valueFrom.secretKeyRef.name]![e.valueFrom.secretKeyRef.key]! : mapPath(e.value!, mounts);
    }
    const config = resolveServeConfig({}, env, work);
    expect(config.oidcIssuer).toMatch(/^https:\/\//);
    expect(config.databaseUrl).toBe(SECRET_VALUES[CONTROL_PLANE_SECRETS.database.secret]![CONTROL_PLANE_SECRETS.database.key]);
    expect(config.auditKey?.asymmetricKeyType).toBe('ed25519');
    expect(config.localModel).toBeDefined();
    expect(config.localModel!.path).toBe(join(mounts.get(MODEL_MOUNT_PATH)!, builtinLocalModel().file));
    // The file the init container wrote has the digest the environment pins: serve would load it.
    expect(await sha256File(config.localModel!.path)).toBe(config.localModel!.sha256);
  });
});

it('the built-in model declaration the construct ships is the generated model, computed from its bytes', () => {
  expect(builtinLocalModel()).toEqual(tinyModelDeclaration());
});

describe('metrics', () => {
  it('the series the contract names for alerts and dashboards are exactly those sovra serve exposes', () => {
    expect(exposedMetricNames()).toEqual([...CONTROL_PLANE_METRIC_NAMES]);
  });
});
