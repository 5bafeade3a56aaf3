/**
 * The subset of Keycloak's realm representation (the JSON that
 * `kc.sh start --import-realm` reads, `org.keycloak.representations.idm`)
 * that Sovra writes. Field names are Keycloak's own; the unit tests validate
 * every realm Sovra builds against the RealmRepresentation schema shipped
 * with the KeycloakRealmImport CRD (additional properties refused), so a
 * misspelt field fails the build instead of being ignored by the import.
 */

/** How an execution takes part in its flow. */
export type Requirement = 'REQUIRED' | 'ALTERNATIVE' | 'CONDITIONAL' | 'DISABLED';

/** A protocol mapper (claim producer) of a client scope or client. */
export interface ProtocolMapperRepresentation {
  readonly name: string;
  readonly protocol: 'openid-connect';
  /** Mapper provider id, e.g. `oidc-audience-mapper`. */
  readonly protocolMapper: string;
  readonly consentRequired: boolean;
  /** Mapper settings; Keycloak stores every value as a string. */
  readonly config: Readonly<Record<string, string>>;
}

/** A client scope: a named set of claims, and a `scope` value when `include.in.token.scope` is true. */
export interface ClientScopeRepresentation {
  readonly name: string;
  readonly description: string;
  readonly protocol: 'openid-connect';
  readonly attributes: Readonly<Record<string, string>>;
  readonly protocolMappers: readonly ProtocolMapperRepresentation[];
}

/** An OpenID Connect client. */
export interface ClientRepresentation {
  readonly clientId: string;
  readonly name: string;
  readonly description: string;
  readonly enabled: boolean;
  readonly protocol: 'openid-connect';
  readonly publicClient: boolean;
  readonly bearerOnly: boolean;
  readonly consentRequired: boolean;
  readonly standardFlowEnabled: boolean;
  readonly implicitFlowEnabled: boolean;
  readonly directAccessGrantsEnabled: boolean;
  readonly serviceAccountsEnabled: boolean;
  readonly fullScopeAllowed: boolean;
  readonly frontchannelLogout: boolean;
  /** `client-secret` for confidential clients. */
  readonly clientAuthenticatorType?: string;
  /** Never a value: a `${ENV}` placeholder Keycloak resolves at import from the pod's environment. */
  readonly secret?: string;
  /** Base URL of the application. */
  readonly rootUrl?: string;
  readonly redirectUris: readonly string[];
  readonly webOrigins: readonly string[];
  readonly attributes: Readonly<Record<string, string>>;
  readonly defaultClientScopes: readonly string[];
  readonly optionalClientScopes: readonly string[];
}

/** A realm role. */
export interface RoleRepresentation {
  readonly name: string;
  readonly description: string;
  readonly composite: boolean;
  readonly clientRole: boolean;
}

/** A group and the realm roles its members hold. */
export interface GroupRepresentation {
  readonly name: string;
  readonly path: string;
  readonly realmRoles: readonly string[];
  readonly subGroups: readonly GroupRepresentation[];
}

/** Roles that a client scope is limited to: the scope applies only to users holding one of them. */
export interface ScopeMappingRepresentation {
  readonly clientScope: string;
  readonly roles: readonly string[];
}

/** One step of an authentication flow: an authenticator, or a sub-flow by alias. */
export interface AuthenticationExecutionExportRepresentation {
  readonly authenticator?: string;
  readonly authenticatorFlow: boolean;
  readonly flowAlias?: string;
  readonly requirement: Requirement;
  readonly priority: number;
  readonly userSetupAllowed: boolean;
}

/** An authentication flow. */
export interface AuthenticationFlowRepresentation {
  readonly alias: string;
  readonly description: string;
  readonly providerId: 'basic-flow';
  readonly topLevel: boolean;
  readonly builtIn: boolean;
  readonly authenticationExecutions: readonly AuthenticationExecutionExportRepresentation[];
}

/** The realm, as imported. */
export interface RealmRepresentation {
  readonly realm: string;
  readonly displayName: string;
  readonly enabled: boolean;
  /** `all`: Keycloak refuses plain HTTP from any address. */
  readonly sslRequired: 'all' | 'external' | 'none';
  readonly registrationAllowed: boolean;
  readonly resetPasswordAllowed: boolean;
  readonly rememberMe: boolean;
  readonly editUsernameAllowed: boolean;
  readonly loginWithEmailAllowed: boolean;
  readonly duplicateEmailsAllowed: boolean;
  readonly verifyEmail: boolean;
  // Brute-force detection (AC-7).
  readonly bruteForceProtected: boolean;
  readonly permanentLockout: boolean;
  readonly failureFactor: number;
  readonly maxDeltaTimeSeconds: number;
  readonly waitIncrementSeconds: number;
  readonly maxFailureWaitSeconds: number;
  readonly minimumQuickLoginWaitSeconds: number;
  readonly quickLoginCheckMilliSeconds: number;
  // Authenticators (IA-5(1), IA-2(1), IA-2(2)).
  readonly passwordPolicy: string;
  readonly otpPolicyType: 'totp';
  readonly otpPolicyAlgorithm: string;
  readonly otpPolicyDigits: number;
  readonly otpPolicyPeriod: number;
  readonly otpPolicyLookAheadWindow: number;
  readonly otpPolicyCodeReusable: boolean;
  // Tokens and sessions (AC-12, SC-23).
  readonly defaultSignatureAlgorithm: string;
  readonly accessTokenLifespan: number;
  readonly ssoSessionIdleTimeout: number;
  readonly ssoSessionMaxLifespan: number;
  readonly offlineSessionIdleTimeout: number;
  readonly offlineSessionMaxLifespanEnabled: boolean;
  readonly offlineSessionMaxLifespan: number;
  readonly revokeRefreshToken: boolean;
  readonly refreshTokenMaxReuse: number;
  // Events (AU-2, AU-12).
  readonly eventsEnabled: boolean;
  readonly eventsListeners: readonly string[];
  readonly eventsExpiration: number;
  readonly adminEventsEnabled: boolean;
  readonly adminEventsDetailsEnabled: boolean;
  // Accounts, roles and clients (AC-2, AC-3).
  readonly roles: { readonly realm: readonly RoleRepresentation[] };
  readonly groups: readonly GroupRepresentation[];
  readonly clientScopes: readonly ClientScopeRepresentation[];
  readonly defaultDefaultClientScopes: readonly string[];
  readonly defaultOptionalClientScopes: readonly string[];
  readonly scopeMappings: readonly ScopeMappingRepresentation[];
  readonly clients: readonly ClientRepresentation[];
  // Flows: written only where MFA is required (otherwise Keycloak creates its built-in flows).
  readonly authenticationFlows?: readonly AuthenticationFlowRepresentation[];
  /** Must be present (empty) whenever `authenticationFlows` is: Keycloak's import iterates it without a null check. */
  readonly authenticatorConfig?: readonly never[];
  readonly browserFlow?: string;
  readonly directGrantFlow?: string;
  readonly registrationFlow?: string;
}
