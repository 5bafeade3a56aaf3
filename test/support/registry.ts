/**
 * Real OCI registries for tests: Debian's `docker-registry` (the CNCF
 * distribution registry) on 127.0.0.1, with no auth, with Basic auth
 * (an htpasswd file made by apache2-utils' `htpasswd`), or with token auth
 * against the token server of token-server.ts. A missing binary fails the
 * test saying what to install.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const REGISTRY_BIN = '/usr/bin/docker-registry';

/** A running registry: `host` is `127.0.0.1:<port>`. */
export interface TestRegistry {
  readonly host: string;
  readonly dir: string;
  stop(): Promise<void>;
}

/** How the registry authenticates clients. */
export type RegistryAuth =
  | { readonly kind: 'none' }
  | { readonly kind: 'basic'; readonly username: string; readonly password: string }
  | { readonly kind: 'token'; readonly realm: string; readonly service: string; readonly issuer: string; readonly rootCertPem: string };

/** Options of a test registry. */
export interface RegistryOptions {
  readonly auth?: RegistryAuth;
  /** Serve TLS with this certificate and key (PEM). */
  readonly tls?: { readonly cert: string; readonly key: string };
}

/** Fails (never skips) when the registry is not installed. */
export function requireRegistry(): void {
  if (!existsSync(REGISTRY_BIN)) throw new Error(`docker-registry is not installed (${REGISTRY_BIN} is missing); install it: apt-get install -y docker-registry`);
}

/** An htpasswd line with a bcrypt hash (the only kind the registry accepts), made by apache2-utils. */
export function htpasswdLine(username: string, password: string): string {
  try {
    return execFileSync('htpasswd', ['-nbB', '-C', '4', username, password], { encoding: 'utf8' }).trim();
  } catch (e) {
    throw new Error(`htpasswd failed (${(e as Error).message}); install it: apt-get install -y apache2-utils`);
  }
}

/** Starts a registry on a free loopback port. */
export async function startRegistry(options: RegistryOptions = {}): Promise<TestRegistry> {
  requireRegistry();
  const dir = mkdtempSync(join(tmpdir(), 'sovra-registry-'));
  const auth = options.auth ?? { kind: 'none' };
  const lines = [
    'version: 0.1',
    'log:',
    '  level: info',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    '  addr: 127.0.0.1:0',
    '  secret: sovra-test-secret',
  ];
  if (options.tls) {
    writeFileSync(join(dir, 'tls.crt'), options.tls.cert);
    writeFileSync(join(dir, 'tls.key'), options.tls.key);
    lines.push('  tls:', `    certificate: ${join(dir, 'tls.crt')}`, `    key: ${join(dir, 'tls.key')}`);
  }
  if (auth.kind === 'basic') {
    writeFileSync(join(dir, 'htpasswd'), `${htpasswdLine(auth.username, auth.password)}\n`);
    lines.push('auth:', '  htpasswd:', '    realm: sovra-test', `    path: ${join(dir, 'htpasswd')}`);
  } else if (auth.kind === 'token') {
    writeFileSync(join(dir, 'token-ca.pem'), auth.rootCertPem);
    lines.push('auth:', '  token:', `    realm: ${auth.realm}`, `    service: ${auth.service}`, `    issuer: ${auth.issuer}`, `    rootcertbundle: ${join(dir, 'token-ca.pem')}`);
  }
  writeFileSync(join(dir, 'config.yml'), `${lines.join('\n')}\n`);
  const child: ChildProcess = spawn(REGISTRY_BIN, ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const host = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`docker-registry did not start within 10 s:\n${log}`)), 10_000);
    child.stderr!.on('data', (d: Buffer) => {
      log += d.toString('utf8');
      const m = /listening on (127\.0\.0\.1:\d+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`docker-registry exited with ${code}:\n${log}`));
    });
  });
  child.removeAllListeners('exit');
  child.stderr!.resume();
  return {
    host,
    dir,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A self-signed certificate and key (PEM) for `cn`, with 127.0.0.1 as IP SAN, made by `openssl`. */
export function selfSignedCert(cn: string): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sovra-cert-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', `/CN=${cn}`, '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'pipe' });
    return { cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), key: readFileSync(join(dir, 'key.pem'), 'utf8') };
  } catch (e) {
    throw new Error(`openssl failed (${(e as Error).message}); install it: apt-get install -y openssl`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
