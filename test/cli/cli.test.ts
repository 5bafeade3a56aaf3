/**
 * The `sovra` command line as a user meets it (spawned `node bin/sovra.js`):
 * help, the profile list, usage errors with exit 2, and for every documented
 * kind of user mistake its own exit status, one paragraph, no stack trace.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sovra, type Result } from '../support/process.js';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { commands } from '../../cli/commands/index.js';
import { run } from '../../cli/main.js';
import { EXIT_CODES, SovraError, type SovraErrorCode } from '../../core/errors.js';
import { BUILTIN_PROFILES } from '../../profiles/builtin/index.js';
import { listFiles, removeDir, tempDir } from '../support/synth-output.js';

const NO_STACK = /\n\s+at /;

let root: string;
// The spawned runs are independent: start them together so the file stays fast.
const runs = new Map<string, Promise<Result>>();
const invocations: Record<string, { args: string[]; env?: NodeJS.ProcessEnv }> = {
  help: { args: ['--help'] },
  none: { args: [] },
  profiles: { args: ['profiles'] },
  profilesExtra: { args: ['profiles', '--json'] },
  unknown: { args: ['sinth', '--profile', 'edge'] },
  synthHelp: { args: ['synth', '--help'] },
  synthNoProfile: { args: ['synth'] },
  synthBadFlag: { args: ['synth', '--profile', 'edge', '--outdir', 'x'] },
  synthMissingValue: { args: ['synth', '--profile'] },
  audit: { args: ['audit'] },
  auditHelp: { args: ['audit', '--help'] },
  auditUnknown: { args: ['audit', 'check'] },
  model: { args: ['model'] },
  modelUnknown: { args: ['model', 'pni'] },
  verifyNoDir: { args: ['verify'] },
  signNoDir: { args: ['sign'] },
  keygenNoOut: { args: ['keygen'] },
  modelPinNoFile: { args: ['model', 'pin'] },
  auditVerifyNoSource: { args: ['audit', 'verify'] },
  serveNoIssuer: { args: ['serve'], env: { SOVRA_OIDC_ISSUER: '' } },
};

beforeAll(() => {
  root = tempDir();
  for (const [k, v] of Object.entries(invocations)) runs.set(k, sovra(v.args, v.env));
  runs.set('badEpoch', sovra(['synth', '--profile', 'edge', '--out', join(root, 'never', 'edge')], { SOURCE_DATE_EPOCH: 'yesterday' }));
  runs.set('synth', sovra(['synth', '--profile', 'edge', '--out', 'dist/edge'], { SOURCE_DATE_EPOCH: '1767225600' }, root));
});
afterAll(() => removeDir(root));
const result = (k: string) => runs.get(k)!;

describe('sovra --help', () => {
  it('lists the commands and the exit status of every kind of mistake, and exits 0', async () => {
    const r = await result('help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: sovra <command>/);
    for (const name of ['synth', 'profiles']) expect(r.stdout).toMatch(new RegExp(`^  ${name}\\s+\\S`, 'm'));
    for (const [kind, code] of Object.entries(EXIT_CODES)) expect(r.stdout).toMatch(new RegExp(`^\\s*${code}\\s+${kind}$`, 'm'));
    expect(r.stderr).toBe('');
  });

  it('is printed, with exit 2, when no command is given', async () => {
    const r = await result('none');
    expect(r.status).toBe(2);
    expect(r.stdout).toMatch(/^Usage: sovra/);
  });

  it('has distinct exit statuses per kind, none of them 0 or 1', () => {
    const codes: number[] = Object.values(EXIT_CODES);
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes.some((c) => c === 0 || c === 1)).toBe(false);
    expect(EXIT_CODES).toMatchObject({ usage: 2, 'bad-profile': 3, 'failed-evidence': 4, 'invalid-output': 5 });
  });
});

describe('sovra profiles', () => {
  it('prints one line per built-in profile with its description', async () => {
    const r = await result('profiles');
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(Object.keys(BUILTIN_PROFILES).length);
    for (const [i, p] of Object.values(BUILTIN_PROFILES).entries()) {
      expect(lines[i]).toMatch(new RegExp(`^${p.name}\\s+\\S`));
      expect(lines[i]!.trim().endsWith(p.description)).toBe(true);
    }
  });

  it('refuses an option it does not have with exit 2', async () => {
    const r = await result('profilesExtra');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--json');
    expect(r.stderr).not.toMatch(NO_STACK);
  });
});

describe('usage errors', () => {
  it.each([
    ['unknown', /Unknown command "sinth --profile edge"\. Known commands: synth, profiles/],
    ['synthNoProfile', /--profile is required/],
    ['synthBadFlag', /--outdir/],
    ['synthMissingValue', /--profile/],
    ['badEpoch', /SOURCE_DATE_EPOCH must be a whole number.*"yesterday"/],
  ])('%s: exit 2, one paragraph naming the mistake, no stack trace', async (k, message) => {
    const r = await result(k);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^sovra( [a-z]+)*: /);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(NO_STACK);
    expect(r.stderr.trimEnd()).not.toContain('\n\n');
    if (k === 'badEpoch') expect(existsSync(join(root, 'never'))).toBe(false);
  });

  it('sovra synth --help prints the options and exits 0', async () => {
    const r = await result('synthHelp');
    expect(r.status).toBe(0);
    for (const opt of ['--profile', '--out', '--quiet', 'SOURCE_DATE_EPOCH']) expect(r.stdout).toContain(opt);
  });
});

describe('command groups', () => {
  it('sovra audit alone prints the group usage, listing audit verify, with exit 2', async () => {
    const r = await result('audit');
    expect(r.status).toBe(EXIT_CODES.usage);
    expect(r.stdout).toMatch(/^Usage: sovra audit <subcommand>/);
    expect(r.stdout).toMatch(/^  audit verify {2}Verify the audit trail/m);
    expect(r.stderr).toBe('');
    expect(r.stdout + r.stderr).not.toMatch(/Unknown command/);
  });

  it('sovra audit --help prints the same usage and exits 0; an unknown subcommand is a usage error naming the known ones', async () => {
    const help = await result('auditHelp');
    expect(help.status).toBe(0);
    expect(help.stdout).toBe((await result('audit')).stdout);
    const r = await result('auditUnknown');
    expect(r.status).toBe(EXIT_CODES.usage);
    expect(r.stderr).toBe('sovra: Unknown subcommand "audit check". Commands of sovra audit: audit verify. Run `sovra audit --help` for usage.\n');
  });

  it('sovra model alone prints its usage with exit 2, not an unknown subcommand ""', async () => {
    const r = await result('model');
    expect(r.status).toBe(EXIT_CODES.usage);
    expect(r.stdout).toMatch(/^Usage: sovra model pin /);
    expect(r.stdout).toContain('sovra model verify');
    expect(r.stdout).toContain('sovra model tiny');
    expect(r.stderr).toBe('');
    const bad = await result('modelUnknown');
    expect(bad.status).toBe(EXIT_CODES.usage);
    expect(bad.stderr).toMatch(/^sovra model: unknown subcommand "pni"; use `sovra model pin`, `sovra model verify`, `sovra model verify-files` or `sovra model tiny`/);
  });
});

describe('messages', () => {
  it.each(['verifyNoDir', 'signNoDir', 'keygenNoOut', 'modelPinNoFile', 'auditVerifyNoSource', 'serveNoIssuer', 'synthNoProfile', 'profilesExtra', 'unknown'])(
    '%s: one "sovra" prefix, never "sovra: sovra …", one line ending in a period',
    async (k) => {
      const r = await result(k);
      expect(r.status).toBe(EXIT_CODES.usage);
      expect(r.stderr).toMatch(/^sovra( [a-z]+)*: \S/);
      expect(r.stderr).not.toMatch(/sovra: sovra/);
      expect(r.stderr.match(/\bsovra( [a-z]+)*: /g)).toHaveLength(1);
      expect(r.stderr).not.toMatch(/[^.]\s+Run `sovra/);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    },
  );

  it('reportError prefixes a message once, and keeps a message that names its command as it is', async () => {
    const { withSovraPrefix } = await import('../../core/errors.js');
    expect(withSovraPrefix('sovra verify: give one directory.')).toBe('sovra verify: give one directory.');
    expect(withSovraPrefix('The key is missing.')).toBe('sovra: The key is missing.');
    expect(withSovraPrefix('sovra: already prefixed.')).toBe('sovra: already prefixed.');
  });
});

describe('sovra synth', () => {
  it('writes every view and says what it wrote', async () => {
    const r = await result('synth');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^synthesized profile edge: \d+ objects, \d+ files in dist\/edge\ncoverage of the MODERATE baseline \(287 controls\): \d+ implemented, \d+ partial, \d+ planned, \d+ inherited, \d+ not applicable, \d+ not addressed.* \(oscal\/coverage\.json, oscal\/ssp\.html\)\n(\d+ of \d+ images are not locked by digest .*\n(  \d+ of them \([a-z-, ]+\): .*\.\n)*)?policy: \d+ rule judgements, no violation; .* see policy-report\.json\.\n$/);
    // An unlocked image whose component knows why its digest is unknown offline says so (the Tekton operator's payload).
    expect(r.stdout).toMatch(/\n  8 of them \(tekton\): the digest is pinned in the Tekton operator v0\.81\.1 release payload .*not available offline\.\n/);
    // The output folder gets the mode any folder gets here (0777 less the umask), not a private 0700.
    expect(statSync(join(root, 'dist/edge')).mode & 0o777).toBe(0o777 & ~process.umask());
    const files = listFiles(join(root, 'dist/edge'));
    for (const f of ['manifests/cilium.yaml', 'host/config.yaml', 'host/registries.yaml', 'oscal/component-definition.json', 'sbom.cdx.json', 'SHA256SUMS', 'provenance.intoto.json']) {
      expect(files).toContain(f);
    }
  });
});

describe('every kind of user mistake', () => {
  // The CLI's own dispatch, run in this process with a command that fails the way a real one would.
  let out = '';
  let err = '';
  const added: string[] = [];
  beforeAll(() => {
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  });
  afterEach(() => {
    out = '';
    err = '';
  });
  afterAll(() => {
    vi.restoreAllMocks();
    for (const name of added) commands.splice(commands.findIndex((c) => c.name === name), 1);
  });
  const fail = (name: string, error: Error) => {
    added.push(name);
    commands.push({ name, summary: 'test', usage: 'test', run: () => Promise.reject(error) });
  };

  it.each(Object.entries(EXIT_CODES) as Array<[SovraErrorCode, number]>)('%s exits with %i, printing the message without a stack', async (kind, code) => {
    fail(`test-${kind}`, new SovraError(kind, `the ${kind} went wrong; fix it like this.`));
    expect(await run([`test-${kind}`])).toBe(code);
    expect(err).toBe(`sovra: the ${kind} went wrong; fix it like this.\n`);
  });

  it('a bug exits 1 and keeps its stack', async () => {
    fail('test-bug', new TypeError('cannot read x of undefined'));
    expect(await run(['test-bug'])).toBe(1);
    expect(err).toContain('internal error');
    expect(err).toMatch(NO_STACK);
  });
});
