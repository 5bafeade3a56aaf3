/** Small helpers over node:util parseArgs that turn its errors into usage errors. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { SovraError } from '../core/errors.js';

/** Parses `args` for `command`; an unknown or malformed flag is a usage error naming it. */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(
  command: string,
  args: string[],
  options: T,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (e) {
    // parseArgs ends some messages with a period and some without; end each with one.
    const msg = (e instanceof Error ? e.message : String(e)).trim().replace(/\.?$/, '.');
    throw new SovraError('usage', `sovra ${command}: ${msg} Run \`sovra ${command} --help\` for usage.`);
  }
}
