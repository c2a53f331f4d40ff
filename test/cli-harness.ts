/**
 * Runs the `irisk` CLI in-process (its real `main`), capturing stdout, stderr and the exit code.
 */
import { vi } from 'vitest';
import { main } from '../src/platform/cli/main.js';

/** Output and exit code of one CLI run. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `irisk ARGS...` and returns what it printed and its exit code. */
export async function cli(...args: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => ((stderr += String(chunk)), true));
  try {
    process.exitCode = undefined;
    const code = await main(['node', 'irisk', ...args]);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = undefined;
  }
}
