/**
 * Runs once before the suite: compiles the code into lib/ so tests that spawn
 * `bin/sovra.js` run the code under test, not a stale build. Type errors do
 * not stop emission; `npm run typecheck` is where they fail.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const r = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) process.stderr.write(`global-setup: tsc reported errors (build emitted anyway):\n${r.stdout.slice(0, 4000)}\n`);
}
