/**
 * What the control plane's full request path costs over a bare Fastify route.
 *
 *   npx tsx bench/control-plane-overhead.ts [--seconds 5] [--connections 16] [--rounds 2] [--breakdown] [--postgres]
 *
 * A child process runs, on 127.0.0.1: an upstream that answers a chat
 * completion at once, a stand-in OIDC issuer (discovery document and JWKS,
 * ES256), and two servers that both relay POST /v1/chat/completions to that
 * upstream through the same upstream client:
 *   - bare: a plain Fastify route, nothing else;
 *   - full: buildApp: JWT verification against the JWKS, CEL policy, rate
 *     limit (limit set high so nothing is refused), durable hash-chained audit
 *     on PGlite in a data directory (as served: one O_DSYNC journal write per
 *     group commit, the database copy behind it), attestation.
 * The parent drives both with autocannon, alternating, in two phases:
 * latency with 1 connection (no queueing), throughput with N connections.
 * Latency percentiles come from autocannon's per-response times (sub-ms),
 * not from its whole-millisecond histogram. `--breakdown` adds diagnostic
 * runs of the full path with the audit journal off (each answer waits for a
 * PGlite commit), with the audit trail in memory and with audit writes
 * skipped, to show where the added time goes. The run ends with the disk's
 * floor: the latency of one O_DSYNC append in the same temp directory, which
 * every audited answer waits for. `--postgres` puts the
 * audit trail on a PostgreSQL 15 server (Debian's, started for the run, as
 * the tests do) instead of PGlite: the `DATABASE_URL` path.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const TARGETS = { p50AddedMs: 0.5, p99AddedMs: 3, throughputRatio: 0.5 };
const BODY = JSON.stringify({ model: 'bench-model', messages: [{ role: 'user', content: 'Say hello.' }], max_tokens: 8 });

interface Ports {
  bare: number;
  full: number;
  token: string;
  breakdown: Record<string, number>;
}

/* ------------------------------------------------------------------ servers (child) */

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

