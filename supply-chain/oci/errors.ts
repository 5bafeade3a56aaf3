/**
 * Errors of the registry client, by kind. Callers switch on `code`, never
 * on the message; the CLI turns each kind into its own exit status.
 */

/** What went wrong talking to a registry or with what it served. */
export type OciErrorCode =
  /** The registry refused the credentials, or needs some and none were found. */
  | 'auth'
  /** The repository, manifest, tag or blob does not exist. */
  | 'not-found'
  /** Served bytes do not hash to the digest they were asked for (or announced). */
  | 'digest-mismatch'
  /** A manifest, index or reference that is not what the distribution spec allows. */
  | 'protocol'
  /** The registry answered with an unexpected status. */
  | 'http'
  /** The connection failed (refused, reset, timed out) after every retry. */
  | 'network';

/** A registry operation that failed; `code` says how. */
export class OciError extends Error {
  readonly code: OciErrorCode;

  constructor(code: OciErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OciError';
    this.code = code;
  }
}

/** True when `e` is an OciError (works across module copies). */
export function isOciError(e: unknown): e is OciError {
  return e instanceof Error && e.name === 'OciError' && typeof (e as OciError).code === 'string';
}
