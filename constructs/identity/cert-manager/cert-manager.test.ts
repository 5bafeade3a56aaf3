/**
 * cert-manager and trust-manager as each profile writes them: the CA chain
 * and the two shared ClusterIssuers (PLATFORM_ISSUER on the internal
 * intermediate for dev and edge, on OpenBao's PKI for cluster), the trust
 * Bundle and the Namespaces it reaches, chart values per profile (replicas,
 * PDBs, spread, TLS 1.3, what is switched off), the peer to OpenBao only
 * where OpenBao signs, the Secrets' producers, claims and CBOM entries.
 *
 * OpenBao's pods come from the openbao component, or from its test
 * stand-in while the registry has no openbao (test/support/openbao-stand-in.ts).
 */
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSovraError } from '../../../core/errors.js';
import { secretClosure } from '../../../output/secret-closure.js';
import { loadProfile } from '../../../profiles/load.js';
import { buildPlatform, manifestFile, renderObjects } from '../../../synth/synth.js';
import { withOpenBao } from '../../../test/support/openbao-stand-in.js';
import { PROFILES, readJson, removeDir, synthProfile, tempDir, terraformResources, writtenObjects, type K8sObject, type ProfileName } from '../../../test/support/synth-output.js';
import { COMPONENTS } from '../../registry.js';
import { BOOTSTRAP_ISSUER, PLATFORM_ISSUER, TRUST_BUNDLE } from '../../kit/shared-names.js';
import type { Component } from '../../kit/component.js';

type Values = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let root: string;
const dirs = {} as Record<ProfileName, string>;
const objects = {} as Record<ProfileName, K8sObject[]>;

beforeAll(async () => {
  root = tempDir();
  for (const p of PROFILES) {
    dirs[p] = `${root}/${p}`;
    await synthProfile(p, dirs[p], { components: withOpenBao() });
    objects[p] = writtenObjects(dirs[p]).map((o) => o.object);
  }
});
afterAll(() => removeDir(root));

const find = (p: ProfileName, kind: string, name: string, namespace?: string): K8sObject => {
  const o = objects[p].find((x) => x.kind === kind && x.metadata.name === name && x.metadata.namespace === namespace);
  if (!o) throw new Error(`${p}: no ${kind} ${namespace ? `${namespace}/` : ''}${name}`);
  return o;
};
const spec = (o: K8sObject) => o.spec as Values;

/** The values written for a release: HelmChart valuesContent (dev, edge) or Terraform helm_release (cluster). */
function values(p: ProfileName, release: string): Values {
  const hc = objects[p].find((o) => o.kind === 'HelmChart' && o.metadata.name === release);
  if (hc) return YAML.parse(spec(hc).valuesContent as string) as Values;
  return YAML.parse((terraformResources(dirs[p])!.helm_release![release]!.values as string[])[0]!) as Values;
}

