// Benchmark only: Debian's docker-registry on a free loopback port, no auth,
// its storage in a temporary folder (the same set-up as test/support/registry.ts).
// Its log goes to a file, not a pipe: the bench blocks in spawnSync while
// the tools it times run, and a registry writing to an unread pipe would
// stall once the pipe is full.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function startRegistry(base = tmpdir()) {
  if (!existsSync('/usr/bin/docker-registry')) throw new Error('docker-registry is not installed; install it: apt-get install -y docker-registry');
  const dir = mkdtempSync(join(base, 'sovra-bench-registry-'));
  writeFileSync(
    join(dir, 'config.yml'),
    ['version: 0.1', 'log:', '  level: info', '  accesslog:', '    disabled: true', 'storage:', '  filesystem:', `    rootdirectory: ${join(dir, 'data')}`, '  maintenance:', '    uploadpurging:', '      enabled: false', 'http:', '  addr: 127.0.0.1:0', '  secret: bench'].join('\n') + '\n',
  );
  const logFile = join(dir, 'registry.log');
  const child = spawn('/usr/bin/docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', openSync(logFile, 'w')] });
  let host;
  for (let i = 0; i < 200 && !host; i++) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited ${child.exitCode}: ${readFileSync(logFile, 'utf8')}`);
    host = /listening on (127\.0\.0\.1:\d+)/.exec(readFileSync(logFile, 'utf8'))?.[1];
    if (!host) await new Promise((r) => setTimeout(r, 50));
  }
  if (!host) throw new Error(`docker-registry did not start: ${readFileSync(logFile, 'utf8')}`);
  return {
    host,
    dir,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
