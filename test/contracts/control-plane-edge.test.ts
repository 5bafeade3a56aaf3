/**
 * The control plane as the edge profile deploys it, started for real: the
 * environment the synth wrote into the Deployment (plus a hosted upstream
 * with an API key, the profile option), with only the outside parts
 * replaced by loopback servers: a real OIDC issuer (oidc-provider), a real
 * PostgreSQL 15 that accepts TLS 1.3 only (the synth's PGSSLMODE
 * verify-full and NODE_EXTRA_CA_CERTS verify it against the test CA put
 * where the trust bundle is mounted), and one small OpenAI-compatible
 * upstream per upstream URL. The official `openai` client calls it; the
 * upstream receives the API key from the file the environment names, and
 * nothing the process prints contains the key.
 */
import { execFile, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import OpenAI from 'openai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RUNTIME_ENV, SERVE_OPTIONS, serveEnv } from '../../contracts/control-plane.js';
import { BUILTIN_PROFILES } from '../../profiles/builtin/index.js';
import { validateProfile } from '../../profiles/validate.js';
import { startIssuer, TEST_AUDIENCE, type TestIssuer } from '../services/support/oidc.js';
import { startUpstream, type TestUpstream } from '../services/support/upstream.js';
import { collect, waitFor } from '../support/process.js';
import { REPO_ROOT } from '../support/shared.js';
import { removeDir, synthProfile, tempDir, writtenObjects } from '../support/synth-output.js';
import { startTlsPostgres, type TlsPostgres } from '../support/tls-postgres.js';

type Env = { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } };
type Container = { args?: string[]; env?: Env[]; volumeMounts?: Array<{ name: string; mountPath: string }> };
type PodSpec = { containers: Container[]; initContainers?: Container[]; volumes: Array<{ name: string; secret?: { secretName: string } }> };

const API_KEY = 'sk-hosted-Zq8vT3mK9wLx2Rb7';
let work: string;
let issuer: TestIssuer;
let db: TlsPostgres;
const upstreams: TestUpstream[] = [];
let spec: PodSpec;

beforeAll(async () => {
  work = tempDir('sovra-cp-edge-');
  const edge = structuredClone(BUILTIN_PROFILES.edge);
  const profile = validateProfile(
    { ...edge, components: { ...edge.components, 'control-plane': { ...edge.components['control-plane'], hostedUpstreams: [{ name: 'hosted', url: 'https://api.example.org/v1', apiKey: { openbaoPath: 'control-plane/upstream-hosted', property: 'api-key' } }] } } },
    'test (edge with a hosted upstream)',
  );
  await synthProfile('edge', path.join(work, 'out'), { profile });
  const d = writtenObjects(path.join(work, 'out')).find((o) => o.object.kind === 'Deployment' && o.object.metadata.name === 'control-plane')!.object as unknown as { spec: { template: { spec: PodSpec } } };
  spec = d.spec.template.spec;
  [issuer, db] = await Promise.all([startIssuer(), startTlsPostgres()]);
}, 240_000);

afterAll(async () => {
  await Promise.all(upstreams.map((u) => u.close()));
  await issuer?.close();
  await db?.stop();
  removeDir(work);
});

