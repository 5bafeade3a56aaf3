/** Build time for everything written to disk: `SOURCE_DATE_EPOCH`, never the clock. */
import { SovraError } from './errors.js';

/** Seconds since the epoch that a synth stamps into its output. */
export function sourceDateEpoch(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.SOURCE_DATE_EPOCH;
  if (raw === undefined || raw === '') return 0;
  if (!/^\d+$/.test(raw)) {
    throw new SovraError('usage', `SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01 (got "${raw}"). Unset it or set it, for example, to \`git log -1 --format=%ct\`.`);
  }
  return Number(raw);
}

/** RFC 3339 UTC timestamp (second precision) of `epochSeconds`. */
export function isoTime(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
