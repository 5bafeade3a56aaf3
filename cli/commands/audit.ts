/** `sovra audit verify`: checks the audit trail offline against the checkpoint key. */
import { createPublicKey, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import { SovraError } from '../../core/errors.js';
import { journalDirOf } from '../../services/audit/journal.js';
import { AUDIT_EXIT_CODES, AUDIT_FINDING_PRIORITY } from '../../services/audit/exit-codes.js';
import type { AuditVerifyReport } from '../../services/audit/index.js';
import { assertEd25519 } from '../../services/audit/checkpoint.js';
import type { Command } from '../command.js';
import { parseCommandArgs } from '../args.js';

const NAME = 'audit verify';

const usage = [
  'Usage: sovra audit verify <data-dir|database-url> --key <pub.pem> [--key <pub.pem>...] [--json]',
  '',
  'Checks the control plane audit trail offline: recomputes every record hash,',
  'follows the hash chain, verifies each signed checkpoint (Ed25519) and that the',
  'chain still ends where the last checkpoint says it does.',
  '',
  'Arguments:',
  '  <data-dir>        the control plane --data-dir (embedded PGlite), with its audit',
  '                    journal; stop the service or verify a copy, PGlite allows one',
  '                    process at a time',
  '  <database-url>    postgres://… of the server the control plane writes to',
  '',
  'Options:',
  '  --key <pub.pem>   Ed25519 public key (PEM) of the checkpoint signer; repeat for rotated keys',
  '  --json            print the report as JSON',
  '',
  'Exit status:',
  '   0  the trail is intact',
  ...AUDIT_FINDING_PRIORITY.map((k) => `  ${String(AUDIT_EXIT_CODES[k]).padStart(2)}  ${k}${describe(k)}`),
  '  When several kinds are found, the status is that of the first kind in the list above.',
  '  Records after the last checkpoint are chained but unsigned: deleting them from the end',
  '  cannot be detected offline; the checkpoint interval bounds that window.',
  '  2 usage, 7 bad input (not an audit trail, bad key), 10 I/O (cannot open the database).',
  '',
].join('\n');

function describe(kind: string): string {
  switch (kind) {
    case 'bad-signature':
      return ': a checkpoint signature does not verify, or was made by another key';
    case 'truncation':
      return ': records signed by the last checkpoint are missing from the end';
    case 'deletion':
      return ': records are missing from the middle of the chain';
    case 'insertion':
      return ': records that are not part of the chain were added';
    case 'reordering':
      return ': records were moved out of chain order';
    case 'modification':
      return ': a record no longer matches its hash, or the chain was rewritten';
    default:
      return '';
  }
}

function readKey(file: string): KeyObject {
  let pem: string;
  try {
    pem = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new SovraError('io', `Cannot read the key file ${file}: ${(e as Error).message}`, { cause: e });
  }
  let key: KeyObject;
  try {
    // A private key file also works: its public half is used.
    key = createPublicKey(pem);
  } catch (e) {
    throw new SovraError('bad-input', `${file} is not a PEM public key: ${(e as Error).message}`, { cause: e });
  }
  assertEd25519(key, `The key in ${file}`, 'bad-input');
  return key;
}

function text(report: AuditVerifyReport, source: string): string {
  const lines = [
    `audit trail in ${source}: ${report.records} records (head seq ${report.headSeq}), ${report.checkpoints} checkpoints (last at seq ${report.lastCheckpointSeq}), ${report.unsignedRecords} records after the last checkpoint`,
  ];
  if (report.journalRecords > 0) {
    lines.push(`${report.journalRecords} of them only in the audit journal (durable, not yet copied into the database: the control plane copies them when it next starts).`);
  }
  if (report.journalTornBytes > 0) {
    lines.push(`The journal ends in ${report.journalTornBytes} bytes of a write cut short by a crash: never acknowledged, no request was answered on it; the control plane removes them when it next starts.`);
  }
  if (report.ok) {
    lines.push(`OK: every record matches its hash, the chain is unbroken and every checkpoint verifies with ${report.keyIds.join(', ')}.`);
    if (report.checkpoints === 0 && report.records > 0) lines.push('Warning: no checkpoint was written; nothing in this trail is signed.');
  } else {
    const kinds = [...new Set(report.findings.map((f) => f.kind))].join(', ');
    lines.push(`TAMPERED (${kinds}; exit status ${report.exitCode}):`);
    for (const f of report.findings) lines.push(`  seq ${f.seq}  ${f.kind}: ${f.message}`);
  }
  return lines.join('\n') + '\n';
}

/** The `sovra audit verify` command. */
export const auditVerifyCommand: Command = {
  name: NAME,
  summary: 'Verify the audit trail offline: hash chain and signed checkpoints',
  usage,
  async run(args: string[]): Promise<number> {
    const { values, positionals } = parseCommandArgs(NAME, args, { key: { type: 'string', multiple: true }, json: { type: 'boolean' } }, true);
    if (positionals.length !== 1) {
      throw new SovraError('usage', `sovra ${NAME}: give exactly one <data-dir|database-url>. Run \`sovra ${NAME} --help\` for usage.`);
    }
    if (!values.key || values.key.length === 0) {
      throw new SovraError('usage', `sovra ${NAME}: --key <pub.pem> is required (the Ed25519 public key of the checkpoint signer).`);
    }
    const keys = values.key.map(readKey);
    const source = positionals[0]!;
    const isUrl = /^postgres(ql)?:\/\//.test(source);
    // Loaded here, not at start-up, so other commands do not pay for the database drivers.
    const [{ openExistingStorage }, { verifyAuditTrail }] = await Promise.all([import('../../services/storage/index.js'), import('../../services/audit/index.js')]);
    const storage = await openExistingStorage(isUrl ? { databaseUrl: source } : { dataDir: source });
    let report: AuditVerifyReport;
    try {
      // On a data directory the records still only in the audit journal are part of the trail.
      const journalDir = storage.dataDir === undefined ? undefined : journalDirOf(storage.dataDir);
      report = await verifyAuditTrail(storage, { publicKeys: keys, ...(journalDir ? { journalDir } : {}) });
    } finally {
      await storage.close();
    }
    const shown = isUrl ? source.replace(/:\/\/([^:@/]+):[^@/]*@/, '://$1:***@') : source;
    process.stdout.write(values.json ? JSON.stringify(report, null, 2) + '\n' : text(report, shown));
    return report.exitCode;
  },
};