it('answers the openai client through the upstream tiers with the environment the synth wrote for edge', async () => {
  const c = spec.containers[0]!;
  const env = new Map((c.env ?? []).map((e) => [e.name, e]));
  // The variables the outside parts are replaced in, and what the synth wrote there.
  expect(env.get(RUNTIME_ENV.pgSslMode)?.value).toBe('verify-full');
  expect(env.get(serveEnv('database-url'))?.valueFrom?.secretKeyRef).toEqual({ name: 'control-plane-db-app', key: 'uri' });
  const upstreamUrls = env.get(serveEnv('upstream'))!.value!.split(',');
  expect(upstreamUrls.at(-1)).toBe('https://api.example.org/v1');
  const keyFiles = env.get(serveEnv('upstream-api-key-file'))!.value!.split(',');
  expect(keyFiles).toHaveLength(upstreamUrls.length);

  // Volumes become folders: the trust bundle holds the test CA, each key Secret its key file, the model volume the built-in model.
  const mounts = new Map<string, string>();
  for (const v of spec.volumes) {
    const dir = path.join(work, 'volumes', v.name);
    fs.mkdirSync(dir, { recursive: true });
    for (const m of c.volumeMounts ?? []) if (m.name === v.name) mounts.set(m.mountPath, dir);
  }
  const mapPath = (p: string) => {
    for (const [mount, dir] of mounts) if (p === mount || p.startsWith(`${mount}/`)) return dir + p.slice(mount.length);
    return p;
  };
  fs.copyFileSync(db.caFile, mapPath(env.get(RUNTIME_ENV.extraCaCerts)!.value!));
  const hostedKeyFile = mapPath(keyFiles.at(-1)!);
  fs.writeFileSync(hostedKeyFile, `${API_KEY}\n`);
  for (const init of spec.initContainers ?? []) await promisify(execFile)(process.execPath, [path.join(REPO_ROOT, 'bin/sovra.js'), ...(init.args ?? []).map(mapPath)], { cwd: work });
  const auditKey = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

  for (const [i] of upstreamUrls.entries()) upstreams.push(await startUpstream(`tier${i}`, `Served by tier ${i}.`));
  const replaced: Record<string, string> = {
    [serveEnv('host')]: '127.0.0.1',
    [serveEnv('port')]: '0',
    [serveEnv('oidc-issuer')]: issuer.issuer,
    // oidc-provider's resource indicators are URIs; Keycloak's audience is the client id the synth wrote.
    [serveEnv('oidc-audience')]: TEST_AUDIENCE,
    [serveEnv('upstream')]: upstreams.map((u) => u.baseUrl).join(','),
  };
  const secrets: Record<string, string> = { 'control-plane-db-app/uri': db.url, 'control-plane-audit-key/key.pem': auditKey };
  const childEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH };
  for (const e of c.env ?? []) {
    childEnv[e.name] = replaced[e.name] ?? (e.valueFrom ? secrets[`${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`] : e.value!.split(',').map(mapPath).join(','));
    expect(childEnv[e.name], e.name).toBeDefined();
  }
  expect(Object.keys(childEnv).filter((k) => k !== 'PATH' && !Object.values(SERVE_OPTIONS).some((o) => o.env === k) && !Object.values(RUNTIME_ENV).includes(k as never))).toEqual([]);

  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/sovra.js'), ...(c.args ?? [])], { cwd: work, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = collect(child);
  try {
    const line = await waitFor(child, out, /sovra serve: listening on (http:\/\/127\.0\.0\.1:\d+) .*\n/);
    expect(line[0]).toContain('audit: PostgreSQL');
    expect(line[0]).toContain('(API key from file)');
    const client = new OpenAI({ baseURL: `${line[1]}/v1`, apiKey: await issuer.token(), maxRetries: 0 });
    const { data, response } = await client.chat.completions.create({ model: 'tier0-model', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(data.choices[0]!.message.content).toBe('Served by tier 0.');
    expect(response.headers.get('x-sovra-tier')).toBe('upstream-0');
    // With vLLM installed the hosted tier is second: the first fails, and the request goes on to the hosted one.
    if (upstreams.length > 1) {
      upstreams[0]!.mode = { kind: 'status', status: 503 };
      const failed = await client.chat.completions.create({ model: 'tier0-model', messages: [{ role: 'user', content: 'again' }] }).withResponse();
      expect(failed.response.headers.get('x-sovra-tier')).toBe(`upstream-${upstreams.length - 1}`);
    }
    const hosted = upstreams.at(-1)!;
    expect(hosted.authorizations.filter((a) => a !== undefined).every((a) => a === `Bearer ${API_KEY}`)).toBe(true);
    expect(hosted.authorizations).toContain(`Bearer ${API_KEY}`);
    for (const u of upstreams.slice(0, -1)) expect(u.authorizations.every((a) => a === undefined)).toBe(true);
    const stream = await client.chat.completions.create({ model: 'tier0-model', messages: [{ role: 'user', content: 'stream' }], stream: true });
    let streamed = '';
    for await (const ch of stream) streamed += ch.choices[0]?.delta.content ?? '';
    expect(streamed).toBe(`Served by tier ${upstreams.length - 1}.`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  // The key is never printed: not at start-up, not in request logs.
  expect(out.stdout + out.stderr).not.toContain(API_KEY);
}, 240_000);
