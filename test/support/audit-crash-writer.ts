/**
 * A control plane's audit writer that is killed: opens the trail on the data
 * directory given as argv[2] with the database copy held back, commits
 * argv[3] records in concurrent batches of 5, prints `acked <n> <id>` as each
 * commit resolves, then `all acked` and waits to be killed (SIGKILL, so
 * nothing is flushed or closed).
 */
import { createPrivateKey } from 'node:crypto';
import { openAuditTrail } from '../../services/audit/trail.js';
import { openStorage } from '../../services/storage/open.js';

const [dataDir, count, keyPem] = process.argv.slice(2);
const storage = await openStorage({ dataDir: dataDir! });
const trail = await openAuditTrail(storage, { signingKey: createPrivateKey(Buffer.from(keyPem!, 'base64').toString('utf8')), checkpointEvery: 10, checkpointIntervalMs: 0, applyDelayMs: 3_600_000 });
let acked = 0;
for (let i = 0; i < Number(count); i += 5) {
  await Promise.all(
    Array.from({ length: Math.min(5, Number(count) - i) }, async (_, j) => {
      const h = trail.begin({ action: 'POST /v1/chat/completions', subject: `user-${i + j}`, sourceIp: '127.0.0.1', requestId: `r${i + j}`, requestDigest: `sha256:${'a'.repeat(64)}` });
      await trail.commit(h, { outcome: 'success', status: 200 });
      acked += 1;
      process.stdout.write(`acked ${acked} ${h.id}\n`);
    }),
  );
}
process.stdout.write('all acked\n');
setInterval(() => undefined, 1000);
