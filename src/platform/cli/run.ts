/**
 * Runs a command action: errors become a message (or a JSON error document) and an exit code;
 * nothing is swallowed.
 */
import { reportError, type OutputOptions } from './output.js';

/** Awaits the action and sets the process exit code from any error. */
export async function run(opts: OutputOptions, action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (e) {
    process.exitCode = reportError(e, opts.json === true);
  }
}
