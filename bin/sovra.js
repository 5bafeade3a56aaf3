#!/usr/bin/env node
// Entry point of the `sovra` command: runs the compiled CLI from lib/.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../lib/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('sovra: the compiled CLI is missing (lib/cli/main.js). Run `npm run build` first.\n');
  process.exit(2);
}
// A reader that stops early (`sovra synth --json | head`) closes the pipe: stop quietly, as Unix tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}
const { run } = await import(main.href);
process.exitCode = await run(process.argv.slice(2));
