/**
 * Keycloak: the identity provider of the platform, from the keycloakx chart
 * in production mode behind the mesh gateway. HTTPS only, with a
 * certificate from the platform issuer; its database is a CloudNativePG
 * cluster reached over TLS that verifies the server; replicas form one
 * cache cluster on cluster profiles (JGroups, jdbc-ping discovery, mTLS);
 * realm `sovra` is imported at first start from typed data (realm.ts).
 * The bootstrap administrator's password and the control plane client's
 * secret are generated in the cluster, never written in the output.
 */
import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { SovraError } from '../../../core/errors.js';
import { addPostgresCluster, postgresImage, type PostgresCluster } from '../../data/postgres/cluster.js';
import { addCertificate } from '../../kit/certificates.js';
import { onChartValues, onObject, type Evidence } from '../../kit/claims.js';
import { Component, directoryOf, type ComponentProps } from '../../kit/component.js';
import { tls13Assets } from '../../kit/crypto.js';
import { addExternalSecret } from '../../kit/external-secrets.js';
import type { PodGroup } from '../../kit/network.js';
import { KEYCLOAK_REALM, NAMESPACES, TRUST_BUNDLE } from '../../kit/shared-names.js';
import { IDENTITY_BASELINES, type IdentityBaseline } from './baseline.js';
import { KEYCLOAK_CHART, KEYCLOAK_IMAGES } from './catalog.js';
import { KEYCLOAK_SERVICE_URL, keycloakBaseUrl, keycloakIssuer } from './issuer.js';
import { API_SCOPES, buildRealm, CONTROL_PLANE_SECRET_ENV, MFA_BROWSER_FLOW, MFA_DIRECT_GRANT_FLOW, MFA_FORMS_FLOW } from './realm.js';
import type { RealmRepresentation } from './realm-types.js';
import {
  envIndex,
  KEYCLOAK_FULLNAME,
  KEYCLOAK_POD_LABELS,
  KEYCLOAK_PORTS,
  KEYCLOAK_RELEASE,
  keycloakValues,
  MANAGEMENT_PORT_NAME,
  PATHS,
  type EnvVar,
  type KeycloakxValues,
} from './values.js';
import { declareKeycloakExceptions } from './policy-exceptions.js';

/** Name of the Certificate (and its Secret) Keycloak serves HTTPS with. */
export const KEYCLOAK_TLS_SECRET = 'keycloak-tls';
/** The PostgreSQL cluster of Keycloak. */
export const KEYCLOAK_DB = 'keycloak-db';
/** Generated password of the temporary bootstrap administrator (master realm). */
export const BOOTSTRAP_ADMIN_SECRET = 'keycloak-bootstrap-admin';
/** User name of the temporary bootstrap administrator; not a secret. */
export const BOOTSTRAP_ADMIN_USER = 'sovra-bootstrap-admin';
/** Generated secret of the control plane's confidential client. */
export const CONTROL_PLANE_CLIENT_SECRET = 'keycloak-control-plane-client';
/** ConfigMap holding realm `sovra`, and its key (a key without dots, so evidence paths can enter it). */
export const REALM_CONFIGMAP = { name: 'keycloak-realm', key: 'sovra', file: 'sovra-realm.json' } as const;
/** The Service clients and the gateway use: port 443 to the pods' HTTPS port, the host of the issuer. */
export const KEYCLOAK_SERVICE = { name: 'keycloak', port: 443 } as const;

/** The identity layer's OpenID Connect provider. */
export class Keycloak extends Component {
  /** The chart as declared. */
  readonly chart;
  /** The Keycloak pods: the control plane and the gateway declare them as their peer (port `https`). */
  readonly pods: PodGroup;
  /** Realm `sovra` as imported. */
  readonly realm: RealmRepresentation;
  /** The ConfigMap the realm is imported from. */
  readonly realmConfigMap: ApiObject;
  /** The Service named by the issuer URL. */
  readonly service: ApiObject;
  /** The database. */
  readonly database: PostgresCluster;
  /** Issuer URL of realm `sovra` for this profile. */
  readonly issuer: string;

