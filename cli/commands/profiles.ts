/** `sovra profiles`: lists the built-in profiles. */
import { parseCommandArgs } from '../args.js';
import type { Command } from '../command.js';

/** The profiles command. */
export const profilesCommand: Command = {
  name: 'profiles',
  summary: 'List the built-in profiles',
  usage: 'Usage: sovra profiles\n\nLists the built-in profiles with a one-line description. A profile file can `extends:` any of them.\n',
  async run(args) {
    // No options: a stray flag or word is a usage error, not silently ignored.
    parseCommandArgs('profiles', args, {});
    // Loaded here, so other commands (sovra serve) do not load the model's profiles.
    const { BUILTIN_PROFILES } = await import('../../profiles/builtin/index.js');
    const names = Object.keys(BUILTIN_PROFILES);
    const width = Math.max(...names.map((n) => n.length));
    for (const p of Object.values(BUILTIN_PROFILES)) process.stdout.write(`${p.name.padEnd(width)}  ${p.description}\n`);
    return 0;
  },
};
