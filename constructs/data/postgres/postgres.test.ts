/**
 * The CloudNativePG operator per profile: installed from the pinned chart
 * (a HelmChart on dev and edge, a helm_release on cluster) with the values
 * the claims cite, highly available with a PodDisruptionBudget on cluster,
 * its pods' peers and metrics, the Secrets it makes, its image in the SBOM,
 * and its claims and customer responsibilities in the OSCAL output.
 */
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_PROFILES } from '../../../profiles/builtin/index.js';
import { buildPlatform } from '../../../synth/synth.js';
import { chartSourceOf, PROFILES, readJson, removeDir, synthAll, terraformResources, writtenObjects, type K8sObject, type ProfileName } from '../../../test/support/synth-output.js';
import { CNPG_CHART } from './catalog.js';
import { CNPG_RELEASE, WEBHOOK_SECRETS } from './postgres.js';

let root: string | undefined;
let dirs: Record<ProfileName, string>;

beforeAll(async () => {
  ({ root, dirs } = await synthAll());
});
afterAll(() => removeDir(root));

type Values = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const objectsOf = (p: ProfileName): K8sObject[] => writtenObjects(dirs[p]).map((o) => o.object);

/** The chart values as written: from the HelmChart (dev, edge) or the helm_release (cluster). */
function values(p: ProfileName): Values {
  const hc = objectsOf(p).find((o) => o.kind === 'HelmChart' && o.metadata.name === CNPG_RELEASE);
  if (hc) return YAML.parse((hc.spec as { valuesContent: string }).valuesContent) as Values;
  return YAML.parse((terraformResources(dirs[p])!.helm_release![CNPG_RELEASE]!.values as string[])[0]!) as Values;
}