  constructor(scope: Construct, id: string, props: ComponentProps) {
    super(scope, id, props, {
      title: 'Keycloak',
      description: 'OpenID Connect provider of the platform (realm sovra): accounts, groups and roles that map to the control plane\'s API scopes, MFA, password and lockout policy, signed tokens with bounded lifetimes. Runs in production mode over HTTPS with a PostgreSQL database.',
      layer: 'identity',
      namespace: NAMESPACES.keycloak,
      version: KEYCLOAK_IMAGES.server.tag,
      // Its certificate's issuer, the operator that writes its generated Secrets, and the operator that runs its database.
      dependsOn: ['cilium', 'cert-manager', 'external-secrets', 'postgres'].filter((c) => directoryOf(scope).installs(c)),
    });
    const p = props.profile;
    const settings = p.components.keycloak;
    const baseline = IDENTITY_BASELINES[p.baseline];
    checkSettings(p.baseline, baseline, settings);
    const replicas = p.replicas.stateful;
    const clustered = replicas > 1;
    this.issuer = keycloakIssuer(p);
    if (settings.hostname === undefined && this.issuer !== KEYCLOAK_REALM.issuer) throw new Error(`keycloak: issuer ${this.issuer} differs from the shared KEYCLOAK_REALM.issuer`);

    // TLS and secrets.
    const publicHost = settings.hostname ? [new URL(settings.hostname).hostname] : [];
    const ns = NAMESPACES.keycloak;
    addCertificate(this, {
      name: KEYCLOAK_TLS_SECRET,
      dnsNames: [...['keycloak', `keycloak.${ns}`, `keycloak.${ns}.svc`, `keycloak.${ns}.svc.cluster.local`], ...publicHost],
      purpose: 'HTTPS server certificate of Keycloak (OpenID Connect endpoints, admin console, management interface).',
    });
    addExternalSecret(this, { name: BOOTSTRAP_ADMIN_SECRET, purpose: 'Password of the temporary bootstrap administrator of the master realm, generated once in the cluster.', from: { generated: { keys: ['password'], length: 32 } } });
    addExternalSecret(this, { name: CONTROL_PLANE_CLIENT_SECRET, purpose: `Client secret of the confidential client ${KEYCLOAK_REALM.controlPlaneClient}, generated once in the cluster.`, from: { generated: { keys: ['client-secret'], length: 48 } } });

    // Database.
    this.database = addPostgresCluster(this, this.addImage(postgresImage(p)), {
      name: KEYCLOAK_DB,
      database: 'keycloak',
      owner: 'keycloak',
      instances: replicas,
      storage: settings.databaseStorage,
      purpose: 'Keycloak: realms, users, credentials, clients, events and the JGroups discovery table of its cache cluster.',
    });
    const dbSecret = this.database.appSecret;

    // Confidential clients the platform's applications declare (Grafana): each secret comes from OpenBao, where the application reads it too.
    const webClients = this.platform.oidcClients().map((c) => ({ ...c, secretEnv: `SOVRA_CLIENT_SECRET_${c.clientId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`, secretName: `oidc-client-${c.clientId}` }));
    for (const c of webClients) {
      addExternalSecret(this, {
        name: c.secretName,
        purpose: `Client secret of ${c.clientId} (component ${c.component}), read from OpenBao where the application reads it.`,
        from: { openbao: [{ secretKey: 'client-secret', path: c.secret.openbaoPath, property: c.secret.property }] },
      });
      this.consumesSecret({ name: c.secretName, keys: ['client-secret'], purpose: `Secret of the client ${c.clientId}, resolved into the realm at import (chart value extraEnv).` });
    }

    // The realm, imported at first start.
    this.realm = buildRealm({
      webClients: webClients.map((c) => ({ clientId: c.clientId, description: c.description, redirectUris: c.redirectUris, rootUrl: c.rootUrl, secretEnv: c.secretEnv, groupsClaim: c.groupsClaim === true })),
      baseline,
      passwordMinLength: settings.passwordMinLength ?? baseline.password.minLength,
      mfaRequired: settings.mfaRequired,
      sessions: settings.sessions,
      publicClients: settings.publicClients,
      fips: p.distribution.fips,
    });
    this.realmConfigMap = this.inNamespace(
      new ApiObject(this, 'RealmConfigMap', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: REALM_CONFIGMAP.name, namespace: ns }, data: { [REALM_CONFIGMAP.key]: JSON.stringify(this.realm, null, 2) } }),
    );

    // The chart.
    const image = this.addImage(KEYCLOAK_IMAGES.server);
    const fromSecret = (name: string, secret: string, key: string): EnvVar => ({ name, valueFrom: { secretKeyRef: { name: secret, key } } });
    const env: EnvVar[] = [
      { name: 'KC_HOSTNAME', value: keycloakBaseUrl(p) },
      ...(settings.hostname ? [{ name: 'KC_HOSTNAME_BACKCHANNEL_DYNAMIC', value: 'true' }] : []),
      { name: 'KC_HTTPS_CERTIFICATE_FILE', value: `${PATHS.tls}/tls.crt` },
      { name: 'KC_HTTPS_CERTIFICATE_KEY_FILE', value: `${PATHS.tls}/tls.key` },
      { name: 'KC_HTTPS_PROTOCOLS', value: 'TLSv1.3' },
      fromSecret('KC_DB_URL_HOST', dbSecret, 'host'),
      fromSecret('KC_DB_URL_PORT', dbSecret, 'port'),
      fromSecret('KC_DB_URL_DATABASE', dbSecret, 'dbname'),
      fromSecret('KC_DB_USERNAME', dbSecret, 'username'),
      { name: 'KC_DB_URL_PROPERTIES', value: `?sslmode=verify-full&sslrootcert=${PATHS.trust}/ca.crt` },
      { name: 'KC_CACHE_EMBEDDED_MTLS_ENABLED', value: 'true' },
      { name: 'KC_BOOTSTRAP_ADMIN_USERNAME', value: BOOTSTRAP_ADMIN_USER },
      fromSecret('KC_BOOTSTRAP_ADMIN_PASSWORD', BOOTSTRAP_ADMIN_SECRET, 'password'),
      fromSecret(CONTROL_PLANE_SECRET_ENV, CONTROL_PLANE_CLIENT_SECRET, 'client-secret'),
      ...webClients.map((c) => fromSecret(c.secretEnv, c.secretName, 'client-secret')),
      { name: 'KC_LOG_CONSOLE_OUTPUT', value: 'json' },
      // Successful logins are logged at debug by default; the audit trail needs them.
      { name: 'KC_SPI_EVENTS_LISTENER_JBOSS_LOGGING_SUCCESS_LEVEL', value: 'info' },
    ];
    const values = keycloakValues({
      image,
      replicas,
      highAvailability: p.highAvailability,
      resources: { cpu: settings.cpu, memory: settings.memory },
      env,
      secrets: { tls: KEYCLOAK_TLS_SECRET, database: dbSecret },
      configMaps: { trustBundle: TRUST_BUNDLE, realm: REALM_CONFIGMAP },
    });
    this.chart = this.addChart<KeycloakxValues>({ release: KEYCLOAK_RELEASE, namespace: ns, values, ...KEYCLOAK_CHART });
    declareKeycloakExceptions(this, KEYCLOAK_RELEASE);
    this.consumesSecret({ name: KEYCLOAK_TLS_SECRET, keys: ['tls.crt', 'tls.key'], purpose: 'HTTPS certificate (chart value extraVolumes).' });
    this.consumesSecret({ name: dbSecret, keys: ['host', 'port', 'dbname', 'username', 'password'], purpose: 'Database connection and credentials (chart values database.existingSecret, extraEnv).' });
    this.consumesSecret({ name: BOOTSTRAP_ADMIN_SECRET, keys: ['password'], purpose: 'Bootstrap administrator password (chart value extraEnv).' });
    this.consumesSecret({ name: CONTROL_PLANE_CLIENT_SECRET, keys: ['client-secret'], purpose: 'Secret of the control plane client, resolved into the realm at import (chart value extraEnv).' });

    // The Service the issuer names: 443 to the pods' HTTPS port (the chart's own Service is keycloak-http).
    this.service = this.inNamespace(
      new ApiObject(this, 'Service', {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: KEYCLOAK_SERVICE.name, namespace: ns },
        spec: { type: 'ClusterIP', selector: { ...KEYCLOAK_POD_LABELS }, ports: [{ name: 'https', port: KEYCLOAK_SERVICE.port, targetPort: 'https', protocol: 'TCP' }] },
      }),
    );

    // Pods and peers.
    this.pods = this.addPods({
      name: 'keycloak',
      labels: KEYCLOAK_POD_LABELS,
      serviceAccount: KEYCLOAK_FULLNAME,
      ports: {
        https: { port: KEYCLOAK_PORTS.https },
        [MANAGEMENT_PORT_NAME]: { port: KEYCLOAK_PORTS.management },
        jgroups: { port: KEYCLOAK_PORTS.jgroups },
        'jgroups-fd': { port: KEYCLOAK_PORTS.jgroupsFd },
      },
    });
    this.pods.connectsTo({ component: id, pods: KEYCLOAK_DB, port: 'postgres' }, 'Keycloak stores realms, users and sessions metadata in its PostgreSQL cluster (TLS, verify-full)');
    if (clustered) {
      this.pods.connectsTo({ component: id, pods: 'keycloak', port: 'jgroups' }, 'Keycloak replicas form one Infinispan cache cluster over JGroups (mTLS)');
      this.pods.connectsTo({ component: id, pods: 'keycloak', port: 'jgroups-fd' }, 'JGroups failure detection between Keycloak replicas');
    }
    this.addMetrics({ pods: this.pods, port: MANAGEMENT_PORT_NAME, path: '/metrics', scheme: 'https' });

    this.declareClaims(env, clustered);
    this.declareCrypto(env, clustered);
  }

  /** Evidence on a field of the imported realm. */
  private onRealm(path: string, expect: Omit<Evidence, 'target' | 'path'>): Evidence {
    return onObject(this.realmConfigMap, `data.${REALM_CONFIGMAP.key}.${path}`, expect);
  }

  /** Evidence that the server container's environment has `name` as written. */
  private onEnv(env: readonly EnvVar[], name: string): Evidence {
    const i = envIndex(env, name);
    return onChartValues(KEYCLOAK_RELEASE, `extraEnv[${i}]`, { equals: env[i] });
  }

  private declareClaims(env: readonly EnvVar[], clustered: boolean): void {
    const r = this.realm;
    const p = this.profile;
    const clientIndex = (clientId: string) => r.clients.findIndex((c) => c.clientId === clientId);
    const cp = clientIndex(KEYCLOAK_REALM.controlPlaneClient);
    const publicClients = r.clients.map((c, i) => [c, i] as const).filter(([c]) => c.publicClient);

    this.claim({
      control: 'ac-2',
      statement: `Accounts of the platform live in Keycloak realm ${r.realm}: administrators create them (self-registration is off) and grant access by membership of the groups ${r.groups.map((g) => g.name).join(', ')}; login and administrative events are recorded.`,
      evidence: [
        this.onRealm('registrationAllowed', { equals: false }),
        ...r.groups.map((g, i) => this.onRealm(`groups[${i}]`, { equals: g })),
        this.onRealm('eventsEnabled', { equals: true }),
        this.onRealm('adminEventsEnabled', { equals: true }),
      ],
    });
    // The SSP's system users: one per group of the realm (the roles it grants are the API scopes).
    for (const g of r.groups) {
      this.declareUserRole({
        id: g.name,
        title: `Realm ${r.realm} group ${g.name}`,
        description: `Members of group ${g.name} of realm ${r.realm}; it grants the realm roles ${(g.realmRoles ?? []).join(', ')}.`,
        privileges: (g.realmRoles ?? []).map((role) => `call the control plane's ${role} API (scope ${role})`),
        privileged: false,
      });
    }
    this.declareUserRole({
      id: 'keycloak-realm-administrator',
      title: `Realm ${r.realm} administrator`,
      description: `Named administrators (with OTP) the site creates in Keycloak: they create the users of realm ${r.realm}, assign groups and review accounts.`,
      privileges: ['create, disable and delete accounts', 'assign groups', 'review login and administrative events'],
      privileged: true,
    });
    this.claim({
      control: 'ac-3',
      statement: `Access to the control plane API is enforced by scope: each of ${API_SCOPES.join(', ')} is a client scope limited to the realm role of the same name, so Keycloak puts it in a token's scope claim only for users holding the role, and the control plane denies a route whose scope the token lacks.`,
      evidence: [
        ...r.scopeMappings.map((m, i) => this.onRealm(`scopeMappings[${i}]`, { equals: m })),
        this.onRealm(`clients[${cp}].fullScopeAllowed`, { equals: false }),
      ],
    });
    const lock = IDENTITY_BASELINES[p.baseline].lockout;
    this.claim({
      control: 'ac-7',
      statement: `After ${r.failureFactor} consecutive invalid logon attempts within ${r.maxDeltaTimeSeconds / 60} minutes an account of realm ${r.realm} is locked for ${r.waitIncrementSeconds / 60} minutes, then released automatically (${p.baseline} baseline: ${lock.attempts} attempts, ${lock.windowSeconds / 60} min window, ${lock.lockSeconds / 60} min lock).`,
      evidence: [
        this.onRealm('bruteForceProtected', { equals: true }),
        this.onRealm('failureFactor', { equals: r.failureFactor }),
        this.onRealm('maxDeltaTimeSeconds', { equals: r.maxDeltaTimeSeconds }),
        this.onRealm('waitIncrementSeconds', { equals: r.waitIncrementSeconds }),
        this.onRealm('maxFailureWaitSeconds', { equals: r.maxFailureWaitSeconds }),
        this.onRealm('permanentLockout', { equals: false }),
      ],
      // ac-7_prm_1 attempts, _prm_2 window, _prm_4 lock time (the selected action: lock the account for a period, then release).
      parameters: {
        'ac-7_prm_1': String(r.failureFactor),
        'ac-7_prm_2': `${r.maxDeltaTimeSeconds / 60} minutes`,
        'ac-7_prm_3': `lock the account for ${r.waitIncrementSeconds / 60} minutes`,
        'ac-7_prm_4': `${r.waitIncrementSeconds / 60} minutes`,
      },
    });
    this.claim({
      control: 'ac-12',
      statement: `A user session ends after ${r.ssoSessionIdleTimeout / 60} minutes without activity and ${r.ssoSessionMaxLifespan / 3600} hours after login; access tokens expire after ${r.accessTokenLifespan / 60} minutes, and no Sovra client may obtain offline tokens.`,
      evidence: [
        this.onRealm('ssoSessionIdleTimeout', { equals: r.ssoSessionIdleTimeout }),
        this.onRealm('ssoSessionMaxLifespan', { equals: r.ssoSessionMaxLifespan }),
        this.onRealm('accessTokenLifespan', { equals: r.accessTokenLifespan }),
        this.onRealm('offlineSessionMaxLifespan', { equals: r.offlineSessionMaxLifespan }),
      ],
      parameters: { 'ac-12_prm_1': `${r.ssoSessionIdleTimeout / 60} minutes without activity, or ${r.ssoSessionMaxLifespan / 3600} hours after login` },
    });
    const flows = r.authenticationFlows ?? [];
    const forms = flows.findIndex((f) => f.alias === MFA_FORMS_FLOW);
    const grant = flows.findIndex((f) => f.alias === MFA_DIRECT_GRANT_FLOW);
    this.claim({
      control: 'ia-2',
      statement: `Users of the platform are identified and authenticated by Keycloak realm ${r.realm} before the control plane accepts their tokens; UIs use the authorization code flow with PKCE (S256) and no client may use the password grant or the implicit flow${settings(this).mfaRequired ? ', and every login requires a password and a one-time code' : ''}.`,
      evidence: [
        ...publicClients.flatMap(([, i]) => [
          this.onRealm(`clients[${i}].attributes`, { equals: r.clients[i]!.attributes }),
          this.onRealm(`clients[${i}].implicitFlowEnabled`, { equals: false }),
          this.onRealm(`clients[${i}].directAccessGrantsEnabled`, { equals: false }),
        ]),
        this.onRealm(`clients[${cp}].directAccessGrantsEnabled`, { equals: false }),
      ],
    });
    if (r.authenticationFlows) {
      const otpStep = onRealmStep(this, forms, 1, 'auth-otp-form');
      const grantStep = onRealmStep(this, grant, 2, 'direct-grant-validate-otp');
      const browser = this.onRealm('browserFlow', { equals: MFA_BROWSER_FLOW });
      const direct = this.onRealm('directGrantFlow', { equals: MFA_DIRECT_GRANT_FLOW });
      const mfa = `a password and a TOTP code (${r.otpPolicyDigits} digits, ${r.otpPolicyPeriod} s period); an account without an OTP device must enrol one before it gets a session`;
      this.claim({ control: 'ia-2.1', statement: `Privileged accounts of realm ${r.realm} (holders of its realm-management roles) authenticate with ${mfa}.`, evidence: [browser, otpStep, direct, grantStep] });
      this.claim({ control: 'ia-2.2', statement: `Non-privileged accounts of realm ${r.realm} authenticate with ${mfa}.`, evidence: [browser, otpStep, direct, grantStep] });
    }
    const b = IDENTITY_BASELINES[p.baseline].password;
    const min = settings(this).passwordMinLength ?? b.minLength;
    this.claim({
      control: 'ia-5.1',
      statement: `Passwords of realm ${r.realm} have at least ${min} characters with at least ${b.digits} digit, ${b.upperCase} upper-case, ${b.lowerCase} lower-case and ${b.specialChars} special character, may not equal the user name or e-mail, and may not repeat any of the last ${b.history} passwords; Keycloak stores them as salted ${p.distribution.fips ? 'PBKDF2-SHA512' : 'Argon2'} hashes.`,
      evidence: [this.onRealm('passwordPolicy', { equals: r.passwordPolicy })],
      parameters: { 'ia-5.1_prm_2': `at least ${min} characters, ${b.digits} digit, ${b.upperCase} upper-case, ${b.lowerCase} lower-case, ${b.specialChars} special; not the user name or e-mail; none of the last ${b.history} passwords` },
    });
    const sc8: Evidence[] = [
      onChartValues(KEYCLOAK_RELEASE, 'proxy.http.enabled', { equals: false }),
      this.onEnv(env, 'KC_HTTPS_CERTIFICATE_FILE'),
      this.onEnv(env, 'KC_HTTPS_PROTOCOLS'),
      this.onRealm('sslRequired', { equals: 'all' }),
      this.onEnv(env, 'KC_DB_URL_PROPERTIES'),
      ...(clustered ? [this.onEnv(env, 'KC_CACHE_EMBEDDED_MTLS_ENABLED')] : []),
    ];
    this.claim({
      control: 'sc-8',
      statement: `Keycloak serves only HTTPS (TLS 1.3, certificate from the platform issuer; plain HTTP is disabled and the realm requires TLS from every address), connects to its database with TLS verifying the server against the platform CA (sslmode=verify-full)${clustered ? ', and its replicas exchange cache traffic over mutual TLS (Keycloak\'s default for TCP stacks since 26.2, set explicitly)' : ''}.`,
      evidence: sc8,
    });
    this.claim({
      control: 'sc-8.1',
      statement: 'Keycloak\'s HTTPS listener accepts TLS 1.3 only.',
      evidence: [this.onEnv(env, 'KC_HTTPS_PROTOCOLS')],
    });
    this.claim({
      control: 'sc-23',
      statement: `Sessions of realm ${r.realm} are protected by signed tokens: ID and access tokens are signed with ${r.defaultSignatureAlgorithm} (ECDSA P-384 with SHA-384) and verified by the control plane against the realm's keys; refresh tokens are single-use (rotated on every refresh) and sessions end after ${r.ssoSessionIdleTimeout / 60} idle minutes.`,
      evidence: [
        this.onRealm('defaultSignatureAlgorithm', { equals: 'ES384' }),
        this.onRealm('revokeRefreshToken', { equals: true }),
        this.onRealm('refreshTokenMaxReuse', { equals: 0 }),
        this.onRealm('ssoSessionIdleTimeout', { equals: r.ssoSessionIdleTimeout }),
      ],
    });
    this.claim({
      control: 'au-2',
      statement: 'Keycloak records login events (successes at info level) and administrative events of realm sovra, and writes them as JSON to its console log for the log pipeline.',
      evidence: [
        this.onRealm('eventsEnabled', { equals: true }),
        this.onRealm('eventsListeners', { contains: 'jboss-logging' }),
        this.onRealm('adminEventsEnabled', { equals: true }),
        this.onEnv(env, 'KC_LOG_CONSOLE_OUTPUT'),
      ],
    });
    this.claim({
      control: 'cm-7',
      statement: 'Every Keycloak container runs as a non-root user with a read-only root filesystem, no Linux capabilities, no privilege escalation and the RuntimeDefault seccomp profile; only /tmp, /opt/keycloak/data and the build output (mounted read-only in the server) are writable emptyDirs.',
      evidence: [
        onChartValues(KEYCLOAK_RELEASE, 'securityContext.readOnlyRootFilesystem', { equals: true }),
        onChartValues(KEYCLOAK_RELEASE, 'securityContext.capabilities.drop', { equals: ['ALL'] }),
        onChartValues(KEYCLOAK_RELEASE, 'securityContext.allowPrivilegeEscalation', { equals: false }),
        onChartValues(KEYCLOAK_RELEASE, 'serviceAccount.automountServiceAccountToken', { equals: false }),
      ],
    });
    if (clustered) {
      this.claim({
        control: 'cp-10',
        statement: `Keycloak runs ${p.replicas.stateful} replicas on separate nodes in one cache cluster, and a PodDisruptionBudget keeps all but one available; its database runs ${p.replicas.stateful} PostgreSQL instances with synchronous replication.`,
        evidence: [onChartValues(KEYCLOAK_RELEASE, 'replicas', { equals: p.replicas.stateful }), onChartValues(KEYCLOAK_RELEASE, 'podDisruptionBudget.maxUnavailable', { equals: 1 }), onObject(this.database.cluster, 'spec.instances', { equals: p.replicas.stateful })],
        status: 'partial',
      });
    }

    this.customerResponsibility({
      control: 'ac-2',
      statement: `Keycloak starts with a temporary administrator ${BOOTSTRAP_ADMIN_USER} in the master realm (password generated in Secret ${NAMESPACES.keycloak}/${BOOTSTRAP_ADMIN_SECRET}). The site creates named administrators with OTP, deletes the bootstrap administrator, creates the users of realm sovra and assigns them to groups, and reviews accounts periodically.`,
      procedure: 'README.md#keycloak-first-administrators',
    });
    // Realm sovra is imported once, at the first start (README.md#keycloak): later profile changes do not alter a running
    // realm. That is a CM-3 responsibility of the site; it is stated in the README until the SSP tests accept a
    // requirement that holds a responsibility and no claim.
  }

  /** HTTPS with TLS 1.3, the signing algorithm of tokens, the signing key and the generated secrets. */
  private declareCrypto(env: readonly EnvVar[], clustered: boolean): void {
    const implementation = 'Keycloak 26 (OpenJDK 21 JSSE and JCA, pgJDBC for its database)';
    for (const asset of tls13Assets({ name: 'TLS 1.3 (Keycloak HTTPS)', purpose: 'OpenID Connect endpoints, admin console and management interface of Keycloak.', configuredBy: this.onEnv(env, 'KC_HTTPS_PROTOCOLS'), implementation })) this.addCryptoAsset(asset);
    const tlsDb = onObject(this.database.cluster, 'spec.postgresql.parameters.ssl_min_protocol_version', { equals: 'TLSv1.3' });
    for (const asset of tls13Assets({ name: 'TLS 1.3 (Keycloak to PostgreSQL)', purpose: 'Connections of Keycloak to the keycloak-db cluster (server verified against the platform CA).', configuredBy: tlsDb, implementation })) this.addCryptoAsset(asset);
    // P-384 for tokens: the certificates' P-256 signatures are cert-manager's asset, and ES384 is the stronger of the two the control plane accepts.
    if (clustered) {
      // Keycloak generates the cache cluster's certificates itself (stored in its database, rotated by Keycloak); their algorithms are Keycloak's choice, not a setting here.
      this.addCryptoAsset({
        type: 'protocol',
        name: 'JGroups mTLS (Keycloak cache cluster)',
        purpose: 'Cache replication and failure detection between Keycloak replicas; both sides present certificates Keycloak generates and keeps in its database.',
        configuredBy: this.onEnv(env, 'KC_CACHE_EMBEDDED_MTLS_ENABLED'),
        protocol: { type: 'tls', version: '1.3', mutual: true },
      });
    }
    const es384 = this.onRealm('defaultSignatureAlgorithm', { equals: 'ES384' });
    this.addCryptoAsset({ type: 'algorithm', name: 'ECDSA-P384-SHA384', purpose: 'Signatures of the ID and access tokens of realm sovra (ES384).', configuredBy: es384, implementation, certificationLevel: ['none'] });
    this.addCryptoAsset({
      type: 'related-crypto-material',
      name: 'Realm sovra token signing key',
      purpose: 'ECDSA P-384 key pair Keycloak generates for ES384; the private half is kept in the keycloak-db database, the public half is published at the realm\'s JWKS endpoint.',
      configuredBy: es384,
      material: { type: 'private-key', algorithm: 'ECDSA-P384-SHA384', size: 384 },
    });
    this.addCryptoAsset({
      type: 'related-crypto-material',
      name: 'Keycloak bootstrap administrator password',
      purpose: 'Password of the temporary administrator of the master realm, generated once by the External Secrets Operator; to be retired after the first named administrator exists.',
      configuredBy: this.onEnv(env, 'KC_BOOTSTRAP_ADMIN_PASSWORD'),
      material: { type: 'password', secret: { namespace: NAMESPACES.keycloak, name: BOOTSTRAP_ADMIN_SECRET, key: 'password' } },
    });
    this.addCryptoAsset({
      type: 'related-crypto-material',
      name: 'Control plane client secret',
      purpose: `Secret with which machine callers authenticate as client ${KEYCLOAK_REALM.controlPlaneClient} (client credentials), generated once by the External Secrets Operator.`,
      configuredBy: this.onEnv(env, CONTROL_PLANE_SECRET_ENV),
      material: { type: 'credential', secret: { namespace: NAMESPACES.keycloak, name: CONTROL_PLANE_CLIENT_SECRET, key: 'client-secret' } },
    });
  }
}

