/**
 * Realm `sovra` as typed data: one builder from the profile's identity
 * parameters to the representation Keycloak imports at start. It holds the
 * control plane's confidential client (its access tokens carry the audience
 * the control plane verifies), the UIs' public clients (code flow with PKCE
 * S256 only), one realm role per API scope the control plane's policy reads
 * from the `scope` claim (`chat`, `embeddings`, `models`, `rag`), groups
 * that grant them, MFA where the profile requires it, and the password,
 * lockout, token and session rules of the baseline.
 *
 * Keycloak creates its built-in client scopes, flows and required actions
 * only for what an import leaves out entirely: this realm lists its client
 * scopes (the standard ones it needs, written out, and the API scopes), so
 * tokens carry exactly the claims named here; it lists flows only where
 * MFA is required (the browser and direct-grant flows with OTP REQUIRED,
 * and a registration flow that denies), and leaves required actions to
 * Keycloak's defaults (CONFIGURE_TOTP among them).
 */
import { KEYCLOAK_REALM } from '../../kit/shared-names.js';
import type { IdentityBaseline } from './baseline.js';
import type {
  AuthenticationFlowRepresentation,
  ClientRepresentation,
  ClientScopeRepresentation,
  GroupRepresentation,
  ProtocolMapperRepresentation,
  RealmRepresentation,
} from './realm-types.js';

/** The API scopes of the control plane, one realm role and one client scope each (services/policy/default-rules.ts). */
export const API_SCOPES = ['chat', 'embeddings', 'models', 'rag'] as const;
/** An API scope. */
export type ApiScope = (typeof API_SCOPES)[number];

/** Audience the control plane requires in `aud` (its `--oidc-audience`): its client id. */
export const CONTROL_PLANE_AUDIENCE = KEYCLOAK_REALM.controlPlaneClient;

/** Client scope that adds the control plane's audience to access tokens. */
export const AUDIENCE_SCOPE = 'sovra-api-audience';

/** Environment variable from which Keycloak resolves the control plane client's secret at import. */
export const CONTROL_PLANE_SECRET_ENV = 'SOVRA_CONTROL_PLANE_CLIENT_SECRET';

/** Alias of the browser flow that requires OTP after the password. */
export const MFA_BROWSER_FLOW = 'sovra-browser';
/** Alias of its forms sub-flow (password, then OTP). */
export const MFA_FORMS_FLOW = 'sovra-browser-forms';
/** Alias of the direct grant flow that requires OTP. */
export const MFA_DIRECT_GRANT_FLOW = 'sovra-direct-grant';
/** Alias of the registration flow, which denies (self-registration is off). */
export const REGISTRATION_FLOW = 'sovra-registration-disabled';

/** Groups and the API scopes their members get. */
export const GROUPS: Readonly<Record<string, readonly ApiScope[]>> = {
  'sovra-chat': ['chat', 'models'],
  'sovra-embeddings': ['embeddings', 'models'],
  'sovra-rag': ['rag', 'embeddings', 'models'],
  'sovra-all': ['chat', 'embeddings', 'models', 'rag'],
};

/** A public client of a UI. */
export interface PublicClientInput {
  readonly clientId: string;
  readonly redirectUris: readonly string[];
  readonly webOrigins: readonly string[];
}

/** A confidential web client a component of the platform declares (kit/oidc-clients.ts), with the environment variable its secret comes from at import. */
export interface WebClientInput {
  readonly clientId: string;
  readonly description: string;
  readonly redirectUris: readonly string[];
  readonly rootUrl: string;
  readonly secretEnv: string;
  readonly groupsClaim: boolean;
}

/** What the realm is built from. */
export interface RealmInput {
  /** Rules of the profile's baseline (password length may be raised by `passwordMinLength`). */
  readonly baseline: IdentityBaseline;
  readonly passwordMinLength: number;
  readonly mfaRequired: boolean;
  readonly sessions: { readonly accessTokenMinutes: number; readonly idleMinutes: number; readonly maxHours: number };
  readonly publicClients: readonly PublicClientInput[];
  /** Confidential web clients of the platform's applications. @default none */
  readonly webClients?: readonly WebClientInput[];
  /** Hash passwords with PBKDF2-SHA512 (SP 800-132) instead of Keycloak's default Argon2, for FIPS profiles. */
  readonly fips: boolean;
}

const OIDC = 'openid-connect' as const;

function mapper(name: string, protocolMapper: string, config: Record<string, string>): ProtocolMapperRepresentation {
  return { name, protocol: OIDC, protocolMapper, consentRequired: false, config };
}

