/** Checks shared by the options of the synthetic worlds: every problem is a USAGE error naming the option. */
import { IriskError } from '../lib/errors.js';

/** A USAGE error carrying the offending values. */
export function usage(message: string, details: Record<string, unknown> = {}): IriskError {
  return new IriskError('USAGE', message, details);
}

/** `v` when it is an integer in [lo, hi]; USAGE naming `name` otherwise. */
export function checkInt(name: string, v: unknown, lo: number, hi: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
    throw usage(`${name} must be an integer from ${lo} to ${hi}, got ${String(v)}`, { [name]: v });
  }
  return v;
}