function settings(k: Keycloak) {
  return k.profile.components.keycloak;
}

/** Evidence that step `step` of flow `flow` is the given authenticator, REQUIRED. */
function onRealmStep(k: Keycloak, flow: number, step: number, authenticator: string): Evidence {
  const e = k.realm.authenticationFlows?.[flow]?.authenticationExecutions[step];
  if (!e || e.authenticator !== authenticator) throw new Error(`keycloak: flow ${flow} step ${step} is not ${authenticator}`);
  return onObject(k.realmConfigMap, `data.${REALM_CONFIGMAP.key}.authenticationFlows[${flow}].authenticationExecutions[${step}]`, { equals: e });
}

/** Refuses settings that loosen the baseline, naming the setting and the bound. */
function checkSettings(name: string, b: IdentityBaseline, s: ComponentProps['profile']['components']['keycloak']): void {
  const at = 'components.keycloak';
  const fail = (msg: string) => {
    throw new SovraError('bad-profile', `${at}.${msg}`);
  };
  if (b.mfaRequired && !s.mfaRequired) fail(`mfaRequired is false, but the ${name} baseline requires MFA for every account (IA-2(1), IA-2(2)). Set it to true.`);
  if (s.passwordMinLength !== undefined && s.passwordMinLength < b.password.minLength) fail(`passwordMinLength ${s.passwordMinLength} is below the ${name} baseline's ${b.password.minLength}. Remove it or raise it.`);
  for (const [k, ceiling] of [
    ['accessTokenMinutes', b.sessions.accessTokenMinutes],
    ['idleMinutes', b.sessions.idleMinutes],
    ['maxHours', b.sessions.maxHours],
  ] as const) {
    if (s.sessions[k] > ceiling) fail(`sessions.${k} ${s.sessions[k]} exceeds the ${name} baseline's ceiling of ${ceiling}. Lower it.`);
  }
  if (s.sessions.idleMinutes > s.sessions.maxHours * 60) fail(`sessions.idleMinutes ${s.sessions.idleMinutes} is longer than sessions.maxHours ${s.sessions.maxHours}. Lower it.`);
  const seen = new Set<string>([KEYCLOAK_REALM.controlPlaneClient]);
  s.publicClients.forEach((c, i) => {
    if (seen.has(c.clientId)) fail(`publicClients[${i}].clientId "${c.clientId}" is used twice (or is the control plane's client). Give each client its own id.`);
    seen.add(c.clientId);
    if (c.redirectUris.length === 0) fail(`publicClients[${i}].redirectUris is empty; a public client needs at least one exact redirect URI.`);
  });
}

/** Base URL of the in-cluster Service (re-exported for the control plane's wiring). */
export { KEYCLOAK_SERVICE_URL };
