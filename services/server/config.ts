/**
 * Settings of `sovra serve`: every option is a flag and an environment
 * variable (the flag wins). Checked before anything is opened, so a bad or
 * missing option stops start-up with one message naming it.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SovraError } from '../../core/errors.js';
import { assertEd25519 } from '../audit/checkpoint.js';
import { SERVE_OPTIONS, type ServeOptionName } from '../../contracts/control-plane.js';

export { SERVE_OPTIONS, type ServeOptionName, type ServeOptionSpec } from '../../contracts/control-plane.js';

/** The checked settings. */
export interface ServeConfig {
  readonly host: string;
  readonly port: number;
  readonly oidcIssuer: string;
  readonly oidcAudience: string;
  readonly upstreams: readonly string[];
  /**
   * Bearer API key of each upstream, by position (undefined: none), read
   * from the files `--upstream-api-key-file` names. Held in memory only: no
   * message or log line prints it.
   */
  readonly upstreamApiKeys?: readonly (string | undefined)[];
  readonly localModel?: { readonly path: string; readonly sha256: string };
  readonly databaseUrl?: string;
  /** Absolute path; set unless `databaseUrl` is. */
  readonly dataDir?: string;
  /** Embedding model used when a request names none. */
  readonly embeddingModel?: string;
  /** Absolute path of the rules file. */
  readonly policy?: string;
  readonly auditKey?: KeyObject;
}

/** Default audience when none is given. */
export const DEFAULT_AUDIENCE = 'sovra';
/** Default embedded database directory, relative to the working directory. */
export const DEFAULT_DATA_DIR = 'sovra-data';

/** Raw values as parsed from the command line. */
export type ServeFlags = Partial<Record<ServeOptionName, string | string[] | undefined>>;

function named(name: ServeOptionName, from: 'flag' | 'env'): string {
  const o = SERVE_OPTIONS[name];
  return from === 'flag' ? o.flag : `environment variable ${o.env}`;
}

interface Raw {
  readonly value: string;
  /** How the user named it, for messages: `--port` or `environment variable PORT`. */
  readonly where: string;
}

function pick(flags: ServeFlags, env: NodeJS.ProcessEnv, name: ServeOptionName): Raw | undefined {
  const f = flags[name];
  const v = Array.isArray(f) ? f.at(-1) : f;
  if (v !== undefined) return { value: v, where: named(name, 'flag') };
  const e = env[SERVE_OPTIONS[name].env];
  if (e !== undefined && e !== '') return { value: e, where: named(name, 'env') };
  return undefined;
}

function bad(raw: Raw, why: string, fix: string): SovraError {
  return new SovraError('bad-config', `sovra serve: ${raw.where} ${JSON.stringify(raw.value)} ${why}. ${fix}`);
}