describe.each(PROFILES)('profile %s', (p) => {
  it('writes the internal CA chain: self-signed root → CA issuer → intermediate → BOOTSTRAP_ISSUER, ECDSA P-384 keys replaced at every renewal', () => {
    expect(spec(find(p, 'ClusterIssuer', 'sovra-selfsigned'))).toEqual({ selfSigned: {} });
    const rootCa = spec(find(p, 'Certificate', 'sovra-root-ca', 'cert-manager'));
    expect(rootCa).toMatchObject({ isCA: true, secretName: 'sovra-root-ca', duration: '87600h', renewBefore: '8760h', issuerRef: { kind: 'ClusterIssuer', name: 'sovra-selfsigned' } });
    expect(spec(find(p, 'ClusterIssuer', 'sovra-root-ca'))).toEqual({ ca: { secretName: 'sovra-root-ca' } });
    const inter = spec(find(p, 'Certificate', 'sovra-intermediate-ca', 'cert-manager'));
    expect(inter).toMatchObject({ isCA: true, secretName: 'sovra-intermediate-ca', duration: '8760h', renewBefore: '2880h', issuerRef: { kind: 'ClusterIssuer', name: 'sovra-root-ca' } });
    for (const ca of [rootCa, inter]) expect(ca.privateKey).toEqual({ algorithm: 'ECDSA', size: 384, encoding: 'PKCS8', rotationPolicy: 'Always' });
    expect(spec(find(p, 'ClusterIssuer', BOOTSTRAP_ISSUER))).toEqual({ ca: { secretName: 'sovra-intermediate-ca' } });
    // The intermediate renews before a 90-day leaf could outlive it.
    expect(Number.parseInt(inter.renewBefore as string, 10)).toBeGreaterThan(2160);
  });

  it('installs both charts with CRDs, hardened pods, requests and limits, and the profile’s replicas and HA settings', () => {
    const cm = values(p, 'cert-manager');
    const tm = values(p, 'trust-manager');
    const ha = p === 'cluster';
    expect(cm.crds).toEqual({ enabled: true, keep: true });
    expect(tm.crds).toEqual({ enabled: true, keep: true });
    for (const pod of [cm, cm.webhook, cm.cainjector]) {
      expect(pod.replicaCount).toBe(ha ? 3 : 1);
      expect(pod.podDisruptionBudget.enabled).toBe(ha);
      expect(pod.topologySpreadConstraints).toHaveLength(ha ? 1 : 0);
      expect(pod.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.containerSecurityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      expect(Object.keys(pod.resources.requests)).toEqual(['cpu', 'memory']);
      expect(Object.keys(pod.resources.limits)).toEqual(['cpu', 'memory']);
    }
    expect(tm.replicaCount).toBe(ha ? 3 : 1);
    expect(tm.podDisruptionBudget.enabled).toBe(ha);
    expect(tm.app.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    expect(tm.app.trust.namespace).toBe('cert-manager');
    expect(cm.global.leaderElection.namespace).toBe('cert-manager');
  });

  it('keeps both webhooks at TLS 1.3 and switches off what the platform does not use', () => {
    const cm = values(p, 'cert-manager');
    const tm = values(p, 'trust-manager');
    expect(cm.webhook.extraArgs).toContain('--tls-min-version=VersionTLS13');
    expect(tm.app.minTLSVersion).toBe('VersionTLS13');
    expect(tm.app.webhook.tls.helmCert.enabled).toBe(false);
    expect(cm.extraArgs).toContain('--controllers=*,-orders,-challenges,-certificaterequests-issuer-acme,-certificaterequests-issuer-venafi,-ingress-shim');
    expect(cm.startupapicheck.enabled).toBe(false);
    expect(tm.defaultPackage.enabled).toBe(false);
  });

  it('writes the trust Bundle into every Namespace Sovra writes, from the bootstrap root (and OpenBao’s PKI CA on cluster)', () => {
    const bundle = spec(find(p, 'Bundle', TRUST_BUNDLE.name));
    const sources = [{ secret: { name: 'sovra-root-ca', key: 'tls.crt' } }, ...(p === 'cluster' ? [{ secret: { name: 'sovra-openbao-pki-ca', key: 'ca.crt' } }] : [])];
    expect(bundle.sources).toEqual(sources);
    expect(bundle.target.configMap).toEqual({ key: TRUST_BUNDLE.key });
    const selector = bundle.target.namespaceSelector.matchLabels as Record<string, string>;
    const namespaces = objects[p].filter((o) => o.kind === 'Namespace');
    expect(namespaces.length).toBeGreaterThanOrEqual(4);
    for (const ns of namespaces) for (const [k, v] of Object.entries(selector)) expect(ns.metadata.labels?.[k], ns.metadata.name).toBe(v);
  });

  it('allows the charts’ pods to reach the API server, and only the controller on cluster to reach OpenBao', () => {
    for (const group of ['controller', 'webhook', 'cainjector', 'trust-manager']) {
      const cnp = spec(find(p, 'CiliumNetworkPolicy', `cert-manager-${group}`, 'cert-manager'));
      expect(cnp.egress).toEqual([{ toEntities: ['kube-apiserver'], toPorts: [{ ports: [{ port: '6443', protocol: 'TCP' }] }] }]);
    }
    const egress = spec(find(p, 'NetworkPolicy', 'cert-manager-controller', 'cert-manager')).egress as Array<{ to: Values[]; ports: Values[] }>;
    const toOpenBao = egress.filter((r) => r.to.some((t) => t.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'sovra-secrets'));
    expect(toOpenBao).toEqual(p === 'cluster' ? [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'sovra-secrets' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'openbao', 'app.kubernetes.io/instance': 'openbao', component: 'server' } } }], ports: [{ port: 8200, protocol: 'TCP' }] }] : []);
  });

  it('lists the CA algorithms in the CBOM with their setting, certification level none', () => {
    const cbom = readJson<{ components: Array<{ 'bom-ref': string; cryptoProperties?: Values; evidence?: { occurrences: Array<{ location: string }> }; properties?: Array<{ name: string; value: string }> }> }>(dirs[p], 'cbom.cdx.json');
    const ecdsa = cbom.components.find((c) => c['bom-ref'] === 'crypto:cert-manager:algorithm:ecdsa-p384-sha384')!;
    expect(ecdsa.cryptoProperties!.algorithmProperties).toMatchObject({ curve: 'secp384r1', certificationLevel: ['none'] });
    expect(ecdsa.evidence!.occurrences[0]!.location).toBe('manifests/cert-manager.yaml');
    expect(ecdsa.properties!.find((x) => x.name === 'sovra:crypto:fipsPosition')!.value).toMatch(/not FIPS 140-validated/);
    for (const ref of ['crypto:cert-manager:algorithm:sha-384', 'crypto:cert-manager:certificate:sovra-root-ca-certificate', 'crypto:cert-manager:related-crypto-material:sovra-intermediate-ca-private-key', 'crypto:cert-manager:protocol:tls-1-3-cert-manager-webhook']) {
      expect(cbom.components.some((c) => c['bom-ref'] === ref), ref).toBe(true);
    }
    expect(cbom.components.some((c) => c['bom-ref'] === 'crypto:cert-manager:protocol:tls-cert-manager-to-openbao')).toBe(p === 'cluster');
  });
});

