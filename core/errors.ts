/**
 * Errors by kind (STYLE.md rule 5). A user mistake is a `SovraError` with a
 * `code`; the CLI prints its message as one paragraph and exits with the
 * status of its code. Anything else is a bug and keeps its stack.
 */

/** Exit status of the CLI for each kind of user mistake. */
export const EXIT_CODES = {
  usage: 2,
  'bad-profile': 3,
  'failed-evidence': 4,
  'invalid-output': 5,
  'failed-policy': 6,
  'bad-input': 7,
  'bad-config': 8,
  'failed-verification': 9,
  'io': 10,
} as const;

/** Machine-readable kind of a user mistake; callers switch on it. */
export type SovraErrorCode = keyof typeof EXIT_CODES;

/** A user mistake: printed without a stack trace, exits with `EXIT_CODES[code]`. */
export class SovraError extends Error {
  /** The kind of mistake. */
  readonly code: SovraErrorCode;
  /** Exit status the CLI uses for this error. */
  readonly exitCode: number;

  constructor(code: SovraErrorCode, message: string, options?: { cause?: unknown; exitCode?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SovraError';
    this.code = code;
    this.exitCode = options?.exitCode ?? EXIT_CODES[code];
  }
}

/** True when `e` is a SovraError (works across module copies). */
export function isSovraError(e: unknown): e is SovraError {
  return e instanceof Error && e.name === 'SovraError' && typeof (e as SovraError).code === 'string';
}

/**
 * A user message as printed: prefixed `sovra: `, once. A message that
 * already names its command (`sovra verify: …`) keeps that prefix alone, so
 * no line reads `sovra: sovra verify: …`.
 */
export function withSovraPrefix(message: string): string {
  return /^sovra[ :]/.test(message) ? message : `sovra: ${message}`;
}

/**
 * Prints `e` the way every Sovra entry point does (a user mistake as one
 * paragraph, a bug with its stack) and returns the exit status.
 */
export function reportError(e: unknown): number {
  if (isSovraError(e)) {
    process.stderr.write(`${withSovraPrefix(e.message)}\n`);
    return e.exitCode;
  }
  process.stderr.write(`sovra: internal error (a bug, please report it):\n${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  return 1;
}
