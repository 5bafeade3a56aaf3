// Benchmark only: Debian's docker-registry on a free loopback port, no auth,
// its storage in a temporary folder (the same set-up as test/support/registry.ts).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function startRegistry(base = tmpdir()) {
  if (!existsSync('/usr/bin/docker-registry')) throw new Error('docker-registry is not installed; install it: apt-get install -y docker-registry');
  const dir = mkdtempSync(join(base, 'sovra-bench-registry-'));
  writeFileSync(
    join(dir, 'config.yml'),
    ['version: 0.1', 'log:', '  level: info', '  accesslog:', '    disabled: true', 'storage:', '  filesystem:', `    rootdirectory: ${join(dir, 'data')}`, '  maintenance:', '    uploadpurging:', '      enabled: false', 'http:', '  addr: 127.0.0.1:0', '  secret: bench'].join('\n') + '\n',
  );
  const child = spawn('/usr/bin/docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const host = await new Promise((resolve, reject) => {
    child.stderr.on('data', (d) => {
      log += d;
      const m = /listening on (127\.0\.0\.1:\d+)/.exec(log);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`docker-registry exited ${code}: ${log}`)));
  });
  child.removeAllListeners('exit');
  child.stderr.resume();
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
