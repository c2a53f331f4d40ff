/**
 * The `irisk` command. Exit codes: 0 ok, 1 internal error, 2 usage error, 3 input rejected.
 */
import { Command, CommanderError } from 'commander';
import { registerIrisCommands } from './commands/iris.js';
import { registerSynthCommands } from './commands/synth.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerModelsCommands } from './commands/models.js';
import { registerTrainCommands } from './commands/train.js';
import { registerCreditCommands } from './commands/credit.js';
import { registerPadCommands } from './commands/pad.js';
import { registerGalleryCommands } from './commands/gallery.js';
import { registerServeCommand } from './commands/serve.js';
import { registerMonitorCommands } from './commands/monitor.js';

/** Builds the command tree (exported for tests). */
export function buildProgram(): Command {
  const program = new Command('irisk')
    .description('Identity (iris recognition) and credit decisions, with one ML lifecycle')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  registerSynthCommands(program);
  registerIrisCommands(program);
  registerPadCommands(program);
  registerGalleryCommands(program);
  registerServeCommand(program);
  registerMonitorCommands(program);
  registerDemoCommand(program);
  registerModelsCommands(program);
  registerTrainCommands(program);
  registerCreditCommands(program);
  return program;
}

/** Parses argv and runs; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  program.commands.forEach(function override(c: Command): void {
    c.exitOverride();
    c.commands.forEach(override);
  });
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // An explicit --help or --version is a success; help shown for a missing subcommand is not.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
      return 2;
    }
    throw e;
  }
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}

