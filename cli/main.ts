/**
 * The `sovra` command line: dispatches to subcommands and turns user
 * mistakes (SovraError) into one clear paragraph and a documented exit
 * status. Bugs keep their stack.
 */
import { EXIT_CODES, SovraError, reportError } from '../core/errors.js';
import { sovraVersion } from '../core/version.js';
import type { Command } from './command.js';
import { commands } from './commands/index.js';

function helpText(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  const codes = Object.entries(EXIT_CODES).map(([k, v]) => `  ${String(v).padStart(2)}  ${k}`);
  return [
    'Usage: sovra <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `sovra <command> --help` for the options of a command.',
    '',
    'Exit status: 0 success, 1 internal error (a bug: please report it), and for user mistakes:',
    ...codes,
    '',
  ].join('\n');
}

function findCommand(args: string[]): { command: Command; rest: string[] } | undefined {
  // Longest match first, so `audit verify` wins over a plain `audit`.
  const sorted = [...commands].sort((a, b) => b.name.split(' ').length - a.name.split(' ').length);
  for (const command of sorted) {
    const words = command.name.split(' ');
    if (words.every((w, i) => args[i] === w)) return { command, rest: args.slice(words.length) };
  }
  return undefined;
}

/** The commands of group `word` (`audit` → `audit verify`): those whose name is `word` followed by more words. */
function groupCommands(word: string | undefined): Command[] {
  return word === undefined ? [] : commands.filter((c) => c.name.startsWith(`${word} `));
}

function groupHelpText(word: string, group: Command[]): string {
  const width = Math.max(...group.map((c) => c.name.length));
  return [
    `Usage: sovra ${word} <subcommand> [options]`,
    '',
    'Subcommands:',
    ...group.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    `Run \`sovra ${group[0]!.name} --help\` for the options of a subcommand.`,
    '',
  ].join('\n');
}

/** Runs the CLI with `argv` (without node and script) and resolves to the exit status. */
export async function run(argv: string[]): Promise<number> {
  try {
    if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
      process.stdout.write(helpText());
      return argv.length === 0 ? EXIT_CODES.usage : 0;
    }
    if (argv[0] === '--version') {
      process.stdout.write(`sovra ${sovraVersion()}\n`);
      return 0;
    }
    const found = findCommand(argv);
    const group = found ? [] : groupCommands(argv[0]);
    if (group.length > 0) {
      // A group name alone (`sovra audit`) gets the group's usage, like `sovra` alone gets the full help.
      const help = argv[1] === '--help' || argv[1] === '-h';
      if (argv.length === 1 || help) {
        process.stdout.write(groupHelpText(argv[0]!, group));
        return help ? 0 : EXIT_CODES.usage;
      }
      throw new SovraError('usage', `Unknown subcommand "${argv.join(' ')}". Commands of sovra ${argv[0]}: ${group.map((c) => c.name).join(', ')}. Run \`sovra ${argv[0]} --help\` for usage.`);
    }
    if (!found) {
      const known = commands.map((c) => c.name).join(', ');
      throw new SovraError('usage', `Unknown command "${argv.join(' ')}". Known commands: ${known}. Run \`sovra --help\` for usage.`);
    }
    if (found.rest.includes('--help') || found.rest.includes('-h')) {
      process.stdout.write(found.command.usage.endsWith('\n') ? found.command.usage : found.command.usage + '\n');
      return 0;
    }
    return await found.command.run(found.rest);
  } catch (e) {
    return reportError(e);
  }
}
