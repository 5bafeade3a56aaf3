/**
 * OIDC bearer token verification: the issuer's discovery document names its
 * JWKS; keys are cached and fetched again when a token names an unknown
 * `kid`. Only asymmetric algorithms are accepted, so a token signed with
 * `none` or an HMAC secret never verifies.
 */
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { ProblemError } from '../errors.js';

/** Signature algorithms a token may use: RSA, RSA-PSS, ECDSA and EdDSA. */
export const ACCEPTED_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'] as const;

/** Who is calling, as the verified token says. */
export interface Principal {
  /** The token's `sub`. */
  readonly subject: string;
  /** The token's `tenant` (or `tenant_id`, `tid`) claim; `default` when absent. */
  readonly tenant: string;
  /** Scopes from `scope` (space-separated) or `scp`. */
  readonly scopes: readonly string[];
  /** All claims of the token. */
  readonly claims: JWTPayload;
}

/** Turns a bearer token into a principal or throws a 401 ProblemError. */
export interface Authenticator {
  authenticate(token: string): Promise<Principal>;
}

/** How to reach and trust the issuer. */
export interface OidcOptions {
  /** Issuer URL; the discovery document must name exactly this issuer. */
  readonly issuer: string;
  /** Required `aud` of access tokens. */
  readonly audience: string;
  /** Seconds of clock skew tolerated on `exp` and `nbf`. @default 5 */
  readonly clockToleranceSeconds?: number;
  /** Time limit of discovery and JWKS fetches in milliseconds. @default 5000 */
  readonly fetchTimeoutMs?: number;
  /** Least time between two JWKS fetches caused by unknown `kid`s, in milliseconds. @default 30000 */
  readonly jwksCooldownMs?: number;
  /** Most verified tokens remembered (0 turns the cache off). @default 10000 */
  readonly tokenCacheSize?: number;
  /**
   * How long a verified token is remembered, in milliseconds, and never past its `exp`. It bounds
   * how long a token signed by a key the issuer has since withdrawn keeps working. @default 60000
   */
  readonly tokenCacheTtlMs?: number;
}

/** A token that verified, remembered by its exact text. */
interface VerifiedToken {
  readonly principal: Principal;
  /** Epoch ms after which the entry is not used (the earlier of TTL end and `exp` + tolerance). */
  readonly until: number;
  /** Epoch ms before which the token is not yet valid (`nbf` − tolerance), if it has one. */
  readonly notBefore: number;
}

/** `WWW-Authenticate` value for a request without a token (RFC 6750). */
export const CHALLENGE = 'Bearer realm="sovra"';

/** A 401 with the RFC 6750 challenge. */
export function unauthorized(code: 'missing_token' | 'invalid_token', message: string): ProblemError {
  const header = code === 'missing_token' ? CHALLENGE : `${CHALLENGE}, error="invalid_token", error_description="${message.replace(/["\\]/g, '')}"`;
  return new ProblemError(401, code, message, { headers: { 'www-authenticate': header } });
}

function scopesOf(claims: JWTPayload): string[] {
  const scope = claims.scope ?? claims.scp;
  if (typeof scope === 'string') return scope.split(' ').filter(Boolean);
  if (Array.isArray(scope)) return scope.filter((s): s is string => typeof s === 'string');
  return [];
}

function tenantOf(claims: JWTPayload): string {
  for (const name of ['tenant', 'tenant_id', 'tid']) {
    const v = claims[name];
    if (typeof v === 'string' && v !== '') return v;
  }
  return 'default';
}

function describe(e: unknown): string {
  if (e instanceof joseErrors.JWTExpired) return 'token expired';
  if (e instanceof joseErrors.JWTClaimValidationFailed) {
    if (e.claim === 'aud') return 'token audience is not this service';
    if (e.claim === 'nbf') return 'token not yet valid';
    if (e.claim === 'iss') return 'token issuer is not trusted';
    return `token claim "${e.claim}" is invalid`;
  }
  if (e instanceof joseErrors.JOSEAlgNotAllowed) return 'token algorithm is not accepted (only RS, PS, ES and EdDSA)';
  if (e instanceof joseErrors.JWKSNoMatchingKey) return 'token key is not in the issuer\'s key set';
  if (e instanceof joseErrors.JWSSignatureVerificationFailed) return 'token signature is invalid';
  if (e instanceof joseErrors.JWTInvalid || e instanceof joseErrors.JWSInvalid) return 'token is malformed';
  return 'token could not be verified';
}

