/**
 * `sovra serve`: option resolution (flags, environment, messages naming the
 * option), and the real `node bin/sovra.js serve` process against a real OIDC
 * issuer and upstream on loopback, called with the official openai client,
 * stopped with SIGTERM, its audit trail then verified offline.
 */
import { spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { collect, waitFor } from '../support/process.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES, SovraError } from '../../core/errors.js';
import { resolveServeConfig, type ServeFlags } from '../../services/server/config.js';
import { startIssuer, TEST_AUDIENCE, type TestIssuer } from './support/oidc.js';
import { startUpstream, type TestUpstream } from './support/upstream.js';
import { startPostgres } from '../support/postgres.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = path.join(ROOT, 'bin/sovra.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sovra-serve-'));
const ed = generateKeyPairSync('ed25519');
const KEY = path.join(tmp, 'audit.key');
const PUB = path.join(tmp, 'audit.pub');
fs.writeFileSync(KEY, ed.privateKey.export({ type: 'pkcs8', format: 'pem' }));
fs.writeFileSync(PUB, ed.publicKey.export({ type: 'spki', format: 'pem' }));
const MODEL = path.join(tmp, 'model.gguf');
fs.writeFileSync(MODEL, 'not really a model');

/** Environment without the caller's own settings. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ['HOST', 'PORT', 'DATABASE_URL', ...Object.keys(env).filter((k) => k.startsWith('SOVRA_'))]) delete env[k];
  return { ...env, ...extra };
}

function resolve(flags: ServeFlags, env: Record<string, string> = {}) {
  return resolveServeConfig(flags, env, tmp);
}

function failure(flags: ServeFlags, env: Record<string, string> = {}): SovraError {
  try {
    resolve(flags, env);
  } catch (e) {
    if (e instanceof SovraError) return e;
    throw e;
  }
  throw new Error('expected a SovraError');
}

const base: ServeFlags = { 'oidc-issuer': 'http://127.0.0.1:9/', upstream: ['http://127.0.0.1:9/v1'] };

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('options', () => {
  it('applies the defaults and reads every option from its environment variable', () => {
    expect(resolve(base)).toMatchObject({ host: '127.0.0.1', port: 8080, oidcAudience: 'sovra', upstreams: ['http://127.0.0.1:9/v1'], dataDir: path.join(tmp, 'sovra-data') });
    fs.writeFileSync(path.join(tmp, 'rules.yaml'), 'rules: []\n');
    const c = resolve(
      {},
      {
        HOST: '0.0.0.0',
        PORT: '9000',
        SOVRA_OIDC_ISSUER: 'https://id.example/realms/x',
        SOVRA_OIDC_AUDIENCE: 'api',
        SOVRA_UPSTREAM_URL: 'http://a:1/v1, http://b:2/v1',
        SOVRA_LOCAL_MODEL: 'model.gguf',
        SOVRA_LOCAL_MODEL_SHA256: `sha256:${'AB'.repeat(32)}`,
        SOVRA_DATA_DIR: 'db',
        SOVRA_POLICY: 'rules.yaml',
        SOVRA_AUDIT_KEY: fs.readFileSync(KEY, 'utf8'),
        SOVRA_EMBEDDING_MODEL: 'embed-small',
      },
    );
    expect(c).toMatchObject({
      host: '0.0.0.0',
      port: 9000,
      oidcIssuer: 'https://id.example/realms/x',
      oidcAudience: 'api',
      upstreams: ['http://a:1/v1', 'http://b:2/v1'],
      localModel: { path: MODEL, sha256: 'ab'.repeat(32) },
      dataDir: path.join(tmp, 'db'),
      policy: path.join(tmp, 'rules.yaml'),
      embeddingModel: 'embed-small',
    });
    expect(c.auditKey?.asymmetricKeyType).toBe('ed25519');
    expect(resolve({}, { SOVRA_OIDC_ISSUER: 'http://i/', SOVRA_UPSTREAM_URL: 'http://u/v1', DATABASE_URL: 'postgres://app@127.0.0.1:5432/sovra' })).toMatchObject({ databaseUrl: 'postgres://app@127.0.0.1:5432/sovra' });
    expect(resolve({}, { SOVRA_OIDC_ISSUER: 'http://i/', SOVRA_UPSTREAM_URL: 'http://u/v1', SOVRA_AUDIT_KEY: KEY }).auditKey?.type).toBe('private');
  });

  it('lets a flag win over its variable, and takes --upstream repeated and as a comma list, in order', () => {
    const c = resolve({ ...base, port: '0', upstream: ['http://a/v1,http://b/v1', 'http://c/v1'] }, { PORT: '9000', SOVRA_UPSTREAM_URL: 'http://z/v1' });
    expect(c.port).toBe(0);
    expect(c.upstreams).toEqual(['http://a/v1', 'http://b/v1', 'http://c/v1']);
    expect(resolve({ ...base, 'embedding-model': 'e1' }, { SOVRA_EMBEDDING_MODEL: 'e2' }).embeddingModel).toBe('e1');
    expect(resolve(base).embeddingModel).toBeUndefined();
  });

  it.each<[string, ServeFlags, Record<string, string>, keyof typeof EXIT_CODES, RegExp]>([
    ['missing issuer', { upstream: ['http://u/v1'] }, {}, 'usage', /--oidc-issuer .*SOVRA_OIDC_ISSUER/],
    ['bad issuer', { ...base, 'oidc-issuer': 'id.example' }, {}, 'bad-config', /--oidc-issuer "id\.example" is not a URL/],
    ['bad port', { ...base, port: '80a' }, {}, 'bad-config', /--port "80a" is not a TCP port/],
    ['port from the environment', base, { PORT: '70000' }, 'bad-config', /environment variable PORT "70000" is not a TCP port/],
    ['no tier', { 'oidc-issuer': 'http://i/' }, {}, 'usage', /no inference tier: give at least one --upstream/],
    ['bad upstream', { ...base, upstream: ['http://a/v1,ftp://b/v1'] }, {}, 'bad-config', /--upstream "http:\/\/a\/v1,ftp:\/\/b\/v1" has scheme ftp:/],
    ['empty upstream entry', { ...base, upstream: ['http://a/v1,,http://b/v1'] }, {}, 'bad-config', /--upstream .* has an empty entry/],
    ['duplicate upstream', { ...base, upstream: ['http://a/v1', 'http://a/v1'] }, {}, 'bad-config', /upstream http:\/\/a\/v1 is given twice/],
    ['missing model file', { ...base, 'local-model': 'nope.gguf', 'local-model-sha256': 'ab'.repeat(32) }, {}, 'bad-config', /--local-model "nope\.gguf" cannot be read \(ENOENT\)/],
    ['model without pin', { ...base, 'local-model': 'model.gguf' }, {}, 'usage', /--local-model needs its pin: give --local-model-sha256/],
    ['bad pin', { ...base, 'local-model': 'model.gguf', 'local-model-sha256': 'abc' }, {}, 'bad-config', /--local-model-sha256 "abc" is not a SHA-256/],
    ['pin without model', { ...base }, { SOVRA_LOCAL_MODEL_SHA256: 'ab'.repeat(32) }, 'usage', /SOVRA_LOCAL_MODEL_SHA256 is given without --local-model/],
    ['database and data dir', { ...base, 'data-dir': 'd' }, { DATABASE_URL: 'postgres://h/db' }, 'usage', /both environment variable DATABASE_URL and --data-dir/],
    ['bad database url', { ...base, 'database-url': 'mysql://h/db' }, {}, 'bad-config', /--database-url "mysql:…" is not a postgres:\/\/ URL/],
    ['data dir is a file', { ...base, 'data-dir': 'model.gguf' }, {}, 'bad-config', /--data-dir "model\.gguf" is not a directory/],
    ['missing policy', { ...base, policy: 'nope.yaml' }, {}, 'bad-config', /--policy "nope\.yaml" does not exist/],
    ['unreadable audit key', { ...base, 'audit-key': 'nope.pem' }, {}, 'bad-config', /--audit-key "nope\.pem" cannot be read/],
    ['audit key that is not a key', { ...base, 'audit-key': '-----BEGIN PRIVATE KEY-----\nxx\n-----END PRIVATE KEY-----' }, {}, 'bad-config', /--audit-key "\(PEM text\)" is not a PEM private key/],
    ['audit key that is not Ed25519', { ...base }, { SOVRA_AUDIT_KEY: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string }, 'bad-config', /SOVRA_AUDIT_KEY must be an Ed25519 private key/],
  ])('stops on %s with a message naming the option', (_name, flags, env, code, message) => {
    const e = failure(flags, env);
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
    expect(e.message).not.toMatch(/node_modules|\n {4}at /);
  });
});

describe('the sovra serve process', () => {
  let issuer: TestIssuer;
  let upstream: TestUpstream;

  beforeAll(async () => {
    [issuer, upstream] = await Promise.all([startIssuer(), startUpstream('alpha', 'Served by alpha.')]);
  });
  afterAll(async () => {
    await Promise.all([issuer?.close(), upstream?.close()]);
  });

  it('refuses bad options before opening anything, naming them, with the documented exit status and no stack trace', () => {
    const run = (args: string[], env: Record<string, string> = {}) => spawnSync(process.execPath, [BIN, 'serve', ...args], { cwd: tmp, env: cleanEnv(env), encoding: 'utf8', timeout: 30_000 });
    const missing = run(['--upstream', 'http://127.0.0.1:9/v1']);
    expect(missing.status).toBe(EXIT_CODES.usage);
    expect(missing.stderr).toMatch(/^sovra serve: the OIDC issuer is required: give --oidc-issuer <url> or set SOVRA_OIDC_ISSUER/);
    const port = run(['--oidc-issuer', 'http://127.0.0.1:9/', '--upstream', 'http://127.0.0.1:9/v1'], { PORT: 'eighty' });
    expect(port.status).toBe(EXIT_CODES['bad-config']);
    expect(port.stderr).toContain('environment variable PORT "eighty" is not a TCP port');
    const unknown = run(['--oidc-issuer', 'http://127.0.0.1:9/', '--upstreams', 'x']);
    expect(unknown.status).toBe(EXIT_CODES.usage);
    expect(unknown.stderr).toContain("'--upstreams'");
    for (const r of [missing, port, unknown]) expect(r.stderr).not.toMatch(/\n {4}at /);
  });

  it('serves the openai client with tokens from the issuer, and on SIGTERM finishes, checkpoints and exits 0', async () => {
    const dataDir = path.join(tmp, 'data');
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--oidc-issuer', issuer.issuer, '--oidc-audience', TEST_AUDIENCE, '--data-dir', dataDir], {
      cwd: tmp,
      env: cleanEnv({ SOVRA_UPSTREAM_URL: upstream.baseUrl, SOVRA_AUDIT_KEY: KEY }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = collect(child);
    try {
      const line = await waitFor(child, out, /sovra serve: listening on (http:\/\/127\.0\.0\.1:\d+) .*\n/);
      expect(line[0]).toContain('tiers: upstream-0 ' + upstream.baseUrl);
      expect(line[0]).toContain('signed checkpoints');
      const client = new OpenAI({ baseURL: `${line[1]}/v1`, apiKey: await issuer.token(), maxRetries: 0 });

      const { data, response } = await client.chat.completions.create({ model: 'alpha-model', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
      expect(data.choices[0]!.message.content).toBe('Served by alpha.');
      expect(response.headers.get('x-sovra-tier')).toBe('upstream-0');
      expect(response.headers.get('x-sovra-audit-id')).toMatch(/^[0-9a-f-]{36}$/);
      let streamed = '';
      for await (const c of await client.chat.completions.create({ model: 'alpha-model', messages: [{ role: 'user', content: 'hi' }], stream: true })) streamed += c.choices[0]?.delta.content ?? '';
      expect(streamed).toBe('Served by alpha.');
      const ids: string[] = [];
      for await (const m of client.models.list()) ids.push(m.id);
      expect(ids).toEqual(['alpha-model']);
      const denied = await new OpenAI({ baseURL: `${line[1]}/v1`, apiKey: await issuer.sign({}, { foreignKey: true }), maxRetries: 0 }).models.list().catch((e: unknown) => e);
      expect(denied).toBeInstanceOf(OpenAI.AuthenticationError);

      // A request in flight when SIGTERM arrives is answered before the process exits.
      upstream.chunkDelayMs = 100;
      const slow = client.chat.completions.create({ model: 'alpha-model', messages: [{ role: 'user', content: 'slow' }], stream: true });
      const stream = await slow;
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      let late = '';
      for await (const c of stream) late += c.choices[0]?.delta.content ?? '';
      expect(late).toBe('Served by alpha.');
      expect(await exited).toBe(0);
      expect(out.stdout).toContain('sovra serve: SIGTERM: finishing requests in flight');
      expect(out.stdout).toContain('sovra serve: stopped');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }

    // Every request, the refused one included, is in the chain, and the final checkpoint signs it all.
    const verify = spawnSync(process.execPath, [BIN, 'audit', 'verify', dataDir, '--key', PUB, '--json'], { cwd: tmp, env: cleanEnv(), encoding: 'utf8', timeout: 60_000 });
    expect(verify.stderr).toBe('');
    expect(verify.status).toBe(0);
    const report = JSON.parse(verify.stdout) as { ok: boolean; records: number; unsignedRecords: number };
    expect(report).toMatchObject({ ok: true, records: 5, unsignedRecords: 0 });
  }, 180_000); // starts the server, the issuer and a child process: slow when the suite runs the image and bundle tests beside it
});

describe('the sovra serve process on a PostgreSQL 15 server (DATABASE_URL)', () => {
  it('runs its migrations there, audits every request there, and the trail verifies offline from the URL', async () => {
    const [issuer, upstream, pg] = await Promise.all([startIssuer(), startUpstream('beta', 'Served by beta.'), startPostgres()]);
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--oidc-issuer', issuer.issuer, '--oidc-audience', TEST_AUDIENCE, '--upstream', upstream.baseUrl], {
      cwd: tmp,
      env: cleanEnv({ DATABASE_URL: pg.url, SOVRA_AUDIT_KEY: KEY }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = collect(child);
    try {
      const line = await waitFor(child, out, /sovra serve: listening on (http:\/\/127\.0\.0\.1:\d+) .*\n/);
      expect(line[0]).toContain('audit: PostgreSQL');
      const client = new OpenAI({ baseURL: `${line[1]}/v1`, apiKey: await issuer.token(), maxRetries: 0 });
      for (let i = 0; i < 3; i++) {
        const r = await client.chat.completions.create({ model: 'beta-model', messages: [{ role: 'user', content: `hi ${i}` }] });
        expect(r.choices[0]!.message.content).toBe('Served by beta.');
      }
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      // Nothing was written beside the process: the data lives in the server.
      expect(fs.existsSync(path.join(tmp, 'sovra-data'))).toBe(false);
      const verify = spawnSync(process.execPath, [BIN, 'audit', 'verify', pg.url, '--key', PUB, '--json'], { cwd: tmp, env: cleanEnv(), encoding: 'utf8', timeout: 60_000 });
      expect(verify.stderr).toBe('');
      expect(verify.status).toBe(0);
      expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, records: 3, unsignedRecords: 0 });
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await Promise.all([issuer.close(), upstream.close(), pg.stop()]);
    }
  }, 120_000);
});
