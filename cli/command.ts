/** A `sovra` subcommand: its name, one-line summary, usage text and action. */
export interface Command {
  /** Words that select the command, e.g. `synth` or `audit verify`. */
  readonly name: string;
  /** One line for `sovra --help`. */
  readonly summary: string;
  /** Full usage text for `sovra <name> --help`. */
  readonly usage: string;
  /** Runs the command with the arguments after its name; resolves to the exit status. */
  run(args: string[]): Promise<number>;
}
