// `sovra verify` benchmark (issue: supply chain). One command:
//
//   npm run build && node bench/verify.mjs [--gib 1] [--runs 5]
//
// 1. Signing time per output: `sovra synth --sign` of each built-in profile
//    minus the same synth unsigned (whole processes), and signStatement alone.
// 2. Verification speed: an edge output grown to --gib GiB of files (the
//    synthesized files plus large artifact files, as an air-gapped bundle
//    carries images and models), re-stated and signed, then `sovra verify`
//    (whole process: signature, every digest, SBOM/CBOM, license policy)
//    against `sha256sum` over the same files, alternating, warm page cache.
// Target: verify speed ≥ 0.8× sha256sum, i.e. time(sha256sum) / time(verify) ≥ 0.8.
import { spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';

const root = resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { gib: { type: 'string', default: '1' }, runs: { type: 'string', default: '5' } } });
const gib = Number(values.gib);
const runs = Number(values.runs);
if (!existsSync(join(root, 'lib/cli/main.js'))) {
  console.error('bench/verify.mjs: lib/ is not built; run `npm run build` first.');
  process.exit(1);
}
const { generateKeyPair } = await import(join(root, 'lib/supply-chain/keys.js'));
const { LocalKeySigner } = await import(join(root, 'lib/supply-chain/signer.js'));
const { signStatement } = await import(join(root, 'lib/supply-chain/sign.js'));
const { createPrivateKey, createHash } = await import('node:crypto');

const work = mkdtempSync(join(tmpdir(), 'sovra-bench-verify-'));
const env = { ...process.env, SOURCE_DATE_EPOCH: '1700000000' };
const sovra = join(root, 'bin/sovra.js');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function timed(cmd, args) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, encoding: 'utf8', maxBuffer: 1 << 26 });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return ms;
}

try {
  const pair = generateKeyPair('ecdsa-p256');
  const keyFile = join(work, 'signing.key');
  const pubFile = join(work, 'signing.pub');
  writeFileSync(keyFile, pair.privateKey, { mode: 0o600 });
  writeFileSync(pubFile, pair.publicKey);
  const signer = new LocalKeySigner(createPrivateKey(pair.privateKey));

  // 1. Signing time per output.
  console.log('Signing time per output (whole process, median of', runs, 'runs):');
  const signing = {};
  for (const profile of ['dev', 'edge', 'cluster']) {
    const out = join(work, `sign-${profile}`);
    const plain = [];
    const signed = [];
    for (let i = 0; i < runs; i++) {
      plain.push(timed(process.execPath, [sovra, 'synth', '--profile', profile, '--out', out, '--quiet']));
      signed.push(timed(process.execPath, [sovra, 'synth', '--profile', profile, '--out', out, '--quiet', '--sign', '--key', keyFile]));
    }
    const statement = readFileSync(join(out, 'provenance.intoto.json'));
    const inProcess = [];
    for (let i = 0; i < 50; i++) {
      const t = process.hrtime.bigint();
      await signStatement(statement, signer);
      inProcess.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    const signCli = [];
    for (let i = 0; i < runs; i++) signCli.push(timed(process.execPath, [sovra, 'sign', out, '--key', keyFile, '--quiet']));
    signing[profile] = { plain: median(plain), signed: median(signed), signStatement: median(inProcess), signCli: median(signCli) };
    console.log(
      `  ${profile.padEnd(7)} synth ${median(plain).toFixed(0)} ms, synth --sign ${median(signed).toFixed(0)} ms (+${(median(signed) - median(plain)).toFixed(0)} ms), ` +
        `signStatement ${median(inProcess).toFixed(2)} ms (${statement.length} B statement), sovra sign (process, checks every file) ${median(signCli).toFixed(0)} ms`,
    );
  }

  // 2. A signed output with `gib` GiB of files.
  const out = join(work, 'big');
  timed(process.execPath, [sovra, 'synth', '--profile', 'edge', '--out', out, '--quiet']);
  const artifacts = join(out, 'artifacts');
  mkdirSync(artifacts);
  const fileSize = 64 << 20;
  const count = Math.max(1, Math.round((gib * 1024 * 1024 * 1024) / fileSize));
  const chunk = Buffer.alloc(8 << 20);
  for (let i = 0; i < count; i++) {
    const fd = openSync(join(artifacts, `blob-${String(i).padStart(3, '0')}.bin`), 'w');
    for (let w = 0; w < fileSize; w += chunk.length) writeSync(fd, randomFillSync(chunk));
    closeSync(fd);
  }
  const files = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else files.push(relative(out, p).split(sep).join('/'));
    }
  };
  walk(out);
  files.sort();
  const subjects = files.filter((f) => f !== 'provenance.intoto.json' && f !== 'provenance.sigstore.json');
  const statement = JSON.parse(readFileSync(join(out, 'provenance.intoto.json'), 'utf8'));
  statement.subject = subjects.map((name) => ({ name, digest: { sha256: createHash('sha256').update(readFileSync(join(out, name))).digest('hex') } }));
  const statementText = JSON.stringify(statement, null, 2) + '\n';
  writeFileSync(join(out, 'provenance.intoto.json'), statementText);
  writeFileSync(join(out, 'provenance.sigstore.json'), await signStatement(Buffer.from(statementText), signer));
  const totalBytes = subjects.reduce((n, f) => n + statSync(join(out, f)).size, 0);
  console.log(`\nVerify: ${subjects.length} files, ${(totalBytes / 2 ** 30).toFixed(3)} GiB (warm page cache; one warm-up run each, then ${runs} alternating runs)`);

  const subjectPaths = subjects.map((f) => join(out, f));
  const shaArgs = subjectPaths;
  const verifyArgs = [sovra, 'verify', out, '--key', pubFile];
  timed('sha256sum', shaArgs);
  timed(process.execPath, verifyArgs);
  const sha = [];
  const ver = [];
  for (let i = 0; i < runs; i++) {
    sha.push(timed('sha256sum', shaArgs));
    ver.push(timed(process.execPath, verifyArgs));
  }
  const s = median(sha);
  const v = median(ver);
  const mibs = (ms) => (totalBytes / 2 ** 20 / (ms / 1000)).toFixed(0);
  console.log(`  sha256sum      median ${s.toFixed(0)} ms (${mibs(s)} MiB/s)   runs ${sha.map((x) => x.toFixed(0)).join(' ')}`);
  console.log(`  sovra verify   median ${v.toFixed(0)} ms (${mibs(v)} MiB/s)   runs ${ver.map((x) => x.toFixed(0)).join(' ')}`);
  console.log(`  speed ratio (sha256sum time / verify time): ${(s / v).toFixed(2)}×  (target ≥ 0.8×: ${s / v >= 0.8 ? 'met' : 'MISSED'})`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
