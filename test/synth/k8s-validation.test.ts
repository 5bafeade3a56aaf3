/**
 * Kubernetes schema validation inside the synth: an object with a wrong
 * type, an unknown field or a kind without a shipped schema fails the synth
 * with invalid-output (exit 5), naming file, object, field path and the
 * schema's message, and nothing is written. Needs nothing beside the repo:
 * the schemas are the shipped copies.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Component, type ComponentProps } from '../../constructs/kit/component.js';
import { EXIT_CODES, isSovraError, type SovraError } from '../../core/errors.js';
import { listFiles, removeDir, synthProfile, tempDir, type ProfileName } from '../support/synth-output.js';

/** Which broken objects the test component emits. */
interface BrokenProps extends ComponentProps {
  readonly wrongType?: boolean;
  readonly unknownField?: boolean;
  readonly unknownKind?: boolean;
  /** This many more ConfigMaps with a wrong type, to overflow the listing. */
  readonly many?: number;
}

/** A component, built through the public construct API, whose objects break their schemas. */
class Broken extends Component {
  constructor(scope: Construct, id: string, props: BrokenProps) {
    super(scope, id, props, { title: 'Broken', description: 'Objects a test breaks.', layer: 'observability', namespace: 'sovra-broken', version: '1.0.0' });
    this.inNamespace(new ApiObject(this, 'Fine', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fine' }, data: { mode: 'on' } }));
    if (props.wrongType) this.inNamespace(new ApiObject(this, 'WrongType', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'wrong-type' }, data: { replicas: 3 } }));
    if (props.unknownField) this.inNamespace(new ApiObject(this, 'UnknownField', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'unknown-field' }, automountToken: false }));
    if (props.unknownKind) this.inNamespace(new ApiObject(this, 'UnknownKind', { apiVersion: 'widgets.example.com/v1', kind: 'Widget', metadata: { name: 'gadget' } }));
    for (let i = 0; i < (props.many ?? 0); i++) {
      this.inNamespace(new ApiObject(this, `Many${i}`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `many-${i}` }, data: { index: i } }));
    }
  }
}

let root: string;
beforeAll(() => {
  root = tempDir();
});
afterAll(() => removeDir(root));

let n = 0;
async function synthBroken(profile: ProfileName, props: Omit<BrokenProps, 'profile'>, prepare?: (outDir: string) => void) {
  const parent = join(root, `case-${++n}`);
  mkdirSync(parent);
  const outDir = join(parent, profile);
  prepare?.(outDir);
  try {
    await synthProfile(profile, outDir, { customize: (platform) => new Broken(platform, 'broken', { profile: platform.profile, ...props }) });
    return { error: undefined, parent, outDir };
  } catch (e) {
    return { error: e as SovraError, parent, outDir };
  }
}

function expectInvalidOutput(error: unknown): string {
  expect(isSovraError(error), String(error)).toBe(true);
  const e = error as SovraError;
  expect(e.code).toBe('invalid-output');
  expect(e.exitCode).toBe(5);
  expect(EXIT_CODES['invalid-output']).toBe(5);
  return e.message;
}

describe('a synth whose objects match their schemas', () => {
  it('writes the manifest of the added component', async () => {
    const { error, outDir } = await synthBroken('edge', {});
    expect(error).toBeUndefined();
    expect(readFileSync(join(outDir, 'manifests/broken.yaml'), 'utf8')).toMatch(/^  name: fine$/m);
  });
});

describe('a synth with objects that break their schemas', () => {
  it('fails with exit 5 naming file, object, path and message for a wrong type, an unknown field and an unknown kind, and writes nothing', async () => {
    const { error, parent } = await synthBroken('edge', { wrongType: true, unknownField: true, unknownKind: true });
    const msg = expectInvalidOutput(error);
    expect(msg).toMatch(/^3 Kubernetes objects do not match their schema/);
    expect(msg).toContain('manifests/broken.yaml, ConfigMap sovra-broken/wrong-type: at data.replicas: must be string,null (value: 3) [schema schema/v1.30.10-standalone-strict/configmap-v1.json]');
    expect(msg).toContain('manifests/broken.yaml, ServiceAccount sovra-broken/unknown-field: at automountToken: unknown field (the schema allows no other properties here) (value: false)');
    expect(msg).toContain('manifests/broken.yaml, Widget sovra-broken/gadget: no schema is shipped for widgets.example.com/v1 Widget');
    // How to add the missing schema, with the path the reference data would hold it at.
    expect(msg).toContain('add it to output/kubernetes/schemas/kinds.json');
    expect(msg).toContain('`crds/widgets.example.com/widget_v1.json`');
    expect(msg).toContain('`npm run gen`');
    // The valid ConfigMap is not reported.
    expect(msg).not.toContain('sovra-broken/fine');
    // No output folder, and no staging folder beside it.
    expect(readdirSync(parent)).toEqual([]);
  });

  it('names the Terraform stack too where the profile deploys with cdktf', async () => {
    const { error, parent } = await synthBroken('cluster', { wrongType: true });
    const msg = expectInvalidOutput(error);
    expect(msg).toContain('manifests/broken.yaml (also in terraform/cdk.tf.json), ConfigMap sovra-broken/wrong-type: at data.replicas: must be string,null');
    expect(readdirSync(parent)).toEqual([]);
  });

  it('lists every failing object up to a cap, then counts the rest', async () => {
    const { error } = await synthBroken('dev', { many: 25 });
    const msg = expectInvalidOutput(error);
    expect(msg).toMatch(/^25 Kubernetes objects do not match/);
    expect(msg.split('\n').filter((l) => l.includes('ConfigMap sovra-broken/many-')).length).toBe(20);
    expect(msg).toContain('and 5 more objects');
  });

  it('leaves an earlier output folder exactly as it was', async () => {
    const { error, parent, outDir } = await synthBroken('edge', { unknownField: true }, (out) => {
      mkdirSync(out);
      writeFileSync(join(out, 'earlier.txt'), 'from an earlier synth\n');
    });
    expectInvalidOutput(error);
    expect(readdirSync(parent)).toEqual(['edge']);
    expect(listFiles(outDir)).toEqual(['earlier.txt']);
    expect(existsSync(join(outDir, 'manifests'))).toBe(false);
  });
});
