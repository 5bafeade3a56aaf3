/**
 * API keys of hosted upstream tiers: read from the files
 * `--upstream-api-key-file` (or SOVRA_UPSTREAM_API_KEY_FILE) names, one entry
 * per upstream in order, and sent as the bearer token of that tier only. No
 * message ever holds a key.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SovraError } from '../../core/errors.js';
import { resolveServeConfig, type ServeFlags } from '../../services/server/config.js';
import { UpstreamTier } from '../../services/routing/upstream.js';
import { startUpstream } from './support/upstream.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sovra-upkeys-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const KEY = 'sk-secret-4f9QzT';
fs.writeFileSync(path.join(tmp, 'hosted.key'), `${KEY}\n`);
fs.writeFileSync(path.join(tmp, 'two-lines.key'), `${KEY}\nsecond line\n`);
const base: ServeFlags = { 'oidc-issuer': 'http://127.0.0.1:9/', upstream: ['http://127.0.0.1:9/v1', 'https://api.example.org/v1'] };

function failure(flags: ServeFlags, env: Record<string, string> = {}): SovraError {
  try {
    resolveServeConfig(flags, env, tmp);
  } catch (e) {
    if (e instanceof SovraError) return e;
    throw e;
  }
  throw new Error('expected a SovraError');
}

describe('options', () => {
  it('pairs key files with upstreams by position, an empty entry meaning none, from the flag or the variable', () => {
    expect(resolveServeConfig({ ...base, 'upstream-api-key-file': [',hosted.key'] }, {}, tmp).upstreamApiKeys).toEqual([undefined, KEY]);
    expect(resolveServeConfig({ ...base, 'upstream-api-key-file': ['', 'hosted.key'] }, {}, tmp).upstreamApiKeys).toEqual([undefined, KEY]);
    expect(resolveServeConfig(base, { SOVRA_UPSTREAM_API_KEY_FILE: `,${path.join(tmp, 'hosted.key')}` }, tmp).upstreamApiKeys).toEqual([undefined, KEY]);
    expect(resolveServeConfig(base, {}, tmp).upstreamApiKeys).toEqual([undefined, undefined]);
  });

  it('refuses a count that does not match the upstreams, a missing file and a file that is not one key, never showing a key', () => {
    const count = failure({ ...base, 'upstream-api-key-file': ['hosted.key'] });
    expect(count.code).toBe('bad-config');
    expect(count.message).toMatch(/lists 1 key file for 2 upstreams/);
    expect(failure({ ...base, 'upstream-api-key-file': [',missing.key'] }).message).toMatch(/"missing\.key" cannot be read \(ENOENT\)/);
    const twoLines = failure({ ...base, 'upstream-api-key-file': [',two-lines.key'] });
    expect(twoLines.message).toMatch(/does not hold a single-line API key/);
    for (const e of [count, twoLines]) expect(e.message).not.toContain(KEY);
  });
});

it('the tier sends the key as its bearer token, and a tier without a key sends none', async () => {
  const [hosted, own] = [await startUpstream('hosted'), await startUpstream('own')];
  try {
    await new UpstreamTier({ name: 'upstream-1', baseUrl: hosted.baseUrl, apiKey: KEY }).chat({ model: 'hosted-model', messages: [{ role: 'user', content: 'hi' }] } as never);
    await new UpstreamTier({ name: 'upstream-0', baseUrl: own.baseUrl }).chat({ model: 'own-model', messages: [{ role: 'user', content: 'hi' }] } as never);
    // Every call (the chat and the tier's model-list refresh) carries the key, and only to its own upstream.
    expect(hosted.authorizations.length).toBeGreaterThan(0);
    expect(hosted.authorizations.every((a) => a === `Bearer ${KEY}`)).toBe(true);
    expect(own.authorizations.length).toBeGreaterThan(0);
    expect(own.authorizations.every((a) => a === undefined)).toBe(true);
  } finally {
    await Promise.all([hosted.close(), own.close()]);
  }
});
