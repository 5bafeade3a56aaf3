/** Every `sovra` subcommand, in the order `sovra --help` lists them. */
import type { Command } from '../command.js';
import { profilesCommand } from './profiles.js';
import { synthCommand } from './synth.js';
import { auditVerifyCommand } from './audit.js';
import { serveCommand } from './serve.js';
import { modelCommand } from './model.js';
import { keygenCommand, signCommand, verifyCommand } from './supply-chain.js';
import { assessCommand } from './assess.js';
import { diffCommand } from './diff.js';
import { imagesCommand, lockCommand } from './images.js';
import { bundleCommand, bundleLoadCommand, bundleVerifyCommand } from './bundle.js';
import { imageBuildCommand } from './image.js';

export const commands: Command[] = [
  synthCommand,
  profilesCommand,
  verifyCommand,
  assessCommand,
  diffCommand,
  imagesCommand,
  lockCommand,
  bundleCommand,
  bundleLoadCommand,
  bundleVerifyCommand,
  signCommand,
  keygenCommand,
  auditVerifyCommand,
  serveCommand,
  modelCommand,
  imageBuildCommand,
];
