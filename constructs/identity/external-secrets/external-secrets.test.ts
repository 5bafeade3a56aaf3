/**
 * The External Secrets component on every profile, through the real synth
 * (with OpenBao: the registry's component, or the test stand-in while it is
 * not registered): the ClusterSecretStore's spec, HA and PDBs on cluster
 * only, the webhook's certificate from cert-manager and TLS 1.3, the
 * narrowed token permission, allow rules on both sides of the OpenBao peer
 * and toward the API server, the webhook Secret's producer, and claims
 * whose evidence names the settings.
 */
import { join } from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProfile } from '../../../profiles/load.js';
import { buildPlatform, renderObjects } from '../../../synth/synth.js';
import { OPENBAO_STUB, OPENBAO_STUB_LABELS, withOpenBao } from '../../../test/fixtures/openbao-stub.js';
import { chartSourceOf, PROFILES, readJson, removeDir, synthProfile, tempDir, terraformResources, writtenObjects, type K8sObject, type ProfileName } from '../../../test/support/synth-output.js';
import { COMPONENTS } from '../../registry.js';
import { secretClosure } from '../../../output/secret-closure.js';
import { NAMESPACES, OPENBAO_API, PLATFORM_ISSUER, SECRET_STORE } from '../../kit/shared-names.js';
import { EXTERNAL_SECRETS_RELEASE, type ExternalSecretsValues } from './values.js';

let root: string;
const objects = new Map<ProfileName, K8sObject[]>();
const values = new Map<ProfileName, ExternalSecretsValues>();

/** The chart values written for a profile: from the HelmChart object, or the Terraform helm_release on cluster. */
function chartValues(dir: string): ExternalSecretsValues {
  const hc = writtenObjects(dir).find((o) => o.object.kind === 'HelmChart' && o.object.metadata.name === EXTERNAL_SECRETS_RELEASE);
  if (hc) return YAML.parse((hc.object.spec as { valuesContent: string }).valuesContent) as ExternalSecretsValues;
  const tf = terraformResources(dir)!.helm_release![EXTERNAL_SECRETS_RELEASE]!;
  return YAML.parse((tf.values as string[])[0]!) as ExternalSecretsValues;
}

beforeAll(async () => {
  root = tempDir();
  for (const p of PROFILES) {
    const dir = join(root, p);
    await synthProfile(p, dir, { components: withOpenBao() });
    objects.set(p, writtenObjects(dir).map((o) => o.object));
    values.set(p, chartValues(dir));
  }
});
afterAll(() => removeDir(root));

const find = (p: ProfileName, kind: string, name: string, ns?: string) => objects.get(p)!.find((o) => o.kind === kind && o.metadata.name === name && (ns === undefined || o.metadata.namespace === ns));
const ESO = NAMESPACES.externalSecrets;