function httpUrl(raw: Raw, value: string, what: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw bad(raw, `is not a URL${value !== raw.value ? ` (in ${JSON.stringify(value)})` : ''}`, `Give ${what}, e.g. http://127.0.0.1:8000/v1.`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw bad(raw, `has scheme ${u.protocol}, not http: or https:`, `Give ${what}.`);
  if (u.username || u.password) throw bad(raw, 'carries credentials in the URL', 'Remove the user and password from the URL.');
  return value;
}

function readKey(raw: Raw): KeyObject {
  const isPem = raw.value.trimStart().startsWith('-----BEGIN');
  let pem = raw.value;
  const shown: Raw = isPem ? { ...raw, value: '(PEM text)' } : raw;
  if (!isPem) {
    try {
      pem = fs.readFileSync(raw.value, 'utf8');
    } catch (e) {
      throw bad(shown, `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 'Give the path of an Ed25519 private key in PKCS#8 PEM, or the PEM text itself.');
    }
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (e) {
    throw bad(shown, `is not a PEM private key (${(e as Error).message})`, 'Create one with: openssl genpkey -algorithm ed25519 -out audit.key');
  }
  try {
    assertEd25519(key, `sovra serve: ${raw.where}`, 'bad-config', 'private');
  } catch (e) {
    throw new SovraError('bad-config', (e as Error).message);
  }
  return key;
}

/** Longest API key file accepted (a key is a few hundred bytes at most). */
const MAX_KEY_FILE_BYTES = 16 * 1024;

/**
 * The upstreams' API keys: `--upstream-api-key-file` (repeated or comma
 * lists), else SOVRA_UPSTREAM_API_KEY_FILE, one entry per upstream in the
 * same order, an empty entry for an upstream without a key. Messages name
 * the file, never its content.
 */
function readUpstreamKeys(flags: ServeFlags, env: NodeJS.ProcessEnv, count: number, cwd: string): (string | undefined)[] {
  const f = flags['upstream-api-key-file'];
  const fromFlags = f === undefined ? [] : Array.isArray(f) ? f : [f];
  const raws: Raw[] = fromFlags.length > 0 ? fromFlags.map((v) => ({ value: v, where: SERVE_OPTIONS['upstream-api-key-file'].flag })) : env.SOVRA_UPSTREAM_API_KEY_FILE !== undefined && env.SOVRA_UPSTREAM_API_KEY_FILE !== '' ? [{ value: env.SOVRA_UPSTREAM_API_KEY_FILE, where: named('upstream-api-key-file', 'env') }] : [];
  if (raws.length === 0) return new Array<string | undefined>(count).fill(undefined);
  const entries = raws.flatMap((raw) => raw.value.split(',').map((p) => ({ raw, file: p.trim() })));
  if (entries.length !== count) {
    throw bad(raws[0]!, `lists ${entries.length} key file${entries.length === 1 ? '' : 's'} for ${count} upstream${count === 1 ? '' : 's'}`, 'Give one entry per upstream, in the order of the upstreams, and an empty entry for an upstream without a key (e.g. ",/run/keys/hosted").');
  }
  return entries.map(({ raw, file }) => {
    if (file === '') return undefined;
    const at = path.resolve(cwd, file);
    const shown: Raw = { ...raw, value: file };
    let text: string;
    try {
      if (fs.statSync(at).size > MAX_KEY_FILE_BYTES) throw bad(shown, `is larger than ${MAX_KEY_FILE_BYTES} bytes`, 'Give a file that holds only the API key.');
      text = fs.readFileSync(at, 'utf8');
    } catch (e) {
      if (e instanceof SovraError) throw e;
      throw bad(shown, `cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`, 'Give the path of a file that holds the API key (mounted from a Secret).');
    }
    const key = text.trim();
    // A bearer token is one visible-ASCII word (RFC 6750 b64token and friends); anything else would break or smuggle headers.
    if (key === '' || !/^[\x21-\x7e]+$/.test(key)) throw bad(shown, 'does not hold a single-line API key', 'Write only the key into the file (a trailing newline is fine).');
    return key;
  });
}

/**
 * Resolves the settings from flags (as parsed) and the environment, flag
 * first. Missing required options are `usage` errors, bad values
 * `bad-config`; each message names the flag or variable and the fix.
 */
export function resolveServeConfig(flags: ServeFlags, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): ServeConfig {
  const host = pick(flags, env, 'host');
  if (host && host.value.trim() === '') throw bad(host, 'is empty', 'Give an address to listen on, e.g. 127.0.0.1 or 0.0.0.0.');

  const portRaw = pick(flags, env, 'port');
  let port = 8080;
  if (portRaw) {
    if (!/^\d+$/.test(portRaw.value) || Number(portRaw.value) > 65535) throw bad(portRaw, 'is not a TCP port', 'Give a whole number from 0 to 65535.');
    port = Number(portRaw.value);
  }

  const issuerRaw = pick(flags, env, 'oidc-issuer');
  if (!issuerRaw) {
    throw new SovraError('usage', 'sovra serve: the OIDC issuer is required: give --oidc-issuer <url> or set SOVRA_OIDC_ISSUER (the URL whose /.well-known/openid-configuration names the token signing keys).');
  }
  const oidcIssuer = httpUrl(issuerRaw, issuerRaw.value, 'the issuer URL, exactly as the tokens\' "iss" claim has it');

  const audRaw = pick(flags, env, 'oidc-audience');
  if (audRaw && audRaw.value.trim() === '') throw bad(audRaw, 'is empty', 'Give the audience your identity provider puts in the tokens\' "aud" claim.');

  // Upstreams: every --upstream (each may be a comma list), else the variable's comma list.
  const upFlags = flags.upstream === undefined ? [] : Array.isArray(flags.upstream) ? flags.upstream : [flags.upstream];
  const upRaw: Raw[] = upFlags.length > 0 ? upFlags.map((v) => ({ value: v, where: SERVE_OPTIONS.upstream.flag })) : env.SOVRA_UPSTREAM_URL ? [{ value: env.SOVRA_UPSTREAM_URL, where: named('upstream', 'env') }] : [];
  const upstreams: string[] = [];
  for (const raw of upRaw) {
    const parts = raw.value.split(',').map((s) => s.trim());
    if (parts.some((p) => p === '')) throw bad(raw, 'has an empty entry', 'Separate base URLs with single commas.');
    for (const p of parts) upstreams.push(httpUrl(raw, p, 'an OpenAI-compatible base URL including /v1'));
  }
  const dup = upstreams.find((u, i) => upstreams.indexOf(u) !== i);
  if (dup) throw new SovraError('bad-config', `sovra serve: upstream ${dup} is given twice. Give each base URL once, in the order to try them.`);

  const upstreamApiKeys = readUpstreamKeys(flags, env, upstreams.length, cwd);

  const modelRaw = pick(flags, env, 'local-model');
  const shaRaw = pick(flags, env, 'local-model-sha256');
  let localModel: ServeConfig['localModel'];
  if (modelRaw) {
    const file = path.resolve(cwd, modelRaw.value);
    let st: fs.Stats;
    try {
      st = fs.statSync(file);
    } catch (e) {
      throw bad(modelRaw, `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 'Give the path of a GGUF model file.');
    }
    if (!st.isFile()) throw bad(modelRaw, 'is not a file', 'Give the path of a GGUF model file.');
    if (!shaRaw) {
      throw new SovraError('usage', `sovra serve: ${modelRaw.where} needs its pin: give --local-model-sha256 <hex> or set SOVRA_LOCAL_MODEL_SHA256 (compute it with: sha256sum ${modelRaw.value}).`);
    }
    const hex = shaRaw.value.replace(/^sha256:/, '').toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(hex)) throw bad(shaRaw, 'is not a SHA-256', 'Give 64 hexadecimal digits, optionally prefixed with sha256:.');
    localModel = { path: file, sha256: hex };
  } else if (shaRaw) {
    throw new SovraError('usage', `sovra serve: ${shaRaw.where} is given without --local-model (SOVRA_LOCAL_MODEL). Give the model file too, or drop the pin.`);
  }

  if (upstreams.length === 0 && !localModel) {
    throw new SovraError('usage', 'sovra serve: no inference tier: give at least one --upstream <url> (SOVRA_UPSTREAM_URL) or a --local-model <file.gguf> (SOVRA_LOCAL_MODEL).');
  }

  const dbRaw = pick(flags, env, 'database-url');
  const dirRaw = pick(flags, env, 'data-dir');
  if (dbRaw && dirRaw) {
    throw new SovraError('usage', `sovra serve: both ${dbRaw.where} and ${dirRaw.where} are set. Give one: a PostgreSQL server URL, or a directory for the embedded database.`);
  }
  let databaseUrl: string | undefined;
  if (dbRaw) {
    let u: URL;
    try {
      u = new URL(dbRaw.value);
    } catch {
      throw bad({ ...dbRaw, value: '(not shown)' }, 'is not a URL', 'Give postgres://user:password@host:port/database.');
    }
    if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') throw bad({ ...dbRaw, value: `${u.protocol}…` }, 'is not a postgres:// URL', 'Give postgres://user:password@host:port/database.');
    databaseUrl = dbRaw.value;
  }
  let dataDir: string | undefined;
  if (!databaseUrl) {
    dataDir = path.resolve(cwd, dirRaw?.value ?? DEFAULT_DATA_DIR);
    if (fs.existsSync(dataDir) && !fs.statSync(dataDir).isDirectory()) {
      throw bad(dirRaw ?? { value: dataDir, where: 'the default data directory' }, 'is not a directory', 'Give a directory (it is created if missing).');
    }
  }

  const embeddingModel = pick(flags, env, 'embedding-model')?.value;

  const policyRaw = pick(flags, env, 'policy');
  let policy: string | undefined;
  if (policyRaw) {
    policy = path.resolve(cwd, policyRaw.value);
    if (!fs.existsSync(policy)) throw bad(policyRaw, 'does not exist', 'Give the path of a CEL rules file (YAML or JSON).');
  }

  const keyRaw = pick(flags, env, 'audit-key');
  const auditKey = keyRaw ? readKey(keyRaw) : undefined;

  return {
    host: host?.value ?? '127.0.0.1',
    port,
    oidcIssuer,
    oidcAudience: audRaw?.value ?? DEFAULT_AUDIENCE,
    upstreams,
    upstreamApiKeys,
    ...(localModel ? { localModel } : {}),
    ...(databaseUrl ? { databaseUrl } : {}),
    ...(dataDir ? { dataDir } : {}),
    ...(embeddingModel ? { embeddingModel } : {}),
    ...(policy ? { policy } : {}),
    ...(auditKey ? { auditKey } : {}),
  };
}
