/**
 * The OpenBao chart (openbao-helm tag openbao-0.29.2, the source of the
 * archive whose digest the catalog pins) rendered by the real helm with the
 * values Sovra writes for each profile: the chart accepts them (its
 * values.schema.json included), every value path exists in the chart, the
 * server configuration every claim cites arrives in the ConfigMap the
 * server reads, the StatefulSet carries TLS, Raft and the seal's volumes,
 * the pod meets the hardened baseline, and every image the render runs is
 * declared.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPENBAO_RELEASE } from '../../../constructs/identity/openbao/values.js';
import { readField } from '../../../output/field-path.js';
import { loadProfile } from '../../../profiles/load.js';
import { buildPlatform } from '../../../synth/synth.js';
import { PROFILES, removeDir, synthAll, type K8sObject, type ProfileName } from '../../support/synth-output.js';
import { chartDir, declaredImages, objectNamed, renderChart, renderedImages, undeclaredImages, unknownValuePaths, writtenValues, type Render } from '../support/helm.js';
import { clusterRefusals, liftedFindings, policyCheck, policyProblems } from '../support/policy.js';

const CHART = () => chartDir('openbao', 'openbao-0.29.2');
const NAMESPACE = 'sovra-secrets';
const CONFIG = 'server.ha.raft.config';
/** Maps the chart takes whole (a PodSpec's resources, affinity and security contexts, an env map). */
const FREE_FORM = ['server.resources', 'server.affinity', 'server.extraEnvironmentVars', 'server.statefulSet.securityContext.pod', 'server.statefulSet.securityContext.container'];
const REPLICAS: Record<ProfileName, number> = { dev: 1, edge: 1, cluster: 3 };

type Container = { name: string; image: string; args?: string[]; env?: Array<{ name: string; value?: string }>; ports?: Array<{ name: string; containerPort: number }>; volumeMounts?: Array<{ name: string; mountPath: string }>; securityContext?: Record<string, unknown> };
type PodSpec = { containers: Container[]; volumes: Array<{ name: string; secret?: { secretName: string }; configMap?: { name: string } }>; securityContext?: Record<string, unknown>; affinity?: unknown; automountServiceAccountToken?: boolean };

let root: string | undefined;
let dirs: Record<ProfileName, string>;
const renders = new Map<ProfileName, Render>();

beforeAll(async () => {
  ({ root, dirs } = await synthAll());
  for (const p of PROFILES) renders.set(p, renderChart({ chart: CHART(), release: OPENBAO_RELEASE, namespace: NAMESPACE, values: writtenValues(dirs[p], OPENBAO_RELEASE) }));
});
afterAll(() => removeDir(root));

/** Objects the chart installs (helm test hooks run only on `helm test`). */
const installed = (p: ProfileName): K8sObject[] => renders.get(p)!.objects.filter((o) => o.metadata.annotations?.['helm.sh/hook'] !== 'test');
const statefulSet = (p: ProfileName) => objectNamed(installed(p), 'StatefulSet', 'openbao') as K8sObject & { spec: { replicas: number; template: { spec: PodSpec } } };
const server = (p: ProfileName): Container => statefulSet(p).spec.template.spec.containers.find((c) => c.name === 'openbao')!;
/** The configuration file the server starts with, as OpenBao parses it (JSON, since it starts with `{`). */
const renderedConfig = (p: ProfileName): Record<string, unknown> => {
  const text = (objectNamed(installed(p), 'ConfigMap', 'openbao-config').data as Record<string, string>)['extraconfig-from-values.hcl']!;
  expect(text.trim().startsWith('{')).toBe(true);
  return JSON.parse(text) as Record<string, unknown>;
};