describe('PLATFORM_ISSUER', () => {
  it('is a CA issuer on the internal intermediate on dev and edge', () => {
    for (const p of ['dev', 'edge'] as const) expect(spec(find(p, 'ClusterIssuer', PLATFORM_ISSUER))).toEqual({ ca: { secretName: 'sovra-intermediate-ca' } });
  });

  it('is the Vault issuer on OpenBao’s PKI on cluster, logging in with a dedicated ServiceAccount’s bound token and trusting the bootstrap root', () => {
    expect(spec(find('cluster', 'ClusterIssuer', PLATFORM_ISSUER))).toEqual({
      vault: {
        server: 'https://openbao.sovra-secrets.svc:8200',
        path: 'pki_int/sign/sovra',
        caBundleSecretRef: { name: 'sovra-root-ca', key: 'tls.crt' },
        auth: { kubernetes: { mountPath: '/v1/auth/kubernetes', role: 'cert-manager', serviceAccountRef: { name: 'openbao-issuer' } } },
      },
    });
    expect(find('cluster', 'ServiceAccount', 'openbao-issuer', 'cert-manager')).toMatchObject({ automountServiceAccountToken: false });
    expect(find('cluster', 'Role', 'openbao-issuer-token', 'cert-manager').rules).toEqual([{ apiGroups: [''], resources: ['serviceaccounts/token'], resourceNames: ['openbao-issuer'], verbs: ['create'] }]);
    expect(find('cluster', 'RoleBinding', 'openbao-issuer-token', 'cert-manager').subjects).toEqual([{ kind: 'ServiceAccount', name: 'cert-manager', namespace: 'cert-manager' }]);
    for (const p of ['dev', 'edge'] as const) expect(objects[p].some((o) => o.kind === 'ServiceAccount' && o.metadata.name === 'openbao-issuer')).toBe(false);
  });

  it('on OpenBao’s PKI needs the openbao component: without it the synth stops naming the setting', async () => {
    const out = tempDir();
    try {
      const err = await synthProfile('cluster', `${out}/x`, { components: COMPONENTS.filter((d) => d.id !== 'openbao') }).catch((e: unknown) => e);
      expect(isSovraError(err)).toBe(true);
      expect((err as Error).message).toContain('components.cert-manager.platformIssuer is "openbao-pki", which needs the openbao component');
    } finally {
      removeDir(out);
    }
  });
});