/** A user attribute as a claim of ID token, access token, userinfo and introspection. */
function attributeClaim(name: string, attribute: string, claim: string, jsonType: string, property = false): ProtocolMapperRepresentation {
  return mapper(name, property ? 'oidc-usermodel-property-mapper' : 'oidc-usermodel-attribute-mapper', {
    'user.attribute': attribute,
    'claim.name': claim,
    'jsonType.label': jsonType,
    'id.token.claim': 'true',
    'access.token.claim': 'true',
    'userinfo.token.claim': 'true',
    'introspection.token.claim': 'true',
  });
}

function scope(name: string, description: string, inTokenScope: boolean, protocolMappers: ProtocolMapperRepresentation[]): ClientScopeRepresentation {
  return {
    name,
    description,
    protocol: OIDC,
    attributes: { 'include.in.token.scope': String(inTokenScope), 'display.on.consent.screen': 'false' },
    protocolMappers,
  };
}

/** Client scopes of the realm: the standard claims Sovra's clients use, the control plane's audience, and one scope per API scope. */
export function clientScopes(): ClientScopeRepresentation[] {
  return [
    scope('basic', 'Subject and authentication time of every token.', false, [
      mapper('sub', 'oidc-sub-mapper', { 'access.token.claim': 'true', 'introspection.token.claim': 'true' }),
      mapper('auth_time', 'oidc-usersessionmodel-note-mapper', {
        'user.session.note': 'AUTH_TIME',
        'claim.name': 'auth_time',
        'jsonType.label': 'long',
        'id.token.claim': 'true',
        'access.token.claim': 'true',
        'introspection.token.claim': 'true',
      }),
    ]),
    scope('profile', 'User name and names.', true, [
      attributeClaim('username', 'username', 'preferred_username', 'String'),
      attributeClaim('given name', 'firstName', 'given_name', 'String'),
      attributeClaim('family name', 'lastName', 'family_name', 'String'),
    ]),
    scope('email', 'E-mail address and whether it was verified.', true, [
      attributeClaim('email', 'email', 'email', 'String'),
      attributeClaim('email verified', 'emailVerified', 'email_verified', 'boolean', true),
    ]),
    scope('groups', 'Group membership (names, without path) in the groups claim, for applications that map groups to their roles.', true, [
      mapper('groups', 'oidc-group-membership-mapper', { 'claim.name': 'groups', 'full.path': 'false', 'id.token.claim': 'true', 'access.token.claim': 'true', 'userinfo.token.claim': 'true', 'introspection.token.claim': 'true' }),
    ]),
    scope('roles', 'Realm roles in realm_access.roles; audiences of the clients whose roles the user holds.', false, [
      mapper('realm roles', 'oidc-usermodel-realm-role-mapper', {
        'claim.name': 'realm_access.roles',
        'jsonType.label': 'String',
        multivalued: 'true',
        'access.token.claim': 'true',
        'introspection.token.claim': 'true',
      }),
      mapper('audience resolve', 'oidc-audience-resolve-mapper', { 'access.token.claim': 'true', 'introspection.token.claim': 'true' }),
    ]),
    scope('web-origins', 'Origins a browser client may call from (allowed-origins).', false, [
      mapper('allowed web origins', 'oidc-allowed-origins-mapper', { 'access.token.claim': 'true', 'introspection.token.claim': 'true' }),
    ]),
    scope('acr', 'Authentication context class (acr) of the login.', false, [
      mapper('acr loa level', 'oidc-acr-mapper', { 'id.token.claim': 'true', 'access.token.claim': 'true', 'introspection.token.claim': 'true' }),
    ]),
    scope(AUDIENCE_SCOPE, `Adds ${CONTROL_PLANE_AUDIENCE} to aud: the control plane accepts only tokens meant for it.`, false, [
      mapper('control plane audience', 'oidc-audience-mapper', {
        'included.client.audience': CONTROL_PLANE_AUDIENCE,
        'id.token.claim': 'false',
        'access.token.claim': 'true',
        'introspection.token.claim': 'true',
      }),
    ]),
    // Each API scope is limited to its realm role (scopeMappings): Keycloak adds it to `scope` only for users holding the role.
    ...API_SCOPES.map((s) => scope(s, `API scope ${s} of the control plane, granted by realm role ${s}.`, true, [])),
  ];
}

/** Client scopes every Sovra client gets by default. */
const STANDARD_SCOPES = ['basic', 'profile', 'email', 'roles', 'web-origins', 'acr'];
/** What a token for the control plane carries: its audience and the API scopes the user's roles allow. */
const API_CLIENT_SCOPES = [AUDIENCE_SCOPE, ...API_SCOPES];

