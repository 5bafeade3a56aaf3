/** Sovra's version, read from its package.json: the one place it is written. */
import { readShippedJson } from './paths.js';

let cached: string | undefined;

/** The `version` of Sovra's package.json, e.g. `0.1.0`. */
export function sovraVersion(): string {
  cached ??= readShippedJson<{ version: string }>('package.json').version;
  return cached;
}