describe('claims and Secrets', () => {
  const built = (p: ProfileName) => {
    const { platform } = buildPlatform(loadProfile(p), { components: withOpenBao() });
    const rendered = renderObjects(platform);
    return { component: platform.component('cert-manager')!, rendered };
  };

  it.each(PROFILES)('%s: every Secret the component references has a producer; the OpenBao PKI CA is supplied at install on cluster only', (p) => {
    const { component, rendered } = built(p);
    const closure = secretClosure(new Map<Component, readonly object[]>([[component, rendered.get(component)!]]), manifestFile);
    expect(closure.unproduced).toEqual([]);
    const byName = new Map(closure.producers.map((x) => [x.name, x.kind]));
    expect(byName.get('sovra-root-ca')).toBe('certificate');
    expect(byName.get('sovra-intermediate-ca')).toBe('certificate');
    expect(byName.get('trust-manager-tls')).toBe('operator');
    expect(closure.suppliedAtInstall.map((s) => `${s.namespace}/${s.name}`)).toEqual(p === 'cluster' ? ['cert-manager/sovra-openbao-pki-ca'] : []);
    expect(closure.references.map((r) => r.name)).toEqual(expect.arrayContaining(['sovra-root-ca', 'sovra-intermediate-ca', 'trust-manager-tls', ...(p === 'cluster' ? ['sovra-openbao-pki-ca'] : [])]));
  });

  it.each(PROFILES)('%s: states SC-12, SC-17, SC-13, IA-5(2), SC-8 and CM-7 with the lifetimes; SC-13 partial where FIPS is required', (p) => {
    const { component } = built(p);
    const claims = new Map(component.claims.map((c) => [c.control, c]));
    expect([...claims.keys()].sort()).toEqual(['cm-7', 'ia-5.2', 'sc-12', 'sc-13', 'sc-17', 'sc-8']);
    expect(claims.get('sc-12')!.statement).toMatch(/87600h.*8760h.*8760h.*2880h/);
    expect(claims.get('sc-13')!.status).toBe(p === 'cluster' ? 'partial' : 'implemented');
    expect(claims.get('ia-5.2')!.status).toBe('partial');
    expect(claims.get('sc-17')!.statement).toContain(p === 'cluster' ? 'pki_int/sign/sovra' : 'internal intermediate CA');
    const responsibilities = component.responsibilities.map((r) => r.control).sort();
    expect(responsibilities).toEqual(p === 'cluster' ? ['sc-12', 'sc-17'] : ['sc-12']);
  });

  it('declares the four chart images, unlocked (no published digest), and nothing the render does not run', () => {
    const { component } = built('edge');
    expect(component.images.map((i) => `${i.registry}/${i.repository}:${i.tag}`).sort()).toEqual([
      'quay.io/jetstack/cert-manager-cainjector:v1.21.1',
      'quay.io/jetstack/cert-manager-controller:v1.21.1',
      'quay.io/jetstack/cert-manager-webhook:v1.21.1',
      'quay.io/jetstack/trust-manager:v0.24.0',
    ]);
    expect(component.images.every((i) => i.digest === undefined)).toBe(true);
    expect(component.charts.map((c) => [c.release, c.version, c.digest])).toEqual([
      ['cert-manager', 'v1.21.1', undefined],
      ['trust-manager', 'v0.24.0', undefined],
    ]);
  });
});
