/**
 * `codeVersion()`: which code trained a model, for the `codeVersion` field of its metadata.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The package version plus, when this code runs from a git checkout and git is installed, the
 * commit: "0.1.0+git.1a2b3c4d5e6f" (".dirty" appended when tracked files differ from the commit).
 * Never throws: without git (or outside a checkout) it is just the package version.
 */
export function codeVersion(): string {
  if (cached !== undefined) return cached;
  const root = packageRoot();
  let version = '0.0.0';
  if (root) {
    try {
      version = String((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: unknown }).version ?? version);
    } catch {
      // An unreadable package.json leaves the placeholder version; the commit (if any) still identifies the code.
    }
  }
  const commit = root ? git(root, ['rev-parse', '--short=12', 'HEAD']) : null;
  if (commit && /^[0-9a-f]{7,40}$/.test(commit)) {
    const status = git(root!, ['status', '--porcelain', '--untracked-files=no']);
    cached = `${version}+git.${commit}${status ? '.dirty' : ''}`;
  } else cached = version;
  return cached;
}

/** The nearest directory above this module holding a package.json. */
function packageRoot(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      readFileSync(join(dir, 'package.json'));
      return dir;
    } catch {
      const up = dirname(dir);
      if (up === dir) return null;
      dir = up;
    }
  }
}

/** Output of a git command, trimmed, or null when git is missing or fails. */
function git(cwd: string, args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}
