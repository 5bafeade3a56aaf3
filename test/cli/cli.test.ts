/**
 * The `sovra` command line as a user meets it (spawned `node bin/sovra.js`):
 * help, the profile list, usage errors with exit 2, and for every documented
 * kind of user mistake its own exit status, one paragraph, no stack trace.
 */
import { existsSync } from 'node:fs';
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
    expect(r.stderr).toMatch(/^sovra: /);
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

describe('sovra synth', () => {
  it('writes every view and says what it wrote', async () => {
    const r = await result('synth');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^synthesized profile edge: \d+ objects, \d+ files in dist\/edge\n(\d+ of \d+ images are not locked by digest .*\n)?$/);
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