/** The control plane's confidential client: the resource server whose id is the audience, usable by machine callers through client credentials. */
function controlPlaneClient(): ClientRepresentation {
  return {
    clientId: CONTROL_PLANE_AUDIENCE,
    name: 'Sovra control plane',
    description: 'Resource server of the OpenAI-compatible API; machine callers use client credentials. Its service account holds no API role until an administrator grants one.',
    enabled: true,
    protocol: OIDC,
    publicClient: false,
    bearerOnly: false,
    consentRequired: false,
    standardFlowEnabled: false,
    implicitFlowEnabled: false,
    directAccessGrantsEnabled: false,
    serviceAccountsEnabled: true,
    fullScopeAllowed: false,
    frontchannelLogout: false,
    clientAuthenticatorType: 'client-secret',
    secret: `\${${CONTROL_PLANE_SECRET_ENV}}`,
    redirectUris: [],
    webOrigins: [],
    attributes: { 'oauth2.device.authorization.grant.enabled': 'false', 'use.refresh.tokens': 'false' },
    defaultClientScopes: ['basic', 'roles', 'acr', ...API_CLIENT_SCOPES],
    optionalClientScopes: [],
  };
}

/** An application's confidential client: authorization code with PKCE S256 and a client secret resolved at import, exact redirect URIs. */
function webClient(c: WebClientInput): ClientRepresentation {
  return {
    clientId: c.clientId,
    name: c.clientId,
    description: c.description,
    enabled: true,
    protocol: OIDC,
    publicClient: false,
    bearerOnly: false,
    consentRequired: false,
    standardFlowEnabled: true,
    implicitFlowEnabled: false,
    directAccessGrantsEnabled: false,
    serviceAccountsEnabled: false,
    fullScopeAllowed: false,
    frontchannelLogout: true,
    clientAuthenticatorType: 'client-secret',
    secret: `\${${c.secretEnv}}`,
    rootUrl: c.rootUrl,
    redirectUris: [...c.redirectUris],
    webOrigins: [c.rootUrl],
    attributes: {
      'pkce.code.challenge.method': 'S256',
      'post.logout.redirect.uris': c.rootUrl,
      'oauth2.device.authorization.grant.enabled': 'false',
    },
    defaultClientScopes: [...STANDARD_SCOPES, ...(c.groupsClaim ? ['groups'] : [])],
    optionalClientScopes: [],
  };
}

/** A UI's public client: authorization code with PKCE S256, nothing else. */
function publicClient(c: PublicClientInput): ClientRepresentation {
  return {
    clientId: c.clientId,
    name: c.clientId,
    description: 'User interface of the platform: authorization code flow with PKCE (S256), exact redirect URIs.',
    enabled: true,
    protocol: OIDC,
    publicClient: true,
    bearerOnly: false,
    consentRequired: false,
    standardFlowEnabled: true,
    implicitFlowEnabled: false,
    directAccessGrantsEnabled: false,
    serviceAccountsEnabled: false,
    fullScopeAllowed: false,
    frontchannelLogout: true,
    redirectUris: [...c.redirectUris],
    webOrigins: [...c.webOrigins],
    attributes: {
      'pkce.code.challenge.method': 'S256',
      'post.logout.redirect.uris': c.redirectUris.join('##'),
      'oauth2.device.authorization.grant.enabled': 'false',
    },
    defaultClientScopes: [...STANDARD_SCOPES, ...API_CLIENT_SCOPES],
    optionalClientScopes: [],
  };
}

function groups(): GroupRepresentation[] {
  return Object.entries(GROUPS).map(([name, roles]) => ({ name, path: `/${name}`, realmRoles: [...roles], subGroups: [] }));
}

/** Keycloak's password policy string for the rules (IA-5(1)). */
export function passwordPolicy(b: IdentityBaseline, minLength: number, fips: boolean): string {
  const p = b.password;
  const rules = [
    `length(${minLength})`,
    `digits(${p.digits})`,
    `upperCase(${p.upperCase})`,
    `lowerCase(${p.lowerCase})`,
    `specialChars(${p.specialChars})`,
    'notUsername',
    'notEmail',
    `passwordHistory(${p.history})`,
    ...(fips ? ['hashAlgorithm(pbkdf2-sha512)'] : []),
  ];
  return rules.join(' and ');
}

