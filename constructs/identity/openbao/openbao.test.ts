/**
 * OpenBao as the synth writes it, per profile: Raft with one server on dev
 * and edge and three (with a PodDisruptionBudget and anti-affinity) on
 * cluster, TLS 1.3 with the bootstrap CA's certificate, the audit device on
 * stdout, the seal of each profile (and what each seal needs), declarative
 * self-initialization only where OpenBao allows it safely, no secret value
 * in the output, and a producer for every Secret it reads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { isSovraError } from '../../../core/errors.js';
import { secretClosure } from '../../../output/secret-closure.js';
import { mergeProfile } from '../../../profiles/load.js';
import { BUILTIN_PROFILES } from '../../../profiles/builtin/index.js';
import { validateProfile } from '../../../profiles/validate.js';
import { buildPlatform, renderObjects } from '../../../synth/synth.js';
import { PROFILES, readJson, readYamlDocs, removeDir, synthAll, terraformResources, writtenObjects, type K8sObject, type ProfileName } from '../../../test/support/synth-output.js';
import { BOOTSTRAP_ISSUER, NAMESPACES, OPENBAO_CLIENTS, OPENBAO_PATHS } from '../../kit/shared-names.js';
import type { OpenBao } from './openbao.js';
import { SEAL_SECRET, TRANSIT_TOKEN_ENV } from './seal.js';
import type { ServerConfig } from './server-config.js';

type Values = {
  global: { tlsDisable: boolean };
  injector: { enabled: boolean };
  csi: { enabled: boolean };
  ui: { enabled: boolean };
  server: {
    image: { registry: string; repository: string; tag: string };
    volumes: Array<{ name: string; secret?: { secretName: string; items?: Array<{ key: string }> } }>;
    volumeMounts: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
    extraSecretEnvironmentVars: Array<{ envName: string; secretName: string; secretKey: string }>;
    affinity: unknown;
    dataStorage: { size: string };
    statefulSet: { securityContext: { container: Record<string, unknown> } };
    ha: { enabled: boolean; replicas: number; raft: { enabled: boolean; config: string }; disruptionBudget: { enabled: boolean; maxUnavailable: number | null } };
  };
};

const EXPECTED: Record<ProfileName, { replicas: number; storage: string; seal: 'static' | 'shamir'; selfInit: boolean }> = {
  dev: { replicas: 1, storage: '1Gi', seal: 'static', selfInit: true },
  edge: { replicas: 1, storage: '5Gi', seal: 'static', selfInit: true },
  cluster: { replicas: 3, storage: '20Gi', seal: 'shamir', selfInit: false },
};

let root: string | undefined;
let dirs: Record<ProfileName, string>;
beforeAll(async () => {
  ({ root, dirs } = await synthAll());
});
afterAll(() => removeDir(root));

/** The chart values Sovra wrote for the release: HelmChart on dev and edge, helm_release on cluster. */
function values(profile: ProfileName): Values {
  const hc = writtenObjects(dirs[profile]).find((o) => o.object.kind === 'HelmChart' && o.object.metadata.name === 'openbao');
  if (hc) return YAML.parse((hc.object.spec as { valuesContent: string }).valuesContent) as Values;
  return YAML.parse((terraformResources(dirs[profile])!.helm_release!.openbao!.values as string[])[0]!) as Values;
}
const config = (profile: ProfileName): ServerConfig => JSON.parse(values(profile).server.ha.raft.config) as ServerConfig;
const objects = (profile: ProfileName): K8sObject[] => writtenObjects(dirs[profile]).map((o) => o.object).filter((o) => o.metadata.namespace === NAMESPACES.openbao || o.metadata.name === NAMESPACES.openbao || o.metadata.name === 'openbao');
const find = (profile: ProfileName, kind: string, name: string) => objects(profile).find((o) => o.kind === kind && o.metadata.name === name);