describe.each(PROFILES)('profile %s', (profile) => {
  it('the chart accepts the values Sovra writes, and knows every value path', () => {
    const r = renders.get(profile)!;
    expect(r.error).toBe('');
    expect(r.ok).toBe(true);
    expect(unknownValuePaths(CHART(), writtenValues(dirs[profile], OPENBAO_RELEASE), FREE_FORM)).toEqual([]);
  });

  it('every claim and CBOM entry on the server configuration holds in the file the server reads', () => {
    const { platform } = buildPlatform(loadProfile(profile));
    const bao = platform.component('openbao')!;
    const evidence = [...bao.claims.flatMap((c) => c.evidence), ...bao.cryptoAssets.map((a) => a.configuredBy)].filter((e) => e.target.kind === 'chart' && e.path.startsWith(`${CONFIG}.`));
    expect(evidence.length).toBeGreaterThan(8);
    const config = renderedConfig(profile);
    for (const e of evidence) {
      const actual = readField(config, e.path.slice(CONFIG.length + 1));
      if (e.present) expect(actual, e.path).toBeDefined();
      else expect(actual, e.path).toEqual(e.equals);
    }
  });

  it('the claimed chart switches take effect: HTTPS everywhere, no injector, CSI provider or UI Service', () => {
    const c = server(profile);
    expect(c.ports).toContainEqual({ containerPort: 8200, name: 'https' });
    expect(c.env).toContainEqual({ name: 'BAO_ADDR', value: 'https://127.0.0.1:8200' });
    const kinds = installed(profile).map((o) => `${o.kind}/${o.metadata.name}`);
    expect(kinds.filter((k) => /^(Deployment|DaemonSet|MutatingWebhookConfiguration)\//.test(k))).toEqual([]);
    expect(kinds).not.toContain('Service/openbao-ui');
  });

  it(`runs ${REPLICAS[profile]} Raft server(s) from the written configuration, with TLS and seal material mounted`, () => {
    const sts = statefulSet(profile);
    expect(sts.spec.replicas).toBe(REPLICAS[profile]);
    const pod = sts.spec.template.spec;
    const c = server(profile);
    // The start script copies the ConfigMap's file and starts the server on the copy.
    expect(c.args!.join('\n')).toContain('cp /openbao/config/extraconfig-from-values.hcl /tmp/storageconfig.hcl');
    expect(c.args!.join('\n')).toContain('bao server -config=/tmp/storageconfig.hcl');
    expect(pod.volumes).toContainEqual({ name: 'config', configMap: { name: 'openbao-config' } });
    expect(pod.volumes.find((v) => v.name === 'tls')?.secret?.secretName).toBe('openbao-server-tls');
    expect(c.volumeMounts).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'tls', mountPath: '/openbao/tls' }), { name: 'tmp', mountPath: '/tmp' }, expect.objectContaining({ name: 'data', mountPath: '/openbao/data' })]));
    const sealed = (renderedConfig(profile).seal ?? {}) as Record<string, unknown>;
    if ('static' in sealed) expect(pod.volumes.find((v) => v.name === 'seal')?.secret?.secretName).toBe('openbao-seal');
    expect(c.env).toContainEqual({ name: 'BAO_API_ADDR', value: 'https://$(BAO_K8S_POD_NAME).openbao-internal.sovra-secrets.svc:8200' });
    const pdb = installed(profile).find((o) => o.kind === 'PodDisruptionBudget');
    if (REPLICAS[profile] > 1) {
      expect((pdb!.spec as { maxUnavailable: number }).maxUnavailable).toBe(1);
      expect(JSON.stringify(pod.affinity)).toContain('kubernetes.io/hostname');
      expect((renderedConfig(profile).storage as { raft: { retry_join: unknown[] } }).raft.retry_join).toHaveLength(REPLICAS[profile]);
    } else {
      expect(pdb).toBeUndefined();
      expect(pod.affinity).toBeUndefined();
    }
  });

  it('the server pod meets the hardened baseline; its service account token is mounted because Kubernetes auth and service registration call the API server', () => {
    const pod = statefulSet(profile).spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(server(profile).securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
    // The chart leaves automountServiceAccountToken unset (mounted): TokenReview and the active/standby labels need it.
    expect(pod.automountServiceAccountToken).toBeUndefined();
    expect(installed(profile).find((o) => o.kind === 'ClusterRoleBinding' && JSON.stringify(o).includes('system:auth-delegator'))).toBeDefined();
  });

  it('runs only images the component declares (so the SBOM and the bundle are complete)', () => {
    const images = renderedImages(renders.get(profile)!.objects);
    expect(images).toEqual(['quay.io/openbao/openbao:2.6.2']);
    expect(undeclaredImages(images, declaredImages(dirs[profile]))).toEqual([]);
  });
});

describe.each(PROFILES)("profile %s: Sovra's policy rules over the render", (profile) => {
  const check = () => ({ outDir: dirs[profile], release: OPENBAO_RELEASE, namespace: NAMESPACE, objects: renders.get(profile)!.objects });

  it("the pods the chart installs meet the rules, with the component's exceptions (Kubernetes auth's TokenReview; the Helm test pod is not installed) each lifting something", () => {
    const r = policyCheck(check());
    expect(policyProblems(r)).toEqual([]);
    expect(liftedFindings(r)).toEqual(['pod-security/service-account-token StatefulSet/openbao']);
  });

  it('the cluster admits what the check admitted: the exceptions are the bindings\' exclusions', () => {
    expect(clusterRefusals(check())).toEqual([]);
  });
});
