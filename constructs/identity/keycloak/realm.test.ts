/**
 * Realm `sovra` as built per profile: MFA only where required, password and
 * lockout rules from the baseline, lifetimes from the settings, the
 * control plane's audience and the API scopes wired to roles, and every
 * field a field Keycloak 26's import accepts (validated against the
 * RealmRepresentation schema of the KeycloakRealmImport CRD that Sovra
 * ships, which refuses unknown properties).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import AjvModule from 'ajv';
import { describe, expect, it } from 'vitest';
import { BUILTIN_PROFILES } from '../../../profiles/builtin/index.js';
import { REPO_ROOT } from '../../../test/support/shared.js';
import { KEYCLOAK_REALM } from '../../kit/shared-names.js';
import { IDENTITY_BASELINES } from './baseline.js';
import { API_SCOPES, AUDIENCE_SCOPE, buildRealm, CONTROL_PLANE_SECRET_ENV, GROUPS, MFA_BROWSER_FLOW, MFA_DIRECT_GRANT_FLOW, MFA_FORMS_FLOW, type RealmInput } from './realm.js';
import type { RealmRepresentation } from './realm-types.js';

const Ajv = AjvModule.default;
const SCHEMA = join(REPO_ROOT, 'output/kubernetes/schemas/crds/k8s.keycloak.org/keycloakrealmimport_v2beta1.json');
const realmSchema = (JSON.parse(readFileSync(SCHEMA, 'utf8')) as { properties: { spec: { properties: { realm: object } } } }).properties.spec.properties.realm;
const validateRealm = new Ajv({ strict: false, allErrors: true }).compile(realmSchema);

function realmOf(profile: 'dev' | 'edge' | 'cluster', patch: Partial<RealmInput> = {}): RealmRepresentation {
  const p = BUILTIN_PROFILES[profile];
  const s = p.components.keycloak;
  const baseline = IDENTITY_BASELINES[p.baseline];
  return buildRealm({ baseline, passwordMinLength: s.passwordMinLength ?? baseline.password.minLength, mfaRequired: s.mfaRequired, sessions: s.sessions, publicClients: s.publicClients, fips: p.distribution.fips, ...patch });
}

describe.each(['dev', 'edge', 'cluster'] as const)('realm of profile %s', (profile) => {
  const r = realmOf(profile);

  it('is accepted by the RealmRepresentation schema of Keycloak 26 (no unknown field anywhere)', () => {
    expect(validateRealm(r), JSON.stringify(validateRealm.errors)).toBe(true);
  });

  it('is realm sovra, TLS from every address, no self-registration, tokens signed with ES384, refresh tokens single-use', () => {
    expect(r.realm).toBe(KEYCLOAK_REALM.name);
    expect(r.sslRequired).toBe('all');
    expect(r.registrationAllowed).toBe(false);
    expect(r.defaultSignatureAlgorithm).toBe('ES384');
    expect([r.revokeRefreshToken, r.refreshTokenMaxReuse]).toEqual([true, 0]);
  });

  it('gives the control plane client its audience through a default scope, and keeps its secret out of the file', () => {
    const cp = r.clients.find((c) => c.clientId === KEYCLOAK_REALM.controlPlaneClient)!;
    expect(cp.publicClient).toBe(false);
    expect(cp.secret).toBe(`\${${CONTROL_PLANE_SECRET_ENV}}`);
    expect(cp.defaultClientScopes).toEqual(expect.arrayContaining([AUDIENCE_SCOPE, ...API_SCOPES]));
    const audience = r.clientScopes.find((s) => s.name === AUDIENCE_SCOPE)!.protocolMappers[0]!;
    expect(audience.protocolMapper).toBe('oidc-audience-mapper');
    expect(audience.config).toMatchObject({ 'included.client.audience': 'sovra-control-plane', 'access.token.claim': 'true' });
  });

  it('makes UI clients public with PKCE S256 and no implicit, password or device grant', () => {
    const pub = r.clients.filter((c) => c.publicClient);
    expect(pub.map((c) => c.clientId)).toEqual(BUILTIN_PROFILES[profile].components.keycloak.publicClients.map((c) => c.clientId));
    for (const c of pub) {
      expect(c.attributes['pkce.code.challenge.method']).toBe('S256');
      expect([c.standardFlowEnabled, c.implicitFlowEnabled, c.directAccessGrantsEnabled, c.serviceAccountsEnabled]).toEqual([true, false, false, false]);
      expect(c.defaultClientScopes).toEqual(expect.arrayContaining(['basic', AUDIENCE_SCOPE, ...API_SCOPES]));
      expect(c.optionalClientScopes).not.toContain('offline_access');
    }
  });

  it('puts each API scope in the scope claim only for holders of the role of the same name, and groups grant the roles', () => {
    for (const s of API_SCOPES) {
      expect(r.clientScopes.find((c) => c.name === s)!.attributes['include.in.token.scope']).toBe('true');
      expect(r.scopeMappings).toContainEqual({ clientScope: s, roles: [s] });
      expect(r.roles.realm.map((x) => x.name)).toContain(s);
    }
    expect(r.groups.map((g) => [g.name, g.realmRoles])).toEqual(Object.entries(GROUPS));
    // sub comes from the basic scope, which the realm defines itself (its own scopes replace Keycloak's defaults).
    expect(r.clientScopes.find((s) => s.name === 'basic')!.protocolMappers.map((m) => m.protocolMapper)).toContain('oidc-sub-mapper');
  });

  it('sets password and lockout rules from the baseline', () => {
    const b = IDENTITY_BASELINES[BUILTIN_PROFILES[profile].baseline];
    expect(r.passwordPolicy).toContain(`length(${b.password.minLength})`);
    expect(r.passwordPolicy).toContain(`passwordHistory(${b.password.history})`);
    expect(r.passwordPolicy).toMatch(/notUsername and notEmail/);
    expect([r.bruteForceProtected, r.failureFactor, r.maxDeltaTimeSeconds, r.waitIncrementSeconds, r.permanentLockout]).toEqual([true, 3, 900, b.lockout.lockSeconds, false]);
  });
});

describe('differences between profiles', () => {
  it('requires OTP after the password on edge and cluster, in the browser and the direct grant flow, and not on dev', () => {
    expect(realmOf('dev').authenticationFlows).toBeUndefined();
    expect(realmOf('dev').browserFlow).toBeUndefined();
    for (const p of ['edge', 'cluster'] as const) {
      const r = realmOf(p);
      expect([r.browserFlow, r.directGrantFlow]).toEqual([MFA_BROWSER_FLOW, MFA_DIRECT_GRANT_FLOW]);
      const forms = r.authenticationFlows!.find((f) => f.alias === MFA_FORMS_FLOW)!;
      expect(forms.authenticationExecutions.map((e) => [e.authenticator, e.requirement])).toEqual([
        ['auth-username-password-form', 'REQUIRED'],
        ['auth-otp-form', 'REQUIRED'],
      ]);
      const grant = r.authenticationFlows!.find((f) => f.alias === MFA_DIRECT_GRANT_FLOW)!;
      expect(grant.authenticationExecutions.find((e) => e.authenticator === 'direct-grant-validate-otp')?.requirement).toBe('REQUIRED');
      // Keycloak's import iterates authenticatorConfig without a null check once flows are given.
      expect(r.authenticatorConfig).toEqual([]);
      // Every sub-flow an execution names exists in the file.
      const aliases = new Set(r.authenticationFlows!.map((f) => f.alias));
      for (const f of r.authenticationFlows!) for (const e of f.authenticationExecutions) if (e.authenticatorFlow) expect(aliases.has(e.flowAlias!)).toBe(true);
      for (const bound of [r.browserFlow, r.directGrantFlow, r.registrationFlow]) expect(aliases.has(bound!)).toBe(true);
    }
  });

  it('lengthens passwords and locks longer as the baseline rises, and hashes with PBKDF2-SHA512 on FIPS profiles', () => {
    expect(realmOf('dev').passwordPolicy).toContain('length(12)');
    expect(realmOf('edge').passwordPolicy).toContain('length(14)');
    expect(realmOf('cluster').passwordPolicy).toContain('length(15)');
    expect(realmOf('cluster').passwordPolicy).toContain('hashAlgorithm(pbkdf2-sha512)');
    expect(realmOf('edge').passwordPolicy).not.toContain('hashAlgorithm');
    expect(realmOf('edge').waitIncrementSeconds).toBe(1800);
    expect(realmOf('cluster').waitIncrementSeconds).toBe(10800);
    expect(realmOf('cluster', { passwordMinLength: 20 }).passwordPolicy).toContain('length(20)');
  });

  it('writes session lifetimes in seconds from the settings', () => {
    const r = realmOf('cluster', { sessions: { accessTokenMinutes: 4, idleMinutes: 10, maxHours: 6 } });
    expect([r.accessTokenLifespan, r.ssoSessionIdleTimeout, r.ssoSessionMaxLifespan, r.offlineSessionMaxLifespan]).toEqual([240, 600, 21600, 21600]);
  });

  it('the schema check is effective: a misspelt field is refused', () => {
    const bad = { ...realmOf('edge'), bruteForceProtection: true } as unknown;
    expect(validateRealm(bad)).toBe(false);
    const badClient = { ...realmOf('edge'), clients: [{ ...realmOf('edge').clients[0]!, pkceMethod: 'S256' }] } as unknown;
    expect(validateRealm(badClient)).toBe(false);
  });
});
