/**
 * The cache of verified tokens: a token is verified once and then served
 * from the cache, but never past its `exp`, never before its `nbf`, never
 * longer than the TTL, and the cache stays within its size. A real
 * discovery document and JWKS are served on 127.0.0.1.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { OidcAuthenticator } from './oidc.js';

let server: Server;
let issuer: string;
let privateKey: CryptoKey;
let jwksFetches = 0;

beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  privateKey = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration') return res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
    if (req.url === '/jwks') {
      jwksFetches += 1;
      return res.end(JSON.stringify({ keys: [jwk] }));
    }
    res.statusCode = 404;
    res.end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
afterEach(() => vi.useRealTimers());

function token(claims: { exp: number; nbf?: number; sub?: string }): Promise<string> {
  const jwt = new SignJWT({ scope: 'chat' }).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setIssuer(issuer).setAudience('sovra').setSubject(claims.sub ?? 'alice').setIssuedAt().setExpirationTime(claims.exp);
  if (claims.nbf !== undefined) jwt.setNotBefore(claims.nbf);
  return jwt.sign(privateKey);
}

const now = () => Math.floor(Date.now() / 1000);

describe('verified-token cache', () => {
  it('verifies a token once, then serves it from the cache with the same principal', async () => {
    const auth = new OidcAuthenticator({ issuer, audience: 'sovra' });
    const t = await token({ exp: now() + 300 });
    const first = await auth.authenticate(t);
    const second = await auth.authenticate(t);
    expect(second).toBe(first);
    expect(second.subject).toBe('alice');
    expect(auth.tokenCacheStats()).toEqual({ size: 1, hits: 1, misses: 1 });
    // A token that differs in one character is not the cached one: it is verified, and fails.
    const forged = t.slice(0, -2) + (t.at(-2) === 'A' ? 'B' : 'A') + t.at(-1)!;
    await expect(auth.authenticate(forged)).rejects.toMatchObject({ status: 401 });
    expect(auth.tokenCacheStats().size).toBe(1);
    expect(jwksFetches).toBeGreaterThan(0);
  });

  it('never serves a cached token past its exp, nor before its nbf', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const auth = new OidcAuthenticator({ issuer, audience: 'sovra', clockToleranceSeconds: 0 });
    const t = await token({ exp: now() + 10 });
    await auth.authenticate(t);
    vi.setSystemTime(Date.now() + 11_000);
    await expect(auth.authenticate(t)).rejects.toMatchObject({ status: 401, message: expect.stringContaining('expired') as unknown });
    expect(auth.tokenCacheStats().hits).toBe(0);

    const later = await token({ exp: now() + 300, nbf: now() - 1 });
    await auth.authenticate(later);
    vi.setSystemTime(Date.now() - 60_000); // the clock steps back before nbf
    await expect(auth.authenticate(later)).rejects.toMatchObject({ status: 401, message: expect.stringContaining('not yet valid') as unknown });
  });

  it('forgets a token after the TTL (so a withdrawn key stops working) and stays within its size', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const auth = new OidcAuthenticator({ issuer, audience: 'sovra', tokenCacheTtlMs: 1000, tokenCacheSize: 2 });
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((sub) => token({ exp: now() + 300, sub })));
    await auth.authenticate(a!);
    vi.setSystemTime(Date.now() + 1500);
    await auth.authenticate(a!); // past the TTL: verified again
    expect(auth.tokenCacheStats()).toMatchObject({ hits: 0, misses: 2 });
    await auth.authenticate(b!);
    await auth.authenticate(a!); // a is now the most recently used
    await auth.authenticate(c!); // evicts b, the least recently used
    expect(auth.tokenCacheStats()).toMatchObject({ size: 2, hits: 1 });
    await auth.authenticate(a!);
    expect(auth.tokenCacheStats().hits).toBe(2);
    await auth.authenticate(b!);
    expect(auth.tokenCacheStats().hits).toBe(2); // b was evicted
  });

  it('can be turned off', async () => {
    const auth = new OidcAuthenticator({ issuer, audience: 'sovra', tokenCacheSize: 0 });
    const t = await token({ exp: now() + 300 });
    await auth.authenticate(t);
    await auth.authenticate(t);
    expect(auth.tokenCacheStats()).toEqual({ size: 0, hits: 0, misses: 2 });
  });
});