async function serve(): Promise<void> {
  const [{ default: Fastify }, { SignJWT, exportJWK, generateKeyPair }, { buildApp }, { openStorage }, { openAuditTrail }, { UpstreamTier }] = await Promise.all([
    import('fastify'),
    import('jose'),
    import('../services/app.js'),
    import('../services/storage/index.js'),
    import('../services/audit/index.js'),
    import('../services/routing/upstream.js'),
  ]);

  // Upstream answering at once.
  const answer = JSON.stringify({
    id: 'cmpl-bench',
    object: 'chat.completion',
    created: 1700000000,
    model: 'bench-model',
    choices: [{ index: 0, message: { role: 'assistant', content: 'Hello.' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
  });
  const models = JSON.stringify({ object: 'list', data: [{ id: 'bench-model', object: 'model', created: 0, owned_by: 'bench' }] });
  const upstream = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(req.url === '/v1/models' ? models : answer));
  });
  upstream.keepAliveTimeout = 60_000;
  const upstreamUrl = `http://127.0.0.1:${await listen(upstream)}/v1`;

  // Issuer: discovery document and JWKS, as an IdP serves them.
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'bench', alg: 'ES256', use: 'sig' }] });
  let issuer = '';
  const idp = http.createServer((req, res) => {
    if (req.url === '/.well-known/openid-configuration') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
    else res.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
  });
  issuer = `http://127.0.0.1:${await listen(idp)}`;
  const audience = 'https://sovra.bench/api';
  const token = await new SignJWT({ scope: 'chat models', tenant: 'bench' })
    .setProtectedHeader({ alg: 'ES256', kid: 'bench', typ: 'at+jwt' })
    .setIssuer(issuer)
    .setAudience(audience)
    .setSubject('bench-client')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(privateKey);

  // Bare route through the same upstream client.
  const bareTier = new UpstreamTier({ name: 'upstream-0', baseUrl: upstreamUrl });
  const bare = Fastify({ logger: false });
  bare.post('/v1/chat/completions', async (request, reply) => {
    const body = request.body as { model: string; messages: { role: 'user'; content: string }[] };
    const r = await bareTier.chat({ model: body.model, messages: body.messages });
    return reply.type('application/json; charset=utf-8').send(
      JSON.stringify({ id: 'chatcmpl-bare', object: 'chat.completion', created: 0, model: r.model, choices: [{ index: 0, message: { role: 'assistant', content: r.content }, finish_reason: r.finish_reason }], usage: r.usage }),
    );
  });
  await bare.listen({ host: '127.0.0.1', port: 0 });

  // Full path with durable audit on PGlite in a data directory.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sovra-bench-'));
  let pg: { url: string; stop(): Promise<void> } | undefined;
  if (process.argv.includes('--postgres')) {
    const { startPostgres } = await import('../test/support/postgres.js');
    pg = await startPostgres();
  }
  const storage = await openStorage(pg ? { databaseUrl: pg.url } : { dataDir });
  const audit = await openAuditTrail(storage, { signingKey: generateKeyPairSync('ed25519').privateKey });
  const full = await buildApp({
    // --no-token-cache: every request verifies its JWT signature (the behaviour before the cache).
    oidc: { issuer, audience, ...(process.argv.includes('--no-token-cache') ? { tokenCacheSize: 0 } : {}) },
    tiers: [new UpstreamTier({ name: 'upstream-0', baseUrl: upstreamUrl })],
    audit,
    storage,
    rateLimit: { ratePerSecond: 1e9 },
  });
  await full.listen({ host: '127.0.0.1', port: 0 });

  // Diagnostics (--breakdown): the same app with the audit trail on in-memory PGlite, and with no audit writes at all.
  const breakdown: Record<string, number> = {};
  const extra: { close(): Promise<unknown> }[] = [];
  if (process.argv.includes('--breakdown')) {
    const memStorage = await openStorage({});
    const memAudit = await openAuditTrail(memStorage, {});
    const directStorage = await openStorage({ dataDir: `${dataDir}-journal-off` });
    const directAudit = await openAuditTrail(directStorage, { journal: false, signingKey: generateKeyPairSync('ed25519').privateKey });
    let n = 0;
    const noAudit = {
      begin: () => ({ id: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`, startedAt: '' }),
      commit: async () => undefined,
      pending: 0,
      unapplied: 0,
      close: async () => undefined,
    };
    for (const [name, a, st] of [
      ['full path, audit journal off (PGlite commit per batch)', directAudit, directStorage],
      ['full path, audit on in-memory PGlite', memAudit, memStorage],
      ['full path, audit writes skipped', noAudit, storage],
    ] as const) {
      const app = await buildApp({ oidc: { issuer, audience }, tiers: [new UpstreamTier({ name: 'upstream-0', baseUrl: upstreamUrl })], audit: a, storage: st, rateLimit: { ratePerSecond: 1e9 } });
      await app.listen({ host: '127.0.0.1', port: 0 });
      breakdown[name] = (app.server.address() as AddressInfo).port;
      extra.push(app);
    }
    extra.push(memAudit, memStorage, directAudit, directStorage);
  }

  const ports: Ports = { bare: (bare.server.address() as AddressInfo).port, full: (full.server.address() as AddressInfo).port, token, breakdown };
  process.send!(ports);
  process.on('message', async (m) => {
    if (m !== 'stop') return;
    await full.close();
    await bare.close();
    for (const x of extra) await x.close();
    // Closing the trail copies what is still only in the journal into the database.
    await audit.close();
    const rows = await storage.query<{ n: string }>('SELECT count(*) AS n FROM audit_records');
    await storage.close();
    await pg?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(`${dataDir}-journal-off`, { recursive: true, force: true });
    process.send!({ auditRecords: Number(rows.rows[0]!.n) });
    process.exit(0);
  });
}

/* ------------------------------------------------------------------ load (parent) */

/** Latency of a 700-byte append to a file opened O_DSYNC (an audit journal write of one record). */
async function dsyncFloor(): Promise<{ p50: number; p99: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sovra-bench-dsync-'));
  const c = fs.constants;
  const fd = fs.openSync(path.join(dir, 'append'), c.O_WRONLY | c.O_CREAT | c.O_DSYNC, 0o600);
  const buf = Buffer.alloc(700, 0x61);
  const ms: number[] = [];
  try {
    for (let i = 0; i < 2000; i++) {
      const t0 = performance.now();
      await new Promise<void>((resolve, reject) => fs.write(fd, buf, 0, buf.length, i * buf.length, (e) => (e ? reject(e) : resolve())));
      ms.push(performance.now() - t0);
    }
  } finally {
    fs.closeSync(fd);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 50), p99: percentile(ms, 99) };
}

interface Run {
  readonly latencies: number[];
  readonly requests: number;
  readonly seconds: number;
  readonly errors: number;
}

async function load(url: string, token: string, connections: number, seconds: number): Promise<Run> {
  // autocannon ships no types; the part used here is typed by hand.
  const specifier: string = 'autocannon';
  const { default: autocannon } = (await import(specifier)) as {
    default: (options: Record<string, unknown>, done: (err: Error | null, r: { errors: number; non2xx: number }) => void) => { on(event: 'response', f: (client: unknown, status: number, bytes: number, ms: number) => void): void };
  };
  const latencies: number[] = [];
  let non2xx = 0;
  const started = performance.now();
  const result = await new Promise<{ errors: number; non2xx: number }>((resolve, reject) => {
    const instance = autocannon(
      { url: `${url}/v1/chat/completions`, method: 'POST', connections, duration: seconds, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: BODY },
      (err, r) => (err ? reject(err) : resolve(r)),
    );
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status === 200) latencies.push(ms);
      else non2xx++;
    });
  });
  return { latencies, requests: latencies.length, seconds: (performance.now() - started) / 1000, errors: result.errors + non2xx };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function merge(runs: Run[]): { p50: number; p99: number; rps: number; requests: number; errors: number } {
  const all = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const seconds = runs.reduce((s, r) => s + r.seconds, 0);
  const requests = runs.reduce((s, r) => s + r.requests, 0);
  return { p50: percentile(all, 50), p99: percentile(all, 99), rps: requests / seconds, requests, errors: runs.reduce((s, r) => s + r.errors, 0) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '5' }, connections: { type: 'string', default: '16' }, rounds: { type: 'string', default: '2' }, breakdown: { type: 'boolean', default: false }, postgres: { type: 'boolean', default: false }, 'no-token-cache': { type: 'boolean', default: false } } });
  const seconds = Math.min(10, Math.max(1, Number(values.seconds)));
  const connections = Math.min(64, Math.max(2, Number(values.connections)));
  const rounds = Math.min(3, Math.max(1, Number(values.rounds)));

  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--serve', ...(values.breakdown ? ['--breakdown'] : []), ...(values.postgres ? ['--postgres'] : []), ...(values['no-token-cache'] ? ['--no-token-cache'] : [])], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ports = await new Promise<Ports>((resolve, reject) => {
    child.once('message', (m) => resolve(m as Ports));
    child.once('exit', (code) => reject(new Error(`server process exited with ${code}`)));
  });
  const bare = `http://127.0.0.1:${ports.bare}`;
  const full = `http://127.0.0.1:${ports.full}`;
  try {
    // Warm-up: JIT, keep-alive sockets, JWKS fetch, PGlite caches.
    await load(bare, ports.token, connections, 1);
    await load(full, ports.token, connections, 1);

    const runs = { bare1: [] as Run[], full1: [] as Run[], bareN: [] as Run[], fullN: [] as Run[] };
    for (let i = 0; i < rounds; i++) {
      runs.bare1.push(await load(bare, ports.token, 1, seconds));
      runs.full1.push(await load(full, ports.token, 1, seconds));
      runs.bareN.push(await load(bare, ports.token, connections, seconds));
      runs.fullN.push(await load(full, ports.token, connections, seconds));
    }
    const b1 = merge(runs.bare1);
    const f1 = merge(runs.full1);
    const bN = merge(runs.bareN);
    const fN = merge(runs.fullN);
    const added50 = f1.p50 - b1.p50;
    const added99 = f1.p99 - b1.p99;
    const ratio = fN.rps / bN.rps;
    const fmt = (n: number) => n.toFixed(3);
    const row = (name: string, r: ReturnType<typeof merge>) => `${name.padEnd(34)} ${fmt(r.p50).padStart(8)} ${fmt(r.p99).padStart(8)} ${r.rps.toFixed(0).padStart(8)} ${String(r.requests).padStart(8)} ${String(r.errors).padStart(6)}`;
    const out = [
      `load average before the run ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; control plane overhead, audit on ${values.postgres ? 'a PostgreSQL 15 server (fsync on)' : 'PGlite in a data directory (O_DSYNC journal write per group commit)'}: ${rounds} round(s) of ${seconds} s per server and phase, node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'})`,
      `${'server / phase'.padEnd(34)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'req/s'.padStart(8)} ${'requests'.padStart(8)} ${'errors'.padStart(6)}`,
      row('bare Fastify route, 1 conn', b1),
      row('full path, 1 conn', f1),
      row(`bare Fastify route, ${connections} conns`, bN),
      row(`full path, ${connections} conns`, fN),
      '',
      `added latency p50 (1 conn): ${fmt(added50)} ms   target <= ${TARGETS.p50AddedMs} ms   ${added50 <= TARGETS.p50AddedMs ? 'met' : 'MISSED'}`,
      `added latency p99 (1 conn): ${fmt(added99)} ms   target <= ${TARGETS.p99AddedMs} ms   ${added99 <= TARGETS.p99AddedMs ? 'met' : 'MISSED'}`,
      `throughput ratio full/bare (${connections} conns): ${ratio.toFixed(3)}   target >= ${TARGETS.throughputRatio}   ${ratio >= TARGETS.throughputRatio ? 'met' : 'MISSED'}`,
      `added latency p50 / p99 at ${connections} conns (with queueing): ${fmt(fN.p50 - bN.p50)} / ${fmt(fN.p99 - bN.p99)} ms`,
    ];
    for (const [name, port] of Object.entries(ports.breakdown)) {
      const url = `http://127.0.0.1:${port}`;
      await load(url, ports.token, 1, 1);
      const r = merge([await load(url, ports.token, 1, seconds)]);
      out.push(`${row(`${name}, 1 conn`, r)}   added p50 ${fmt(r.p50 - b1.p50)} ms`);
    }
    const done = new Promise<{ auditRecords: number }>((resolve) => child.once('message', (m) => resolve(m as { auditRecords: number })));
    child.send('stop');
    const { auditRecords } = await done;
    const audited = f1.requests + fN.requests;
    out.push(`durable audit records written: ${auditRecords} (>= ${audited} measured full-path answers, plus warm-up)`);
    const floor = await dsyncFloor();
    out.push(`the disk's floor: one 700-byte O_DSYNC append in ${os.tmpdir()} takes p50 ${fmt(floor.p50)} / p99 ${fmt(floor.p99)} ms (2,000 appends, nothing else running); every audited answer waits for one`);
    process.stdout.write(out.join('\n') + '\n');
    if (f1.errors + fN.errors + b1.errors + bN.errors > 0) process.exitCode = 1;
  } finally {
    // Let the server process exit by itself (it flushes and closes the audit trail), then make sure it is gone.
    if (child.exitCode === null) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          child.kill();
          resolve();
        }, 5000);
        child.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}

if (process.argv.includes('--serve')) await serve();
else await main();
