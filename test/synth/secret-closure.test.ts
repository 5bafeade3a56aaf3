/**
 * The secret closure: a Secret referenced without a producer fails the
 * synth before anything is written, naming the object, the field and the
 * Secret; each kind of producer closes it; Secrets supplied at install are
 * reported; and every built-in profile is closed.
 */
import type { Construct } from 'constructs';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPONENTS } from '../../constructs/registry.js';
import { addCertificate } from '../../constructs/kit/certificates.js';
import { Component, type ComponentProps } from '../../constructs/kit/component.js';
import type { ComponentDefinition } from '../../constructs/kit/definition.js';
import { addExternalSecret } from '../../constructs/kit/external-secrets.js';
import { HardenedWorkload } from '../../constructs/kit/workload.js';
import { EXIT_CODES, isSovraError, type SovraError } from '../../core/errors.js';
import { loadProfile } from '../../profiles/load.js';
import { buildPlatform, manifestFile, renderObjects } from '../../synth/synth.js';
import { secretClosure } from '../../output/secret-closure.js';
import { PROFILES, removeDir, synthProfile, tempDir } from '../support/synth-output.js';

type Producer = 'none' | 'external-secret' | 'certificate' | 'operator' | 'supplied-at-install';

/** A workload that reads Secret `app-token` from its environment and mounts `app-tls`, with the producer the test picks. */
function reader(producer: Producer): ComponentDefinition {
  class Reader extends Component {
    constructor(scope: Construct, id: string, props: ComponentProps) {
      super(scope, id, props, { title: 'Reader', description: 'Reads Secrets.', layer: 'data', namespace: 'sovra-reader', version: '1' });
      const image = this.addImage({ registry: 'ghcr.io', repository: 'example/reader', tag: '1', license: 'MIT' });
      new HardenedWorkload(this, 'Workload', {
        name: 'reader',
        image,
        replicas: 1,
        ports: [{ name: 'http', port: 8080 }],
        resources: { cpu: '100m', memory: '64Mi' },
        secretEnv: [{ name: 'TOKEN', secret: 'app-token', key: 'token', purpose: 'A token.' }],
      });
      if (producer === 'external-secret') addExternalSecret(this, { name: 'app-token', purpose: 'A token.', from: { generated: { keys: ['token'], length: 24 } } });
      if (producer === 'certificate') addCertificate(this, { name: 'cert', secretName: 'app-token', dnsNames: ['reader'], purpose: 'A certificate in the token Secret (test).' });
      if (producer === 'operator') this.producesSecret({ name: 'app-token', keys: ['token'], kind: 'operator', by: 'the example operator', purpose: 'A token.' });
      if (producer === 'supplied-at-install') this.producesSecret({ name: 'app-token', keys: ['token'], kind: 'supplied-at-install', by: 'the site, at install', purpose: 'A token the site issues.' });
    }
  }
  return { id: 'reader', layer: 'data', create: (s, id, p) => new Reader(s, id, p) };
}

let root: string;
beforeAll(() => {
  root = tempDir();
});
afterAll(() => removeDir(root));

describe('the secret closure', () => {
  it('a referenced Secret without a producer fails the synth with exit 5, naming object, field and Secret, and writes nothing', async () => {
    const out = join(root, 'none');
    const e = await synthProfile('edge', out, { components: [...COMPONENTS, reader('none')] }).catch((x: unknown) => x);
    expect(isSovraError(e), String(e)).toBe(true);
    expect((e as SovraError).code).toBe('invalid-output');
    expect((e as SovraError).exitCode).toBe(EXIT_CODES['invalid-output']);
    const m = (e as Error).message;
    expect(m).toContain('Secret sovra-reader/app-token: referenced by Deployment sovra-reader/reader spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef in manifests/reader.yaml');
    expect(m).toContain('declared by component reader (A token.)');
    expect(existsSync(out)).toBe(false);
  });

  it.each(['external-secret', 'certificate', 'operator', 'supplied-at-install'] as const)('a %s producer closes it', async (producer) => {
    const r = await synthProfile('edge', join(root, producer), { components: [...COMPONENTS, reader(producer)] });
    const supplied = r.suppliedAtInstall.map((s) => `${s.namespace}/${s.name}`);
    if (producer === 'supplied-at-install') expect(supplied).toContain('sovra-reader/app-token');
    else expect(supplied).not.toContain('sovra-reader/app-token');
  });

  it.each(PROFILES)('every Secret the %s profile references has a producer, and the NATS and control plane Secrets are among them', (profile) => {
    const { platform } = buildPlatform(loadProfile(profile));
    const closure = secretClosure(renderObjects(platform), manifestFile);
    expect(closure.unproduced).toEqual([]);
    const produced = new Map(closure.producers.map((p) => [`${p.namespace}/${p.name}`, p.kind]));
    expect(produced.get('sovra-messaging/nats-server-tls')).toBe('certificate');
    expect(produced.get('sovra-messaging/nats-accounts')).toBe('external-secret');
    expect(produced.get('sovra-messaging/nats-jetstream-key')).toBe('external-secret');
    expect(produced.get('sovra-system/control-plane-db-app')).toBe('operator');
    expect(produced.get('sovra-system/control-plane-audit-key')).toBe('external-secret');
  });

  it.each(PROFILES)('the README lists every Secret the %s profile has supplied at install', (profile) => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const table = readme.slice(readme.indexOf('<!-- supplied-at-install -->'), readme.indexOf('### Images and the image lock'));
    const { platform } = buildPlatform(loadProfile(profile));
    const closure = secretClosure(renderObjects(platform), manifestFile);
    const supplied = closure.producers.filter((p) => p.kind === 'supplied-at-install');
    for (const s of supplied) expect(table, `${s.namespace}/${s.name}`).toContain(`\`${s.namespace}/${s.name}\``);
    if (profile !== 'cluster') expect(supplied.map((s) => s.name)).toContain('openbao-seal');
  });
});