describe.each(PROFILES)('profile %s', (profile) => {
  it('writes the ClusterSecretStore on OpenBao: KV v2, Kubernetes auth as the controller, CA from the trust bundle', () => {
    const store = find(profile, 'ClusterSecretStore', SECRET_STORE)!;
    expect(store.apiVersion).toBe('external-secrets.io/v1');
    expect(store.metadata.namespace).toBeUndefined();
    expect((store.spec as { provider: unknown }).provider).toEqual({
      vault: {
        server: OPENBAO_API.url,
        path: 'sovra',
        version: 'v2',
        caProvider: { type: 'ConfigMap', name: 'sovra-ca-bundle', key: 'ca.crt', namespace: ESO },
        auth: { kubernetes: { mountPath: 'kubernetes', role: 'external-secrets', serviceAccountRef: { name: 'external-secrets', namespace: ESO } } },
      },
    });
    // The account the store logs in as is the one the chart creates for the controller.
    expect(values.get(profile)!.serviceAccount.name).toBe('external-secrets');
  });

  it('installs the chart with its CRDs, without the Bitwarden SDK server, at the pinned version and digest', () => {
    const v = values.get(profile)!;
    expect(v.installCRDs).toBe(true);
    expect(v['bitwarden-sdk-server']).toEqual({ enabled: false });
    expect(v.image).toEqual({ repository: 'ghcr.io/external-secrets/external-secrets', tag: 'v2.9.0', pullPolicy: 'IfNotPresent' });
    expect(v.webhook.image).toEqual(v.image);
    const hc = find(profile, 'HelmChart', EXTERNAL_SECRETS_RELEASE);
    if (profile === 'cluster') expect(hc).toBeUndefined();
    else expect(hc).toMatchObject({ metadata: { annotations: { 'sovra.dev/chart-digest': 'sha256:da2d5c126a103b4c1b16a9dc1c168c4332a3687144e88ac070e594f81a0b6578' } }, spec: { ...chartSourceOf(profile, { repository: 'https://charts.external-secrets.io', chart: 'external-secrets', version: '2.9.0' }), targetNamespace: ESO } });
  });

  it('has the webhook certificate issued by cert-manager from the platform issuer, lookahead shorter than the renewal window, no cert controller', () => {
    const w = values.get(profile)!.webhook;
    expect(w.certManager).toEqual({
      enabled: true,
      addInjectorAnnotations: true,
      cert: {
        create: true,
        issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: PLATFORM_ISSUER },
        duration: '2160h',
        renewBefore: '360h',
        privateKey: { algorithm: 'ECDSA', size: 256, encoding: 'PKCS8', rotationPolicy: 'Always' },
      },
    });
    expect(parseInt(w.lookaheadInterval, 10)).toBeLessThan(parseInt(w.certManager.cert.renewBefore, 10));
    expect(w.extraArgs).toEqual({ 'tls-min-version': '1.3' });
    expect(w.failurePolicy).toBe('Fail');
    expect(values.get(profile)!.certController).toEqual({ create: false });
  });

  it('lets the controller request tokens for its own service account only', () => {
    expect(values.get(profile)!.rbac).toEqual({ create: true, serviceAccountTokenCreate: false, aggregateToView: true, aggregateToEdit: false, aggregateToAdmin: false });
    expect(find(profile, 'Role', 'external-secrets-openbao-login', ESO)).toMatchObject({ rules: [{ apiGroups: [''], resources: ['serviceaccounts/token'], resourceNames: ['external-secrets'], verbs: ['create'] }] });
    expect(find(profile, 'RoleBinding', 'external-secrets-openbao-login', ESO)).toMatchObject({
      roleRef: { kind: 'Role', name: 'external-secrets-openbao-login' },
      subjects: [{ kind: 'ServiceAccount', name: 'external-secrets', namespace: ESO }],
    });
  });

  it('reaches OpenBao and the API server, and OpenBao admits it: allow rules on both sides', () => {
    const own = find(profile, 'NetworkPolicy', 'external-secrets-controller', ESO)!.spec as { egress: unknown[]; podSelector: unknown };
    expect(own.podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/instance': 'external-secrets', 'app.kubernetes.io/name': 'external-secrets' } });
    const openbaoPods = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': NAMESPACES.openbao } }, podSelector: { matchLabels: expect.objectContaining(OPENBAO_STUB_LABELS) } };
    expect(own.egress).toContainEqual({ to: [openbaoPods], ports: [{ port: OPENBAO_API.port, protocol: 'TCP' }] });
    const openbao = find(profile, 'NetworkPolicy', 'openbao', NAMESPACES.openbao)!.spec as { ingress: unknown[] };
    expect(openbao.ingress).toContainEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ESO } }, podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'external-secrets', 'app.kubernetes.io/name': 'external-secrets' } } }],
      ports: [{ port: OPENBAO_API.port, protocol: 'TCP' }],
    });
    for (const group of ['controller', 'webhook']) {
      const cnp = find(profile, 'CiliumNetworkPolicy', `external-secrets-${group}`, ESO)!.spec as { egress: unknown };
      expect(cnp.egress).toEqual([{ toEntities: ['kube-apiserver'], toPorts: [{ ports: [{ port: '6443', protocol: 'TCP' }] }] }]);
    }
    expect((find(profile, 'NetworkPolicy', 'external-secrets-webhook', ESO)!.spec as { podSelector: unknown }).podSelector).toEqual({
      matchLabels: { 'app.kubernetes.io/instance': 'external-secrets', 'app.kubernetes.io/name': 'external-secrets-webhook' },
    });
  });

  it('serves no namespace while no ExternalSecret of the profile reads the store', () => {
    // The registry's components declare none yet on this branch; the kit test adds one and sees its namespace here.
    const store = find(profile, 'ClusterSecretStore', SECRET_STORE)!;
    const readers = objects.get(profile)!.filter((o) => o.kind === 'ExternalSecret' && (o.spec as { secretStoreRef?: { name?: string } }).secretStoreRef?.name === SECRET_STORE);
    expect((store.spec as { conditions: unknown }).conditions).toEqual([{ namespaces: [...new Set(readers.map((o) => o.metadata.namespace!))].sort() }]);
  });

  it('states its claims with the settings as evidence, and the OpenBao role as the customer responsibility', () => {
    const def = JSON.stringify(readJson(join(root, profile), 'oscal/component-definitions/external-secrets.json'));
    for (const control of ['ia-5.7', 'ac-3', 'ac-6', 'cm-7', 'sc-8', 'sc-12']) expect(def).toContain(`"control-id":"${control}"`);
    expect(def).toContain('spec.provider.vault.auth.kubernetes.serviceAccountRef');
    expect(def).toContain('webhook.extraArgs.tls-min-version');
    expect(def).toContain('README.md#openbao-runbook');
  });
});