describe.each(PROFILES)('profile %s', (profile) => {
  const want = EXPECTED[profile];

  it('runs integrated Raft in HA mode with the profile\'s number of servers, each on its own node when there are several', () => {
    const v = values(profile);
    expect(v.server.ha).toMatchObject({ enabled: true, replicas: want.replicas, raft: { enabled: true } });
    expect(v.server.dataStorage.size).toBe(want.storage);
    expect(config(profile).storage.raft.path).toBe('/openbao/data');
    expect(v.server.ha.disruptionBudget).toEqual(want.replicas > 1 ? { enabled: true, maxUnavailable: 1 } : { enabled: false, maxUnavailable: null });
    if (want.replicas > 1) {
      expect(v.server.affinity).toEqual({
        podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'openbao', 'app.kubernetes.io/instance': 'openbao', component: 'server' } }, topologyKey: 'kubernetes.io/hostname' }] },
      });
    } else {
      expect(v.server.affinity).toBe('');
    }
  });

  it('serves TLS 1.3 only, with a certificate from the bootstrap issuer that names every server the Raft join dials', () => {
    const v = values(profile);
    const c = config(profile);
    expect(v.global.tlsDisable).toBe(false);
    expect(c.listener.tcp).toMatchObject({ tls_disable: false, tls_min_version: 'tls13', tls_cert_file: '/openbao/tls/tls.crt', tls_key_file: '/openbao/tls/tls.key' });
    const cert = find(profile, 'Certificate', 'openbao-server-tls')!.spec as { secretName: string; dnsNames: string[]; issuerRef: { name: string; kind: string } };
    expect(cert.issuerRef).toMatchObject({ kind: 'ClusterIssuer', name: BOOTSTRAP_ISSUER });
    expect(v.server.volumes.find((x) => x.name === 'tls')!.secret!.secretName).toBe(cert.secretName);
    expect(v.server.volumeMounts).toContainEqual({ name: 'tls', mountPath: '/openbao/tls', readOnly: true });
    expect(cert.dnsNames).toEqual(expect.arrayContaining(['openbao', 'openbao.sovra-secrets.svc', 'openbao-active.sovra-secrets.svc']));
    const joins = c.storage.raft.retry_join ?? [];
    expect(joins).toHaveLength(want.replicas > 1 ? want.replicas : 0);
    for (const [i, j] of joins.entries()) {
      expect(j).toEqual({ leader_api_addr: `https://openbao-${i}.openbao-internal:8200`, leader_ca_cert_file: '/openbao/tls/ca.crt' });
      expect(cert.dnsNames).toContain(new URL(j.leader_api_addr).hostname);
    }
    for (let i = 0; i < want.replicas; i++) expect(cert.dnsNames).toContain(`openbao-${i}.openbao-internal.sovra-secrets.svc`);
    expect(cert.dnsNames).not.toContain(`openbao-${want.replicas}.openbao-internal`);
  });

  it('writes every request and response to the declarative audit device on stdout, hashed', () => {
    expect(config(profile).audit).toEqual([
      { file: { stdout: { description: expect.any(String), options: { file_path: 'stdout', format: 'json', log_raw: 'false', hmac_accessor: 'true' } } } },
    ]);
  });

  it(`is sealed with ${want.seal}, and configures itself on first start only where that is safe (${want.selfInit})`, () => {
    const c = config(profile);
    const v = values(profile);
    if (want.seal === 'static') {
      expect(c.seal).toEqual({ static: { current_key_id: `sovra-${profile}-1`, current_key: 'file:///openbao/seal/key' } });
      expect(v.server.volumes).toContainEqual({ name: 'seal', secret: { secretName: SEAL_SECRET, defaultMode: 0o440, items: [{ key: 'key', path: 'key' }] } });
    } else {
      expect(c.seal).toBeUndefined();
      expect(v.server.volumes.map((x) => x.name)).not.toContain('seal');
    }
    expect(c.initialize !== undefined).toBe(want.selfInit);
    expect(find(profile, 'ServiceAccount', 'openbao-bootstrap-admin') !== undefined).toBe(want.selfInit);
    if (want.selfInit) {
      const requests = c.initialize!.flatMap((b) => Object.values(b).flatMap((x) => x.request.flatMap((r) => Object.values(r))));
      expect(requests.map((r) => r.path)).toEqual([
        `sys/mounts/${OPENBAO_PATHS.kv}`,
        `sys/auth/${OPENBAO_PATHS.kubernetesAuth}`,
        `auth/${OPENBAO_PATHS.kubernetesAuth}/config`,
        'sys/policies/acl/external-secrets',
        'sys/policies/acl/bootstrap-admin',
        'auth/kubernetes/role/external-secrets',
        'auth/kubernetes/role/bootstrap-admin',
      ]);
      expect(requests.find((r) => r.path === 'auth/kubernetes/role/external-secrets')!.data).toMatchObject({
        bound_service_account_names: [OPENBAO_CLIENTS.externalSecrets.serviceAccount],
        bound_service_account_namespaces: [NAMESPACES.externalSecrets],
        token_policies: ['external-secrets'],
      });
    }
  });

  it('runs the hardened container: read-only root filesystem, no privilege, all capabilities dropped; no injector, CSI provider or UI', () => {
    const v = values(profile);
    expect(v.server.statefulSet.securityContext.container).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    expect(v.server.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
    expect([v.injector.enabled, v.csi.enabled, v.ui.enabled, config(profile).ui]).toEqual([false, false, false, false]);
    expect(v.server.image).toMatchObject({ registry: 'quay.io', repository: 'openbao/openbao', tag: '2.6.2' });
  });

  it('puts no secret in the output: no Secret object, key material only by file:// or env:// reference, no PEM', () => {
    const own = objects(profile);
    expect(own.map((o) => o.kind)).not.toContain('Secret');
    const text = JSON.stringify(own) + values(profile).server.ha.raft.config;
    expect(text).not.toMatch(/BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE)/);
    for (const [, stanza] of Object.entries(config(profile).seal ?? {})) {
      for (const [k, val] of Object.entries(stanza)) if (/key$|token|secret/.test(k) && !/_id$|key_name/.test(k)) expect(val, k).toMatch(/^(file|env):\/\//);
    }
  });

  it('has a producer for every Secret it reads: the Certificate for its TLS, the site for the seal key', () => {
    const { platform } = buildPlatform(BUILTIN_PROFILES[profile]);
    const rendered = renderObjects(platform);
    const bao = platform.component('openbao')!;
    const closure = secretClosure(new Map([[bao, rendered.get(bao)!]]), () => 'manifests/openbao.yaml');
    expect(closure.unproduced).toEqual([]);
    expect(closure.producers).toContainEqual({ namespace: NAMESPACES.openbao, name: 'openbao-server-tls', kind: 'certificate', by: 'Certificate sovra-secrets/openbao-server-tls' });
    expect(closure.suppliedAtInstall.map((s) => s.name)).toEqual(want.seal === 'static' ? [SEAL_SECRET] : []);
    expect(bao.secretsConsumed.map((s) => s.name).sort()).toEqual(want.seal === 'static' ? ['openbao-seal', 'openbao-server-tls'] : ['openbao-server-tls']);
  });

  it('states its claims with evidence and the runbook steps as customer responsibilities in OSCAL', () => {
    const def = readJson<{ 'component-definition': { components: Array<{ 'control-implementations': Array<{ 'implemented-requirements': Array<{ 'control-id': string; props?: Array<{ name: string; value: string }> }> }> }> } }>(
      dirs[profile],
      'oscal/component-definitions/openbao.json',
    );
    const reqs = def['component-definition'].components[0]!['control-implementations'][0]!['implemented-requirements'];
    const status = (id: string) => reqs.find((r) => r['control-id'] === id)?.props?.find((p) => p.name === 'implementation-status')?.value;
    for (const id of ['sc-8', 'sc-8.1', 'sc-28', 'au-2', 'au-12', 'cm-7', 'sc-7']) expect(status(id), id).toBe('implemented');
    for (const id of ['ia-5', 'ac-2', 'cp-9']) expect(status(id), id).toBe('planned');
    expect(status('sc-12')).toBe(want.seal === 'shamir' ? 'planned' : 'partial');
    // Declarative policies and roles are claimed; where the runbook makes them they are the customer's.
    expect(status('ac-3')).toBe(want.selfInit ? 'implemented' : 'planned');
    expect(status('ia-2')).toBe(want.selfInit ? 'implemented' : 'planned');
    expect(status('sc-17')).toBe(profile === 'cluster' ? 'planned' : undefined);
    const props = reqs.flatMap((r) => r.props ?? []);
    expect(props).toContainEqual(expect.objectContaining({ name: 'customer-responsibility', value: 'README.md#openbao-runbook' }));
    // The static seal's risk is stated where the accreditor reads it.
    expect(JSON.stringify(def).includes('physical access to the node defeats the seal')).toBe(want.seal === 'static');
  });

  it('lets only its peers in: Raft between servers where there are several, the API server through Cilium', () => {
    const np = find(profile, 'NetworkPolicy', 'openbao')!.spec as { ingress: Array<{ ports: Array<{ port: number }> }> };
    const ports = np.ingress.flatMap((r) => r.ports.map((p) => p.port)).sort();
    if (want.replicas > 1) expect(ports).toEqual(expect.arrayContaining([8200, 8201]));
    const cnp = find(profile, 'CiliumNetworkPolicy', 'openbao')!.spec as { egress: unknown[] };
    expect(cnp.egress).toEqual([{ toEntities: ['kube-apiserver'], toPorts: [{ ports: [{ port: '6443', protocol: 'TCP' }] }] }]);
  });

  it('declares TLS 1.3, the barrier cipher and the root key in the CBOM', () => {
    const cbom = readJson<{ components: Array<{ name: string; 'bom-ref': string }> }>(dirs[profile], 'cbom.cdx.json');
    const names = cbom.components.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['TLS 1.3 (OpenBao API)', 'OpenBao root key', 'openbao-server-tls certificate']));
    expect(names.includes('OpenBao static seal key')).toBe(want.seal === 'static');
    expect(names.includes('OpenBao cluster mutual TLS')).toBe(want.replicas > 1);
  });
});

