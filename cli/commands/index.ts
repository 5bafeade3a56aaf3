/** Every `sovra` subcommand, in the order `sovra --help` lists them. */
import type { Command } from '../command.js';

export const commands: Command[] = [];
