/**
 * The tabular data every model family in `ml/` consumes: a dense row-major float32 matrix with NaN
 * for a missing value, named columns, and (for supervised work) a 0/1 label per row.
 */
import { IriskError } from '../../lib/errors.js';

/** A dense feature matrix: `values[row * cols + col]`, NaN = missing. */
export interface FeatureMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly values: Float32Array;
  readonly featureNames: readonly string[];
}

/** A feature matrix with a binary label per row (1 = the event of interest, e.g. default or attack). */
export interface LabelledData extends FeatureMatrix {
  readonly labels: Uint8Array;
}

/** Checks the shape invariants of a matrix (and labels, when present); throws DATASET_INVALID. */
export function checkMatrix(m: FeatureMatrix | LabelledData): void {
  if (!Number.isInteger(m.rows) || !Number.isInteger(m.cols) || m.rows < 0 || m.cols < 0) {
    throw new IriskError('DATASET_INVALID', `matrix shape ${m.rows}x${m.cols} is not a pair of non-negative integers`);
  }
  if (m.values.length !== m.rows * m.cols) {
    throw new IriskError('DATASET_INVALID', `matrix has ${m.values.length} values, expected ${m.rows}x${m.cols}`);
  }
  if (m.featureNames.length !== m.cols) {
    throw new IriskError('DATASET_INVALID', `matrix has ${m.featureNames.length} feature names for ${m.cols} columns`);
  }
  if ('labels' in m && m.labels.length !== m.rows) {
    throw new IriskError('DATASET_INVALID', `matrix has ${m.labels.length} labels for ${m.rows} rows`);
  }
}

/** The rows at `indices`, in that order (for folds and train/validation splits). */
export function selectRows<T extends FeatureMatrix>(m: T, indices: ArrayLike<number>): T {
  const values = new Float32Array(indices.length * m.cols);
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i]!;
    values.set(m.values.subarray(r * m.cols, (r + 1) * m.cols), i * m.cols);
  }
  const out: FeatureMatrix = { rows: indices.length, cols: m.cols, values, featureNames: m.featureNames };
  if ('labels' in m) {
    const src = (m as unknown as LabelledData).labels;
    const labels = new Uint8Array(indices.length);
    for (let i = 0; i < indices.length; i++) labels[i] = src[indices[i]!]!;
    return { ...out, labels } as unknown as T;
  }
  return out as T;
}
