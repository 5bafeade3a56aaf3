/**
 * A token server for the registry's bearer flow, as Docker Hub, quay.io and
 * ghcr.io run one: `GET /token?service=…&scope=repository:<name>:<actions>`
 * with Basic credentials answers a JWT that the registry (`auth.token` in
 * its config) checks against the test certificate (the `x5c` header).
 * Unknown or missing credentials get a 401. It counts the tokens it issued.
 */
import { createServer, type Server } from 'node:http';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { SignJWT } from 'jose';
import { selfSignedCert } from './registry.js';

/** A running token server. */
export interface TokenServer {
  /** `http://127.0.0.1:<port>/token`. */
  readonly realm: string;
  readonly service: string;
  readonly issuer: string;
  /** The certificate (PEM) the registry trusts for tokens. */
  readonly certPem: string;
  /** Tokens issued, with the scopes asked for. */
  readonly issued: string[][];
  stop(): Promise<void>;
}

/** Starts a token server granting what `username`/`password` ask for. */
export async function startTokenServer(username: string, password: string): Promise<TokenServer> {
  const { cert, key } = selfSignedCert('sovra-test-token-issuer');
  const der = new X509Certificate(cert).raw.toString('base64');
  const privateKey = createPrivateKey(key);
  const service = 'sovra-test-registry';
  const issuer = 'sovra-test-issuer';
  const issued: string[][] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const auth = req.headers.authorization ?? '';
      const expected = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
      if (url.pathname !== '/token') {
        res.writeHead(404).end();
        return;
      }
      if (auth !== expected) {
        res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Basic realm="sovra-test-token"' }).end(JSON.stringify({ details: 'bad credentials' }));
        return;
      }
      const scopes = url.searchParams.getAll('scope');
      issued.push(scopes);
      const access = scopes
        .map((s) => /^repository:([^:]+):(.+)$/.exec(s))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => ({ type: 'repository', name: m[1]!, actions: m[2]!.split(',') }));
      const now = Math.floor(Date.now() / 1000);
      const token = await new SignJWT({ access })
        .setProtectedHeader({ alg: 'ES256', typ: 'JWT', x5c: [der] })
        .setIssuer(issuer)
        .setSubject(username)
        .setAudience(url.searchParams.get('service') ?? service)
        .setIssuedAt(now - 5)
        .setNotBefore(now - 5)
        .setExpirationTime(now + 300)
        .setJti(`t${issued.length}`)
        .sign(privateKey);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, expires_in: 300 }));
    })().catch((e: unknown) => res.writeHead(500).end(String(e)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    certPem: cert,
    issued,
    stop: () => new Promise((r) => server.close(() => r())),
  };
}
