/** `sovra assess <dir>`: re-check every claim's evidence in an output and write OSCAL assessment results. */
import { dirname } from 'node:path';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { ASSESS_EXIT } from '../../contracts/verify-codes.js';
import { SovraError } from '../../core/errors.js';
import { sourceDateEpoch } from '../../core/time.js';
import { parseCommandArgs } from '../args.js';
import type { Command } from '../command.js';

const usage = `Usage: sovra assess <dir> [--out <file>] [--json]

Re-checks every claim's evidence that <dir>/oscal/ssp.json records (file,
object, field, expected value) against the files in <dir>, and writes OSCAL
1.1.3 assessment results: one observation per claim with the value found, one
finding per control, satisfied only when all its evidence holds. Run it on a
schedule over the deployed output for a continuous control snapshot.

Options:
  --out <file>   where to write the assessment results (default assessment-results.json)
  --json         print the summary as JSON

Time stamps come from SOURCE_DATE_EPOCH (set it to the time of the run), else the SSP's.

Exit status: 0 every control's evidence holds, ${ASSESS_EXIT.finding} a finding (evidence that no longer
holds), 2 usage, 5 the SSP is not valid OSCAL, 7 <dir> has no readable SSP, 10 I/O.
`;

/** The assess command. */
export const assessCommand: Command = {
  name: 'assess',
  summary: 'Re-check every claim\'s evidence in an output; write OSCAL assessment results',
  usage,
  async run(args) {
    const { values, positionals } = parseCommandArgs('assess', args, { out: { type: 'string', default: 'assessment-results.json' }, json: { type: 'boolean', default: false } }, true);
    if (positionals.length !== 1) throw new SovraError('usage', 'sovra assess: give exactly one output directory, e.g. `sovra assess dist/edge`. Run `sovra assess --help` for usage.');
    const [{ assessOutput }, { documentText }, { ASSESSMENT_RESULTS_PATH }] = await Promise.all([import('../../oscal/assess/assess.js'), import('../../oscal/document-text.js'), import('../../oscal/assess/assessment-results.js')]);
    const epoch = process.env.SOURCE_DATE_EPOCH ? sourceDateEpoch(process.env) : undefined;
    const { document, summary } = assessOutput(positionals[0]!, epoch === undefined ? {} : { epoch });
    try {
      mkdirSync(dirname(values.out), { recursive: true });
      writeFileSync(`${values.out}.tmp`, documentText(ASSESSMENT_RESULTS_PATH, document));
      renameSync(`${values.out}.tmp`, values.out);
    } catch (e) {
      throw new SovraError('io', `sovra assess: cannot write ${values.out}: ${(e as Error).message}`, { cause: e });
    }
    if (values.json) process.stdout.write(JSON.stringify({ out: values.out, ...summary }, null, 2) + '\n');
    else {
      process.stdout.write(`assessed ${summary.controls} controls, ${summary.claims} claims, ${summary.evidence} pieces of evidence: ${summary.notSatisfied.length === 0 ? 'all evidence holds' : `${summary.notSatisfied.length} not satisfied (${summary.notSatisfied.join(', ')})`}; wrote ${values.out}\n`);
    }
    return summary.notSatisfied.length > 0 ? ASSESS_EXIT.finding : 0;
  },
};
