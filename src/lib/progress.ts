/**
 * A progress bar for long work. It draws on stderr only when stderr is a terminal and
 * output is not JSON, so machine-readable output and CI logs stay clean.
 */
import cliProgress from 'cli-progress';

/** Minimal progress reporter interface used by long-running operations. */
export interface Progress {
  start(total: number, label: string): void;
  tick(n?: number): void;
  stop(): void;
}

/** A reporter that does nothing (tests, JSON output, non-interactive runs). */
export const silentProgress: Progress = { start() {}, tick() {}, stop() {} };

/** A terminal progress bar on stderr, or a silent reporter when stderr is not a TTY. */
export function terminalProgress(enabled = process.stderr.isTTY === true): Progress {
  if (!enabled) return silentProgress;
  let bar: cliProgress.SingleBar | null = null;
  return {
    start(total, label) {
      bar?.stop();
      bar = new cliProgress.SingleBar(
        { format: `${label.padEnd(22)} [{bar}] {percentage}% {value}/{total} eta {eta_formatted}`, stream: process.stderr, hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0);
    },
    tick(n = 1) {
      bar?.increment(n);
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}
