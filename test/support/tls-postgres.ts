/**
 * A real PostgreSQL 15 on 127.0.0.1 that accepts TLS connections only (as
 * the platform's CloudNativePG clusters do: `hostnossl … reject`), with a
 * server certificate for 127.0.0.1 signed by a CA made for the test with
 * the `openssl` command. For tests of clients that verify the server
 * (PGSSLMODE=verify-full against a CA file).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPostgres, type TestPostgres } from './postgres.js';

/** A TLS-only test server and the CA that verifies it. */
export interface TlsPostgres extends TestPostgres {
  /** PEM of the CA that signed the server certificate. */
  readonly caFile: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

/** Starts a PostgreSQL 15 server that requires TLS 1.3, with a certificate for 127.0.0.1 from a fresh CA. */
export async function startTlsPostgres(): Promise<TlsPostgres> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sovra-pgtls-'));
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=sovra test CA'], dir);
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1'], dir);
  fs.writeFileSync(path.join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'ext.cnf'], dir);
  fs.chmodSync(dir, 0o755);
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    for (const f of ['server.key', 'server.crt', 'ca.crt']) fs.chownSync(path.join(dir, f), uid, uid);
  }
  fs.chmodSync(path.join(dir, 'server.key'), 0o600);
  const pg = await startPostgres({
    settings: { ssl: 'on', ssl_cert_file: path.join(dir, 'server.crt'), ssl_key_file: path.join(dir, 'server.key'), ssl_min_protocol_version: 'TLSv1.3' },
    hba: ['local all all trust', 'hostnossl all all all reject', 'hostssl all all all trust'],
  });
  return {
    url: pg.url,
    caFile: path.join(dir, 'ca.crt'),
    async stop() {
      try {
        await pg.stop();
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
