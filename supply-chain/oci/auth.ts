/**
 * Registry credentials and the two authentication schemes registries use:
 * HTTP Basic, and the bearer-token flow of Docker Hub, quay.io and ghcr.io
 * (a 401 with `WWW-Authenticate: Bearer realm=…,service=…,scope=…`, a token
 * fetched from the realm, with the credentials when there are any).
 *
 * Credentials come from one auth file in the format of Docker's
 * `config.json` (`{"auths": {"<registry>": {"auth": base64(user:password)}}}`,
 * or `username` and `password`), the first found of: the `authFile` option
 * (`--authfile`), `$REGISTRY_AUTH_FILE` (the containers tools' variable),
 * `$DOCKER_CONFIG/config.json`, `~/.docker/config.json`. Credential helpers
 * (`credsStore`, `credHelpers`) and identity tokens are not run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { OciError } from './errors.js';

/** A user name and password (or token used as password). */
export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** A parsed `WWW-Authenticate` challenge. */
export interface Challenge {
  /** Lower-case scheme: `bearer`, `basic`. */
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

/** Parses a `WWW-Authenticate` header value (one challenge; quoted values may hold commas). */
export function parseChallenge(header: string): Challenge | undefined {
  const m = /^\s*([A-Za-z][A-Za-z0-9_-]*)\s*(.*)$/s.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  const re = /\s*([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*,?/gy;
  const rest = m[2]!;
  let p: RegExpExecArray | null;
  while (re.lastIndex < rest.length && (p = re.exec(rest)) !== null) {
    params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3]!;
  }
  return { scheme: m[1]!.toLowerCase(), params };
}

/** Where credentials are read from, in order. */
export function authFileCandidates(explicit?: string, env: NodeJS.ProcessEnv = process.env): string[] {
  if (explicit) return [explicit];
  const out: string[] = [];
  if (env.REGISTRY_AUTH_FILE) out.push(env.REGISTRY_AUTH_FILE);
  if (env.DOCKER_CONFIG) out.push(join(env.DOCKER_CONFIG, 'config.json'));
  out.push(join(homedir(), '.docker', 'config.json'));
  return out;
}

/** Names a registry may be stored under in an auth file. */
function keysFor(registry: string): string[] {
  if (registry === 'docker.io' || registry === 'index.docker.io' || registry === 'registry-1.docker.io') {
    return ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io'];
  }
  return [registry];
}

/** `https://host:port/path` → `host:port`. */
function normalizeKey(key: string): string {
  return key.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '');
}

/** Credentials per registry, read from one auth file. */
export class CredentialStore {
  private readonly byRegistry = new Map<string, Credentials>();
  /** The file they came from, if any (for messages). */
  readonly file: string | undefined;
  /** Whether the file delegates to credential helpers, which Sovra does not run. */
  readonly usesHelpers: boolean;

  private constructor(file: string | undefined, auths: Record<string, { auth?: string; username?: string; password?: string }>, usesHelpers: boolean) {
    this.file = file;
    this.usesHelpers = usesHelpers;
    for (const [key, entry] of Object.entries(auths)) {
      let creds: Credentials | undefined;
      if (typeof entry.auth === 'string' && entry.auth !== '') {
        const text = Buffer.from(entry.auth, 'base64').toString('utf8');
        const colon = text.indexOf(':');
        if (colon <= 0) throw new OciError('auth', `auth file ${file}: auths["${key}"].auth is not base64 of user:password`);
        creds = { username: text.slice(0, colon), password: text.slice(colon + 1) };
      } else if (typeof entry.username === 'string' && typeof entry.password === 'string') {
        creds = { username: entry.username, password: entry.password };
      }
      if (creds) {
        this.byRegistry.set(key, creds);
        this.byRegistry.set(normalizeKey(key), creds);
      }
    }
  }

  /** No credentials at all. */
  static none(): CredentialStore {
    return new CredentialStore(undefined, {}, false);
  }

  /** Reads the first existing file of `authFileCandidates(explicit)`; an explicit file that is missing or malformed is an `auth` error. */
  static load(explicit?: string, env: NodeJS.ProcessEnv = process.env): CredentialStore {
    const file = authFileCandidates(explicit, env).find((f) => existsSync(f));
    if (!file) {
      if (explicit) throw new OciError('auth', `auth file ${explicit} does not exist; write it in Docker's config.json format: {"auths": {"<registry>": {"auth": "<base64 of user:password>"}}}`);
      return CredentialStore.none();
    }
    let doc: { auths?: Record<string, { auth?: string; username?: string; password?: string }>; credsStore?: string; credHelpers?: object };
    try {
      doc = JSON.parse(readFileSync(file, 'utf8')) as typeof doc;
    } catch (e) {
      throw new OciError('auth', `auth file ${file} is not JSON (${(e as Error).message}); it must be in Docker's config.json format`);
    }
    return new CredentialStore(file, doc.auths ?? {}, Boolean(doc.credsStore || doc.credHelpers));
  }

  /** Credentials for `registry` (`host[:port]`), if the file has them. */
  get(registry: string): Credentials | undefined {
    for (const k of keysFor(registry)) {
      const c = this.byRegistry.get(k);
      if (c) return c;
    }
    return undefined;
  }

  /** How to provide credentials for `registry`, for error messages. */
  howTo(registry: string): string {
    const where = this.file ? `the auth file ${this.file} has no entry for ${registry}` : 'no auth file was found';
    const helpers = this.usesHelpers ? ' (credential helpers named in it are not run: put the credentials in "auths")' : '';
    return `${where}${helpers}. Give credentials in Docker's config.json format with --authfile <file> or REGISTRY_AUTH_FILE: {"auths": {"${registry}": {"auth": "<base64 of user:password>"}}}`;
  }
}

/** `Authorization: Basic …` value. */
export function basicHeader(c: Credentials): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64')}`;
}