describe('seal options', () => {
  /** The OpenBao component for `base` with `openbao` settings merged in (and other overrides), validated like a profile file. */
  const build = (base: ProfileName, override: Record<string, unknown>) => {
    const profile = validateProfile(mergeProfile(structuredClone(BUILTIN_PROFILES[base]), override), 'test');
    const { platform } = buildPlatform(profile);
    const rendered = renderObjects(platform);
    const bao = platform.component('openbao') as OpenBao;
    const hc = (rendered.get(bao) as K8sObject[]).find((o) => o.kind === 'HelmChart');
    const v = (hc ? YAML.parse((hc.spec as { valuesContent: string }).valuesContent) : bao.chart.values) as Values;
    return { bao, values: v, config: JSON.parse(v.server.ha.raft.config) as ServerConfig, objects: rendered.get(bao) as K8sObject[] };
  };

  it('transit: the token comes from the supplied Secret through an environment variable of its own, the CA from a file, and the host is the only way out', () => {
    const { bao, values: v, config: c, objects } = build('cluster', { components: { openbao: { seal: { type: 'transit', transit: { address: 'https://bao.example.org:8200', keyName: 'sovra', mountPath: 'transit/' } } } } });
    expect(c.seal).toEqual({ transit: { address: 'https://bao.example.org:8200', key_name: 'sovra', mount_path: 'transit/', token: `env://${TRANSIT_TOKEN_ENV}`, tls_ca_cert: '/openbao/seal/ca.crt', tls_skip_verify: 'false' } });
    expect(v.server.extraSecretEnvironmentVars).toEqual([{ envName: TRANSIT_TOKEN_ENV, secretName: SEAL_SECRET, secretKey: 'token' }]);
    expect(bao.secretsProduced).toContainEqual(expect.objectContaining({ name: SEAL_SECRET, kind: 'supplied-at-install', keys: ['token', 'ca.crt'] }));
    // Three servers: no self-initialization (a joining server would race it), the runbook initializes.
    expect(c.initialize).toBeUndefined();
    const cnp = objects.find((o) => o.kind === 'CiliumNetworkPolicy')!.spec as { egress: unknown[] };
    expect(cnp.egress).toContainEqual({ toFQDNs: [{ matchName: 'bao.example.org' }], toPorts: [{ ports: [{ port: '8200', protocol: 'TCP' }] }] });
    expect(bao.claims.find((x) => x.control === 'sc-12')?.status).toBe('partial');
  });

  it('AWS KMS: credentials from the supplied Secret as the AWS SDK variables, the regional endpoint the only way out', () => {
    const { values: v, config: c, objects } = build('cluster', { components: { openbao: { seal: { type: 'kms', kms: { provider: 'awskms', awskms: { region: 'eu-central-1', kmsKeyId: 'alias/sovra' } } } } } });
    expect(c.seal).toEqual({ awskms: { region: 'eu-central-1', kms_key_id: 'alias/sovra' } });
    expect(v.server.extraSecretEnvironmentVars.map((e) => e.envName)).toEqual(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']);
    expect(JSON.stringify(objects)).toContain('kms.eu-central-1.amazonaws.com');
  });

  it('GCP Cloud KMS on one server: credentials file from the Secret, and the server configures itself', () => {
    const { bao, values: v, config: c } = build('dev', { components: { openbao: { seal: { type: 'kms', kms: { provider: 'gcpckms', gcpckms: { project: 'sovra-test', region: 'global', keyRing: 'sovra', cryptoKey: 'bao' } } } } } });
    expect(c.seal!.gcpckms).toMatchObject({ credentials: '/openbao/seal/credentials.json', crypto_key: 'bao' });
    expect(v.server.volumes.find((x) => x.name === 'seal')!.secret!.items).toEqual([{ key: 'credentials.json', path: 'credentials.json' }]);
    expect(bao.selfInit).toBe(true);
    expect(c.initialize).toBeDefined();
  });

  it('a cloud KMS on an air-gapped profile is refused, naming the setting and the alternatives', () => {
    const e = (() => {
      try {
        build('edge', { components: { openbao: { seal: { type: 'kms', kms: { provider: 'awskms', awskms: { region: 'eu-central-1', kmsKeyId: 'alias/sovra' } } } } } });
      } catch (x) {
        return x;
      }
      return undefined;
    })();
    expect(isSovraError(e)).toBe(true);
    expect((e as Error).message).toContain('components.openbao.seal');
    expect((e as Error).message).toContain('air-gapped');
  });

  it('a profile that extends another switches the seal type by naming it and its settings; a type without its settings is refused', () => {
    const { bao } = build('edge', { components: { openbao: { seal: { type: 'transit', transit: { address: 'https://bao.site.internal', keyName: 'edge', mountPath: 'transit/' } } } } });
    expect(bao.seal.kind).toBe('transit');
    expect(bao.seal.egress).toEqual({ fqdns: ['bao.site.internal'], port: 443 });
    expect(() => build('edge', { components: { openbao: { seal: { type: 'transit' } } } })).toThrow(/openbao\/seal.*transit|transit.*openbao\/seal/s);
  });

  it('an even number of Raft servers is refused', () => {
    expect(() => build('cluster', { replicas: { stateful: 2 } })).toThrow(/odd number of servers/);
  });

  it('Shamir on one server: no self-initialization (OpenBao refuses it without auto-unseal), the runbook does it', () => {
    const { bao, config: c } = build('edge', { components: { openbao: { seal: { type: 'shamir' } } } });
    expect(bao.selfInit).toBe(false);
    expect(c.initialize).toBeUndefined();
    expect(bao.responsibilities.map((r) => r.control)).toEqual(expect.arrayContaining(['ac-3', 'ia-2', 'sc-12']));
  });

  it('the PKI setting adds the cert-manager policy and role (audience of its ClusterIssuer) where the servers configure themselves', () => {
    const { config: c, bao } = build('edge', { components: { openbao: { pki: true } } });
    const requests = c.initialize!.flatMap((b) => Object.values(b).flatMap((x) => x.request.flatMap((r) => Object.values(r))));
    expect(requests.find((r) => r.path === 'sys/policies/acl/cert-manager')!.data).toEqual({ policy: `path "${OPENBAO_CLIENTS.certManager.signPath}" {\n  capabilities = ["create", "update"]\n}\n` });
    expect(requests.find((r) => r.path === 'auth/kubernetes/role/cert-manager')!.data).toMatchObject({ audience: 'vault://sovra-platform', bound_service_account_namespaces: ['cert-manager'] });
    expect(bao.responsibilities.map((r) => r.control)).toContain('sc-17');
  });

  it('the UI is off unless asked for, and then served on the API listener', () => {
    const { values: v, config: c, bao } = build('dev', { components: { openbao: { ui: true } } });
    expect([v.ui.enabled, c.ui]).toEqual([true, true]);
    expect(JSON.stringify(bao.claims.find((x) => x.control === 'cm-7')!.evidence)).not.toContain('ui.enabled');
  });
});

describe('the written manifest', () => {
  it('orders the Certificate before the HelmChart that mounts its Secret', () => {
    const docs = readYamlDocs(dirs.edge, 'manifests/openbao.yaml') as K8sObject[];
    const kinds = docs.map((d) => d.kind);
    expect(kinds.indexOf('Certificate')).toBeLessThan(kinds.indexOf('HelmChart'));
  });
});