describe.each(PROFILES)('profile %s', (p) => {
  const ha = p === 'cluster';

  it('installs the pinned chart into cnpg-system, as the profile deploys charts', () => {
    const hc = objectsOf(p).find((o) => o.kind === 'HelmChart' && o.metadata.name === CNPG_RELEASE);
    const tf = terraformResources(dirs[p])?.helm_release?.[CNPG_RELEASE];
    if (p === 'cluster') {
      expect(hc).toBeUndefined();
      expect(tf).toMatchObject({ chart: 'cloudnative-pg', version: '0.29.0', namespace: 'cnpg-system', repository: CNPG_CHART.repository });
    } else {
      expect(hc!.metadata.namespace).toBe('kube-system');
      expect(hc!.metadata.annotations).toEqual({ 'sovra.dev/chart-digest': 'sha256:668e065ff53508d58238788fd35b355a925060843629a951df0e6a9362e6d32f' });
      expect(hc!.spec).toMatchObject({ ...chartSourceOf(p, { repository: 'https://cloudnative-pg.github.io/charts', chart: 'cloudnative-pg', version: '0.29.0' }), targetNamespace: 'cnpg-system' });
    }
    expect(objectsOf(p).find((o) => o.kind === 'Namespace' && o.metadata.name === 'cnpg-system')!.metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted' });
  });

  it('runs the operator image by tag (no published digest), with its CRDs and failing-closed webhooks', () => {
    const v = values(p);
    expect(v.image).toEqual({ repository: 'ghcr.io/cloudnative-pg/cloudnative-pg', tag: '1.30.0', pullPolicy: 'IfNotPresent' });
    expect(v.crds).toEqual({ create: true });
    expect(v.webhook.validating).toEqual({ create: true, failurePolicy: 'Fail' });
    expect(v.webhook.mutating).toEqual({ create: true, failurePolicy: 'Fail' });
  });

  it(`runs ${ha ? 'two replicas spread over nodes with a PodDisruptionBudget' : 'one replica'}`, () => {
    const v = values(p);
    expect(v.replicaCount).toBe(ha ? 2 : 1);
    const pdb = objectsOf(p).find((o) => o.kind === 'PodDisruptionBudget' && o.metadata.namespace === 'cnpg-system');
    if (ha) {
      expect(pdb!.spec).toEqual({ minAvailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'cloudnative-pg', 'app.kubernetes.io/instance': 'cloudnative-pg' } } });
      expect(v.topologySpreadConstraints[0].topologyKey).toBe('kubernetes.io/hostname');
      expect(v.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey).toBe('kubernetes.io/hostname');
    } else {
      expect(pdb).toBeUndefined();
      expect(v.affinity).toEqual({});
    }
    expect(v.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
  });

  it('runs hardened, with the profile’s resources', () => {
    const v = values(p);
    expect(v.containerSecurityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' }, capabilities: { drop: ['ALL'] } });
    expect(v.podSecurityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    const r = BUILTIN_PROFILES[p].components.postgres.operator;
    expect(v.resources).toEqual({ requests: r, limits: r });
  });

  it('reaches the API server, DNS and the status port of PostgreSQL pods only; its metrics port is declared', () => {
    const cnp = objectsOf(p).find((o) => o.kind === 'CiliumNetworkPolicy' && o.metadata.name === 'postgres-operator')!;
    expect((cnp.spec as Values).egress).toEqual([{ toEntities: ['kube-apiserver'], toPorts: [{ ports: [{ port: '6443', protocol: 'TCP' }] }] }]);
    const np = objectsOf(p).find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'postgres-operator')!;
    const egress = (np.spec as Values).egress as Array<{ to: Values[]; ports: Array<{ port: number }> }>;
    const beyondDns = egress.filter((r) => r.to[0]!.podSelector.matchLabels['k8s-app'] !== 'kube-dns');
    // Whichever components own clusters in this registry, the operator reaches their instance managers and nothing else.
    for (const r of beyondDns) {
      expect(Object.keys(r.to[0]!.podSelector.matchLabels)).toEqual(['cnpg.io/cluster']);
      expect(r.ports).toEqual([{ port: 8000, protocol: 'TCP' }]);
    }
    const { platform } = buildPlatform(BUILTIN_PROFILES[p]);
    expect(platform.metricsEndpoints().filter((m) => m.pods.owner.id === 'postgres').map((m) => `${m.pods.name}:${m.pods.port(m.port).port}`)).toEqual(['operator:8080']);
  });

  it('declares the webhook Secrets the operator makes for itself', () => {
    const { platform } = buildPlatform(BUILTIN_PROFILES[p]);
    const produced = platform.component('postgres')!.secretsProduced.map((s) => `${s.namespace}/${s.name}:${s.kind}`);
    expect(produced).toEqual([`cnpg-system/${WEBHOOK_SECRETS.certificate}:operator`, `cnpg-system/${WEBHOOK_SECRETS.ca}:operator`]);
  });

  it('lists the operator image in the SBOM, unlocked', () => {
    const sbom = readJson<{ components: Array<{ 'bom-ref': string; properties?: Array<{ name: string; value: string }> }> }>(dirs[p], 'sbom.cdx.json');
    const image = sbom.components.find((c) => c['bom-ref'] === 'image:ghcr.io/cloudnative-pg/cloudnative-pg:1.30.0');
    expect(image?.properties).toContainEqual({ name: 'sovra:image:locked', value: 'false' });
  });

  it('claims AC-6 (and CP-10 where highly available), and leaves encryption at rest to the site', () => {
    const doc = JSON.stringify(readJson(dirs[p], 'oscal/component-definitions/postgres.json'));
    expect(doc).toContain('runs as non-root UID 10001');
    expect(doc).toContain('CloudNativePG does not encrypt PostgreSQL data at rest');
    expect(doc.includes('runs 2 replicas with leader election')).toBe(ha);
    const { platform } = buildPlatform(BUILTIN_PROFILES[p]);
    const c = platform.component('postgres')!;
    expect(c.claims.map((x) => x.control)).toEqual(ha ? ['ac-6', 'cp-10'] : ['ac-6']);
    expect(c.responsibilities.map((r) => r.control)).toEqual(['sc-28']);
  });
});