/** Browser, direct grant and registration flows of a realm that requires MFA. */
export function mfaFlows(): AuthenticationFlowRepresentation[] {
  const step = (authenticator: string, requirement: 'REQUIRED' | 'ALTERNATIVE', priority: number) => ({ authenticator, authenticatorFlow: false, requirement, priority, userSetupAllowed: false });
  return [
    {
      alias: MFA_BROWSER_FLOW,
      description: 'Browser login: the SSO cookie of a session that passed both factors, or password then one-time code.',
      providerId: 'basic-flow',
      topLevel: true,
      builtIn: false,
      authenticationExecutions: [
        step('auth-cookie', 'ALTERNATIVE', 10),
        { authenticatorFlow: true, flowAlias: MFA_FORMS_FLOW, requirement: 'ALTERNATIVE', priority: 20, userSetupAllowed: false },
      ],
    },
    {
      alias: MFA_FORMS_FLOW,
      description: 'Password, then a TOTP code; an account without an OTP device must enrol one before it gets a session.',
      providerId: 'basic-flow',
      topLevel: false,
      builtIn: false,
      authenticationExecutions: [step('auth-username-password-form', 'REQUIRED', 10), step('auth-otp-form', 'REQUIRED', 20)],
    },
    {
      alias: MFA_DIRECT_GRANT_FLOW,
      description: 'Resource owner password grant (disabled on every Sovra client): password and TOTP code both required.',
      providerId: 'basic-flow',
      topLevel: true,
      builtIn: false,
      authenticationExecutions: [step('direct-grant-validate-username', 'REQUIRED', 10), step('direct-grant-validate-password', 'REQUIRED', 20), step('direct-grant-validate-otp', 'REQUIRED', 30)],
    },
    {
      alias: REGISTRATION_FLOW,
      description: 'Self-registration is off: accounts are created by administrators.',
      providerId: 'basic-flow',
      topLevel: true,
      builtIn: false,
      authenticationExecutions: [step('deny-access-authenticator', 'REQUIRED', 10)],
    },
  ];
}

/** Builds realm `sovra`. */
export function buildRealm(input: RealmInput): RealmRepresentation {
  const b = input.baseline;
  const idle = input.sessions.idleMinutes * 60;
  const max = input.sessions.maxHours * 3600;
  return {
    realm: KEYCLOAK_REALM.name,
    displayName: 'Sovra',
    enabled: true,
    sslRequired: 'all',
    registrationAllowed: false,
    resetPasswordAllowed: false,
    rememberMe: false,
    editUsernameAllowed: false,
    loginWithEmailAllowed: true,
    duplicateEmailsAllowed: false,
    verifyEmail: false,
    bruteForceProtected: true,
    permanentLockout: false,
    failureFactor: b.lockout.attempts,
    maxDeltaTimeSeconds: b.lockout.windowSeconds,
    waitIncrementSeconds: b.lockout.lockSeconds,
    maxFailureWaitSeconds: b.lockout.lockSeconds,
    minimumQuickLoginWaitSeconds: 60,
    quickLoginCheckMilliSeconds: 1000,
    passwordPolicy: passwordPolicy(b, input.passwordMinLength, input.fips),
    otpPolicyType: 'totp',
    // HMAC-SHA-1 TOTP (RFC 6238 default) is what every authenticator app implements; HMAC-SHA-1 remains approved for HMAC (SP 800-131A).
    otpPolicyAlgorithm: 'HmacSHA1',
    otpPolicyDigits: 6,
    otpPolicyPeriod: 30,
    otpPolicyLookAheadWindow: 1,
    otpPolicyCodeReusable: false,
    defaultSignatureAlgorithm: 'ES384',
    accessTokenLifespan: input.sessions.accessTokenMinutes * 60,
    ssoSessionIdleTimeout: idle,
    ssoSessionMaxLifespan: max,
    // Offline tokens would outlive the session limits: none of Sovra's clients may request them, and these cap any that exist.
    offlineSessionIdleTimeout: idle,
    offlineSessionMaxLifespanEnabled: true,
    offlineSessionMaxLifespan: max,
    revokeRefreshToken: true,
    refreshTokenMaxReuse: 0,
    eventsEnabled: true,
    eventsListeners: ['jboss-logging'],
    eventsExpiration: 30 * 24 * 3600,
    adminEventsEnabled: true,
    adminEventsDetailsEnabled: false,
    roles: { realm: API_SCOPES.map((s) => ({ name: s, description: `Calls the control plane's ${s} API (scope ${s}).`, composite: false, clientRole: false })) },
    groups: groups(),
    clientScopes: clientScopes(),
    defaultDefaultClientScopes: STANDARD_SCOPES,
    defaultOptionalClientScopes: [],
    scopeMappings: API_SCOPES.map((s) => ({ clientScope: s, roles: [s] })),
    clients: [controlPlaneClient(), ...(input.webClients ?? []).map(webClient), ...input.publicClients.map(publicClient)],
    ...(input.mfaRequired
      ? { authenticationFlows: mfaFlows(), authenticatorConfig: [], browserFlow: MFA_BROWSER_FLOW, directGrantFlow: MFA_DIRECT_GRANT_FLOW, registrationFlow: REGISTRATION_FLOW }
      : {}),
  };
}