describe('per-profile scaling', () => {
  it('runs one controller and one webhook without PDB on dev and edge', () => {
    for (const p of ['dev', 'edge'] as const) {
      const v = values.get(p)!;
      expect([v.replicaCount, v.webhook.replicaCount]).toEqual([1, 1]);
      expect([v.podDisruptionBudget.enabled, v.webhook.podDisruptionBudget.enabled]).toEqual([false, false]);
      expect(v.topologySpreadConstraints).toEqual([]);
      expect(v.leaderElect).toBe(true);
    }
  });

  it('runs three of each, spread over nodes, with PDBs keeping one, on cluster', () => {
    const v = values.get('cluster')!;
    expect([v.replicaCount, v.webhook.replicaCount]).toEqual([3, 3]);
    expect(v.podDisruptionBudget).toEqual({ enabled: true, minAvailable: 1 });
    expect(v.webhook.podDisruptionBudget).toEqual({ enabled: true, minAvailable: 1 });
    const spread = [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' }];
    expect(v.topologySpreadConstraints).toEqual(spread);
    expect(v.webhook.topologySpreadConstraints).toEqual(spread);
    expect(v.leaderElect).toBe(true);
  });
});

describe('producers and order', () => {
  it('declares the webhook TLS Secret as consumed and produced (cert-manager, from the chart Certificate), so its closure has no gap', () => {
    const { platform } = buildPlatform(loadProfile('edge'), { components: withOpenBao() });
    const eso = platform.component('external-secrets')!;
    expect(eso.secretsProduced).toEqual([expect.objectContaining({ namespace: ESO, name: 'external-secrets-webhook', kind: 'operator' })]);
    expect(eso.secretsConsumed).toEqual([expect.objectContaining({ namespace: ESO, name: 'external-secrets-webhook' })]);
    expect(secretClosure(new Map([[eso, renderObjects(platform).get(eso)!]]), () => 'manifests/external-secrets.yaml').unproduced).toEqual([]);
  });

  it('declares its peer on OpenBao whatever the build order (OpenBao built after it)', () => {
    const late = [...COMPONENTS.filter((d) => d.id !== 'openbao'), COMPONENTS.find((d) => d.id === 'openbao') ?? OPENBAO_STUB];
    const { platform } = buildPlatform(loadProfile('dev'), { components: late });
    renderObjects(platform);
    const controller = platform.component('external-secrets')!.podGroup('controller')!;
    expect(controller.egress.some((c) => 'component' in c.to && c.to.component === 'openbao')).toBe(true);
  });
});
