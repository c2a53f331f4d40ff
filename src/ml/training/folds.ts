/**
 * Stratified k-fold assignment: every fold gets the same share of positives (within one row), rows
 * shuffled with a seed, so cross-validated estimates are comparable and reproducible.
 */
import { IriskError } from '../../lib/errors.js';
import { Rng } from '../../lib/rng.js';

/** The fold (0..k-1) of every row. */
export function stratifiedFolds(labels: ArrayLike<number>, k: number, seed: number, what = 'folds'): Int32Array {
  if (!Number.isInteger(k) || k < 2) throw new IriskError('CONFIG_INVALID', `folds must be an integer >= 2, got ${k}`);
  const rng = new Rng(seed);
  const fold = new Int32Array(labels.length);
  let startAt = 0;
  for (const cls of [0, 1]) {
    const rows: number[] = [];
    for (let i = 0; i < labels.length; i++) if (labels[i] === cls) rows.push(i);
    if (rows.length < k) throw new IriskError('DATASET_INVALID', `only ${rows.length} rows with label ${cls}: too few for ${k} ${what}`);
    for (let i = rows.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [rows[i], rows[j]] = [rows[j]!, rows[i]!];
    }
    // The positives continue the round-robin where the negatives stopped, so fold sizes stay balanced too.
    const offset = startAt;
    rows.forEach((r, n) => (fold[r] = (n + offset) % k));
    startAt = rows.length % k;
  }
  return fold;
}

/** Row indices of fold `f` (test) and of all other folds (train). */
export function splitByFold(fold: Int32Array, f: number): { train: number[]; test: number[] } {
  const train: number[] = [];
  const test: number[] = [];
  for (let i = 0; i < fold.length; i++) (fold[i] === f ? test : train).push(i);
  return { train, test };
}

/** A stratified split of `indices` into a larger and a `share`-sized part (e.g. early-stopping rows). */
export function stratifiedHoldout(labels: ArrayLike<number>, indices: readonly number[], share: number, seed: number): { fit: number[]; holdout: number[] } {
  const k = Math.max(2, Math.round(1 / share));
  const sub = indices.map((i) => labels[i]!);
  const folds = stratifiedFolds(sub, k, seed, `parts of a training fold (a ${Math.round(share * 100)}% early-stopping split)`);
  const fit: number[] = [];
  const holdout: number[] = [];
  indices.forEach((row, n) => (folds[n] === 0 ? holdout : fit).push(row));
  return { fit, holdout };
}
