/**
 * A real OIDC issuer on 127.0.0.1 (oidc-provider) that issues JWT access
 * tokens by the client_credentials grant, plus helpers that sign the bad
 * tokens a real issuer will not issue (expired, wrong audience, foreign key,
 * alg none).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import Provider from 'oidc-provider';

/** Audience (resource indicator) of the tokens the test issuer issues. */
export const TEST_AUDIENCE = 'https://sovra.test/api';

/** A running test issuer. */
export interface TestIssuer {
  readonly issuer: string;
  /** A real access token from the token endpoint with these scopes (and tenant claim). */
  token(options?: { scopes?: readonly string[]; client?: string }): Promise<string>;
  /** Signs `claims` with the issuer's own key (for expired, not-yet-valid or wrong-audience cases). */
  sign(claims: JWTPayload, options?: { foreignKey?: boolean; alg?: string }): Promise<string>;
  /** Unsigned token with `alg: none`. */
  none(claims: JWTPayload): string;
  /** How many times the JWKS was fetched. */
  jwksFetches(): number;
  /** Adds a second signing key (kid `rotated`) to the published JWKS, as an IdP does when it rotates keys. */
  rotate(): Promise<void>;
  /** Signs `claims` with the rotated key (or a key the JWKS never lists, with kid `unpublished`). */
  signRotated(claims: JWTPayload, options?: { unpublished?: boolean }): Promise<string>;
  close(): Promise<void>;
}

const SCOPES = ['chat', 'embeddings', 'models', 'rag'];
const KID = 'test-es256';

/** Starts an issuer on an ephemeral loopback port. */
export async function startIssuer(): Promise<TestIssuer> {
  const { privateKey, publicKey: _ } = await generateKeyPair('ES256', { extractable: true });
  const foreign = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: KID, alg: 'ES256', use: 'sig' };
  let handler: http.RequestListener = (_req, res) => res.end();
  let fetches = 0;
  let rotated: { privateKey: CryptoKey; jwks: string } | undefined;
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/jwks')) {
      fetches++;
      if (rotated) return res.writeHead(200, { 'content-type': 'application/jwk-set+json' }).end(rotated.jwks);
    }
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clients = ['tenant-acme', 'tenant-globex'].map((client_id) => ({
    client_id,
    client_secret: `${client_id}-secret`,
    grant_types: ['client_credentials'],
    redirect_uris: [],
    response_types: [],
    token_endpoint_auth_method: 'client_secret_post',
    id_token_signed_response_alg: 'ES256',
    scope: SCOPES.join(' '),
  }));
  const provider = new Provider(issuer, {
    clients,
    jwks: { keys: [jwk] },
    scopes: SCOPES,
    features: {
      clientCredentials: { enabled: true },
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => TEST_AUDIENCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({ scope: SCOPES.join(' '), audience: TEST_AUDIENCE, accessTokenFormat: 'jwt', accessTokenTTL: 600, jwt: { sign: { alg: 'ES256' } } }),
      },
    },
    ttl: { ClientCredentials: 600 },
    extraTokenClaims: (_ctx: unknown, token: { clientId?: string }) => ({ tenant: token.clientId === 'tenant-globex' ? 'globex' : 'acme' }),
  });
  handler = provider.callback();

  const signWith = (key: CryptoKey, claims: JWTPayload, alg: string, kid: string) =>
    new SignJWT(claims).setProtectedHeader({ alg, kid, typ: 'at+jwt' }).sign(key);

  return {
    issuer,
    async token(options = {}) {
      const client = options.client ?? 'tenant-acme';
      const body = new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: client,
        client_secret: `${client}-secret`,
        resource: TEST_AUDIENCE,
        scope: (options.scopes ?? SCOPES).join(' '),
      });
      const res = await fetch(`${issuer}/token`, { method: 'POST', body });
      const j = (await res.json()) as { access_token?: string; error?: string; error_description?: string };
      if (!j.access_token) throw new Error(`token endpoint: ${j.error}: ${j.error_description}`);
      return j.access_token;
    },
    sign(claims, options = {}) {
      const now = Math.floor(Date.now() / 1000);
      const full = { iss: issuer, aud: TEST_AUDIENCE, sub: 'tenant-acme', iat: now, exp: now + 300, scope: SCOPES.join(' '), ...claims };
      return options.foreignKey ? signWith(foreign.privateKey, full, 'ES256', KID) : signWith(privateKey, full, options.alg ?? 'ES256', KID);
    },
    none(claims) {
      const now = Math.floor(Date.now() / 1000);
      const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
      return `${enc({ alg: 'none', typ: 'at+jwt', kid: KID })}.${enc({ iss: issuer, aud: TEST_AUDIENCE, sub: 'tenant-acme', iat: now, exp: now + 300, scope: SCOPES.join(' '), ...claims })}.`;
    },
    jwksFetches: () => fetches,
    async rotate() {
      const next = await generateKeyPair('ES256', { extractable: true });
      const pub = (k: CryptoKey) => exportJWK(k);
      const { d: _d, ...current } = jwk;
      const keys = [current, { ...(await pub(next.publicKey)), kid: 'rotated', alg: 'ES256', use: 'sig' }];
      rotated = { privateKey: next.privateKey, jwks: JSON.stringify({ keys }) };
    },
    signRotated(claims, options = {}) {
      if (!rotated) throw new Error('call rotate() first');
      const now = Math.floor(Date.now() / 1000);
      const full = { iss: issuer, aud: TEST_AUDIENCE, sub: 'tenant-acme', iat: now, exp: now + 300, scope: SCOPES.join(' '), ...claims };
      return options.unpublished ? signWith(foreign.privateKey, full, 'ES256', 'unpublished') : signWith(rotated.privateKey, full, 'ES256', 'rotated');
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
