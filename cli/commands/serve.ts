/** `sovra serve`: runs the control plane service until SIGTERM or SIGINT. */
import { resolveServeConfig, SERVE_OPTIONS, type ServeFlags } from '../../services/server/config.js';
import type { Command } from '../command.js';
import { parseCommandArgs } from '../args.js';

const NAME = 'serve';

const width = Math.max(...Object.values(SERVE_OPTIONS).map((o) => `${o.flag} ${o.value}`.length));
const usage = [
  'Usage: sovra serve --oidc-issuer <url> (--upstream <url>... | --local-model <file.gguf> --local-model-sha256 <hex>) [options]',
  '',
  'Runs the control plane: the OpenAI-compatible /v1 API with OIDC bearer tokens, CEL',
  'policy, rate limits, a hash-chained audit trail, RAG and failover from each upstream',
  'in order to the local model. Every option is also an environment variable; the flag wins.',
  '',
  'Options:',
  ...Object.values(SERVE_OPTIONS).map((o) => `  ${`${o.flag} ${o.value}`.padEnd(width)}  ${o.env.padEnd(24)} ${o.help}`),
  '',
  'On SIGTERM or SIGINT it stops taking requests, lets those in flight finish (up to 10 s),',
  'writes the last audit records and a final signed checkpoint, and exits 0.',
  'Exit status: 2 missing option or conflict, 7 bad model file, 8 bad option value, 1 a bug.',
  '',
].join('\n');

const parseOptions = Object.fromEntries(
  Object.entries(SERVE_OPTIONS).map(([name, o]) => [name, { type: 'string' as const, ...('multiple' in o && o.multiple ? { multiple: true } : {}) }]),
) as Record<keyof typeof SERVE_OPTIONS, { type: 'string'; multiple?: boolean }>;

/** The `sovra serve` command. */
export const serveCommand: Command = {
  name: NAME,
  summary: 'Run the control plane service (OpenAI-compatible API, OIDC, CEL policy, audit, failover)',
  usage,
  async run(args: string[]): Promise<number> {
    const { values } = parseCommandArgs(NAME, args, parseOptions);
    const config = resolveServeConfig(values as ServeFlags);
    // Loaded here, not at start-up, so other commands do not pay for Fastify and the services.
    const { startServer } = await import('../../services/server/start.js');
    const server = await startServer(config);
    process.stdout.write(
      `sovra serve: listening on ${server.url} (tiers: ${server.tiers.join(', ')}; audit: ${server.storageLabel}${config.auditKey ? ', signed checkpoints' : ', NO checkpoint key: records are chained but unsigned'})\n`,
    );
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGTERM', () => resolve('SIGTERM'));
      process.once('SIGINT', () => resolve('SIGINT'));
    });
    process.stdout.write(`sovra serve: ${signal}: finishing requests in flight and closing the audit trail\n`);
    await server.close();
    process.stdout.write('sovra serve: stopped\n');
    return 0;
  },
};
