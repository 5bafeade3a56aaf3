/** Locations of files the product ships (schemas, catalogs), from source or from lib/. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** Root of the installed Sovra package (the folder holding its package.json). */
export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'sovra') return (root = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the sovra package root');
    dir = up;
  }
}

/** Absolute path of a file shipped with the package, e.g. `oscal/schema/oscal_component_schema.json`. */
export function shipped(relPath: string): string {
  return join(packageRoot(), ...relPath.split('/'));
}

/** Parsed JSON of a shipped file. */
export function readShippedJson<T = unknown>(relPath: string): T {
  return JSON.parse(readFileSync(shipped(relPath), 'utf8')) as T;
}
