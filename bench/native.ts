/**
 * Builds and runs the C reference programs under bench/c with the machine's compiler, for
 * same-run baselines. Returns null (and says why) when no compiler is available.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** Source folder of the C programs (bench/c), from either the source tree or dist/bench. */
const cDir = here.includes(`${join('dist', 'bench')}`) ? join(here, '..', '..', 'bench', 'c') : join(here, 'c');

/** Compiles bench/c/NAME.c with gcc -O3 and runs it with args; returns its stdout, or null. */
export function runC(name: string, flags: string[], args: string[]): string | null {
  try {
    const out = join(mkdtempSync(join(tmpdir(), 'irisk-bench-')), name);
    execFileSync('gcc', ['-O3', ...flags, '-o', out, join(cDir, `${name}.c`)], { stdio: 'pipe' });
    return execFileSync(out, args, { encoding: 'utf8' }).trim();
  } catch (e) {
    process.stderr.write(`bench: C reference ${name} unavailable (${(e as Error).message.split('\n')[0]})\n`);
    return null;
  }
}
