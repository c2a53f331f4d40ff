/**
 * Output directories for reports: created up front and checked writable, so a long job fails
 * before it starts rather than after it has done its work.
 */
import { access, constants, mkdir } from 'node:fs/promises';
import { IriskError } from './errors.js';

/** Creates `dir` (and parents) and checks it is writable; USAGE error naming `option` when not. */
export async function prepareOutputDir(dir: string, option: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new IriskError('USAGE', `${option} ${dir}: cannot create or write this directory (${code}); choose another path`, { path: dir });
  }
}
