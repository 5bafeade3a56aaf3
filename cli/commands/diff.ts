/** `sovra diff <dirA> <dirB>`: control-level and object-level changes between two outputs. */
import { ASSESS_EXIT } from '../../contracts/verify-codes.js';
import { SovraError } from '../../core/errors.js';
import { parseCommandArgs } from '../args.js';
import type { Command } from '../command.js';

const usage = `Usage: sovra diff <dirA> <dirB> [--json] [--exit-code]

Compares two synth outputs (two profiles, or yesterday's and today's):
  controls   status changes, parameter values, evidence gained or lost (from oscal/ssp.json)
  objects    Kubernetes objects added, removed or changed, with the fields that changed
  files      every other file whose bytes differ

Options:
  --json        print the changes as JSON
  --exit-code   exit ${ASSESS_EXIT.differs} when the outputs differ (0 when they are the same)

Exit status: 0 compared, 2 usage, 7 a directory is not a synth output.
`;

/** The diff command. */
export const diffCommand: Command = {
  name: 'diff',
  summary: 'Compare two outputs: control status, parameters, evidence, objects',
  usage,
  async run(args) {
    const { values, positionals } = parseCommandArgs('diff', args, { json: { type: 'boolean', default: false }, 'exit-code': { type: 'boolean', default: false } }, true);
    if (positionals.length !== 2) throw new SovraError('usage', 'sovra diff: give two output directories, e.g. `sovra diff dist/edge dist/cluster`. Run `sovra diff --help` for usage.');
    const { diffOutputs, diffText } = await import('../../oscal/diff/diff.js');
    const d = diffOutputs(positionals[0]!, positionals[1]!);
    process.stdout.write(values.json ? JSON.stringify(d, null, 2) + '\n' : diffText(d));
    const differs = d.controls.length + d.objects.length + d.files.length > 0;
    return values['exit-code'] && differs ? ASSESS_EXIT.differs : 0;
  },
};
