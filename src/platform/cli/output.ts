/**
 * CLI output: human text or one JSON document, and the mapping of errors to exit codes
 * (0 ok, 1 internal error, 2 usage error, 3 input rejected).
 */
import { exitCodeFor, IriskError } from '../../lib/errors.js';

/** Output mode shared by every command. */
export interface OutputOptions {
  json?: boolean;
}

/** Prints a result: the JSON value in --json mode, else the human text. */
export function emit(opts: OutputOptions, value: unknown, human: string): void {
  if (opts.json) process.stdout.write(JSON.stringify(value, null, 2) + '\n');
  else process.stdout.write(human.endsWith('\n') ? human : human + '\n');
}

/** Reports an error and returns the exit code for it. */
export function reportError(e: unknown, json: boolean): number {
  const code = exitCodeFor(e);
  if (e instanceof IriskError) {
    if (json) process.stdout.write(JSON.stringify({ error: e.toJSON() }, null, 2) + '\n');
    else process.stderr.write(`error ${e.code}: ${e.message}\n`);
  } else {
    const err = e instanceof Error ? e : new Error(String(e));
    if (json) process.stdout.write(JSON.stringify({ error: { code: 'INTERNAL', message: err.message } }, null, 2) + '\n');
    else process.stderr.write(`internal error: ${err.stack ?? err.message}\n`);
  }
  return code;
}

/** Parses a positive integer option or throws a usage error. */
export function intOption(value: string, name: string, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new IriskError('USAGE', `${name} must be an integer from ${min} to ${max} (got "${value}")`);
  return n;
}

/** Parses a number option in [min, max] or throws a usage error. */
export function numberOption(value: string, name: string, min = -Infinity, max = Infinity): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) throw new IriskError('USAGE', `${name} must be a number from ${min} to ${max} (got "${value}")`);
  return n;
}

/** Parses a time option: ISO 8601 date or date-time; without a zone, UTC. */
export function timeOption(value: string, name: string): Date {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:\d{2})?)?$/i.exec(value.trim());
  const t = m ? Date.parse(`${m[1]}T${m[2] ?? '00:00'}${m[3] ?? 'Z'}`) : NaN;
  if (!Number.isFinite(t)) throw new IriskError('USAGE', `${name} must be an ISO 8601 time such as 2024-03-15T12:00:00Z (got "${value}")`);
  return new Date(t);
}

/** Parses WxH. */
export function sizeOption(value: string): { width: number; height: number } {
  const m = /^(\d+)x(\d+)$/.exec(value);
  if (!m) throw new IriskError('USAGE', `--size must look like 640x480 (got "${value}")`);
  return { width: Number(m[1]), height: Number(m[2]) };
}

/** A byte count for people: "512 B", "4.0 KiB", "1.2 MiB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** Rows as aligned plain-text columns (the last column is not padded). */
export function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}
