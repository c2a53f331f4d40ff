/**
 * Small assertions shared by tests: which typed error a call throws.
 */
import { expect } from 'vitest';
import { isIriskError, type ErrorCode } from '../src/lib/errors.js';

/** The code of the IriskError `fn` throws; 'none' when it returns; 'foreign' for any other error. */
export function errorCodeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return isIriskError(e) ? e.code : 'foreign';
  }
  return 'none';
}

/** Asserts that `fn` throws an IriskError with `code` (and a message matching `pattern`, if given). */
export function expectErrorCode(fn: () => unknown, code: ErrorCode, pattern?: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(isIriskError(caught, code), String(caught)).toBe(true);
  if (pattern) expect((caught as Error).message).toMatch(pattern);
}
