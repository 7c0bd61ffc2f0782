import { CommanderError } from 'commander';
import { buildProgram } from './program.js';
import { ExitError, err, quietOnClosedPipes } from './output.js';

/** The CLI's process entry: the only place that sets the exit code. */
async function main(argv: string[]): Promise<number> {
  quietOnClosedPipes();
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof ExitError) {
      if (e.message) err(e.message);
      return e.exitCode;
    }
    if (e instanceof CommanderError) {
      return e.exitCode === 0 ? 0 : 2;
    }
    err(`agentbox: ${(e as Error)?.message ?? String(e)}`);
    return 1;
  }
}

main(process.argv).then(
  (code) => {
    // Commands that keep serving (the foreground daemon, the MCP server) never resolve here.
    process.exitCode = code;
  },
  (e) => {
    err(String(e));
    process.exit(1);
  },
);
