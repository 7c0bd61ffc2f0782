import { Command } from 'commander';
import { VERSION } from '../shared/version.js';

/**
 * Commander wiring only. Each action imports its command module lazily, so `agentbox mcp` does not
 * pay for the gateway and `agentbox config validate` does not pay for the MCP SDK.
 */
export function buildProgram(): Command {
  const program = new Command('agentbox')
    .description('A local LLM gateway for coding agents')
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError();

  const litellm = program.command('litellm').description('Run and inspect the gateway daemon');
  litellm
    .command('start')
    .description('Validate the config and start the gateway')
    .option('--config <path>', 'config file')
    .option('--port <n>', 'port (overrides config and LITELLM_PORT)')
    .option('--foreground', 'run in this process instead of detaching')
    .action(async (opts) => (await import('./commands/start.js')).start(opts));
  litellm
    .command('stop')
    .description('Stop the gateway; in-flight requests finish first (up to 10 s)')
    .action(async () => (await import('./commands/stop.js')).stop());
  litellm
    .command('restart')
    .description('Stop and start the gateway (keeps its config file and --port unless given)')
    .option('--config <path>', 'config file')
    .option('--port <n>', 'port (overrides config and LITELLM_PORT)')
    .action(async (opts) => (await import('./commands/restart.js')).restart(opts));
  litellm
    .command('reload')
    .description('Re-read the config now; an invalid one is reported and the old one keeps serving')
    .action(async () => (await import('./commands/reload.js')).reload());
  litellm
    .command('status')
    .description('Whether the gateway runs, its config, deployments and counters (exit 3: not running)')
    .option('--json', 'machine-readable output')
    .action(async (opts) => (await import('./commands/status.js')).status(opts));
  litellm
    .command('top')
    .description('A live view of deployments and requests, refreshed every second (q quits)')
    .option('--interval <seconds>', 'refresh interval', '1')
    .action(async (opts) => (await import('./commands/top.js')).top(opts));
  litellm
    .command('models')
    .description('Aliases and their fallback chains, with key and health state')
    .option('--json', 'machine-readable output')
    .option('--config <path>', 'read this config file instead of asking the running gateway')
    .action(async (opts) => (await import('./commands/models.js')).models(opts));
  litellm
    .command('logs')
    .description('The gateway log, readable')
    .option('-f, --follow', 'keep printing new lines')
    .option('-n, --lines <n>', 'how many lines to show', '50')
    .action(async (opts) => (await import('./commands/logs.js')).logs(opts));
  litellm
    .command('spend')
    .description('Spend from the ledger: per day, key, alias and deployment (default: this month)')
    .option('--by <what>', 'one row per key, alias or deployment for the whole period')
    .option('--since <date>', 'first day to count, e.g. 2026-01-01 (default: the first of this month, UTC)')
    .option('--json', 'machine-readable output')
    .action(async (opts) => (await import('./commands/spend.js')).spend(opts));

  const config = program.command('config').description('Check, create and describe the config file');
  config
    .command('validate [path]')
    .description('Check a config file and print every problem with its path')
    .action(async (path) => (await import('./commands/config-validate.js')).configValidate(path));
  config
    .command('init')
    .description('Write the default config file')
    .option('--force', 'overwrite an existing file')
    .option('--config <path>', 'where to write it')
    .action(async (opts) => (await import('./commands/config-init.js')).configInit(opts));
  config
    .command('import <litellm-config>')
    .description('Convert a LiteLLM proxy config.yaml into an agentbox config (stdout, or -o FILE)')
    .option('-o, --output <path>', 'write the config here instead of stdout')
    .option('--force', 'overwrite the output file')
    .action(async (file, opts) => (await import('./commands/config-import.js')).configImport(file, opts));
  config
    .command('schema')
    .description('Print the JSON Schema of the config file')
    .action(async () => (await import('./commands/config-schema.js')).configSchema());

  program
    .command('mcp')
    .description('MCP server on stdio: the complete, list_models and consensus tools, through the gateway')
    .option('--autostart', 'start the gateway first when it is not running')
    .action(async (opts) => (await import('./commands/mcp.js')).mcp(opts));

  program
    .command('doctor')
    .description(
      'Check the config, provider keys and hosts, the gateway and the agents pointed at it (exit 1: a problem)',
    )
    .option('--config <path>', 'config file (default: the running gateway’s, else the usual locations)')
    .option('--json', 'machine-readable output')
    .action(async (opts) => (await import('./commands/doctor.js')).doctor(opts));

  program
    .command('env <agent>')
    .description(
      'Print what points an agent at the gateway: claude (environment), codex (config.toml), gemini (settings.json + environment)',
    )
    .option('--config <path>', 'config file (default: the running gateway’s, else the usual locations)')
    .option('--model <name>', 'the model (alias) the agent should ask for')
    .action(async (agent, opts) => (await import('./commands/env.js')).env(agent, opts));

  return program;
}
