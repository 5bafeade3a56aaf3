/**
 * Every value of the profile schema that is checked by a regular expression
 * carries examples, and each example passes its own check: the validation
 * message shows the first one instead of the expression.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../support/shared.js';

interface Node { pattern?: string; examples?: unknown[]; [k: string]: unknown }

/** Every schema node with a `pattern`, by JSON pointer. */
function patterned(node: unknown, at = ''): Array<[string, Node]> {
  if (node === null || typeof node !== 'object') return [];
  const here: Array<[string, Node]> = typeof (node as Node).pattern === 'string' ? [[at, node as Node]] : [];
  return here.concat(Object.entries(node).flatMap(([k, v]) => patterned(v, `${at}/${k}`)));
}

it('gives every patterned value examples that match the pattern', () => {
  const schema = JSON.parse(readFileSync(join(REPO_ROOT, 'profiles/profile.schema.json'), 'utf8')) as unknown;
  const nodes = patterned(schema);
  // NATS's file store size is one of them, wherever the schema nests the NATS settings.
  expect(nodes.some(([at]) => at.endsWith('/nats/properties/fileStorage'))).toBe(true);
  for (const [at, node] of nodes) {
    expect(node.examples?.length, `${at} has no examples`).toBeGreaterThan(0);
    for (const ex of node.examples!) expect(typeof ex === 'string' && new RegExp(node.pattern!, 'u').test(ex), `${at}: ${JSON.stringify(ex)}`).toBe(true);
  }
});
