/**
 * Realm `sovra` and the control plane agree: the control plane, as
 * written, trusts this realm's issuer and requires the audience the
 * realm's audience mapper adds; and a token shaped by the realm for a
 * member of a group (ES384 signature, `aud`, the `scope` claim built from
 * the client's default scopes the user's roles permit) verifies with the
 * control plane's real OIDC verifier (discovery and JWKS served on
 * 127.0.0.1) and passes or fails its real policy engine by route.
 *
 * What Keycloak itself does between the two (which scopes enter `scope`)
 * is modelled here from its documented rule, named `keycloakScopeClaim`:
 * a client scope with `include.in.token.scope` enters the claim when it has
 * no role scope mappings or the user holds one of its roles.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRealm } from '../../constructs/identity/keycloak/realm.js';
import { IDENTITY_BASELINES } from '../../constructs/identity/keycloak/baseline.js';
import type { RealmRepresentation } from '../../constructs/identity/keycloak/realm-types.js';
import { KEYCLOAK_REALM } from '../../constructs/kit/shared-names.js';
import { edge } from '../../profiles/builtin/index.js';
import { OidcAuthenticator } from '../../services/auth/oidc.js';
import { PolicyEngine } from '../../services/policy/engine.js';
import { removeDir, synthProfile, tempDir, writtenObjects } from '../support/synth-output.js';


const realm: RealmRepresentation = buildRealm({
  baseline: IDENTITY_BASELINES.MODERATE,
  passwordMinLength: 14,
  mfaRequired: true,
  sessions: edge.components.keycloak.sessions,
  publicClients: edge.components.keycloak.publicClients,
  fips: false,
});

/** The `scope` claim Keycloak issues for `clientId` to a user holding `roles` (model of its documented rule). */
function keycloakScopeClaim(r: RealmRepresentation, clientId: string, roles: readonly string[]): string {
  const client = r.clients.find((c) => c.clientId === clientId)!;
  const scopes = client.defaultClientScopes
    .map((name) => r.clientScopes.find((s) => s.name === name)!)
    .filter((s) => s.attributes['include.in.token.scope'] === 'true')
    .filter((s) => {
      const limited = r.scopeMappings.filter((m) => m.clientScope === s.name).flatMap((m) => m.roles);
      return limited.length === 0 || limited.some((x) => roles.includes(x));
    })
    .map((s) => s.name);
  return ['openid', ...scopes].join(' ');
}

/** The `aud` values the realm's audience mappers add for `clientId`. */
function audiences(r: RealmRepresentation, clientId: string): string[] {
  const client = r.clients.find((c) => c.clientId === clientId)!;
  return client.defaultClientScopes
    .flatMap((name) => r.clientScopes.find((s) => s.name === name)!.protocolMappers)
    .filter((m) => m.protocolMapper === 'oidc-audience-mapper' && m.config['access.token.claim'] === 'true')
    .map((m) => m.config['included.client.audience']!);
}

let out: string;
let server: Server;
let issuer: string;
let key: CryptoKey;

beforeAll(async () => {
  out = tempDir();
  await synthProfile('edge', out);
  const pair = await generateKeyPair(realm.defaultSignatureAlgorithm);
  key = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'realm-key', alg: realm.defaultSignatureAlgorithm, use: 'sig' };
  server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/realms/sovra/.well-known/openid-configuration') return res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/protocol/openid-connect/certs` }));
    if (req.url === '/realms/sovra/protocol/openid-connect/certs') return res.end(JSON.stringify({ keys: [jwk] }));
    res.statusCode = 404;
    res.end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/realms/sovra`;
});
afterAll(async () => {
  removeDir(out);
  await new Promise<void>((r) => server.close(() => r()));
});

describe('the control plane and realm sovra', () => {
  it('the control plane, as written, trusts this realm\'s issuer and requires the audience the realm adds', () => {
    const d = writtenObjects(out).find((o) => o.object.kind === 'Deployment' && o.object.metadata.name === 'control-plane')!.object;
    const env = (d.spec as { template: { spec: { containers: Array<{ env: Array<{ name: string; value?: string }> }> } } }).template.spec.containers[0]!.env;
    expect(env.find((e) => e.name === 'SOVRA_OIDC_ISSUER')?.value).toBe(KEYCLOAK_REALM.issuer);
    const audience = env.find((e) => e.name === 'SOVRA_OIDC_AUDIENCE')?.value;
    for (const c of realm.clients) expect(audiences(realm, c.clientId), c.clientId).toContain(audience);
  });

  it('a token the realm issues to a sovra-chat member through the console verifies, and allows chat and models but not rag or embeddings', async () => {
    const roles = realm.groups.find((g) => g.name === 'sovra-chat')!.realmRoles;
    const scope = keycloakScopeClaim(realm, 'sovra-console', roles);
    expect(scope.split(' ')).toEqual(expect.arrayContaining(['openid', 'profile', 'email', 'chat', 'models']));
    expect(scope.split(' ')).not.toContain('rag');
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ scope, azp: 'sovra-console' })
      .setProtectedHeader({ alg: realm.defaultSignatureAlgorithm, kid: 'realm-key', typ: 'JWT' })
      .setIssuer(issuer)
      .setAudience(audiences(realm, 'sovra-console'))
      .setSubject('2b7c1a52-user')
      .setIssuedAt(now)
      .setExpirationTime(now + realm.accessTokenLifespan)
      .sign(key);
    const principal = await new OidcAuthenticator({ issuer, audience: KEYCLOAK_REALM.controlPlaneClient }).authenticate(token);
    const engine = PolicyEngine.fromFile(undefined);
    const decide = (route: string) => engine.evaluate({ subject: principal.subject, tenant: principal.tenant, scopes: principal.scopes, classification: '', purpose: '', model: '', route, action: `POST /v1/${route}`, claims: principal.claims }).allowed;
    expect([decide('chat'), decide('models'), decide('rag'), decide('embeddings')]).toEqual([true, true, false, false]);
  });

  it('a token without the control plane\'s audience is refused', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ scope: 'openid chat' }).setProtectedHeader({ alg: realm.defaultSignatureAlgorithm, kid: 'realm-key' }).setIssuer(issuer).setAudience('account').setSubject('u').setIssuedAt(now).setExpirationTime(now + 60).sign(key);
    await expect(new OidcAuthenticator({ issuer, audience: KEYCLOAK_REALM.controlPlaneClient }).authenticate(token)).rejects.toMatchObject({ status: 401 });
  });
});
