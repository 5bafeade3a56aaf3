/**
 * Options every command that talks to registries shares (`--authfile`,
 * `--insecure-registry`, `--ca`), the client they configure, and the
 * mapping of registry failures to exit statuses.
 */
import { readFileSync } from 'node:fs';
import { SovraError } from '../core/errors.js';
import { REGISTRY_EXIT } from '../contracts/bundle-codes.js';
import type { RegistryClient } from '../supply-chain/oci/client.js';
import type { OciError } from '../supply-chain/oci/errors.js';

/** parseArgs options of the registry flags. */
export const REGISTRY_FLAGS = {
  authfile: { type: 'string' },
  'insecure-registry': { type: 'string', multiple: true },
  ca: { type: 'string' },
} as const;

/** Usage lines of the registry flags. */
export const REGISTRY_FLAGS_USAGE = `  --authfile <file>          credentials in Docker's config.json format ({"auths": {"<registry>": {"auth": base64(user:password)}}});
                             default $REGISTRY_AUTH_FILE, $DOCKER_CONFIG/config.json, ~/.docker/config.json
  --insecure-registry <host> a registry that may be reached over plain HTTP or unverified TLS (repeatable;
                             loopback registries always may, as with Docker)
  --ca <file>                an extra CA certificate (PEM) to trust for registries`;

/** A registry client configured by the flags. */
export async function registryClient(values: { authfile?: string; 'insecure-registry'?: string[]; ca?: string }, extra: { insecure?: string[]; skipVerify?: boolean } = {}): Promise<RegistryClient> {
  const [{ RegistryClient }, { CredentialStore }] = await Promise.all([import('../supply-chain/oci/client.js'), import('../supply-chain/oci/auth.js')]);
  let ca: Buffer | undefined;
  if (values.ca) {
    try {
      ca = readFileSync(values.ca);
    } catch (e) {
      throw new SovraError('bad-input', `cannot read the CA certificate ${values.ca}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  let credentials;
  try {
    credentials = CredentialStore.load(values.authfile);
  } catch (e) {
    throw asSovraError(e);
  }
  return new RegistryClient({
    credentials,
    insecureRegistries: [...(values['insecure-registry'] ?? []), ...(extra.insecure ?? [])],
    ...(ca ? { ca } : {}),
    ...(extra.skipVerify ? { insecureSkipVerify: true } : {}),
  });
}

/** A registry failure of kind `code` as a user-facing error with its exit status. */
export function registryFailure(code: OciError['code'], message: string, cause?: unknown): SovraError {
  const kind = code === 'auth' ? 'bad-config' : code === 'digest-mismatch' ? 'failed-verification' : code === 'network' || code === 'http' ? 'io' : 'bad-input';
  return new SovraError(kind, message, { ...(cause ? { cause } : {}), exitCode: REGISTRY_EXIT[code] });
}

/** A registry failure (OciError) as a user-facing error with its exit status; anything else unchanged. */
export function asSovraError(e: unknown): unknown {
  if (e instanceof Error && e.name === 'OciError') return registryFailure((e as OciError).code, e.message, e);
  return e;
}