/** Verifies access tokens of one OIDC issuer. */
export class OidcAuthenticator implements Authenticator {
  private jwks: JWTVerifyGetKey | undefined;
  private discovering: Promise<JWTVerifyGetKey> | undefined;
  private readonly issuer: string;
  private readonly audience: string;
  private readonly tolerance: number;
  private readonly timeout: number;
  private readonly cooldown: number;
  private readonly cacheSize: number;
  private readonly cacheTtl: number;
  /** Verified tokens by their exact text, oldest use first (a bounded LRU). */
  private readonly verified = new Map<string, VerifiedToken>();
  private hits = 0;
  private misses = 0;

  constructor(options: OidcOptions) {
    this.issuer = options.issuer;
    this.audience = options.audience;
    this.tolerance = options.clockToleranceSeconds ?? 5;
    this.timeout = options.fetchTimeoutMs ?? 5000;
    this.cooldown = options.jwksCooldownMs ?? 30_000;
    this.cacheSize = options.tokenCacheSize ?? 10_000;
    this.cacheTtl = options.tokenCacheTtlMs ?? 60_000;
  }

  /**
   * The principal of a token that verified before and is still inside its
   * validity window. Keyed by the token's exact bytes, so a hit is a token
   * whose signature, issuer and audience were checked; the times are
   * checked again on every use.
   */
  private cached(token: string): Principal | undefined {
    const hit = this.verified.get(token);
    if (!hit) {
      this.misses += 1;
      return undefined;
    }
    const now = Date.now();
    this.verified.delete(token);
    if (now >= hit.until || now < hit.notBefore) {
      this.misses += 1;
      return undefined;
    }
    this.verified.set(token, hit); // most recently used last
    this.hits += 1;
    return hit.principal;
  }

  /** Counters of the verified-token cache. */
  tokenCacheStats(): { size: number; hits: number; misses: number } {
    return { size: this.verified.size, hits: this.hits, misses: this.misses };
  }

  private remember(token: string, principal: Principal): void {
    if (this.cacheSize <= 0) return;
    const { exp, nbf } = principal.claims;
    if (typeof exp !== 'number') return;
    const tolerance = this.tolerance * 1000;
    const until = Math.min(Date.now() + this.cacheTtl, exp * 1000 + tolerance);
    const notBefore = typeof nbf === 'number' ? nbf * 1000 - tolerance : 0;
    while (this.verified.size >= this.cacheSize) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, { principal, until, notBefore });
  }

  /** Fetches the discovery document once (again after a failure) and builds the cached JWKS. */
  private keys(): Promise<JWTVerifyGetKey> {
    if (this.jwks) return Promise.resolve(this.jwks);
    this.discovering ??= this.discover().then(
      (jwks) => (this.jwks = jwks),
      (e: unknown) => {
        this.discovering = undefined;
        throw e;
      },
    );
    return this.discovering;
  }

  private async discover(): Promise<JWTVerifyGetKey> {
    const url = `${this.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    let doc: { issuer?: unknown; jwks_uri?: unknown };
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(this.timeout), headers: { accept: 'application/json' } });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      doc = (await res.json()) as typeof doc;
    } catch (e) {
      throw new ProblemError(503, 'issuer_unavailable', `The identity provider's discovery document could not be fetched from ${url}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    if (doc.issuer !== this.issuer) {
      throw new ProblemError(503, 'issuer_mismatch', `The discovery document at ${url} names issuer ${JSON.stringify(doc.issuer)}, not the configured ${this.issuer}`);
    }
    if (typeof doc.jwks_uri !== 'string') throw new ProblemError(503, 'issuer_unavailable', `The discovery document at ${url} has no jwks_uri`);
    return createRemoteJWKSet(new URL(doc.jwks_uri), { timeoutDuration: this.timeout, cooldownDuration: this.cooldown, cacheMaxAge: 10 * 60_000 });
  }

  /** Verifies `token` and returns its principal. */
  async authenticate(token: string): Promise<Principal> {
    const known = this.cached(token);
    if (known) return known;
    const jwks = await this.keys();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, {
        issuer: this.issuer,
        audience: this.audience,
        algorithms: [...ACCEPTED_ALGORITHMS],
        clockTolerance: this.tolerance,
        requiredClaims: ['sub', 'exp'],
      }));
    } catch (e) {
      if (e instanceof joseErrors.JWKSTimeout || (e instanceof TypeError && /fetch/i.test(e.message))) {
        throw new ProblemError(503, 'issuer_unavailable', 'The identity provider\'s key set could not be fetched', { cause: e });
      }
      throw unauthorized('invalid_token', describe(e));
    }
    const principal: Principal = { subject: payload.sub!, tenant: tenantOf(payload), scopes: scopesOf(payload), claims: payload };
    this.remember(token, principal);
    return principal;
  }
}
