/**
 * Runs once before the suite: compiles the code into lib/ so tests that spawn
 * `bin/sovra.js` run the code under test, not a stale build, and writes the
 * precompiled schema validators. Type errors do
 * not stop emission; `npm run typecheck` is where they fail.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const r = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) process.stderr.write(`global-setup: tsc reported errors (build emitted anyway):\n${r.stdout.slice(0, 4000)}\n`);
  // The schema validators the synth loads precompiled (as `npm run build` does).
  const g = spawnSync(process.execPath, ['scripts/gen-validators.mjs'], { cwd: root, encoding: 'utf8' });
  if (g.status !== 0) throw new Error(`global-setup: scripts/gen-validators.mjs failed:\n${g.stderr}`);
}
